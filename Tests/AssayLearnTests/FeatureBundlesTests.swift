import AssayCore
@testable import AssayLearn
import XCTest

/// Boosting's exclusive feature bundling: the columns of a one-hot encoded category share one column of codes, and a
/// node's histogram read through the bundles is the histogram of one feature at a time.
final class FeatureBundlesTests: XCTestCase {
    /// 2 numeric columns (many values), category A one-hot in 5 columns (its first level in 55% of the rows), category
    /// B in 5 columns (about a fifth each), interleaved: columns 0 A0 A1 1 A2 A3 A4 B0 B1 B2 B3 B4.
    func table(rows n: Int = 1_500, seed: UInt64 = 5) -> Matrix {
        var rng = SplitMix64(seed: seed)
        var values: [Double] = []
        for _ in 0..<n {
            var a = [Double](repeating: -0.4, count: 5), b = [Double](repeating: 0.1, count: 5)
            a[rng.next() % 100 < 55 ? 0 : 1 + Int(rng.next() % 4)] = 1.3
            b[Int(rng.next() % 5)] = 2.2
            let x0 = Double(rng.next() % 10_000) / 37, x1 = Double(rng.next() % 300) / 3
            values += [x0, a[0], a[1], x1, a[2], a[3], a[4]] + b
        }
        return Matrix(rows: n, cols: 12, values: values)
    }

    func testTheColumnsOfOneCategoryShareABundle() throws {
        let binned = Binned(table())
        let bundles = FeatureBundles(binned)
        // A's first level is out of its common bin (not hot) in 45% of the rows: alone, with the numeric columns. A's
        // other levels share one bundle; B's another, because every row has one level of A and one of B.
        XCTAssertEqual(bundles.single, [0, 1, 3])
        XCTAssertEqual(bundles.bundles.map { $0.features.map(\.feature) }, [[2, 4, 5, 6], [7, 8, 9, 10, 11]])
        // Every row's code names the one feature out of its common bin, and its bin, or none.
        for (k, bundle) in bundles.bundles.enumerated() {
            for i in 0..<binned.rows {
                let code = Int(bundles.codes[k * binned.rows + i])
                for (j, common) in bundle.features {
                    let bin = Int(binned.codes[j * binned.rows + i])
                    if code > 0 && bundle.slots[code - 1].feature == j {
                        XCTAssertEqual(bin, bundle.slots[code - 1].bin, "bundle \(k), row \(i), feature \(j)")
                    } else {
                        XCTAssertEqual(bin, common, "bundle \(k), row \(i), feature \(j)")
                    }
                }
            }
        }
        XCTAssertTrue(FeatureBundles(binned, bundling: false).bundles.isEmpty)
        XCTAssertEqual(FeatureBundles(binned, bundling: false).single, Array(0..<12))
    }

    /// Gradients and hessians in multiples of 2⁻⁸, whose sums are exact in any order: the histogram read through the
    /// bundles equals the one of one feature at a time bit for bit; with arbitrary values, the bins other than the
    /// common ones still do, and the common bins agree to rounding.
    func testHistogramsEqualOneFeatureAtATime() {
        let binned = Binned(table())
        let offsets = binned.edges.reduce(into: [0]) { $0.append($0.last! + $1.count + 1) }
        var rng = SplitMix64(seed: 9)
        let n = binned.rows
        let exactG = (0..<n).map { _ in Double(Int(rng.next() % 512) - 256) / 256 }, exactH = (0..<n).map { _ in Double(rng.next() % 256 + 1) / 256 }
        let roundG = (0..<n).map { _ in Double(Float(Double(rng.next() % 1_000_000) / 999_983 - 0.5)) }
        let roundH = (0..<n).map { _ in Double(Float(Double(rng.next() % 1_000_000) / 1_000_003)) }
        let bundled = FeatureBundles(binned), plain = FeatureBundles(binned, bundling: false)
        let commonBins = Set(bundled.bundles.flatMap { $0.features.map { offsets[$0.feature] + $0.common } })
        XCTAssertFalse(commonBins.isEmpty)
        for rows in [Array(0..<n), (0..<n).filter { $0 % 3 != 1 }, [4, 17, 18, 600]] {
            var og = [Double](repeating: 0, count: n), oh = og
            for (g, h, exact) in [(exactG, exactH, true), (roundG, roundH, false)] {
                let got = bundled.histogram(binned, offsets: offsets, rows: rows, g: g, h: h, orderedG: &og, orderedH: &oh)
                let want = plain.histogram(binned, offsets: offsets, rows: rows, g: g, h: h, orderedG: &og, orderedH: &oh)
                XCTAssertEqual(got.v.count, want.v.count)
                for bin in 0..<(got.v.count / 3) {
                    for c in 0..<3 {
                        let a = got.v[3 * bin + c], b = want.v[3 * bin + c]
                        if exact || c == 2 || !commonBins.contains(bin) {
                            XCTAssertEqual(a.bitPattern, b.bitPattern, "\(rows.count) rows, bin \(bin), sum \(c), exact \(exact)")
                        } else {
                            XCTAssertEqual(a, b, accuracy: 1e-12 * Double(rows.count), "\(rows.count) rows, bin \(bin), sum \(c)")
                        }
                    }
                }
            }
        }
    }

    /// Boosting trees grown through the bundles are the trees grown one feature at a time (gradients whose sums are exact).
    func testTreesGrownThroughBundlesAreTheSame() {
        let x = table(rows: 2_000, seed: 12)
        let binned = Binned(x)
        var rng = SplitMix64(seed: 3)
        let g = (0..<x.rows).map { i in Double(Int(rng.next() % 64) - 32 + (x[i, 2] > 0 ? 20 : 0) + (x[i, 8] > 0 ? -25 : 0)) / 64 }
        let h = (0..<x.rows).map { _ in Double(rng.next() % 64 + 1) / 64 }
        var booster = GradientBoosting()
        booster.maxLeafNodes = 15
        booster.minSamplesLeaf = 5
        let (tree, leaves) = booster.growTree(binned, FeatureBundles(binned), g, h)
        let (plainTree, plainLeaves) = booster.growTree(binned, FeatureBundles(binned, bundling: false), g, h)
        XCTAssertEqual(tree, plainTree)
        XCTAssertEqual(leaves, plainLeaves)
        XCTAssertTrue(tree.feature.contains { [2, 4, 5, 6, 7, 8, 9, 10, 11].contains(Int($0)) }, "splits on bundled columns")
    }
}

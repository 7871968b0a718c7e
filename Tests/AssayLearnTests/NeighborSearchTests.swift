import AssayCore
@testable import AssayLearn
import XCTest

/// k-NN's Euclidean brute force narrows its search with a matrix product (‖a‖² + ‖b‖² − 2a·b, rounded) and then ranks
/// exact distances: it must find what ranking every training row's exact distance finds, bit for bit, ties to the
/// earlier row — also where the product's rounding is large (rows far from the origin).
final class NeighborSearchTests: XCTestCase {
    /// Every training row's exact distance, sorted, ties to the earlier row: the k nearest.
    private func reference(_ train: Matrix, _ query: Matrix, row i: Int, k: Int) -> (d: [Double], t: [Int]) {
        let p = train.cols
        var all: [(d: Double, t: Int)] = []
        train.values.withUnsafeBufferPointer { tv in
            query.values.withUnsafeBufferPointer { qv in
                for t in 0..<train.rows {
                    all.append((FittedKNearestNeighbors.distance(qv.baseAddress! + i * p, tv.baseAddress! + t * p, p, squared: true, bound: .infinity), t))
                }
            }
        }
        all.sort { $0.d != $1.d ? $0.d < $1.d : $0.t < $1.t }
        return (all.prefix(k).map(\.d), all.prefix(k).map(\.t))
    }

    /// Small integers (many exact ties), duplicate training rows, scaled to inexact binary values, moved by `offset`.
    private func data(offset: Double, seed: UInt64, rows: Int = 310, queries: Int = 70, cols p: Int = 24) -> (Matrix, Matrix) {
        var rng = SplitMix64(seed: seed)
        var train = (0..<rows * p).map { _ in Double(rng.next() % 3) * 0.37 + offset }
        for r in stride(from: 30, to: rows, by: 40) { for j in 0..<p { train[r * p + j] = train[j] } }
        let query = (0..<queries * p).map { _ in Double(rng.next() % 3) * 0.37 + offset }
        return (Matrix(rows: rows, cols: p, values: train), Matrix(rows: queries, cols: p, values: query))
    }

    /// More training rows than one block of products (1,024) and more query rows than one block (288): the bound
    /// carried from block to block keeps every row that may be among the nearest.
    func testProductSearchAcrossBlocks() throws {
        let (train, query) = data(offset: 0.5, seed: 13, rows: 2_300, queries: 600, cols: 16)
        for k in [3, 50] { try assertSearchMatchesReference(train, query, k: k, weights: .uniform, "offset 0.5") }
    }

    func testProductSearchFindsTheExactNearestRowsTiesToTheEarlierRow() throws {
        for offset in [0.0, -0.2, 3e6] {
            let (train, query) = data(offset: offset, seed: 5)
            XCTAssertNotNil(FittedKNearestNeighbors.squaredNorms(train), "searches by products")
            for k in [1, 7, 40, 310] { try assertSearchMatchesReference(train, query, k: k, weights: .distance, "offset \(offset)") }
        }
    }

    /// Brute-force search of `query` in `train` gives every row the reference's neighbours and distances.
    private func assertSearchMatchesReference(_ train: Matrix, _ query: Matrix, k: Int, weights: KNearestNeighbors.Weights, _ what: String) throws {
        var settings = KNearestNeighbors(neighbors: k, weights: weights, p: 2)
        settings.algorithm = .brute
        var rng = SplitMix64(seed: 1)
        let fitted = try settings.fit(train, (0..<train.rows).map { UInt8($0 % 2) }, using: &rng)
        var seen = 0
        try fitted.forEachNearest(query) { i, d, t in
            let want = reference(train, query, row: i, k: k)
            XCTAssertEqual(t, want.t, "\(what), k \(k), row \(i)")
            XCTAssertEqual(d, want.d, "\(what), k \(k), row \(i)")
            seen += 1
        }
        XCTAssertEqual(seen, query.rows)
    }

    /// Rows too large for ‖a‖² to be formed fall back to the scan, with the same answer.
    func testHugeRowsFallBackToTheScan() throws {
        let (small, query) = data(offset: 0, seed: 9)
        let scale = { (m: Matrix) in Matrix(rows: m.rows, cols: m.cols, values: m.values.map { $0 * 1e152 }) }
        let train = scale(small), q = scale(query)
        XCTAssertNil(FittedKNearestNeighbors.squaredNorms(train))
        try assertSearchMatchesReference(train, q, k: 5, weights: .uniform, "scaled by 1e152")
    }

    func testSmallestBoundsKeepsTheKSmallest() {
        var rng = SplitMix64(seed: 3)
        var kth = SmallestBounds(5)
        for round in 0..<3 {
            kth.removeAll()
            let values = (0..<200).map { _ in Double(rng.next() % 50) }
            for v in values { kth.insert(v) }
            XCTAssertEqual(kth.largest, values.sorted()[4], "round \(round)")
        }
        kth.removeAll()
        for v in [3.0, 1.0] { kth.insert(v) }
        XCTAssertEqual(kth.largest, 3, "fewer than k seen: the largest")
    }
}

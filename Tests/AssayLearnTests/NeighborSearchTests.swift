import AssayCore
@testable import AssayLearn
import AssayKernels
import TestSupport
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
            XCTAssertNotNil(DistanceProducts(train: train, query: query), "searches by products")
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
        XCTAssertNil(DistanceProducts(train: train, query: q))
        try assertSearchMatchesReference(train, q, k: 5, weights: .uniform, "scaled by 1e152")
    }

    /// Rows like a one-hot encoded and standardized table: `dense` columns of small integers and a block of `levels`
    /// one-hot columns (a level's column holds (1 − m)/s in its rows and −m/s in the others, as after scaling), the
    /// first level in 40% of the rows, the columns shuffled so that dense and one-hot columns interleave, and duplicate
    /// training rows. Every seventh query row also has a second level's value (no training row does).
    static func oneHotRows(seed: UInt64, rows: Int, queries: Int, dense: Int = 5, levels: Int = 30) -> (train: Matrix, query: Matrix) {
        var rng = SplitMix64(seed: seed)
        let p = dense + levels
        var order = Array(0..<p)
        order.seededShuffle(using: &rng)
        let share: [Double] = (0..<levels).map { 0.03 + 0.001 * Double($0) }, spread: [Double] = (0..<levels).map { 0.17 + 0.01 * Double($0) }
        let hot: [Double] = (0..<levels).map { (1 - share[$0]) / spread[$0] }, cold: [Double] = (0..<levels).map { -share[$0] / spread[$0] }
        func row(second: Bool) -> [Double] {
            var r = (0..<dense).map { _ in Double(rng.next() % 3) * 0.37 - 0.2 } + cold
            let level = rng.next() % 5 < 2 ? 0 : 1 + Int(rng.next() % UInt64(levels - 1))
            r[dense + level] = hot[level]
            if second { let other = 1 + Int(rng.next() % UInt64(levels - 1)); r[dense + other] = hot[other] }
            return order.map { r[$0] }
        }
        var train: [Double] = []
        for t in 0..<rows { train += t % 97 == 13 ? Array(train[0..<p]) : row(second: false) }
        let query = (0..<queries).flatMap { row(second: $0 % 7 == 0) }
        return (Matrix(rows: rows, cols: p, values: train), Matrix(rows: queries, cols: p, values: query))
    }

    /// A table of mostly one-hot columns: its products read those columns as lists of the rows that differ from the
    /// column's common value, and the search still finds the reference's neighbours and distances, bit for bit, across
    /// blocks of training and query rows.
    func testOneHotColumnsAreReadAsListsWithTheSameNeighbours() throws {
        let (train, query) = Self.oneHotRows(seed: 21, rows: 2_150, queries: 300)
        let products = try XCTUnwrap(DistanceProducts(train: train, query: query))
        XCTAssertEqual(products.sparseColumns, 29, "every level but the common one")
        for k in [1, 25, 75] { try assertSearchMatchesReference(train, query, k: k, weights: .distance, "one-hot") }
    }

    /// Blocks of query rows searched on lent workers give every row the neighbours and distances of the search on one
    /// thread, visited in row order; the workers go back when it is done.
    func testSearchOnLentWorkersIsTheSearchOnOneThread() throws {
        let (train, query) = Self.oneHotRows(seed: 30, rows: 1_100, queries: 2_700)
        var settings = KNearestNeighbors(neighbors: 9, weights: .distance, p: 2)
        settings.algorithm = .brute
        var rng = SplitMix64(seed: 1)
        let fitted = try settings.fit(train, (0..<train.rows).map { UInt8($0 % 2) }, using: &rng)
        var alone: [(Int, [Double], [Int])] = [], lent: [(Int, [Double], [Int])] = []
        try fitted.forEachNearest(query) { alone.append(($0, $1, $2)) }
        let pool = LendingPool(1)
        try Parallel.lending(pool.lender) { try fitted.forEachNearest(query) { lent.append(($0, $1, $2)) } }
        XCTAssertGreaterThan(pool.calls, 0, "asked for idle workers")
        XCTAssertEqual(pool.free, 1, "gave its worker back")
        XCTAssertEqual(lent.map(\.0), Array(0..<query.rows))
        XCTAssertTrue(zip(alone, lent).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 })
    }

    /// The exact distance read from the dense columns and the differing sparse ones is the scan's, bit for bit.
    func testExactDistanceFromTheDifferingColumnsIsTheScans() throws {
        for (dense, levels) in [(5, 30), (2, 17), (0, 24)] {
            let (train, query) = Self.oneHotRows(seed: 4, rows: 300, queries: 40, dense: dense, levels: levels)
            let products = try XCTUnwrap(DistanceProducts(train: train, query: query))
            XCTAssertGreaterThan(products.sparseColumns, 0)
            let p = train.cols
            train.values.withUnsafeBufferPointer { tv in
                query.values.withUnsafeBufferPointer { qv in
                    for i in 0..<query.rows {
                        for t in 0..<train.rows {
                            let a = qv.baseAddress! + i * p
                            let want = FittedKNearestNeighbors.distance(a, tv.baseAddress! + t * p, p, squared: true, bound: .infinity)
                            XCTAssertEqual(products.exactDistance(query: i, a, train: t).bitPattern, want.bitPattern, "\(dense) + \(levels) columns, query \(i), row \(t)")
                        }
                    }
                }
            }
        }
    }

    /// `assay_first_within` finds the first row whose lower bound, formed as the search forms it, is within the limit.
    func testFirstWithinFindsTheFirstRowWithinTheLimit() {
        var rng = SplitMix64(seed: 8)
        for round in 0..<300 {
            let count = Int(rng.next() % 23)
            let dots = (0..<count).map { _ in Double(rng.next() % 1000) / 97 - 3 }, norms = (0..<count).map { _ in Double(rng.next() % 1000) / 31 }
            let qn = Double(rng.next() % 500) / 7, factor = 8 * 40 * 0x1p-53, floor = 40 * Double.leastNormalMagnitude
            let limit = round % 10 == 0 ? Double.infinity : Double(rng.next() % 4000) / 13 - 20
            let want = (0..<count).first { i in
                let sum = qn + norms[i], d = sum - 2 * dots[i]
                return d - (factor * (sum + Swift.abs(d)) + floor) <= limit
            } ?? count
            let got = Int(assay_first_within(dots, norms, Int64(count), qn, factor, floor, limit))
            XCTAssertEqual(got, want, "round \(round)")
        }
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

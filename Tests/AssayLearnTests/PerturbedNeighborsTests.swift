import AssayCore
@testable import AssayLearn
import XCTest

/// k-NN's batch of perturbed predictions (permutation importance's fast path) gives, bit for bit, what predicting
/// each perturbed copy from scratch gives: the same neighbours, distances and tie-breaks.
final class PerturbedNeighborsTests: XCTestCase {
    /// 300 training rows, 60 query rows, 20 columns: small integers, so that many distances tie exactly, a one-hot
    /// block (columns 16–19), and duplicate training rows.
    func fixture() -> (train: Matrix, labels: [UInt8], query: Matrix, perturbations: [ColumnPerturbation]) {
        var rng = SplitMix64(seed: 11)
        func small() -> Double { Double(rng.next() % 4) }
        func row() -> [Double] {
            var r = (0..<16).map { _ in small() }
            var hot = [Double](repeating: 0, count: 4)
            hot[Int(rng.next() % 4)] = 1
            r += hot
            return r
        }
        var train: [Double] = [], labels: [UInt8] = []
        for i in 0..<300 {
            let r = i % 50 == 7 ? Array(train[0..<20]) : row()
            train += r
            labels.append(UInt8((r[0] + r[3] + r[16] + Double(rng.next() % 3)) > 4 ? 1 : 0))
        }
        let query = (0..<60).flatMap { _ in row() }
        let q = Matrix(rows: 60, cols: 20, values: query)
        var perturbations: [ColumnPerturbation] = []
        for columns in [[0], [5], [16, 17, 18, 19], [0, 1, 2]] {
            for _ in 0..<2 {
                var order = Array(0..<60)
                order.seededShuffle(using: &rng)
                perturbations.append(ColumnPerturbation(columns: columns, values: q.rows(order).columns(columns)))
            }
        }
        // Scaled values (not exact in binary), as standardized columns are.
        let scale = { (m: Matrix) in Matrix(rows: m.rows, cols: m.cols, values: m.values.map { $0 * 0.37 - 0.11 }) }
        return (scale(Matrix(rows: 300, cols: 20, values: train)), labels, scale(q),
                perturbations.map { ColumnPerturbation(columns: $0.columns, values: scale($0.values)) })
    }

    func testBatchEqualsPredictingEachCopy() throws {
        let (train, labels, query, perturbations) = fixture()
        for k in [1, 5, 30] {
            for weights in [KNearestNeighbors.Weights.uniform, .distance] {
                for p in [1, 2] {
                    var settings = KNearestNeighbors(neighbors: k, weights: weights, p: p)
                    settings.algorithm = .brute
                    var rng = SplitMix64(seed: 1)
                    let binary = try settings.fit(train, labels, using: &rng)
                    var regressor = KNeighborsRegressor()
                    regressor.settings = settings
                    let values = labels.enumerated().map { Double($0.element) * 3 + Double($0.offset % 7) }
                    let regression = try regressor.fit(train, values, using: &rng)
                    var multiclass = MulticlassKNearestNeighbors()
                    multiclass.settings = settings
                    let classes = labels.enumerated().map { UInt8(($0.offset % 3 == 0 ? 2 : 0) + Int($0.element)) % 3 }
                    let classModel = try multiclass.fit(train, classes, classes: 3, using: &rng)
                    let models: [any PerturbedPredicting] = [binary, regression, classModel]
                    for model in models {
                        XCTAssertTrue(model.predictsPerturbationsInBatch)
                        let batch = try model.predictScores(query, perturbations: perturbations)
                        XCTAssertEqual(batch.count, perturbations.count)
                        for (i, pert) in perturbations.enumerated() {
                            XCTAssertEqual(batch[i].map(\.bitPattern), try model.predictScores(pert.applied(to: query)).map(\.bitPattern),
                                           "\(type(of: model)) k \(k) \(weights) p \(p), perturbation \(i)")
                        }
                    }
                }
            }
        }
    }

    /// The same on a table of mostly one-hot columns, whose products read those columns as lists (`DistanceProducts`):
    /// shuffling a dense column, a one-hot column, and both.
    func testBatchEqualsPredictingEachCopyOnOneHotColumns() throws {
        let (train, query) = NeighborSearchTests.oneHotRows(seed: 3, rows: 1_300, queries: 90)
        XCTAssertGreaterThan(try XCTUnwrap(DistanceProducts(train: train, query: query)).sparseColumns, 0)
        var rng = SplitMix64(seed: 2)
        let labels = (0..<train.rows).map { _ in UInt8(rng.next() % 2) }
        var perturbations: [ColumnPerturbation] = []
        // A one-hot column of a rare level (two values, the rarer in fewer than 1/8 of the rows) and a dense column.
        let values = { (j: Int) in (0..<train.rows).map { train[$0, j] } }
        let hotColumn = try XCTUnwrap((0..<train.cols).first { j in
            let column = values(j)
            return Set(column).count == 2 && column.filter { $0 == column.max() }.count * 8 < train.rows
        })
        let denseColumn = try XCTUnwrap((0..<train.cols).first { Set(values($0)).count == 3 })
        for columns in [[denseColumn], [hotColumn], [denseColumn, hotColumn].sorted()] {
            var order = Array(0..<query.rows)
            order.seededShuffle(using: &rng)
            perturbations.append(ColumnPerturbation(columns: columns, values: query.rows(order).columns(columns)))
        }
        for k in [1, 25] {
            var settings = KNearestNeighbors(neighbors: k, weights: .distance, p: 2)
            settings.algorithm = .brute
            let model = try settings.fit(train, labels, using: &rng)
            let batch = try model.predictScores(query, perturbations: perturbations)
            for (i, pert) in perturbations.enumerated() {
                XCTAssertEqual(batch[i].map(\.bitPattern), try model.predictScores(pert.applied(to: query)).map(\.bitPattern), "k \(k), perturbation \(i)")
            }
        }
    }

    func testTreeSearchPredictsEachCopy() throws {
        let (train, labels, _, _) = fixture()
        var rng = SplitMix64(seed: 1)
        let narrow = Matrix(rows: 300, cols: 3, values: (0..<300).flatMap { Array(train.values[($0 * 20)..<($0 * 20 + 3)]) })
        let model = try KNearestNeighbors(neighbors: 5).fit(narrow, labels, using: &rng)
        XCTAssertFalse(model.predictsPerturbationsInBatch, "a k-d tree breaks ties as scikit-learn's does; the batch is brute force")
    }
}

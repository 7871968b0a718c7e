import AssayCore
@testable import AssayLearn
import Foundation
import TestSupport
import XCTest

/// Histogram gradient boosting with 31 leaves against scikit-learn 1.9.1 (Fixtures/boosting.json, written by
/// boosting_reference.py): columns of more than 255 distinct values binned at scikit-learn's percentiles (weighted by the
/// class weights under `balanced`), float32 gradients, scikit-learn's gain arithmetic, which decides nodes of one
/// class (gain zero but for rounding) as scikit-learn does, and its absolute-error gradient. Every prediction agrees to 1e-12.
final class BoostingReferenceTests: XCTestCase {
    struct Fixture: Decodable {
        let x: [Double], rows: Int, cols: Int, train: Int, binary: [UInt8], classes: [UInt8], values: [Double], distinct: [Int]
        let binary_31: [Double], binary_balanced_31: [Double], multiclass_31: [Double], regression_31: [Double], poisson_31: [Double], absolute_31: [Double]
        var trainX: Matrix { Matrix(rows: train, cols: cols, values: Array(x[0..<(train * cols)])) }
        var testX: Matrix { Matrix(rows: rows - train, cols: cols, values: Array(x[(train * cols)...])) }
    }

    static let params: [String: ParamValue] = ["max_iter": .int(30), "max_leaf_nodes": .int(31), "min_samples_leaf": .int(20)]

    func assertClose(_ ours: [Double], _ theirs: [Double], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(ours.count, theirs.count, what, file: file, line: line)
        let worst = zip(ours, theirs).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, 1e-12, "\(what): largest difference \(worst)", file: file, line: line)
    }

    func testManyLeavesMatchScikitLearn() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "boosting", withExtension: "json", subdirectory: "Fixtures"))
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        XCTAssertGreaterThan(f.distinct[0], 255, "a column binned at percentiles")
        func fit(_ kind: ExperimentKind, _ params: [String: ParamValue], _ target: FitTarget) throws -> [Double] {
            try ModelRegistry.standard.estimator(type: "gradient_boosting", kind: kind, params: params).fit(f.trainX, target, seed: 1).predict(f.testX)
        }
        let n = f.train
        assertClose(try fit(.binary, Self.params, .labels(Array(f.binary[0..<n]))), f.binary_31, "binary")
        assertClose(try fit(.binary, Self.params.merging(["class_weight": .string("balanced")]) { $1 }, .labels(Array(f.binary[0..<n]))),
                    f.binary_balanced_31, "binary, balanced")
        assertClose(try fit(.multiclass, Self.params, .classes(Array(f.classes[0..<n]), count: 3)), f.multiclass_31, "multiclass")
        assertClose(try fit(.regression, Self.params, .values(Array(f.values[0..<n]))), f.regression_31, "regression")
        assertClose(try fit(.regression, Self.params.merging(["loss": .string("poisson")]) { $1 }, .values(Array(f.values[0..<n]))), f.poisson_31, "poisson")
        // Whole-number targets: the median predicts some rows exactly, whose gradient is scikit-learn's −1.
        assertClose(try fit(.regression, Self.params.merging(["loss": .string("absolute_error")]) { $1 }, .values(f.values[0..<n].map { $0.rounded(.toNearestOrEven) })),
                    f.absolute_31, "absolute error")
    }
}

/// Binning some of a matrix's rows in place (boosting's rows outside its early-stopping hold-out) gives the bins of
/// those rows copied out, so that no fit needs a second copy of its matrix.
final class BinnedRowsTests: XCTestCase {
    func testBinningSelectedRowsEqualsBinningTheirCopy() {
        var g = SplitMix64(seed: 7)
        let rows = 1_200, cols = 3
        // Column 0: 1,200 distinct values (cut at edges); column 1: 12 levels; column 2: constant.
        var values: [Double] = []
        for i in 0..<rows { values += [Double(g.next() % 100_000) / 7, Double(i % 12), 5] }
        let x = Matrix(rows: rows, cols: cols, values: values)
        let selected = (0..<rows).filter { _ in g.next() % 10 != 0 }
        let weights = selected.map { i in i % 17 == 0 ? 0 : Double(1 + i % 3) }
        for scheme in [Binned.Scheme.quantiles, .percentiles] {
            for w in [nil, weights] {
                let inPlace = Binned(x, rows: selected, weights: w, scheme: scheme), copied = Binned(x.rows(selected), weights: w, scheme: scheme)
                XCTAssertEqual(inPlace.rows, selected.count)
                XCTAssertEqual(inPlace.edges, copied.edges, "\(scheme), weighted \(w != nil)")
                XCTAssertTrue(inPlace.codes == copied.codes, "codes differ: \(scheme), weighted \(w != nil)")
                XCTAssertGreaterThan(Set(inPlace.codes.prefix(selected.count)).count, 200, "column 0 is cut into many bins")
            }
        }
        // Every row, in order, when no rows are named.
        XCTAssertTrue(Binned(x, rows: Array(0..<rows)).codes == Binned(x).codes)
    }

    /// Boosting's early stopping: the training rows binned, the held-out rows kept as they are, read from the columns.
    func testBoostingBinsTheTrainingRowsAndKeepsTheHeldOutOnes() throws {
        let (x, _) = Synthetic.classification(rows: 300, cols: 4, seed: 12)
        let valid = stride(from: 3, to: 300, by: 7).map { $0 }, held = Set(valid)
        let train = (0..<300).filter { !held.contains($0) }
        let (binned, kept) = try Binned.boosting(ColumnSource(x), trainRows: train, validRows: valid, weights: nil)
        XCTAssertEqual(kept, x.rows(valid))
        XCTAssertTrue(binned.codes == Binned(x.rows(train), scheme: .percentiles).codes)
        let (all, none) = try Binned.boosting(ColumnSource(x), trainRows: Array(0..<300), validRows: [], weights: nil)
        XCTAssertEqual(none.rows, 0)
        XCTAssertTrue(all.codes == Binned(x, scheme: .percentiles).codes)
    }
}

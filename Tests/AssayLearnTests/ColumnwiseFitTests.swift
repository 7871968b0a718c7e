import AssayCore
@testable import AssayLearn
import TestSupport
import XCTest

/// Trees, forests and boosting fit on rows given a column at a time (`ColumnSource`) without the whole matrix:
/// the same model, bit for bit, as on the matrix, and the same errors.
final class ColumnwiseFitTests: XCTestCase {
    func assertSameModel(_ model: AnyEstimator, _ x: Matrix, _ target: FitTarget, weights: [Double]? = nil, _ what: String) throws {
        XCTAssertTrue(model.fitsColumns, what)
        let whole = try model.fit(x, target, weights: weights, seed: 5)
        let columns = try model.fit(columns: ColumnSource(x), target, weights: weights, seed: 5)
        var a = ByteWriter(), b = ByteWriter()
        whole.encode(to: &a); columns.encode(to: &b)
        XCTAssertTrue(a.data == b.data, "\(what): the saved models differ")
        XCTAssertEqual(try whole.predict(x), try columns.predict(x), what)
    }

    func testTreeModelsFitTheSameFromColumns() throws {
        let (x, y) = Synthetic.classification(rows: 600, cols: 5, seed: 4)
        let values = (0..<x.rows).map { i in x[i, 0] * 3 + x[i, 1] * x[i, 2] + Double(y[i]) }
        let weights = (0..<x.rows).map { Double($0 % 4) }
        let registry = ModelRegistry.standard
        for (type, params) in [("random_forest", ["n_estimators": ParamValue.int(8)]), ("decision_tree", ["max_depth": .int(5)]),
                               ("gradient_boosting", ["max_iter": .int(15)]),
                               ("gradient_boosting", ["max_iter": .int(30), "early_stopping": .bool(true), "class_weight": .string("balanced")])] {
            let model = try registry.estimator(type: type, params: params)
            try assertSameModel(model, x, .labels(y), "\(type) \(params)")
            try assertSameModel(model, x, .labels(y), weights: weights, "\(type) \(params) weighted")
        }
        for (type, params) in [("random_forest", ["n_estimators": ParamValue.int(8)]),
                               ("gradient_boosting", ["max_iter": .int(30), "early_stopping": .bool(true)])] {
            let model = try registry.estimator(type: type, kind: .regression, params: params)
            try assertSameModel(model, x, .values(values), "\(type) regression")
            try assertSameModel(model, x, .values(values), weights: weights, "\(type) regression weighted")
        }
        XCTAssertFalse(try registry.estimator(type: "logistic_regression", params: [:]).fitsColumns, "a linear model needs the matrix")
    }

    /// The first value that is not finite is reported by row, then column, as the matrix check reports it, and
    /// before a single class is.
    func testErrorsAreTheMatrixErrors() throws {
        var (x, y) = Synthetic.classification(rows: 50, cols: 4, seed: 9)
        x[30, 0] = .nan; x[12, 3] = .infinity; x[12, 2] = .nan
        let forest = try ModelRegistry.standard.estimator(type: "random_forest", params: ["n_estimators": .int(2)])
        for labels in [y, [UInt8](repeating: 1, count: 50)] {
            XCTAssertThrowsError(try forest.fit(columns: ColumnSource(x), .labels(labels), seed: 1)) {
                XCTAssertEqual($0 as? LearnError, .nonFinite(row: 12, column: 2))
            }
            XCTAssertThrowsError(try forest.fit(x, .labels(labels), seed: 1)) { XCTAssertEqual($0 as? LearnError, .nonFinite(row: 12, column: 2)) }
        }
        y = [UInt8](repeating: 0, count: 50)
        let clean = Synthetic.classification(rows: 50, cols: 4, seed: 9).0
        XCTAssertThrowsError(try forest.fit(columns: ColumnSource(clean), .labels(y), seed: 1)) { XCTAssertEqual($0 as? LearnError, .singleClass) }
        XCTAssertThrowsError(try forest.fit(columns: ColumnSource(clean), .labels([0, 1]), seed: 1)) {
            XCTAssertEqual($0 as? LearnError, .labelCount(rows: 50, labels: 2))
        }
    }
}

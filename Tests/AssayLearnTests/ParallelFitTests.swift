import AssayCore
@testable import AssayLearn
import TestSupport
import XCTest

/// A forest's trees and a calibrated model's inner folds run on lent workers (`Parallel`) when the executor has idle
/// ones: the fitted model is the same, bit for bit, as with none.
final class ParallelFitTests: XCTestCase {
    func testLentWorkersDoNotChangeTheFit() throws {
        let (x, y) = Synthetic.classification(rows: 400, cols: 6, seed: 21)
        let registry = ModelRegistry.standard
        let models = [
            try registry.estimator(type: "random_forest", params: ["n_estimators": .int(16), "max_features": .string("sqrt")]),
            try registry.estimator(type: "gradient_boosting", params: ["max_iter": .int(20)], calibrate: CalibrateStep(method: .isotonic)),
            try registry.estimator(type: "random_forest", params: ["n_estimators": .int(6)], calibrate: CalibrateStep(method: .sigmoid, cv: 3)),
        ]
        for model in models {
            let alone = try model.fit(x, y, seed: 77)
            let pool = LendingPool(3)
            let lent = try Parallel.lending(pool.lender) { try model.fit(x, y, seed: 77) }
            XCTAssertGreaterThan(pool.calls, 0, "the fit asked for workers")
            XCTAssertEqual(pool.borrowed, 0)
            XCTAssertEqual(try lent.predict(x), try alone.predict(x))
            var a = ByteWriter(), b = ByteWriter()
            alone.encode(to: &a); lent.encode(to: &b)
            XCTAssertEqual(a.data, b.data, "the saved models are the same bytes")
        }
    }
}

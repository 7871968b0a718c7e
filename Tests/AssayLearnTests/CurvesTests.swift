import AssayCore
import AssayLearn
import XCTest

final class CurvesTests: XCTestCase {
    func testCalibrationBinsMatchScikitLearn() {
        // sklearn.calibration.calibration_curve(y, p, n_bins=10) on the same input.
        let y: [UInt8] = [0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1]
        let p = [0.05, 0.1, 0.15, 0.35, 0.4, 0.62, 0.65, 0.7, 0.95, 1.0, 0.2, 0.3]
        let bins = Curves.calibrationBins(labels: y, probabilities: p)
        XCTAssertEqual(bins.map(\.count), [2, 2, 1, 2, 3, 2])
        let meanPredicted = [0.075, 0.175, 0.3, 0.375, 0.6566666666666666, 0.975]
        let observed = [0, 0.5, 1, 0.5, 0.6666666666666666, 0.5]
        for (b, (mp, ob)) in zip(bins, zip(meanPredicted, observed)) {
            XCTAssertEqual(b.meanPredicted, mp, accuracy: 1e-12)
            XCTAssertEqual(b.observed, ob, accuracy: 1e-12)
        }
    }

    func testGainsCurveCountsBuyersFromTheTop() {
        let g = Curves.gains(labels: [0, 1, 1, 0], probabilities: [0.9, 0.8, 0.8, 0.1])
        XCTAssertEqual(g.map(\.x), [0, 0.25, 0.5, 0.75, 1])
        XCTAssertEqual(g.map(\.y), [0, 0, 0.5, 1, 1])
    }

    func testROCAreaMatchesScikitLearn() {
        // sklearn.metrics.roc_auc_score on the calibration test's rows.
        let y: [UInt8] = [0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1]
        let p = [0.05, 0.1, 0.15, 0.35, 0.4, 0.62, 0.65, 0.7, 0.95, 1.0, 0.2, 0.3]
        XCTAssertEqual(Scoring.rocAUC(y, p), 0.6388888888888888, accuracy: 1e-12)
    }
}

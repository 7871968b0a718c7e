@testable import AssayCore
@testable import AssayLearn
import XCTest

/// Calibrators and threshold rules against scikit-learn on fixed inputs (`Fixtures/evaluation_reference.py`).
final class EvaluationReferenceTests: XCTestCase {
    static let p: [Double] = [0.55, 0.71, 0.29, 0.51, 0.89, 0.9, 0.13, 0.21, 0.05, 0.44, 0.03, 0.46, 0.65, 0.28, 0.68, 0.59, 0.02, 0.56, 0.26, 0.42, 0.28, 0.69, 0.44, 0.16, 0.54, 0.78, 0.31, 0.22, 0.39, 0.94, 0.98, 0.67, 0.9, 0.85, 0.38, 0.09, 0.65, 0.56, 0.36, 0.23, 0.41, 0.47, 0.27, 0.29, 0.46, 0.86, 0.59, 0.28, 0.28, 0.45, 0.21, 0.2, 0.51, 0.09, 0.48, 0.36, 0.71, 0.75, 0.69, 0.69]
    static let y: [UInt8] = [1, 0, 0, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1]
    static let grid: [Double] = [0.0, 0.05, 0.2, 0.33, 0.5, 0.71, 0.9, 1.0]

    func testIsotonicMatchesIsotonicRegression() {
        let c = Calibrator.fit(.isotonic, scores: Self.p, labels: Self.y)
        for (x, want) in zip(Self.grid, [0.2, 0.2, 0.3, 0.3, 0.5, 0.8571428571428571, 0.8571428571428571, 1.0] as [Double]) { XCTAssertEqual(c.apply(x), want, accuracy: 1e-12, "at \(x)") }
    }

    func testSigmoidMatchesSigmoidCalibration() {
        // scikit-learn minimizes the same smoothed-target loss with L-BFGS-B; both stop near the optimum.
        let c = Calibrator.fit(.sigmoid, scores: Self.p, labels: Self.y)
        for (x, want) in zip(Self.grid, [0.19301086049089142, 0.22090234208921436, 0.32082751081226607, 0.42370394680259343, 0.5673179828130354, 0.7282058397816096, 0.8364573031126588, 0.8778683955530809] as [Double]) { XCTAssertEqual(c.apply(x), want, accuracy: 1e-5, "at \(x)") }
    }

    /// The rule's threshold flags exactly the rows scoring at least `lowest`.
    func assertFlags(_ t: Double, lowest: Double, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(lowest > t, "\(lowest) is not flagged at \(t)", file: file, line: line)
        let below = Self.p.filter { $0 < lowest }.max() ?? -1
        XCTAssertTrue(below <= t, "\(below) is flagged at \(t)", file: file, line: line)
    }

    func testThresholdRulesMatchPrecisionRecallCurve() {
        let f1 = Thresholds.choose(.maxF1, labels: Self.y, probabilities: Self.p)
        assertFlags(f1, lowest: 0.41)
        XCTAssertEqual(Scoring.score(.f1, labels: Self.y, probabilities: Self.p, threshold: f1), 0.7462686567164178, accuracy: 1e-12)
        assertFlags(Thresholds.choose(.recall(0.8), labels: Self.y, probabilities: Self.p), lowest: 0.28)
        let top = Thresholds.choose(.top(0.1), labels: Self.y, probabilities: Self.p)
        XCTAssertGreaterThanOrEqual(Self.p.filter { $0 > top }.count, 6, "at least the top 10% of 60 rows")
        XCTAssertEqual(Thresholds.choose(.fixed(0.3), labels: Self.y, probabilities: Self.p), 0.3)
    }

    func testLiftTableAddsUp() {
        let lift = Thresholds.lift(labels: Self.y, probabilities: Self.p)
        XCTAssertEqual(lift.count, 10)
        XCTAssertEqual(lift.map(\.rows).reduce(0, +), 60)
        XCTAssertEqual(lift.map(\.positives).reduce(0, +), Double(Self.y.map(Int.init).reduce(0, +)), accuracy: 1e-9)
        XCTAssertEqual(lift.last!.captured, 1, accuracy: 1e-12)
        XCTAssertEqual(lift.last!.cumulativeLift, 1, accuracy: 1e-12)
        XCTAssertGreaterThan(lift[0].lift, 1, "the top decile beats random on these scores")
    }

    /// Twenty rows tied on one score, the positives first in the file (as in a file sorted by outcome): the ten in the
    /// first decile pair must not take all the positives. Each decile of the tie gets its share: 8 of 20 positives,
    /// 2 rows per decile → 0.8 each; the gains curve rises evenly across the tie.
    func testTiedScoresShareTheirPositivesWhateverTheFileOrder() {
        let y: [UInt8] = Array(repeating: 1, count: 8) + Array(repeating: 0, count: 12)
        let p = Array(repeating: 0.5, count: 20)
        let lift = Thresholds.lift(labels: y, probabilities: p)
        XCTAssertEqual(lift.map(\.positives), Array(repeating: 0.8, count: 10))
        XCTAssertEqual(lift.map(\.lift), Array(repeating: 1, count: 10))
        XCTAssertEqual(Thresholds.lift(labels: y.reversed(), probabilities: p).map(\.positives), lift.map(\.positives), "file order does not matter")
        let gains = Curves.gains(labels: y, probabilities: p)
        XCTAssertEqual(gains[10].y, 0.5, accuracy: 1e-12, "half the rows of the tie hold half its positives")
        // A tie across a decile boundary: scores 0.9 (1 row, positive), then 0.5 × 3 (one positive), then 0.1 × 6.
        let y2: [UInt8] = [1, 1, 0, 0, 0, 0, 0, 0, 0, 1], p2 = [0.9, 0.5, 0.5, 0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
        let third: Double = 1.0 / 3, sixth: Double = 1.0 / 6
        let expected: [Double] = [1, third, third, third] + Array(repeating: sixth, count: 6)
        XCTAssertEqual(Curves.expectedPositives(labels: y2, probabilities: p2), expected)
    }

    /// Known answers: flagging the top k of six rows (labels 1 1 0 1 0 0) with a positive worth 10 and a contact wasted on a
    /// negative -4 totals 0, 10, 20, 16, 26, 22, 18; the best flags four rows, so the threshold falls between 0.6 and 0.4.
    func testProfitRulePicksTheMostValuableCut() {
        let y: [UInt8] = [1, 1, 0, 1, 0, 0], p = [0.9, 0.8, 0.7, 0.6, 0.4, 0.2]
        let v = UnitValues(tp: 10, fp: -4)
        XCTAssertEqual(Thresholds.choose(.profit(v), labels: y, probabilities: p), 0.5, accuracy: 1e-12)
        XCTAssertEqual(Thresholds.cut("x", threshold: 0.5, labels: y, probabilities: p, values: v).profit, 26)
        XCTAssertEqual(Thresholds.profitCurve(labels: y, probabilities: p, values: v).map(\.y), [0, 10, 20, 16, 26, 22, 18])
        XCTAssertEqual(Thresholds.choose(.profit(UnitValues(tp: 1, fp: -100)), labels: y, probabilities: p), 0.75, "the two top rows are positives")
        XCTAssertEqual(Thresholds.choose(.profit(UnitValues(tp: 1, fp: -100)), labels: y, probabilities: p.reversed()), 1, "nobody is worth contacting")
        let missed = UnitValues(tp: 10, fp: -4, fn: -5, tn: 1)  // missing a positive costs 5, ignoring a negative saves 1
        XCTAssertEqual(Thresholds.profitCurve(labels: y, probabilities: p, values: missed).first?.y, -12, "nobody flagged: 3 missed, 3 ignored")
        XCTAssertNil(Thresholds.cut("x", threshold: 0.5, labels: y, probabilities: p).profit)

        // Each positive worth its own value (50, 2, –, 1, –, –) less a contact of 1; a wasted contact costs 3. Flagging the
        // top k totals 0, 49, 50, 47, 47, 44, 41: the best flags two rows, where unit values of the same mean would flag four.
        let own = UnitValues(tp: -1, fp: -3, value: "margin"), margin: [Double] = [50, 2, 0, 1, 0, 0]
        XCTAssertEqual(Thresholds.profitCurve(labels: y, probabilities: p, values: own, rowValues: margin).map(\.y), [0, 49, 50, 47, 47, 44, 41])
        XCTAssertEqual(Thresholds.choose(.profit(own), labels: y, probabilities: p, rowValues: margin), 0.75, accuracy: 1e-12)
        XCTAssertEqual(Thresholds.cut("x", threshold: 0.75, labels: y, probabilities: p, values: own, rowValues: margin).profit, 50)
        XCTAssertEqual(Thresholds.cut("x", threshold: 0.5, labels: y, probabilities: p, values: own, rowValues: margin).profit, 47)
        XCTAssertEqual(Thresholds.choose(.profit(UnitValues(tp: 53.0 / 3 - 1, fp: -3)), labels: y, probabilities: p), 0.5, accuracy: 1e-12)
        // Tied scores flag together: the tie's positives bring their own values.
        let tied = [0.9, 0.8, 0.8, 0.6, 0.4, 0.2]
        XCTAssertEqual(Thresholds.profitCurve(labels: y, probabilities: tied, values: own, rowValues: margin).map(\.y), [0, 49, 47, 47, 44, 41])
    }

    func testCalibratedModelRoundTripsAndPredictsInRange() throws {
        var rng = SplitMix64(seed: 5)
        let n = 200
        let x = Matrix(rows: n, cols: 2, values: (0..<(2 * n)).map { _ in Double(rng.next() >> 11) / Double(1 << 53) })
        let y = (0..<n).map { UInt8(x.values[$0 * 2] + 0.3 * x.values[$0 * 2 + 1] > 0.65 ? 1 : 0) }
        for method in CalibrationMethod.allCases {
            let model = try ModelRegistry.standard.estimator(type: "naive_bayes", params: [:], calibrate: CalibrateStep(method: method, cv: 3)).fit(x, y, seed: 1)
            guard let c = model.fitted as? FittedCalibrated else { return XCTFail() }
            XCTAssertEqual(c.members.count, 3)
            let p = try model.predict(x)
            XCTAssertTrue(p.allSatisfy { $0 >= 0 && $0 <= 1 })
            XCTAssertEqual(try FittedModel(decoding: model.encoded()).predict(x), p, "saved and loaded, bit-identical")
        }
    }
}

final class BootstrapTests: XCTestCase {
    /// The weighted computation equals scoring a materialized resample, for every metric.
    func testWeightedScoresEqualScoresOfTheResampledRows() {
        let p = EvaluationReferenceTests.p, y = EvaluationReferenceTests.y
        let order = p.indices.sorted { p[$0] > p[$1] }
        var rng = SplitMix64(seed: 8)
        for _ in 0..<20 {
            var w = [Double](repeating: 0, count: p.count)
            var rows: [Int] = []
            for _ in 0..<p.count { let i = Int.random(in: 0..<p.count, using: &rng); w[i] += 1; rows.append(i) }
            rows.sort()
            for m in Metric.allCases {
                let want = Scoring.score(m, labels: rows.map { y[$0] }, probabilities: rows.map { p[$0] }, threshold: 0.4)
                let got = Bootstrap.weightedScore(m, y, p, w, order: order, threshold: 0.4)
                if want.isNaN { XCTAssertTrue(got.isNaN, "\(m)") } else { XCTAssertEqual(got, want, accuracy: 1e-12, "\(m)") }
            }
        }
    }

    func testIntervalsAreSeededAndBracketTheScore() {
        let p = EvaluationReferenceTests.p, y = EvaluationReferenceTests.y
        var a = SplitMix64(seed: 1), b = SplitMix64(seed: 1)
        let i1 = Bootstrap.intervals([.rocAUC, .f1], labels: y, probabilities: p, threshold: 0.5, resamples: 300, using: &a)
        let i2 = Bootstrap.intervals([.rocAUC, .f1], labels: y, probabilities: p, threshold: 0.5, resamples: 300, using: &b)
        XCTAssertEqual(i1[.rocAUC]!.low, i2[.rocAUC]!.low)
        let auc = Scoring.rocAUC(y, p)
        XCTAssertTrue(i1[.rocAUC]!.low < auc && auc < i1[.rocAUC]!.high)
        XCTAssertLessThan(i1[.rocAUC]!.high - i1[.rocAUC]!.low, 0.4)
    }
}

final class RepeatedKFoldTests: XCTestCase {
    func testEachRepeatPartitionsTheTrainingRowsAnew() {
        let y = (0..<100).map { UInt8($0 % 4 == 0 ? 1 : 0) }
        var rng = SplitMix64(seed: 2)
        let s = StratifiedSplitter.split(labels: y, testSize: 0.2, folds: 5, repeats: 3, using: &rng)
        XCTAssertEqual(s.folds.count, 15)
        for r in 0..<3 {
            let repeatFolds = s.folds[(r * 5)..<(r * 5 + 5)]
            XCTAssertEqual(repeatFolds.flatMap { $0 }.sorted(), s.train.sorted(), "repeat \(r) covers every training row once")
            for f in repeatFolds { XCTAssertEqual(f.filter { y[$0] == 1 }.count, 4, "stratified: 20 positives over 5 folds") }
        }
        XCTAssertNotEqual(s.folds[0], s.folds[5], "a repeat is a new shuffle")
        var again = SplitMix64(seed: 2)
        XCTAssertEqual(StratifiedSplitter.split(labels: y, testSize: 0.2, folds: 5, using: &again).folds, Array(s.folds.prefix(5)),
                       "the first repeat is the plain k-fold split")
    }
}

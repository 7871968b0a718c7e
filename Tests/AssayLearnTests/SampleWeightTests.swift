import AssayCore
@testable import AssayLearn
import Foundation
import XCTest

/// Sample weights (`data.weight`) against scikit-learn's `sample_weight` on fixed tables (Fixtures/sample_weights.json,
/// written by sample_weight_reference.py): every weighted model's predictions on the test rows and every weighted metric.
final class SampleWeightTests: XCTestCase {
    struct Fixture: Decodable {
        let x: [Double], rows: Int, cols: Int, weights: [Double], train: Int
        let binary: [UInt8], classes: [UInt8], values: [Double]
        let binary_predictions: [String: [Double]], multiclass_predictions: [String: [Double]], regression_predictions: [String: [Double]]
        let binary_metrics: [String: Double], multiclass_metrics: [String: Double], regression_metrics: [String: Double]
        struct Calibration: Decodable { let scores: [Double], labels: [UInt8], weights: [Double], grid: [Double], sigmoid: [Double], isotonic: [Double] }
        let calibration: Calibration

        var trainX: Matrix { Matrix(rows: train, cols: cols, values: Array(x[0..<(train * cols)])) }
        var testX: Matrix { Matrix(rows: rows - train, cols: cols, values: Array(x[(train * cols)...])) }
        var trainWeights: [Double] { Array(weights[0..<train]) }
        var testWeights: [Double] { Array(weights[train...]) }
    }

    func fixture() throws -> Fixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "sample_weights", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func fitted(_ type: String, _ kind: ExperimentKind, _ params: [String: ParamValue], _ f: Fixture) throws -> FittedModel {
        let estimator = try ModelRegistry.standard.estimator(type: type, kind: kind, params: params)
        let target: FitTarget
        switch kind {
        case .multiclass: target = .classes(Array(f.classes[0..<f.train]), count: 3)
        case .regression: target = .values(Array(f.values[0..<f.train]))
        default: target = .labels(Array(f.binary[0..<f.train]))
        }
        return try estimator.fit(f.trainX, target, weights: f.trainWeights, seed: 1)
    }

    func assertClose(_ ours: [Double], _ theirs: [Double]?, _ tolerance: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let theirs else { return XCTFail("no reference for \(what)", file: file, line: line) }
        XCTAssertEqual(ours.count, theirs.count, what, file: file, line: line)
        let worst = zip(ours, theirs).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThanOrEqual(worst, tolerance, "\(what): largest difference \(worst)", file: file, line: line)
    }

    static let logistic: [String: ParamValue] = ["C": .double(0.5), "tol": .double(1e-10), "max_iter": .int(10000)]
    static let logisticBalanced: [String: ParamValue] = ["C": .int(2), "class_weight": .string("balanced"), "tol": .double(1e-10), "max_iter": .int(10000)]
    static let boosting: [String: ParamValue] = ["max_iter": .int(25), "min_samples_leaf": .int(5), "max_leaf_nodes": .int(4)]
    static let tree: [String: ParamValue] = ["max_depth": .int(3), "min_samples_leaf": .int(3)]
    static let mlp: [String: ParamValue] = ["hidden_layer_sizes": .list([.int(6)]), "learning_rate_init": .double(0.01), "max_iter": .int(60), "random_state": .int(3)]

    /// A model of `type` fitted with the fixture's weights predicts the test rows as scikit-learn's `key` did.
    func check(_ kind: ExperimentKind, _ type: String, _ params: [String: ParamValue], _ key: String, _ tolerance: Double, _ f: Fixture,
               file: StaticString = #filePath, line: UInt = #line) throws {
        let reference = kind == .binary ? f.binary_predictions : kind == .multiclass ? f.multiclass_predictions : f.regression_predictions
        assertClose(try fitted(type, kind, params, f).predict(f.testX), reference[key], tolerance, key, file: file, line: line)
    }

    func testBinaryModelsWeighRowsAsScikitLearn() throws {
        let f = try fixture()
        try check(.binary, "logistic_regression", Self.logistic, "logistic_regression", 1e-7, f)
        // `balanced` counts each class by its rows' weights in a logistic regression (scikit-learn's LogisticRegression).
        try check(.binary, "logistic_regression", Self.logisticBalanced, "logistic_regression_balanced", 1e-7, f)
        try check(.binary, "naive_bayes", [:], "naive_bayes", 1e-12, f)
        try check(.binary, "dummy", [:], "dummy", 1e-15, f)
        try check(.binary, "decision_tree", Self.tree, "decision_tree", 1e-12, f)
        try check(.binary, "gradient_boosting", Self.boosting, "gradient_boosting", 1e-12, f)
        // In boosting, `balanced` counts rows (scikit-learn's compute_sample_weight) and multiplies the sample weights.
        try check(.binary, "gradient_boosting", Self.boosting.merging(["class_weight": .string("balanced")]) { $1 }, "gradient_boosting_balanced", 1e-12, f)
        try check(.binary, "mlp", Self.mlp, "mlp", 1e-9, f)
        let svm = try XCTUnwrap(try fitted("svm", .binary, ["C": .int(2)], f).fitted as? FittedSupportVectorClassifier)
        assertClose(svm.decisionValues(f.testX), f.binary_predictions["svm_decision"], 1e-6, "svm decision values (C times each row's weight)")
    }

    func testMulticlassModelsWeighRowsAsScikitLearn() throws {
        let f = try fixture()
        try check(.multiclass, "logistic_regression", Self.logistic, "logistic_regression", 1e-6, f)
        try check(.multiclass, "logistic_regression", Self.logisticBalanced, "logistic_regression_balanced", 1e-6, f)
        try check(.multiclass, "naive_bayes", [:], "naive_bayes", 1e-12, f)
        try check(.multiclass, "dummy", [:], "dummy", 1e-15, f)
        try check(.multiclass, "decision_tree", Self.tree, "decision_tree", 1e-12, f)
        try check(.multiclass, "gradient_boosting", Self.boosting, "gradient_boosting", 1e-12, f)
        try check(.multiclass, "mlp", Self.mlp, "mlp", 1e-9, f)
    }

    func testRegressorsWeighRowsAsScikitLearn() throws {
        let f = try fixture()
        try check(.regression, "linear_regression", [:], "linear_regression", 1e-9, f)
        try check(.regression, "ridge", ["alpha": .int(2)], "ridge", 1e-9, f)
        try check(.regression, "lasso", ["alpha": .double(0.05), "tol": .double(1e-10), "max_iter": .int(100_000)], "lasso", 1e-7, f)
        try check(.regression, "elastic_net", ["alpha": .double(0.1), "l1_ratio": .double(0.3), "tol": .double(1e-10), "max_iter": .int(100_000)], "elastic_net", 1e-7, f)
        try check(.regression, "dummy", [:], "dummy_mean", 1e-12, f)
        try check(.regression, "dummy", ["strategy": .string("median")], "dummy_median", 0, f)
        try check(.regression, "decision_tree", Self.tree.merging(["random_state": .int(0)]) { $1 }, "decision_tree", 1e-12, f)
        try check(.regression, "gradient_boosting", Self.boosting, "gradient_boosting", 1e-12, f)
        try check(.regression, "gradient_boosting", Self.boosting.merging(["loss": .string("absolute_error")]) { $1 }, "gradient_boosting_absolute", 1e-12, f)
        try check(.regression, "gradient_boosting", Self.boosting.merging(["loss": .string("poisson")]) { $1 }, "gradient_boosting_poisson", 1e-12, f)
        try check(.regression, "svm", ["C": .int(2), "epsilon": .double(0.2)], "svm", 1e-6, f)
        try check(.regression, "mlp", Self.mlp, "mlp", 1e-9, f)
    }

    func testWeightedMetricsAreScikitLearns() throws {
        let f = try fixture()
        let w = f.testWeights
        let pb = try XCTUnwrap(f.binary_predictions["logistic_regression"]), yb = Array(f.binary[f.train...])
        for (name, value) in f.binary_metrics {
            let metric = try XCTUnwrap(Metric(rawValue: name), name)
            XCTAssertEqual(Scoring.score(metric, labels: yb, probabilities: pb, weights: w), value, accuracy: 1e-12, "binary \(name)")
        }
        let pm = try XCTUnwrap(f.multiclass_predictions["logistic_regression"]), ym = Array(f.classes[f.train...])
        let rows = MulticlassScoring.Rows(labels: ym, probabilities: pm, classes: 3)
        for (name, value) in f.multiclass_metrics {
            let metric = try XCTUnwrap(Metric(rawValue: name), name)
            XCTAssertEqual(MulticlassScoring.score(metric, rows, weights: w), value, accuracy: 1e-12, "multiclass \(name)")
        }
        let pr = try XCTUnwrap(f.regression_predictions["gradient_boosting"]), yr = Array(f.values[f.train...])
        for (name, value) in f.regression_metrics {
            let metric = try XCTUnwrap(Metric(rawValue: name), name)
            XCTAssertEqual(RegressionScoring.score(metric, values: yr, predictions: pr, weights: w), value, accuracy: 1e-12, "regression \(name)")
        }
    }

    /// Calibrators fitted with weights: Platt's sigmoid (scikit-learn's `_sigmoid_calibration`, whose L-BFGS and Platt's
    /// Newton stop at their own tolerances) and isotonic regression (`IsotonicRegression(sample_weight=…)`).
    func testWeightedCalibratorsAreScikitLearns() throws {
        let c = try fixture().calibration
        let sigmoid = Calibrator.fit(.sigmoid, scores: c.scores, labels: c.labels, weights: c.weights)
        assertClose(c.grid.map(sigmoid.apply), c.sigmoid, 1e-5, "weighted sigmoid")
        let isotonic = Calibrator.fit(.isotonic, scores: c.scores, labels: c.labels, weights: c.weights)
        assertClose(c.grid.map(isotonic.apply), c.isotonic, 1e-12, "weighted isotonic")
    }

    /// Threshold rules under weights pick the cut a brute-force search over the weighted counts picks: the best weighted
    /// F1, the first cut reaching a weighted recall, the first flagging a share of the weight.
    func testThresholdRulesWeighRows() throws {
        let f = try fixture()
        let p = try XCTUnwrap(f.binary_predictions["logistic_regression"]), y = Array(f.binary[f.train...]), w = f.testWeights
        let cuts = Array(Set(p)).sorted(by: >)
        func counts(flagging k: Int) -> (tp: Double, fp: Double, positives: Double) {
            var tp = 0.0, fp = 0.0, positives = 0.0
            for i in y.indices {
                if y[i] == 1 { positives += w[i] }
                if p[i] >= cuts[k] { if y[i] == 1 { tp += w[i] } else { fp += w[i] } }
            }
            return (tp, fp, positives)
        }
        func threshold(_ k: Int) -> Double { k + 1 < cuts.count ? (cuts[k] + cuts[k + 1]) / 2 : cuts[k] / 2 }
        let f1 = cuts.indices.map { k -> Double in let c = counts(flagging: k); return 2 * c.tp / (c.tp + c.fp + c.positives) }
        let bestF1 = try XCTUnwrap(f1.indices.max { f1[$0] < f1[$1] || (f1[$0] == f1[$1] && $0 > $1) })
        XCTAssertEqual(Thresholds.choose(.maxF1, labels: y, probabilities: p, weights: w), threshold(bestF1))
        let recall = try XCTUnwrap(cuts.indices.first { let c = counts(flagging: $0); return c.tp / c.positives >= 0.8 })
        XCTAssertEqual(Thresholds.choose(.recall(0.8), labels: y, probabilities: p, weights: w), threshold(recall))
        let total = w.reduce(0, +)
        let top = try XCTUnwrap(cuts.indices.first { let c = counts(flagging: $0); return c.tp + c.fp >= 0.3 * total })
        XCTAssertEqual(Thresholds.choose(.top(0.3), labels: y, probabilities: p, weights: w), threshold(top))
        XCTAssertNotEqual(Thresholds.choose(.top(0.3), labels: y, probabilities: p, weights: w), Thresholds.choose(.top(0.3), labels: y, probabilities: p),
                          "the weights move the cut")
    }

    /// scikit-learn's `_weighted_percentile` at 50 (values from scikit-learn 1.9.1): the inverted CDF, and its averaged
    /// form (`median_absolute_error`), which is numpy's median under whole-number weights; a weight of 0 leaves its value out.
    func testWeightedMedianIsScikitLearns() {
        XCTAssertEqual(Stats.weightedPercentile([1, 2, 3, 4], [1, 1, 1, 1], 50), 2)
        XCTAssertEqual(Stats.weightedPercentile([1, 2, 3, 4], [1, 1, 1, 1], 50, average: true), 2.5)
        XCTAssertEqual(Stats.weightedPercentile([3, 1, 2], [1, 0.5, 0.5], 50), 2)
        XCTAssertEqual(Stats.weightedPercentile([3, 1, 2], [1, 0.5, 0.5], 50, average: true), 2.5)
        XCTAssertEqual(Stats.weightedPercentile([3, 1, 2, 5], [1, 0.5, 0, 0.5], 50, average: true), 3)
        XCTAssertTrue(Stats.weightedPercentile([1, 2], [0, 0], 50).isNaN)
    }

    /// Every row weighing 1 is the unweighted fit, bit for bit, for every model that takes weights; a model that takes
    /// none (k-NN, as in scikit-learn) says so.
    func testUnitWeightsAreTheUnweightedFit() throws {
        let f = try fixture()
        let ones = [Double](repeating: 1, count: f.train)
        let targets: [ExperimentKind: FitTarget] = [.binary: .labels(Array(f.binary[0..<f.train])), .multiclass: .classes(Array(f.classes[0..<f.train]), count: 3),
                                                   .regression: .values(Array(f.values[0..<f.train]))]
        var checked = 0
        for definition in ModelRegistry.standard.definitions where definition.schema.unsupported == nil {
            guard let target = targets[definition.kind] else { continue }
            let estimator = try definition.estimator([:])
            let plain = try estimator.fit(f.trainX, target, seed: 7).predict(f.testX)
            if definition.schema.noSampleWeights != nil {
                XCTAssertEqual(definition.name, "knn", "\(definition.name) (\(definition.kind)) takes no weights")
                XCTAssertThrowsError(try estimator.fit(f.trainX, target, weights: ones, seed: 7), definition.name)
                continue
            }
            let weighted = try estimator.fit(f.trainX, target, weights: ones, seed: 7).predict(f.testX)
            XCTAssertEqual(plain.map(\.bitPattern), weighted.map(\.bitPattern), "\(definition.name) (\(definition.kind)) with every weight 1")
            checked += 1
        }
        XCTAssertEqual(checked, 26, "weighted model types checked: every type but k-NN, under each of the three tasks")
    }

    /// A class whose training rows all weigh 0 is refused with one line, for every classifier (no log 0, no NaN).
    func testAClassOfWeightZeroIsRefused() throws {
        let f = try fixture()
        let y = Array(f.binary[0..<f.train]), zero = y.map { $0 == 1 ? 0.0 : 1.0 }
        for type in ["logistic_regression", "gradient_boosting", "naive_bayes", "svm"] {
            let estimator = try ModelRegistry.standard.estimator(type: type, kind: .binary, params: [:])
            XCTAssertThrowsError(try estimator.fit(f.trainX, .labels(y), weights: zero, seed: 1), type) {
                XCTAssertEqual("\($0)", "every training row of class positive weighs 0", type)
            }
        }
        let classes = Array(f.classes[0..<f.train])
        let estimator = try ModelRegistry.standard.estimator(type: "naive_bayes", kind: .multiclass, params: [:])
        XCTAssertThrowsError(try estimator.fit(f.trainX, .classes(classes, count: 3), weights: classes.map { $0 == 2 ? 0 : 1 }, seed: 1)) {
            XCTAssertEqual("\($0)", "every training row of class 3 of 3 weighs 0")
        }
    }

    /// A row of weight 0 is as if it were not there (where no random draw depends on the row count; the SVM's gamma
    /// given, since `scale` reads every row, as scikit-learn's does).
    func testZeroWeightRowsAreLeftOut() throws {
        let f = try fixture()
        let kept = (0..<f.train).filter { f.weights[$0] > 0 }
        let x = f.trainX.rows(kept), w = kept.map { f.weights[$0] }
        for (type, params) in [("logistic_regression", Self.logistic), ("naive_bayes", [:]), ("decision_tree", Self.tree),
                                  ("svm", ["C": .int(2), "gamma": .double(0.5)])] {
            let estimator = try ModelRegistry.standard.estimator(type: type, kind: .multiclass, params: params)
            let all = try estimator.fit(f.trainX, .classes(Array(f.classes[0..<f.train]), count: 3), weights: f.trainWeights, seed: 3).predict(f.testX)
            let without = try estimator.fit(x, .classes(kept.map { f.classes[$0] }, count: 3), weights: w, seed: 3).predict(f.testX)
            let worst = zip(all, without).map { abs($0 - $1) }.max() ?? .infinity
            XCTAssertLessThanOrEqual(worst, 1e-9, type)
        }
    }
}

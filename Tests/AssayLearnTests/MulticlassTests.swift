import AssayCore
@testable import AssayLearn
import Foundation
import XCTest

/// Multiclass models and metrics against scikit-learn on a fixed table (Fixtures/multiclass.json, written by
/// multiclass_reference.py): the same class probabilities on the test rows, and the same scores.
final class MulticlassTests: XCTestCase {
    struct Fixture: Decodable {
        struct Never: Decodable { let y: [UInt8]; let p: [[Double]]; let metrics: [String: Double] }
        let x: [[Double]], y: [UInt8], train: [Int], test: [Int], classes: Int
        let models: [String: [[Double]]]
        let svm_ovo_decision: [[Double]]
        let svm_ovo_decision_balanced: [[Double]]
        let metrics: [String: Double]
        let never_predicted: Never
    }

    func fixture() throws -> Fixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "multiclass", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    func matrix(_ rows: [[Double]]) -> Matrix { Matrix(rows: rows.count, cols: rows.first?.count ?? 0, values: rows.flatMap { $0 }) }

    func probabilities(_ type: String, _ params: [String: ParamValue], _ f: Fixture) throws -> Matrix {
        let estimator = try ModelRegistry.standard.estimator(type: type, kind: .multiclass, params: params)
        let fitted = try estimator.fit(matrix(f.train.map { f.x[$0] }), .classes(f.train.map { f.y[$0] }, count: f.classes), seed: 1)
        let p = try fitted.predict(matrix(f.test.map { f.x[$0] }))
        return Matrix(rows: f.test.count, cols: f.classes, values: p)
    }

    func assertClose(_ ours: Matrix, _ theirs: [[Double]], _ tolerance: Double, _ what: String) {
        XCTAssertEqual(ours.rows, theirs.count)
        var worst = 0.0
        for i in theirs.indices { for c in theirs[i].indices { worst = max(worst, abs(ours[i, c] - theirs[i][c])) } }
        XCTAssertLessThanOrEqual(worst, tolerance, what)
    }

    func testModelsGiveScikitLearnsClassProbabilities() throws {
        let f = try fixture()
        assertClose(try probabilities("logistic_regression", ["C": .double(0.5), "tol": .double(1e-10), "max_iter": .int(10000)], f),
                    f.models["logistic_regression"] ?? [], 1e-6, "multinomial logistic regression")
        assertClose(try probabilities("logistic_regression", ["C": .int(2), "class_weight": .string("balanced"), "tol": .double(1e-10), "max_iter": .int(10000)], f),
                    f.models["logistic_regression_balanced"] ?? [], 1e-6, "balanced multinomial logistic regression")
        assertClose(try probabilities("naive_bayes", [:], f), f.models["naive_bayes"] ?? [], 1e-12, "Gaussian naive Bayes")
        assertClose(try probabilities("knn", ["n_neighbors": .int(7)], f), f.models["knn"] ?? [], 0, "kNN")
        assertClose(try probabilities("knn", ["n_neighbors": .int(7), "weights": .string("distance")], f), f.models["knn_distance"] ?? [], 1e-12, "distance-weighted kNN")
        assertClose(try probabilities("dummy", [:], f), f.models["dummy"] ?? [], 1e-15, "dummy prior")
        assertClose(try probabilities("dummy", ["strategy": .string("most_frequent")], f), f.models["dummy_most_frequent"] ?? [], 0, "dummy most_frequent")
        // Boosting with small trees (4 leaves), to the last digits; BoostingReferenceTests holds 31-leaf models.
        assertClose(try probabilities("gradient_boosting", ["max_iter": .int(30), "min_samples_leaf": .int(5), "max_leaf_nodes": .int(4)], f), f.models["boosting_4"] ?? [], 1e-12, "boosting 4")
        assertClose(try probabilities("gradient_boosting", ["max_iter": .int(30), "min_samples_leaf": .int(5), "max_leaf_nodes": .int(4), "class_weight": .string("balanced")], f),
                    f.models["boosting_balanced"] ?? [], 1e-12, "balanced boosting")
        // The network: scikit-learn's initial weights and batch orders, drawn from the same random_state.
        assertClose(try probabilities("mlp", ["hidden_layer_sizes": .list([.int(6)]), "learning_rate_init": .double(0.01), "max_iter": .int(60),
                                               "random_state": .int(3)], f), f.models["mlp"] ?? [], 1e-9, "mlp")
        assertClose(try probabilities("mlp", ["hidden_layer_sizes": .list([.int(6), .int(4)]), "activation": .string("tanh"), "early_stopping": .bool(true),
                                               "max_iter": .int(200), "random_state": .int(5)], f), f.models["mlp_early"] ?? [], 1e-9, "mlp with early stopping")
        // Trees: every feature has fewer than 255 distinct training values, so the bins are scikit-learn's exact midpoints;
        // shallow trees, since deep nodes of a few rows have many equally good splits, which each side breaks by its
        // own random feature order.
        assertClose(try probabilities("decision_tree", ["max_depth": .int(3)], f), f.models["tree_depth3"] ?? [], 1e-12, "tree of depth 3")
        assertClose(try probabilities("decision_tree", ["criterion": .string("entropy"), "max_depth": .int(3), "min_samples_leaf": .int(5)], f),
                    f.models["tree_entropy_leaf5"] ?? [], 1e-12, "entropy tree, 5 rows a leaf")
        assertClose(try probabilities("decision_tree", ["max_depth": .int(4), "class_weight": .string("balanced")], f),
                    f.models["tree_balanced"] ?? [], 1e-12, "balanced tree of depth 4")
        assertClose(try probabilities("decision_tree", ["max_depth": .int(3), "min_samples_leaf": .int(5)], f), f.models["tree_gini_leaf5"] ?? [], 1e-12, "gini tree, 5 rows a leaf")
        assertClose(try probabilities("decision_tree", ["max_depth": .int(3), "criterion": .string("entropy")], f), f.models["tree_entropy"] ?? [], 1e-12, "entropy tree of depth 3")
    }

    /// `early_stopping`: a stratified 10% held out; the fit stops once 10 iterations bring no gain, one tree per class each.
    func testBoostingStopsEarlyOnHeldOutLoss() throws {
        let f = try fixture()
        let estimator = try ModelRegistry.standard.estimator(type: "gradient_boosting", kind: .multiclass,
                                                             params: ["max_iter": .int(500), "min_samples_leaf": .int(5), "early_stopping": .bool(true)])
        let fitted = try estimator.fit(matrix(f.train.map { f.x[$0] }), .classes(f.train.map { f.y[$0] }, count: 3), seed: 1)
        let model = try XCTUnwrap(fitted.fitted as? FittedMulticlassBoosting)
        XCTAssertEqual(model.trees.count % 3, 0)
        XCTAssertLessThan(model.trees.count, 3 * 500, "the held-out loss stops improving long before 500 iterations")
        XCTAssertGreaterThanOrEqual(model.trees.count, 3 * 11)
    }

    /// One-vs-one SVM: each pair's machine is libsvm's (its decision values equal scikit-learn's `decision_function_shape:
    /// ovo`, sign flipped: Assay's are positive for the pair's second class), and the coupling recovers class
    /// probabilities from consistent pairwise ones.
    func testOneVsOneMachinesAndCoupling() throws {
        let f = try fixture()
        for (params, expected) in [(["C": ParamValue.int(2)], f.svm_ovo_decision),
                                   (["C": .double(0.5), "kernel": .string("linear"), "class_weight": .string("balanced")], f.svm_ovo_decision_balanced)] {
            let fitted = try ModelRegistry.standard.estimator(type: "svm", kind: .multiclass, params: params)
                .fit(matrix(f.train.map { f.x[$0] }), .classes(f.train.map { f.y[$0] }, count: 3), seed: 1)
            let model = try XCTUnwrap(fitted.fitted as? FittedMulticlassSupportVectorClassifier)
            XCTAssertEqual(model.machines.count, 3)
            let x = matrix(f.test.map { f.x[$0] })
            var worst = 0.0
            for (m, machine) in model.machines.enumerated() {
                for (i, value) in try machine.decisionFunction(x).enumerated() { worst = max(worst, abs(-value - expected[i][m])) }
            }
            XCTAssertLessThanOrEqual(worst, 1e-6, "\(params)")
        }
        let truth = [0.5, 0.3, 0.15, 0.05]
        let r = truth.indices.map { i in truth.indices.map { j in i == j ? 0 : truth[i] / (truth[i] + truth[j]) } }
        let coupled = FittedMulticlassSupportVectorClassifier.couple(r)
        for (a, b) in zip(coupled, truth) { XCTAssertEqual(a, b, accuracy: 1e-3) }
        XCTAssertEqual(coupled.reduce(0, +), 1, accuracy: 1e-12)
    }

    /// Resampling several classes as imbalanced-learn's `auto`: undersampling cuts every class to the smallest's rows,
    /// over-sampling and SMOTE grow every class to the largest's; original rows first, then each class's new rows.
    func testResamplingSeveralClasses() throws {
        let f = try fixture()
        let x = matrix(f.train.map { f.x[$0] }), y = f.train.map { f.y[$0] }
        let counts = (0..<3).map { c in y.filter { Int($0) == c }.count }
        for method in [ResampleMethod.undersample, .oversample, .smote] {
            var rng = SplitMix64(seed: 9)
            let (rx, ry) = try Resampler.resample(x, y, ResampleStep(method: method), using: &rng)
            let after = (0..<3).map { c in ry.filter { Int($0) == c }.count }
            XCTAssertEqual(after, [Int](repeating: method == .undersample ? counts.min()! : counts.max()!, count: 3), "\(method)")
            XCTAssertEqual(rx.rows, ry.count)
            if method != .undersample {
                XCTAssertEqual(Array(ry.prefix(y.count)), y, "the original rows first")
                XCTAssertEqual(Array(rx.values.prefix(x.values.count)), x.values)
            }
        }
        var rng = SplitMix64(seed: 9)
        XCTAssertThrowsError(try Resampler.resample(x, y, ResampleStep(method: .smote, samplingStrategy: 0.5), using: &rng))
    }

    /// `calibrate:` on several classes: each inner fold's member with a calibrator per class; rows sum to 1, the same seed
    /// gives the same model, and the saved form reads back to the same probabilities under its own tag.
    func testCalibrationOfSeveralClasses() throws {
        let f = try fixture()
        let x = matrix(f.train.map { f.x[$0] }), y = f.train.map { f.y[$0] }, test = matrix(f.test.map { f.x[$0] })
        let raw = try ModelRegistry.standard.estimator(type: "naive_bayes", kind: .multiclass, params: [:]).fit(x, .classes(y, count: 3), seed: 1).predict(test)
        for method in [CalibrationMethod.sigmoid, .isotonic] {
            let estimator = try ModelRegistry.standard.estimator(type: "naive_bayes", kind: .multiclass, params: [:], calibrate: CalibrateStep(method: method, cv: 3))
            let fitted = try estimator.fit(x, .classes(y, count: 3), seed: 1)
            let model = try XCTUnwrap(fitted.fitted as? FittedCalibratedClasses)
            XCTAssertEqual(model.members.count, 3)
            XCTAssertEqual(model.calibrators.map(\.count), [3, 3, 3])
            let p = try fitted.predict(test)
            for i in 0..<test.rows { XCTAssertEqual(p[3 * i] + p[3 * i + 1] + p[3 * i + 2], 1, accuracy: 1e-12) }
            XCTAssertNotEqual(p, raw, "\(method) moves the probabilities")
            XCTAssertEqual(try estimator.fit(x, .classes(y, count: 3), seed: 1).predict(test), p, "same seed, same model")
            var r = ByteReader(fitted.encoded())
            let back = try ModelRegistry.standard.decode(from: &r)
            XCTAssertTrue(r.isAtEnd)
            XCTAssertEqual(try back.predict(test).map(\.bitPattern), p.map(\.bitPattern))
            // Calibrated on held-out rows, the probabilities of the rows' own classes beat the dummy's on average.
            let own = f.test.indices.map { p[3 * $0 + Int(f.y[f.test[$0]])] }
            XCTAssertGreaterThan(own.reduce(0, +) / Double(own.count), 0.4)
        }
    }

    func testMetricsAreScikitLearns() throws {
        let f = try fixture()
        let p = (f.models["naive_bayes"] ?? []).flatMap { $0 }, y = f.test.map { f.y[$0] }
        for (name, expected) in f.metrics {
            let metric = try XCTUnwrap(Metric(rawValue: name))
            XCTAssertEqual(MulticlassScoring.score(metric, labels: y, probabilities: p, classes: f.classes), expected, accuracy: 1e-12, name)
        }
        let never = f.never_predicted
        for (name, expected) in never.metrics {
            let metric = try XCTUnwrap(Metric(rawValue: name))
            XCTAssertEqual(MulticlassScoring.score(metric, labels: never.y, probabilities: never.p.flatMap { $0 }, classes: 3), expected, accuracy: 1e-12,
                           "\(name), class 2 never predicted")
        }
    }

    /// A bootstrap resample counted by weights scores as the rows repeated: weights 2 on a row equal the row twice.
    func testWeightsCountRows() {
        let y: [UInt8] = [0, 1, 2, 1], p: [Double] = [0.7, 0.2, 0.1, 0.1, 0.6, 0.3, 0.2, 0.3, 0.5, 0.5, 0.1, 0.4]
        let weighted = MulticlassScoring.Rows(labels: y, probabilities: p, classes: 3)
        let repeated = MulticlassScoring.Rows(labels: y + [2], probabilities: p + [0.2, 0.3, 0.5], classes: 3)
        for metric in [Metric.accuracy, .f1Macro, .mcc, .logLoss, .rocAUCOvr, .balancedAccuracy] {
            XCTAssertEqual(MulticlassScoring.score(metric, weighted, weights: [1, 1, 2, 1]), MulticlassScoring.score(metric, repeated), accuracy: 1e-12, "\(metric)")
        }
    }

    /// Stratified splits keep every class's share in the test rows and in every fold, and binary labels split as before.
    func testStratifiedSplitsKeepEveryClass() {
        let y = (0..<300).map { UInt8($0 % 10 < 5 ? 0 : $0 % 10 < 8 ? 1 : 2) }  // 50%, 30%, 20%
        var rng = SplitMix64(seed: 4)
        let split = StratifiedSplitter.split(labels: y, testSize: 0.2, folds: 5, using: &rng)
        XCTAssertEqual([0, 1, 2].map { c in split.test.filter { y[$0] == c }.count }, [30, 18, 12])
        // 240 training rows: 120, 72 and 48 of the classes; each fold holds a fifth of each, give or take one row.
        for c in 0..<3 {
            let counts = split.folds.map { fold in fold.filter { y[$0] == c }.count }
            XCTAssertEqual(counts.reduce(0, +), [120, 72, 48][c])
            XCTAssertLessThanOrEqual((counts.max() ?? 0) - (counts.min() ?? 0), 1, "class \(c): \(counts)")
        }
    }
}

@testable import Assay
import AssayCore
import Foundation
import TestSupport
import XCTest

/// `assay predict` on the pipelines a run saved.
final class PredictTests: XCTestCase {
    var dir: URL!
    var lines: [String] = []

    override func setUpWithError() throws {
        dir = try TestPaths.temporaryDirectory()
        var rng = SplitMix64(seed: 5)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        lines = ["customer;visits;spend;plan;bought"]
        for i in 0..<300 {
            let visits = Int(u() * 20), spend = u() * 100, plan = ["free", "basic", "pro"][Int(u() * 3)]
            let z = -2 + 0.15 * Double(visits) + 0.01 * spend + (plan == "pro" ? 1 : 0) + (u() - 0.5) * 2
            let spendText = i % 13 == 0 ? "" : String(format: "%.3f", spend).replacingOccurrences(of: ".", with: ",")
            lines.append("c\(i);\(visits);\(spendText);\(plan);\(z > 0 ? "да" : "нет")")
        }
        try write("t.csv", lines)
        // Every model type that has landed gets one model here.
        try """
        assay: 1
        name: scored
        seed: 1
        data: {path: t.csv, delimiter: ";", decimal: ",", target: bought, positive: да, id: customer}
        split: {test_size: 0.3, folds: 3}
        preprocess:
          - impute: {numeric: mean, categorical: constant}
          - encode: {method: onehot}
          - scale: {method: robust}
        models:
          logreg:
            type: logistic_regression
            grid: {C: [0.3, 3], class_weight: [null, balanced]}
          knn:
            type: knn
            grid: {n_neighbors: [3, 9], weights: [uniform, distance], p: [1, 2]}
          nb:
            type: naive_bayes
          dummy:
            type: dummy
            params: {strategy: stratified}
          tree:
            type: decision_tree
            grid: {max_depth: [3, null], criterion: [gini, entropy]}
          forest:
            type: random_forest
            params: {n_estimators: 20, class_weight: balanced}
            grid: {max_features: [sqrt, 0.5]}
          boost:
            type: gradient_boosting
            params: {max_iter: 30, min_samples_leaf: 5}
            grid: {learning_rate: [0.1, 0.3], early_stopping: [false, true]}
          svm:
            type: svm
            grid: {kernel: [rbf, poly], C: [0.5, 5]}
          mlp:
            type: mlp
            params: {hidden_layer_sizes: [8, 4], max_iter: 50}
            grid: {activation: [relu, tanh], early_stopping: [false, true]}
        """.write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ rows: [String]) throws {
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func runExperiment() throws -> RunOutcome {
        try Experiment.run(specPath: path("e.yaml"), options: RunOptions(
            jobs: 2, outputRoot: path("runs"), cacheDirectory: path("cache"), modelsDirectory: path("models")))
    }

    func testPredictReproducesTheRunsTestProbabilitiesBitForBit() throws {
        let outcome = try runExperiment()
        XCTAssertFalse(outcome.testRows.isEmpty)
        try write("test.csv", [lines[0]] + outcome.testRows.map { lines[$0 + 1] })
        XCTAssertEqual(Set(outcome.savedModels.keys), ["logreg", "knn", "nb", "dummy", "tree", "forest", "boost", "svm", "mlp"])
        for (model, file) in outcome.savedModels {
            let result = try Predict.run(model: file, input: path("test.csv"), output: path("p-\(model).csv"), id: nil, top: nil)
            XCTAssertEqual(result.rowsScored, outcome.testRows.count)
            let expected = Dictionary(uniqueKeysWithValues: zip(outcome.testRows.map { "c\($0)" }, outcome.testProbabilities[model]!))
            let written = try String(contentsOfFile: path("p-\(model).csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
            XCTAssertEqual(written[0], ["customer", "probability", "predicted", "decile", "rank"])
            var previous = Double.infinity
            let scores = written.dropFirst().map { Double($0[1])! }, n = scores.count
            for (k, row) in written.dropFirst().enumerated() {
                let p = Double(row[1])!
                XCTAssertEqual(p.bitPattern, expected[row[0]]!.bitPattern, "\(model) \(row[0])")
                XCTAssertLessThanOrEqual(p, previous)
                XCTAssertEqual(row[2], p > 0.5 ? "да" : "нет")
                XCTAssertEqual(row[4], String(k + 1))
                // A row's decile is that of the middle rank of the rows tied with it (its own rank when untied).
                let first = scores.firstIndex(of: p)!, last = scores.lastIndex(of: p)!
                XCTAssertEqual(Int(row[3])!, (first + last) * 5 / n + 1, "\(model) rank \(k + 1)")
                if first == last { XCTAssertEqual(Int(row[3])!, k * 10 / n + 1) }
                previous = p
            }
            if model == "tree" {
                XCTAssertLessThan(Set(scores).count, n, "the tree's leaves tie rows, so the rule above was exercised")
            }
        }
    }

    /// A regression run end to end: every regressor type fitted, its report and metrics.json in the regression form, and
    /// `predict` writing each model's predicted value, bit for bit the run's test predictions, ranked highest first.
    func testRegressionRunAndPredict() throws {
        try """
        assay: 1
        name: visits
        task: regression
        seed: 1
        data:
          path: t.csv
          delimiter: ";"
          decimal: ","
          target: worth
          id: customer
          drop: [bought]
          clean:
            - derive: {worth: "visits * 2 + 3"}   # the features hold the answer, so every model beats the mean
        split: {test_size: 0.3, folds: 3}
        preprocess:
          - impute: {numeric: mean, categorical: constant}
          - encode: {method: onehot}
          - scale: {method: standard}
        models:
          mean: {type: dummy}
          ols: {type: linear_regression}
          ridge: {type: ridge, grid: {alpha: [0.1, 10]}}
          lasso: {type: lasso, grid: {alpha: [0.01, 0.5]}}
          enet: {type: elastic_net, params: {alpha: 0.1, l1_ratio: 0.5}}
          tree: {type: decision_tree, grid: {max_depth: [2, 4]}}
          forest: {type: random_forest, params: {n_estimators: 10, min_samples_leaf: 5}}
          knn: {type: knn, grid: {n_neighbors: [5, 15]}}
        metrics: [rmse, mae, r2]
        """.write(to: dir.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        let outcome = try Experiment.run(specPath: path("r.yaml"), options: RunOptions(
            jobs: 2, outputRoot: path("runs"), cacheDirectory: path("cache"), modelsDirectory: path("models")))
        let report = try String(contentsOfFile: path("runs/visits/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("| rows | train | test | target mean | std | min | max | zero share |"), report)
        XCTAssertTrue(report.contains("shuffled holdout of 30% for test, then shuffled 3-fold CV"), report)
        XCTAssertTrue(report.contains("| decile | rows | mean predicted | mean actual | MAE | share | captured |"), report)
        XCTAssertFalse(report.contains("positive"), "a regression report speaks of no positives")
        for figure in ["predicted.svg", "residuals.svg", "capture.svg", "cv.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: path("runs/visits/figures/\(figure)")), figure)
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("runs/visits/metrics.json")))) as! [String: Any]
        XCTAssertEqual(json["task"] as? String, "regression")
        XCTAssertEqual(json["select"] as? String, "rmse")
        let data = json["data"] as! [String: Any]
        XCTAssertNil(data["positive_rate"])
        XCTAssertNotNil((data["target"] as? [String: Any])?["mean"])
        let models = json["models"] as! [String: Any]
        XCTAssertEqual(Set(models.keys), ["mean", "ols", "ridge", "lasso", "enet", "tree", "forest", "knn"])
        // The features explain the visit counts (the table's rule uses them): every fitted model beats the mean.
        let r2 = { (name: String) in ((models[name] as! [String: Any])["cv"] as! [String: Any])["r2"] as! [String: Double] }
        for name in models.keys where name != "mean" { XCTAssertGreaterThan(r2(name)["mean"]!, r2("mean")["mean"]! + 0.05, name) }
        // The best model has the lowest mean CV RMSE.
        let rmse = { (name: String) in (((models[name] as! [String: Any])["cv"] as! [String: Any])["rmse"] as! [String: Double])["mean"]! }
        XCTAssertEqual(json["best_model"] as? String, models.keys.min { rmse($0) < rmse($1) })

        // `assay prepare` writes the regression target as its number, last.
        XCTAssertEqual(try Experiment.prepare(specPath: path("r.yaml"), output: path("prepared.csv")), 300)
        let prepared = try String(contentsOfFile: path("prepared.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(prepared[0].split(separator: ",").last, "worth")
        XCTAssertEqual(prepared[1].split(separator: ",").last.map(String.init), "\(Int(lines[1].split(separator: ";")[1])! * 2 + 3)")

        try write("test.csv", [lines[0]] + outcome.testRows.map { lines[$0 + 1] })
        for (model, file) in outcome.savedModels {
            _ = try Predict.run(model: file, input: path("test.csv"), output: path("v-\(model).csv"), id: nil, top: nil)
            let written = try String(contentsOfFile: path("v-\(model).csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
            XCTAssertEqual(written[0], ["customer", "prediction", "decile", "rank"])
            let expected = Dictionary(uniqueKeysWithValues: zip(outcome.testRows.map { "c\($0)" }, outcome.testProbabilities[model]!))
            var previous = Double.infinity
            for row in written.dropFirst() {
                let v = Double(row[1])!
                XCTAssertEqual(v.bitPattern, expected[row[0]]!.bitPattern, "\(model) \(row[0])")
                XCTAssertLessThanOrEqual(v, previous)
                previous = v
            }
        }
        XCTAssertThrowsError(try Predict.run(model: outcome.savedModels["ols"]!, input: path("test.csv"), output: path("x.csv"), id: nil, top: nil,
                                             value: "spend", rankBy: .expectedValue)) {
            XCTAssertTrue("\($0)".contains("--value spend weighs a binary model's probability; model 'ols' of experiment 'visits' is a regression and predicts the value itself"), "\($0)")
        }
    }

    /// A regression target must be numbers in every row: the first that is not is named.
    func testRegressionTargetThatIsNotANumberNamesItsRow() throws {
        var bad = lines
        bad[7] = bad[7].replacingOccurrences(of: ";да", with: ";many").replacingOccurrences(of: ";нет", with: ";many")
        let parts = bad[7].split(separator: ";").map(String.init)
        bad[7] = ([parts[0], "lots"] + parts[2...]).joined(separator: ";")
        try write("t.csv", bad)
        try """
        assay: 1
        task: regression
        data: {path: t.csv, delimiter: ";", decimal: ",", target: visits, drop: [bought]}
        models: {ols: {type: linear_regression}}
        """.write(to: dir.appendingPathComponent("r.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Experiment.run(specPath: path("r.yaml"), options: RunOptions(
            jobs: 2, outputRoot: path("runs"), cacheDirectory: path("cache"), modelsDirectory: path("models")))) {
            XCTAssertTrue("\($0)".hasSuffix("t.csv:8: row 7, target 'visits': 'lots' is not a number; task: regression needs a numeric target"), "\($0)")
        }
        try write("t.csv", [lines[0]] + lines.dropFirst().map { l in
            let p = l.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            return ([p[0], String(Int(p[1])! % 2)] + p[2...]).joined(separator: ";")
        })
        XCTAssertThrowsError(try Experiment.run(specPath: path("r.yaml"), options: RunOptions(
            jobs: 2, outputRoot: path("runs"), cacheDirectory: path("cache"), modelsDirectory: path("models")))) {
            XCTAssertTrue("\($0)".hasSuffix("target 'visits' has only 2 distinct values (0, 1): that is a classification target, not a regression one (task: binary)"), "\($0)")
        }
    }

    /// `--value COL --rank-by expected_value`: rows ranked by probability × value, both written; a missing value is an
    /// error naming its row; ranking by expected value without a value column is refused.
    func testRankByExpectedValue() throws {
        let file = try runExperiment().savedModels["logreg"]!
        _ = try Predict.run(model: file, input: path("t.csv"), output: path("ev.csv"), id: nil, top: nil, value: "visits", rankBy: .expectedValue)
        let rows = try String(contentsOfFile: path("ev.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows[0], ["customer", "probability", "value", "expected_value", "predicted", "decile", "rank"])
        XCTAssertEqual(rows.count, 301)
        var previous = Double.infinity
        for row in rows.dropFirst() {
            let p = Double(row[1])!, v = Double(row[2])!, ev = Double(row[3])!
            XCTAssertEqual(ev, p * v)
            XCTAssertEqual(v, Double(lines[Int(row[0].dropFirst())! + 1].split(separator: ";")[1])!, "the row's visits")
            XCTAssertLessThanOrEqual(ev, previous, "ranked by expected value")
            previous = ev
        }
        XCTAssertThrowsError(try Predict.run(model: file, input: path("t.csv"), output: path("ev2.csv"), id: nil, top: nil, value: "spend", rankBy: .expectedValue)) {
            XCTAssertEqual("\($0)", "\(path("t.csv")):2: row 1, column 'spend': '' is not a number")
        }
        XCTAssertThrowsError(try Predict.run(model: file, input: path("t.csv"), output: path("ev3.csv"), id: nil, top: nil, rankBy: .expectedValue)) {
            XCTAssertEqual("\($0)", "--rank-by expected_value needs --value COL: the column holding each row's value")
        }
    }

    func testOutputThatIsTheInputOrTheModelIsRefused() throws {
        let file = try runExperiment().savedModels["logreg"]!
        let before = try Data(contentsOf: dir.appendingPathComponent("t.csv"))
        XCTAssertThrowsError(try Predict.run(model: file, input: path("t.csv"), output: dir.appendingPathComponent("./t.csv").path, id: nil, top: nil)) {
            XCTAssertTrue(($0 as! AssayError).isBadInput)
            XCTAssertTrue("\($0)".hasSuffix("t.csv: --output is the --input file; writing the scores there would replace it"), "\($0)")
        }
        XCTAssertThrowsError(try Predict.run(model: file, input: path("t.csv"), output: file, id: nil, top: nil))
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("t.csv")), before)
    }

    func testTopKeepsTheHeadOfTheList() throws {
        let outcome = try runExperiment()
        let file = outcome.savedModels["logreg"]!
        XCTAssertEqual(try Predict.run(model: file, input: path("t.csv"), output: path("o.csv"), id: nil, top: .count(7)).rowsWritten, 7)
        XCTAssertEqual(try Predict.run(model: file, input: path("t.csv"), output: path("o.csv"), id: nil, top: .share(10)).rowsWritten, 30)
        XCTAssertEqual(TopRule("12.5%"), .share(12.5))
        XCTAssertNil(TopRule("0"))
        XCTAssertNil(TopRule("ten"))
    }

    func badInput(_ rows: [String], _ file: String) throws -> String {
        try write(file, rows)
        let model = try runExperiment().savedModels["logreg"]!
        let output = path("out-\(file)")
        do {
            _ = try Predict.run(model: model, input: path(file), output: output, id: nil, top: nil)
            return "no error"
        } catch let e as AssayError {
            XCTAssertTrue(e.isBadInput, "\(e)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: output), "a partial output was left behind")
            return e.description.replacingOccurrences(of: dir.path + "/", with: "")
        }
    }

    func testBadInputsGiveOneClearErrorAndNoOutput() throws {
        XCTAssertEqual(try badInput(lines.map { $0.replacingOccurrences(of: ";spend", with: ";spent") }, "renamed.csv"),
                       "renamed.csv: feature column 'spend' is missing; did you mean 'spent'?")
        var wrongType = lines
        wrongType[5] = "c4;many;1,5;pro;да"
        XCTAssertEqual(try badInput(wrongType, "type.csv"), "type.csv:6: row 5, column 'visits': 'many' is not a number")
        XCTAssertEqual(try badInput([], "empty.csv"), "empty.csv: the file has no rows")
        XCTAssertEqual(try badInput([lines[0]], "header-only.csv"), "header-only.csv: the file has no rows")
        XCTAssertEqual(try badInput(lines.map { $0.replacingOccurrences(of: ";", with: ",") }, "commas.csv"),
                       "commas.csv: feature column 'visits' is missing (the header has one column; is the delimiter ','?)")
    }

    func testNewerOrDamagedModelFilesAreRefused() throws {
        let file = try runExperiment().savedModels["logreg"]!
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        let pipeline = try SavedPipeline(fileData: bytes, file: "m")
        XCTAssertEqual(pipeline.assayVersion, AssayVersion.current)
        XCTAssertEqual(pipeline.features.map(\.name), ["visits", "spend", "plan"])
        bytes[12] = 99  // format version
        XCTAssertThrowsError(try SavedPipeline(fileData: bytes, file: "m")) {
            XCTAssertEqual("\($0)", "m: model format version 99 is newer than this Assay \(AssayVersion.current) reads (up to 3); use a newer Assay or re-run the experiment")
        }
        bytes[12] = 3
        bytes[bytes.count - 3] ^= 1
        XCTAssertThrowsError(try SavedPipeline(fileData: bytes, file: "m")) { XCTAssertEqual("\($0)", "m: the model file is damaged (checksum mismatch)") }
        XCTAssertThrowsError(try SavedPipeline(fileData: Data("hello".utf8), file: "m")) { XCTAssertEqual("\($0)", "m: not an Assay model file") }
    }

    /// A run whose features are partly derived by data.clean: predict applies the same row-wise steps (and the
    /// calibrated model and the rule's threshold), so the new file needs only the raw columns.
    func testPredictAppliesTheRowWiseCleaningAndTheChosenThreshold() throws {
        try """
        assay: 1
        name: derived
        seed: 2
        data:
          path: t.csv
          delimiter: ";"
          decimal: ","
          target: bought
          positive: да
          id: customer
          clean:
            - replace: {plan: {basic: free}}
            - filter: "visits >= 0"
            - derive: {value: "if(is_missing(spend), 0, spend) * log1p(visits)", heavy: "if(visits > 10, 'yes', 'no')"}
        split: {test_size: 0.3, folds: 3}
        preprocess:
          - impute: {numeric: median}
          - encode: {method: onehot}
          - scale: {method: standard}
        threshold: max_f1
        models:
          logreg:
            type: logistic_regression
            calibrate: sigmoid
        """.write(to: dir.appendingPathComponent("d.yaml"), atomically: true, encoding: .utf8)
        let outcome = try Experiment.run(specPath: path("d.yaml"), options: RunOptions(
            jobs: 2, outputRoot: path("runs"), cacheDirectory: path("cache"), modelsDirectory: path("models")))
        let file = outcome.savedModels["logreg"]!
        let pipeline = try SavedPipeline(fileData: try Data(contentsOf: URL(fileURLWithPath: file)), file: "m")
        XCTAssertEqual(pipeline.features.map(\.name), ["visits", "spend", "plan", "value", "heavy"])
        XCTAssertEqual(pipeline.rowSteps.count, 3, "replace and the two derives; the filter is not applied to new rows")
        let threshold = outcome.report!.models[0].best.threshold
        XCTAssertNotEqual(threshold, 0.5)
        XCTAssertEqual(pipeline.threshold, threshold)
        try write("new.csv", [lines[0]] + outcome.testRows.map { lines[$0 + 1] })
        _ = try Predict.run(model: file, input: path("new.csv"), output: path("p.csv"), id: nil, top: nil)
        let expected = Dictionary(uniqueKeysWithValues: zip(outcome.testRows.map { "c\($0)" }, outcome.testProbabilities["logreg"]!))
        let written = try String(contentsOfFile: path("p.csv"), encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(written.count, outcome.testRows.count)
        for row in written {
            let p = Double(row[1])!
            XCTAssertEqual(p.bitPattern, expected[row[0]]!.bitPattern, row[0])
            XCTAssertEqual(row[2], p > threshold ? "да" : "нет")
        }
    }
}

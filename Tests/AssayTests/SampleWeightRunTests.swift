import Assay
import AssayCore
import AssayLearn
import Foundation
import TestSupport
import XCTest

/// `data.weight` end to end: a table of 400 customers whose `w` column weighs each row (some 0).
final class SampleWeightRunTests: XCTestCase {
    var dir: URL!
    var weights: [Double] = []

    override func setUpWithError() throws {
        dir = try TestPaths.temporaryDirectory()
        var rng = SplitMix64(seed: 8)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var lines = ["id,visits,spend,region,w,bought"]
        weights = []
        for i in 0..<400 {
            let visits = u() * 20, spend = u() * 100, region = ["north", "south"][Int(u() * 2)]
            let w = [0, 0.5, 1, 1, 2, 3][Int(u() * 6)]
            let bought = visits / 20 + spend / 200 + (region == "south" ? 0.2 : 0) + u() * 0.6 > 0.9 ? "yes" : "no"
            weights.append(w)
            lines.append("\(i),\(String(format: "%.2f", visits)),\(String(format: "%.2f", spend)),\(region),\(w),\(bought)")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        try spec().write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func spec(data: String = "{path: t.csv, target: bought, positive: \"yes\", id: id, weight: w}", models: String? = nil, extra: String = "") -> String {
        """
        assay: 1
        name: weighted
        seed: 5
        data: \(data)
        split: {test_size: 0.25, folds: 4}
        preprocess:
          - encode: {method: onehot}
          - scale: {method: standard}
        models:
        \(models ?? """
          lr:
            type: logistic_regression
            grid: {C: [0.1, 1]}
          boost:
            type: gradient_boosting
            params: {max_iter: 20, max_leaf_nodes: 4}
          base:
            type: dummy
        """)
        metrics: [roc_auc, log_loss, accuracy, f1]
        \(extra)
        """
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func runSpec(_ text: String? = nil, predictions: String? = nil) throws -> RunOutcome {
        if let text { try text.write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8) }
        var options = RunOptions(jobs: 2, outputRoot: path("runs"), cacheDirectory: path("cache"), modelsDirectory: path("models"))
        options.predictionsFile = predictions.map(path)
        return try Experiment.run(specPath: path("e.yaml"), options: options)
    }

    /// Every test score and CV mean in the report is the weighted metric of the predictions file's rows (each fold
    /// scored alone), to the last bit; the report and metrics.json say how the rows were weighed; the weights move the numbers.
    func testMetricsWeighEveryRow() throws {
        let outcome = try runSpec(predictions: "p.csv")
        let report = try XCTUnwrap(outcome.report)
        let rows = try String(contentsOfFile: path("p.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(Array(rows[0].prefix(6)), ["row", "id", "split", "repeat", "fold", "label"])
        for (i, model) in report.models.enumerated() {
            func scored(_ lines: [[String]]) -> (y: [UInt8], p: [Double], w: [Double]) {
                (lines.map { $0[5] == "yes" ? 1 : 0 }, lines.map { Double($0[6 + i]) ?? .nan }, lines.map { weights[Int($0[1]) ?? 0] })
            }
            let test = scored(rows.dropFirst().filter { $0[2] == "test" })
            XCTAssertEqual(test.y.count, 100)
            for metric in report.metrics {
                XCTAssertEqual(Scoring.score(metric, labels: test.y, probabilities: test.p, weights: test.w), model.test[metric], "\(model.name) test \(metric)")
                let folds = Dictionary(grouping: rows.dropFirst().filter { $0[2] == "train" }) { $0[4] }.values.map {
                    Scoring.score(metric, labels: scored($0).y, probabilities: scored($0).p, weights: scored($0).w)
                }
                XCTAssertEqual(folds.reduce(0, +) / Double(folds.count), model.best.cv[metric]?.mean ?? .nan, accuracy: 1e-12, "\(model.name) CV \(metric)")
            }
        }
        let markdown = try String(contentsOfFile: path("runs/weighted/report.md"), encoding: .utf8)
        let total = weights.reduce(0, +), zeros = weights.filter { $0 == 0 }.count
        XCTAssertTrue(markdown.contains("- Rows weighted by `w` (`data.weight`; total \(NumberFormat.fixed(total)), \(zeros) rows of weight 0)"), markdown)
        let metrics = try String(contentsOfFile: path("runs/weighted/metrics.json"), encoding: .utf8)
        XCTAssertTrue(metrics.contains("\"weight\": {") && metrics.contains("\"column\": \"w\"") && metrics.contains("\"zero_rows\": \(zeros)"), metrics)
        XCTAssertFalse(report.data.numericColumns.contains("w"), "the weight column is not a feature")

        // The same spec without data.weight: other numbers, and no weight in the report.
        let plain = try XCTUnwrap(try runSpec(spec(data: "{path: t.csv, target: bought, positive: \"yes\", id: id, drop: [w]}")).report)
        XCTAssertNil(plain.data.weight)
        XCTAssertNotEqual(plain.models[0].best.cv[.logLoss]?.mean, report.models[0].best.cv[.logLoss]?.mean)
        XCTAssertNotEqual(plain.models[2].test[.logLoss], report.models[2].test[.logLoss], "the dummy's prior is the weighted share")

        // Calibration takes the weights too: the calibrated model differs from the same calibration without them.
        let calibrated = "  lr:\n    type: logistic_regression\n    calibrate: isotonic"
        let weighted = try XCTUnwrap(try runSpec(spec(models: calibrated)).report)
        let unweighted = try XCTUnwrap(try runSpec(spec(data: "{path: t.csv, target: bought, positive: \"yes\", id: id, drop: [w]}", models: calibrated)).report)
        XCTAssertNotEqual(weighted.models[0].test[.logLoss], unweighted.models[0].test[.logLoss])
    }

    func assertRefused(_ text: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try text.write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runSpec(), file: file, line: line) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(expected), message, file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "one line: \(message)", file: file, line: line)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("runs/weighted")), "nothing written", file: file, line: line)
    }

    /// What cannot weigh rows is refused before anything runs, with one line naming the place; bad weights name the row.
    func testWhatCannotWeighRowsIsRefused() throws {
        try assertRefused(spec(models: "  near:\n    type: knn"), "model 'near': knn (task binary) takes no sample weights, and data.weight")
        try assertRefused(spec(extra: "threshold: {profit: {tp: 10, fp: -1}}"), "threshold.profit counts flagged rows and cannot be combined with data.weight")
        try assertRefused(spec().replacingOccurrences(of: "  - scale: {method: standard}", with: "  - scale: {method: standard}\n  - resample: {method: smote}"),
                          "resample cannot be combined with data.weight")
        try assertRefused(spec(data: "{path: t.csv, target: bought, positive: \"yes\", weight: weigth}"), "e.yaml:4:62: data.weight: no column 'weigth' in ")
        try assertRefused(spec(data: "{path: t.csv, target: bought, positive: \"yes\", weight: bought}"), "data.weight cannot be data.target 'bought'")
        var table = try String(contentsOfFile: path("t.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        var cells = table[3].split(separator: ",").map(String.init)
        cells[4] = "-1"
        table[3] = cells.joined(separator: ",")
        try (table.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        try assertRefused(spec(), "t.csv:4: row 3, weight column 'w': '-1' is not a weight (data.weight needs a finite number ≥ 0 in every row)")
    }
}

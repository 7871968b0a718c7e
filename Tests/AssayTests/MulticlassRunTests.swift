import Assay
import AssayCore
import AssayLearn
import Foundation
import TestSupport
import XCTest

/// `task: multiclass` end to end on a table of 360 customers with three plans.
final class MulticlassRunTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TestPaths.temporaryDirectory()
        var rng = SplitMix64(seed: 21)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var lines = ["id,visits,spend,region,plan"]
        for i in 0..<360 {
            let visits = u() * 20, spend = u() * 100, region = ["north", "south"][Int(u() * 2)]
            let scores = [visits / 10 + u() * 1.5, spend / 50 + u() * 1.5, (region == "south" ? 1.2 : 0) + u() * 1.5]
            let plan = ["basic", "pro", "team"][scores.indices.max { scores[$0] < scores[$1] } ?? 0]
            lines.append("\(i),\(String(format: "%.2f", visits)),\(String(format: "%.2f", spend)),\(region),\(plan)")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        try """
        assay: 1
        name: plans
        task: multiclass
        seed: 5
        data: {path: t.csv, target: plan, id: id}
        split: {test_size: 0.25, folds: 4}
        preprocess:
          - encode: {method: onehot}
          - scale: {method: standard}
        models:
          lr:
            type: logistic_regression
            grid: {C: [0.1, 1]}
          knn:
            type: knn
            grid: {n_neighbors: [5, 15]}
          base:
            type: dummy
        metrics: [roc_auc_ovr, f1_macro, accuracy, log_loss]
        checks:
          cv.roc_auc_ovr: {min: 0.7}
        """.write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func runSpec(predictions: String? = nil) throws -> RunOutcome {
        var options = RunOptions(jobs: 2, outputRoot: path("runs"), cacheDirectory: path("cache"), modelsDirectory: path("models"))
        options.predictionsFile = predictions.map(path)
        return try Experiment.run(specPath: path("e.yaml"), options: options)
    }

    func csv(_ name: String) throws -> [[String]] {
        try String(contentsOfFile: path(name), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// The predictions file holds every class's probability per model; from it the report's CV means (each fold
    /// scored alone) and test scores are recomputed exactly, and the report has its per-class table and figures.
    func testReportAndPredictionsFileAgree() throws {
        let outcome = try runSpec(predictions: "p.csv")
        let report = try XCTUnwrap(outcome.report)
        XCTAssertEqual(report.kind, .multiclass)
        XCTAssertEqual(report.data.classes?.map(\.name), ["basic", "pro", "team"])
        XCTAssertEqual(report.data.classes?.map(\.rows).reduce(0, +), 360)
        let rows = try csv("p.csv")
        XCTAssertEqual(rows[0], ["row", "id", "split", "repeat", "fold", "label"] + ["lr", "knn", "base"].flatMap { m in ["basic", "pro", "team"].map { "\(m):\($0)" } })
        let classes = ["basic": UInt8(0), "pro": 1, "team": 2]
        for (i, model) in report.models.enumerated() {
            func scored(_ lines: [[String]]) -> (y: [UInt8], p: [Double]) {
                (lines.map { classes[$0[5]] ?? 9 }, lines.flatMap { line in (0..<3).map { Double(line[6 + 3 * i + $0]) ?? .nan } })
            }
            let test = scored(rows.dropFirst().filter { $0[2] == "test" })
            XCTAssertEqual(test.y.count, 90)
            for metric in report.metrics {
                XCTAssertEqual(MulticlassScoring.score(metric, labels: test.y, probabilities: test.p, classes: 3), model.test[metric], "\(model.name) test \(metric)")
                let folds = Dictionary(grouping: rows.dropFirst().filter { $0[2] == "train" }) { $0[4] }.values.map { MulticlassScoring.score(metric, labels: scored($0).y, probabilities: scored($0).p, classes: 3) }
                XCTAssertEqual(folds.reduce(0, +) / Double(folds.count), model.best.cv[metric]?.mean ?? .nan, accuracy: 1e-12, "\(model.name) CV \(metric)")
            }
            let e = try XCTUnwrap(model.multiclass)
            XCTAssertEqual(e.confusion.flatMap { $0 }.reduce(0, +), 90)
            XCTAssertEqual(e.perClass.map(\.support), [0, 1, 2].map { c in test.y.filter { $0 == c }.count })
        }
        XCTAssertGreaterThan(report.models[0].best.cv[.rocAUCOvr]?.mean ?? 0, 0.8, "the plans follow the columns")
        XCTAssertEqual(report.models[2].best.cv[.rocAUCOvr]?.mean, 0.5, "the dummy ranks nothing")
        let markdown = try String(contentsOfFile: path("runs/plans/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Classes of \(report.bestModel ?? "")"), markdown)
        XCTAssertTrue(markdown.contains("| true \\ predicted | basic | pro | team |"))
        for figure in ["confusion.svg", "roc-ovr.svg"] { XCTAssertTrue(FileManager.default.fileExists(atPath: path("runs/plans/figures/\(figure)")), figure) }
        let metrics = try String(contentsOfFile: path("runs/plans/metrics.json"), encoding: .utf8)
        XCTAssertTrue(metrics.contains("\"task\": \"multiclass\"") && metrics.contains("\"classes\": {") && metrics.contains("\"per_class\": {"), metrics)

        // A warm run fits nothing and writes the same report.
        let warm = try runSpec()
        XCTAssertEqual(warm.stats.executedByKind["fit", default: 0], 0)
        XCTAssertEqual(try String(contentsOfFile: path("runs/plans/report.md"), encoding: .utf8), markdown)
    }

    /// `assay predict` with a saved multiclass model: every class's probability (the run's test probabilities, bit for
    /// bit), the predicted class, ranked by the predicted class's probability or by `--class`.
    func testPredictWritesEveryClassProbability() throws {
        let outcome = try runSpec()
        let model = try XCTUnwrap(outcome.savedModels["lr"])
        let table = try csv("t.csv")
        var test: [[String]] = [table[0]]
        for r in outcome.testRows { test.append(table[r + 1]) }
        let text = test.map { $0.joined(separator: ",") }.joined(separator: "\n") + "\n"
        try text.write(to: dir.appendingPathComponent("new.csv"), atomically: true, encoding: .utf8)
        let result = try Predict.run(model: model, input: path("new.csv"), output: path("s.csv"), id: nil, top: nil)
        XCTAssertTrue(result.provenance.contains("3 classes"), result.provenance)
        let scores = try csv("s.csv")
        XCTAssertEqual(scores[0], ["id", "probability:basic", "probability:pro", "probability:team", "predicted", "decile", "rank"])
        let expected = try XCTUnwrap(outcome.testProbabilities["lr"])
        for line in scores.dropFirst() {
            let row = try XCTUnwrap(outcome.testRows.firstIndex { String($0) == line[0] })
            XCTAssertEqual((1...3).map { Double(line[$0])! }, Array(expected[(3 * row)..<(3 * row + 3)]), "row \(line[0])")
            let p = (1...3).map { Double(line[$0])! }
            XCTAssertEqual(line[4], ["basic", "pro", "team"][p.indices.max { p[$0] < p[$1] } ?? 0])
        }
        let top = scores.dropFirst().map { line in (1...3).map { Double(line[$0])! }.max() ?? 0 }
        XCTAssertEqual(top, top.sorted(by: >), "ranked by the predicted class's probability")

        _ = try Predict.run(model: model, input: path("new.csv"), output: path("team.csv"), id: nil, top: .count(10), rankClass: "team")
        let team = try csv("team.csv").dropFirst().map { Double($0[3])! }
        XCTAssertEqual(team.count, 10)
        XCTAssertEqual(team, team.sorted(by: >))
        XCTAssertEqual(team.first, (0..<90).map { expected[3 * $0 + 2] }.max())
        XCTAssertThrowsError(try Predict.run(model: model, input: path("new.csv"), output: path("x.csv"), id: nil, top: nil, rankClass: "teams")) {
            XCTAssertTrue("\($0)".contains("--class 'teams' is not a class of the model (basic, pro, team); did you mean 'team'?"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.csv")))
    }

    /// A class rarer than the folds is refused before any fit, naming the class.
    func testRareClassIsRefusedBeforeAnyFit() throws {
        var lines = try String(contentsOfFile: path("t.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        lines[1] = lines[1].split(separator: ",").dropLast().joined(separator: ",") + ",vip"
        lines[2] = lines[2].split(separator: ",").dropLast().joined(separator: ",") + ",vip"
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runSpec()) {
            XCTAssertTrue("\($0)".contains("the training rows hold 1 rows of class 'vip', fewer than the 4 folds") || "\($0)".contains("class 'vip'"), "\($0)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("runs/plans")))
    }
}

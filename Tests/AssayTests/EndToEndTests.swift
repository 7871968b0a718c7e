@testable import Assay
import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import AssayReport
import Foundation
import TestSupport
import XCTest

final class EndToEndTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TestPaths.temporaryDirectory()
        // 400 customers; `spend` has missing cells, `plan` is categorical, the target is text.
        var rng = SplitMix64(seed: 99)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var lines = ["id,visits,spend,plan,bought"]
        for i in 0..<400 {
            let visits = Int(u() * 20), spend = u() * 100
            let plan = ["free", "basic", "pro"][Int(u() * 3)]
            let z = -2 + 0.15 * Double(visits) + 0.01 * spend + (plan == "pro" ? 1 : 0) + (u() - 0.5) * 2
            let spendText = i % 17 == 0 ? "" : String(format: "%.2f", spend)
            lines.append("\(i),\(visits),\(spendText),\(plan),\(z > 0 ? "yes" : "no")")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        try spec().write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func spec(impute: Bool = true) -> String {
        """
        assay: 1
        name: e2e
        seed: 3
        data: {path: t.csv, target: bought, positive: "yes", id: id}
        split: {test_size: 0.25, folds: 4}
        preprocess:
        \(impute ? "  - impute: {numeric: median}\n" : "")  - encode: {method: onehot}
          - scale: {method: standard}
        models:
          a:
            type: logistic_regression
            grid: {C: [0.1, 1]}
          b:
            type: logistic_regression
            params: {class_weight: balanced}
            grid: {C: [1]}
        metrics: [roc_auc, f1, log_loss]
        """
    }

    final class Warnings: @unchecked Sendable {
        var lines: [String] = []
        let lock = NSLock()
        func add(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    }

    @discardableResult
    func runSpec(_ overrides: [String] = [], jobs: Int = 2, cache: String = "cache", out: String = "runs", warnings: Warnings? = nil) throws -> RunOutcome {
        try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, overrides: overrides, options: RunOptions(
            jobs: jobs, outputRoot: dir.appendingPathComponent(out).path, cacheDirectory: dir.appendingPathComponent(cache).path,
            warn: { warnings?.add($0) }))
    }

    func files(_ out: String = "runs") throws -> [Data] {
        try ["report.md", "metrics.json"].map { try Data(contentsOf: dir.appendingPathComponent("\(out)/e2e/\($0)")) }
    }

    func testRunWritesReportAndMetricsInTheSpecSchema() throws {
        let outcome = try runSpec()
        XCTAssertEqual(outcome.stats.executedByKind["fit"], 3 * 4 + 2)
        let json = try JSONSerialization.jsonObject(with: try files()[1]) as! [String: Any]
        XCTAssertEqual(json["assay"] as? Int, 1)
        XCTAssertEqual(json["experiment"] as? String, "e2e")
        XCTAssertEqual(json["select"] as? String, "roc_auc")
        let data = json["data"] as! [String: Any]
        XCTAssertEqual(data["rows"] as? Int, 400)
        XCTAssertEqual(data["test_rows"] as? Int, 100)
        let a = (json["models"] as! [String: Any])["a"] as! [String: Any]
        XCTAssertEqual(a["type"] as? String, "logistic_regression")
        XCTAssertEqual((a["grid"] as! [Any]).count, 2)
        XCTAssertNotNil((a["cv"] as! [String: Any])["log_loss"])
        XCTAssertNotNil((a["test"] as! [String: Any])["f1"])
        let md = String(decoding: try files()[0], as: UTF8.self)
        XCTAssertTrue(md.contains("| 400 | 300 | 100 |"))
        XCTAssertFalse(md.contains(dir.path), "report holds an absolute path")
    }

    func testSecondRunFitsNothingAndWritesTheSameBytes() throws {
        try runSpec()
        let first = try files()
        let second = try runSpec()
        XCTAssertEqual(second.stats.executed, 0)
        XCTAssertEqual(second.stats.cached, second.stats.tasks)
        XCTAssertEqual(try files(), first)
    }

    func testJobsDoNotChangeTheReport() throws {
        try runSpec(jobs: 1, cache: "c1", out: "o1")
        try runSpec(jobs: 4, cache: "c4", out: "o4")
        XCTAssertEqual(try files("o1"), try files("o4"))
    }

    func testChangingOneModelsGridRunsOnlyThatModelsFits() throws {
        let before = try runSpec()
        let after = try runSpec(["models.b.grid.C=[1, 5]"])
        let refit = after.report!.models[1].bestIndex == before.report!.models[1].bestIndex ? 0 : 1
        XCTAssertEqual(after.stats.executedByKind["fit"], 4 + refit)
        XCTAssertEqual(after.report!.models[0].points.map(\.cv), before.report!.models[0].points.map(\.cv))
    }

    func testSuccessiveHalvingRacesTheGridOnGrowingShares() throws {
        // 300 training rows, 9 candidates, factor 3: rounds of 33, 99 and 297 rows with 9, 3 and 1 candidates.
        let out = try runSpec(["models.a.search={method: halving}", "models.a.grid={C: [0.001, 0.01, 0.1, 1, 10], class_weight: [null, balanced]}",
                               "models.a.grid.C=[0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]", "models.a.grid.class_weight=[null]"])
        let a = out.report!.models[0]
        XCTAssertEqual(a.points.count, 9)
        XCTAssertEqual(out.stats.executedByKind["fit"], (9 + 3 + 1) * 4 + 4 + 2, "a's three rounds, b's one point (4 folds), both refits")
        let last = a.points.enumerated().filter { $0.element.notes.contains { $0.contains("round 3 of 3 on 297 of 300") } }.map(\.offset)
        XCTAssertEqual(last, [a.bestIndex], "the winner is the one candidate of the last round")
        XCTAssertEqual(a.points.filter { $0.notes.contains { $0.contains("round 1 of 3 on 33 of 300 training rows, then dropped") } }.count, 6)
        let again = try runSpec(["models.a.search={method: halving}", "models.a.grid={C: [0.001, 0.01, 0.1, 1, 10], class_weight: [null, balanced]}",
                                 "models.a.grid.C=[0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]", "models.a.grid.class_weight=[null]"])
        XCTAssertEqual(again.stats.executedByKind["fit", default: 0], 0, "every round is cached")
    }

    /// `--shard i/N` then `--assemble`: the shards together run every CV fit exactly once, assembly fits only the
    /// refits, and the report is byte-identical to an unsharded run's; a successive-halving race goes on as shards are
    /// run again; a fit lost from the cache makes assembly fail naming it, and rerunning its shard repairs it.
    func testShardsThenAssembleWriteTheUnshardedReport() throws {
        let halving = ["models.a.search={method: halving}", "models.a.grid.C=[0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]"]
        for (overrides, label) in [([String](), "grid"), (halving, "halving")] {
            let full = try runSpec(overrides, cache: "c-full-\(label)", out: "full-\(label)")
            let fullFits = full.stats.executedByKind["fit", default: 0], refits = 2
            let options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("sharded-\(label)").path,
                                     cacheDirectory: dir.appendingPathComponent("c-shards-\(label)").path, modelsDirectory: nil)
            var ran = 0, passes = 0
            var waiting = true
            while waiting {
                passes += 1
                XCTAssertLessThanOrEqual(passes, 5, "the race ends")
                waiting = false
                for i in 0..<3 {
                    let shard = try Experiment.runShard(specPath: dir.appendingPathComponent("e.yaml").path, overrides: overrides, options: options,
                                                        shard: Shard(index: i, count: 3))
                    ran += shard.stats.executedByKind["fit", default: 0]
                    XCTAssertEqual(shard.progress.ownFits - shard.progress.ownFitsCached, shard.stats.executedByKind["fit", default: 0], label)
                    if shard.progress.waitingFor > 0 { waiting = true }
                }
            }
            XCTAssertEqual(passes, label == "grid" ? 1 : 3, "a halving race of three rounds needs three passes over the shards")
            XCTAssertEqual(ran, fullFits - refits, "\(label): every CV fit once across the shards")
            var assembleOptions = options
            assembleOptions.assemble = true
            let assembled = try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, overrides: overrides, options: assembleOptions)
            XCTAssertEqual(assembled.stats.executedByKind["fit", default: 0], refits, "\(label): assembly fits only the refits")
            XCTAssertEqual(try files("sharded-\(label)"), try files("full-\(label)"), label)
        }
        // A lost fit: assembly names it (and fits nothing of the search); its shard alone puts it back.
        let objects = dir.appendingPathComponent("c-shards-grid/objects")
        let options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("again").path, cacheDirectory: dir.appendingPathComponent("c-shards-grid").path,
                                 modelsDirectory: nil)
        var lost: String? = nil
        for sub in try FileManager.default.contentsOfDirectory(atPath: objects.path).sorted() {
            for file in try FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent(sub).path).sorted() where lost == nil {
                let bytes = try Data(contentsOf: objects.appendingPathComponent("\(sub)/\(file)"))
                // A CV fit's result is a Predictions record (after the entry's magic line, digest and key); remove the first found.
                let header = "assay-cache-2\n".utf8.count + 32 + 64
                if bytes.count > header, (try? Predictions(decoding: bytes.subdata(in: header..<bytes.count))) != nil {
                    try FileManager.default.removeItem(at: objects.appendingPathComponent("\(sub)/\(file)"))
                    lost = file
                }
            }
        }
        XCTAssertNotNil(lost)
        var assembleOptions = options
        assembleOptions.assemble = true
        XCTAssertThrowsError(try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: assembleOptions)) {
            guard case AssayError.missingFits(let count, let lines) = $0 else { return XCTFail("\($0)") }
            XCTAssertEqual(count, 1)
            XCTAssertTrue(lines[0].hasPrefix("fit ") && lines[0].contains("plan position"), lines[0])
        }
        for i in 0..<3 {
            _ = try Experiment.runShard(specPath: dir.appendingPathComponent("e.yaml").path, options: options, shard: Shard(index: i, count: 3))
        }
        XCTAssertEqual(try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: assembleOptions).stats.executedByKind["fit", default: 0], 0,
                       "the refits are cached from the first assembly")
        XCTAssertEqual(try files("again"), try files("full-grid"))
    }

    func testWithoutATestSetImportanceIsOutOfFoldOnTheCVModels() throws {
        let out = try runSpec(["split.test_size=0"])
        let imp = try XCTUnwrap(out.report!.importance)
        XCTAssertTrue(imp.outOfFold)
        XCTAssertEqual(imp.rows, 400)
        XCTAssertEqual(imp.repeats, 5 * 4)
        let best = out.report!.models.first { $0.name == out.report!.bestModel }!
        XCTAssertEqual(imp.baseline, best.best.cv[.rocAUC]!.mean, accuracy: 1e-12, "each fold's model is the CV fit itself")
        XCTAssertEqual(Set(imp.columns.map(\.name)), ["visits", "spend", "plan"])
    }

    /// Under successive halving the selected point's last round fits fewer rows than a fold holds (396 of 400 here):
    /// out-of-fold importance must explain those fits, so its unshuffled score is the point's CV mean.
    func testWithoutATestSetHalvingImportanceExplainsTheLastRoundsFits() throws {
        let out = try runSpec(["split.test_size=0", "select=log_loss", "models.a.search={method: halving}",
                               "models.a.grid={C: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]}",
                               "models.b.type=dummy", "models.b.params={}", "models.b.grid={strategy: [prior]}"])
        let a = out.report!.models[0]
        XCTAssertEqual(out.report!.bestModel, "a")
        XCTAssertTrue(a.best.notes.contains { $0.contains("round 3 of 3 on 396 of 400 training rows") }, "\(a.best.notes)")
        let imp = try XCTUnwrap(out.report!.importance)
        XCTAssertEqual(imp.baseline, a.best.cv[.logLoss]!.mean, accuracy: 1e-12, "each fold's model is the last round's fit itself")
    }

    func testChangingOnlyMetricsRunsNoFit() throws {
        try runSpec()
        let again = try runSpec(["metrics=[accuracy, brier]"])
        XCTAssertEqual(again.stats.executedByKind["fit", default: 0], 0)
        XCTAssertEqual(again.report!.metrics, [.accuracy, .brier, .rocAUC])
    }

    func testDamagedCacheEntriesAreRecomputedWithAWarning() throws {
        try runSpec()
        let first = try files()
        let objects = dir.appendingPathComponent("cache/objects")
        var damaged = 0
        for case let url as URL in FileManager.default.enumerator(at: objects, includingPropertiesForKeys: nil)! where !url.hasDirectoryPath {
            var bytes = try Data(contentsOf: url)
            if damaged % 2 == 0 { bytes[bytes.count - 1] ^= 0x55 } else { bytes = bytes.prefix(bytes.count / 2) }
            try bytes.write(to: url)
            damaged += 1
        }
        let warnings = Warnings()
        let again = try runSpec(warnings: warnings)
        XCTAssertGreaterThan(again.stats.executed, 0)
        XCTAssertFalse(warnings.lines.isEmpty)
        XCTAssertEqual(try files(), first)
    }

    /// Cache entries swapped on disk (here every pair, in file order) are recomputed, never used for the other task.
    func testSwappedCacheEntriesAreRecomputedNotUsed() throws {
        try runSpec()
        let first = try files()
        let objects = dir.appendingPathComponent("cache/objects")
        let entries = (FileManager.default.enumerator(at: objects, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL })
            .filter { !$0.hasDirectoryPath }.sorted { $0.path < $1.path }
        XCTAssertGreaterThan(entries.count, 10)
        for k in stride(from: 0, to: entries.count - 1, by: 2) {
            let a = try Data(contentsOf: entries[k]), b = try Data(contentsOf: entries[k + 1])
            try b.write(to: entries[k])
            try a.write(to: entries[k + 1])
        }
        let warnings = Warnings()
        let again = try runSpec(warnings: warnings)
        XCTAssertGreaterThan(again.stats.executedByKind["fit", default: 0], 0)
        XCTAssertTrue(warnings.lines.contains { $0.contains("filed under the wrong key") }, "\(warnings.lines)")
        XCTAssertEqual(try files(), first)
        XCTAssertEqual(try runSpec().stats.executed, 0, "the recomputed entries heal the cache")
    }

    /// Entries under their own key with a good digest whose payload no longer decodes (as after a format change
    /// without a version bump) are recomputed with a warning, and the recomputed entries heal the cache.
    func testEntriesThatDoNotDecodeAreRecomputedAndHeal() throws {
        try runSpec()
        let first = try files()
        let objects = dir.appendingPathComponent("cache/objects")
        let entries = (FileManager.default.enumerator(at: objects, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL })
            .filter { !$0.hasDirectoryPath }
        XCTAssertGreaterThan(entries.count, 10)
        let store = DirectoryStore(root: objects, warn: { _ in })
        for entry in entries {
            try store.put(TaskKey(hex: entry.lastPathComponent), Data([0xFF, 0xFF, 0xFF]))
        }
        let warnings = Warnings()
        let again = try runSpec(warnings: warnings)
        XCTAssertGreaterThan(again.stats.executedByKind["fit", default: 0], 0)
        XCTAssertTrue(warnings.lines.contains { $0.contains("cannot be read as the result of") }, "\(warnings.lines)")
        XCTAssertEqual(try files(), first)
        let healed = Warnings()
        XCTAssertEqual(try runSpec(warnings: healed).stats.executed, 0, "the recomputed entries heal the cache")
        XCTAssertEqual(healed.lines, [])
    }

    /// `importance: {shap: true}`: the tree and linear models get exact SHAP values on the test rows. In the predictions
    /// file each test row's values (a one-hot column summed) and the expected value add up to the model's raw output:
    /// the probability of a tree or forest, the log-odds of boosting and logistic regression; the report and
    /// metrics.json summarize them.
    func testShapValuesAddUpInThePredictionsFileAndAreSummarized() throws {
        let text = spec().replacingOccurrences(of: """
          b:
            type: logistic_regression
            params: {class_weight: balanced}
            grid: {C: [1]}
        """, with: """
          tree:
            type: decision_tree
            grid: {max_depth: [4]}
          boost:
            type: gradient_boosting
            params: {max_iter: 20}
        """) + "\nimportance: {models: all, shap: true}\n"
        try text.write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: dir.appendingPathComponent("cache").path, modelsDirectory: nil)
        options.predictionsFile = dir.appendingPathComponent("p.csv").path
        let outcome = try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: options)
        let shap = try XCTUnwrap(outcome.report?.shap)
        XCTAssertEqual(Set(shap.map(\.model)), ["a", "tree", "boost"])
        XCTAssertEqual(shap.first { $0.model == "boost" }?.rawOutput, "log-odds")
        XCTAssertEqual(shap.first { $0.model == "a" }?.method, "linear")
        for s in shap { XCTAssertLessThan(s.additivityError, 1e-9, s.model) }
        let lines = try String(contentsOf: dir.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let header = lines[0]
        for model in ["a", "tree", "boost"] {
            let columns = header.indices.filter { header[$0].hasPrefix("shap:\(model):") && header[$0] != "shap:\(model):expected" }
            let expected = try XCTUnwrap(header.firstIndex(of: "shap:\(model):expected")), output = try XCTUnwrap(header.firstIndex(of: model))
            XCTAssertEqual(columns.count, 3, "one per input column: \(header)")
            var testRows = 0
            for l in lines.dropFirst() {
                guard l[header.firstIndex(of: "split")!] == "test" else { XCTAssertEqual(l[expected], "", "training rows have no SHAP values"); continue }
                testRows += 1
                let total = Double(l[expected])! + columns.reduce(0) { $0 + Double(l[$1])! }
                let p = Double(l[output])!
                XCTAssertEqual(model == "tree" ? total : 1 / (1 + exp(-total)), p, accuracy: 1e-9, "\(model): \(l)")
            }
            XCTAssertEqual(testRows, outcome.testRows.count)
        }
        let markdown = try String(contentsOf: dir.appendingPathComponent("runs/e2e/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("### SHAP values of tree (test rows)"), markdown)
        let metrics = try String(contentsOf: dir.appendingPathComponent("runs/e2e/metrics.json"), encoding: .utf8)
        XCTAssertTrue(metrics.contains("\"shap_by_model\""))
    }

    /// `importance: {partial_dependence: 3}`: the best model's average probability with each of its three most important
    /// columns set to each grid value in turn. For a logistic regression it moves one way only in a numeric column, and
    /// a categorical column is set to each of its categories.
    func testPartialDependenceOfTheBestModel() throws {
        try (spec() + "\nimportance: {partial_dependence: 3}\n").write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        let outcome = try runSpec()
        let pd = try XCTUnwrap(outcome.report?.partialDependence)
        XCTAssertEqual(pd.model, outcome.report?.bestModel)
        XCTAssertEqual(pd.rows, outcome.testRows.count)
        XCTAssertEqual(Set(pd.curves.map(\.column)), ["visits", "spend", "plan"])
        XCTAssertEqual(pd.curves.map(\.column), outcome.report?.importance?.columns.prefix(3).map(\.name), "in order of permutation importance")
        for c in pd.curves where c.categories.isEmpty {
            let steps = zip(c.average, c.average.dropFirst()).map { $1 - $0 }
            XCTAssertTrue(steps.allSatisfy { $0 >= 0 } || steps.allSatisfy { $0 <= 0 }, "\(c.column): \(c.average)")
            XCTAssertLessThanOrEqual(c.grid.count, 100)
        }
        XCTAssertEqual(pd.curves.first { $0.column == "plan" }?.categories, ["basic", "free", "pro"])
        let visits = try XCTUnwrap(pd.curves.first { $0.column == "visits" })
        XCTAssertEqual(visits.grid, (0...19).map(Double.init), "fewer than 100 distinct values: each of them")
        XCTAssertGreaterThan(visits.average.last!, visits.average.first!, "more visits, more buying")
        let markdown = try String(contentsOf: dir.appendingPathComponent("runs/e2e/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("## Partial dependence of \(pd.model)"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/e2e/figures/pd-1.svg").path))
    }

    /// `threshold: {profit: {value: visits, …}}`: each flagged positive is worth its own row's `visits` less the contact; the
    /// threshold table's profit of every cut and the profit curve are recomputed here from the test rows.
    func testProfitThresholdWithEachRowsOwnValue() throws {
        try (spec() + "\nthreshold: {profit: {value: visits, tp: -1, fp: -3}}\n").write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: dir.appendingPathComponent("cache").path)
        options.predictionsFile = dir.appendingPathComponent("p.csv").path
        let outcome = try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, overrides: [], options: options)
        let predictions = try String(contentsOf: dir.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }.filter { $0[2] == "train" }
        let table = try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        let visits = table.map { Double($0[1])! }, bought = table.map { $0[4] == "yes" }
        for (i, model) in try XCTUnwrap(outcome.report?.models).enumerated() {
            // Chosen on the out-of-fold rows, each with its own visits.
            let rows = predictions.map { Int($0[0])! - 1 }
            XCTAssertEqual(model.best.threshold, Thresholds.choose(.profit(UnitValues(tp: -1, fp: -3, value: "visits")), labels: rows.map { bought[$0] ? 1 : 0 },
                                                                   probabilities: predictions.map { Double($0[6 + i])! }, rowValues: rows.map { visits[$0] }))
            let evaluation = try XCTUnwrap(model.evaluation)
            XCTAssertEqual(evaluation.source, "test")
            let p = try XCTUnwrap(outcome.testProbabilities[model.name])
            for cut in evaluation.cuts {
                var total = 0.0
                for (r, q) in zip(outcome.testRows, p) where q > cut.threshold { total += bought[r] ? visits[r] - 1 : -3 }
                XCTAssertEqual(try XCTUnwrap(cut.profit), total, accuracy: 1e-9, "\(model.name), \(cut.label)")
            }
            let curve = try XCTUnwrap(model.curves?.profit)
            let everybody = zip(outcome.testRows, p).reduce(0.0) { $0 + (bought[$1.0] ? visits[$1.0] - 1 : -3) }
            XCTAssertEqual(curve.last?.y ?? .nan, everybody, accuracy: 1e-9)
            XCTAssertEqual(curve.first?.y, 0)
        }
        let markdown = try String(contentsOf: dir.appendingPathComponent("runs/e2e/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("each flagged positive worth its own `visits` − 1, each flagged negative -3"), markdown)
        XCTAssertTrue(markdown.contains("chosen: profit {value: visits, tp: -1, fp: -3, fn: 0, tn: 0}"))

        // Every row may be flagged, so every row needs a value: spend misses one in 17.
        try (spec() + "\nthreshold: {profit: {value: spend, tp: -1, fp: -3}}\n").write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runSpec()) {
            XCTAssertTrue("\($0)".hasSuffix("threshold.profit.value: column 'spend' has no value in row 1 of the table; every row needs one (fill or drop it with clean:)"), "\($0)")
        }
        try (spec() + "\nthreshold: {profit: {value: spnd, tp: -1, fp: -3}}\n").write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runSpec()) {
            XCTAssertTrue("\($0)".hasSuffix("threshold.profit.value: no column 'spnd' in \(dir.path)/t.csv; did you mean 'spend'?"), "\($0)")
        }
    }

    /// `--predictions FILE`: every training row's out-of-fold probability (fold and repeat named) and every test row's,
    /// per model, from which the report's CV means and test scores are recomputed exactly; the same from a warm cache.
    func testPredictionsFileReproducesTheReportsNumbers() throws {
        try (spec() + "\nsegments: {value: spend, probability: [0.5], value_bands: {quantiles: 2}}\n")
            .write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        func run(_ overrides: [String], file: String) throws -> RunOutcome {
            var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: dir.appendingPathComponent("cache").path,
                                     modelsDirectory: nil)
            options.predictionsFile = dir.appendingPathComponent(file).path
            return try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, overrides: overrides, options: options)
        }
        for (overrides, repeats) in [([String](), 1), (["split.repeats=2"], 2)] {
            let outcome = try run(overrides, file: "p.csv")
            let text = try String(contentsOf: dir.appendingPathComponent("p.csv"), encoding: .utf8)
            let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            XCTAssertEqual(lines[0], ["row", "id", "split", "repeat", "fold", "label", "a", "b"])
            let train = lines.dropFirst().filter { $0[2] == "train" }, test = lines.dropFirst().filter { $0[2] == "test" }
            XCTAssertEqual(test.count, 100)
            XCTAssertEqual(train.count, 300 * repeats)
            XCTAssertEqual(Set(train.map { $0[3] }), Set((1...repeats).map(String.init)))
            XCTAssertEqual(Set(test.map { $0[3] + $0[4] }), [""])
            XCTAssertEqual(lines[1][1], String(Int(lines[1][0])! - 1), "the id column: the file's ids are the 0-based row numbers")
            for (i, model) in ["a", "b"].enumerated() {
                let report = outcome.report!.models[i]
                let y = test.map { UInt8($0[5] == "yes" ? 1 : 0) }, p = test.map { Double($0[6 + i])! }
                XCTAssertEqual(Scoring.score(.rocAUC, labels: y, probabilities: p, threshold: 0.5), report.test[.rocAUC]!, "\(model): test ROC-AUC")
                let folds = Dictionary(grouping: train) { $0[3] + "/" + $0[4] }
                XCTAssertEqual(folds.count, 4 * repeats)
                let perFold = folds.values.map { rows in
                    Scoring.score(.rocAUC, labels: rows.map { UInt8($0[5] == "yes" ? 1 : 0) }, probabilities: rows.map { Double($0[6 + i])! }, threshold: 0.5)
                }
                XCTAssertEqual(perFold.reduce(0, +) / Double(perFold.count), report.best.cv[.rocAUC]!.mean, accuracy: 1e-12, "\(model): CV ROC-AUC")
            }
            // segments: recomputed from the predictions file (the best model's column) and the spend column (one repeat:
            // with two, a training row's probability is the mean of its two lines).
            let segments = try XCTUnwrap(outcome.report!.segments)
            if repeats == 1 {
            let best = ["a", "b"].firstIndex(of: segments.model)!
            let spend = try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
                .map { $0.split(separator: ",", omittingEmptySubsequences: false)[2] }
            let scored = lines.dropFirst().filter { ($0[3] == "" || $0[3] == "1") && !spend[Int($0[0])! - 1].isEmpty }
                .map { (p: Double($0[6 + best])!, v: Double(spend[Int($0[0])! - 1])!) }
            XCTAssertEqual(segments.withoutValue, 24, "every 17th spend is missing")
            XCTAssertEqual(segments.cells.map(\.rows).reduce(0, +), 400 - 24)
            let top = segments.cells[0]
            let inTop = scored.filter { $0.p > segments.probabilityCuts.last! && $0.v > segments.valueCuts.last! }
            XCTAssertEqual(top.rows, inTop.count)
            XCTAssertEqual(top.expectedValue, inTop.reduce(0) { $0 + $1.p * $1.v }, accuracy: 1e-9)
            }
            _ = try run(overrides, file: "again.csv")
            XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("again.csv"), encoding: .utf8), text, "a warm run writes the same file")
        }
        XCTAssertThrowsError(try run([], file: "t.csv")) { XCTAssertTrue("\($0)".contains("is a data file of the experiment"), "\($0)") }

        // Columns carried as written, after the id; asking for them refits nothing.
        let carried = try run(["predictions={columns: [plan, spend]}"], file: "c.csv")
        XCTAssertEqual(carried.stats.executedByKind["fit", default: 0], 0, "carrying columns changes no task's key")
        let rows = try String(contentsOf: dir.appendingPathComponent("c.csv"), encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(Array(rows[0].prefix(4)), ["row", "id", "plan", "spend"])
        let source = try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        for line in rows.dropFirst().prefix(50) {
            let original = source[Int(line[0])!]  // row r is line r + 1 of the file: no row was dropped
            XCTAssertEqual([line[1], line[2], line[3]], [original[0], original[3], original[2]])
        }
        XCTAssertThrowsError(try run(["predictions={columns: [plann]}"], file: "c.csv")) {
            XCTAssertTrue("\($0)".contains("predictions.columns: no column 'plann'") && "\($0)".contains("did you mean 'plan'?"), "\($0)")
        }
    }

    /// `importance: {models: all}`: every model gets its permutation importance table, the best's unchanged.
    func testImportanceOfEveryModel() throws {
        let plain = try runSpec()
        let all = try runSpec(["importance={models: all}"])
        XCTAssertEqual(all.report!.importance?.columns.map(\.summary), plain.report!.importance?.columns.map(\.summary), "the best model's is the same")
        let best = try XCTUnwrap(all.report!.bestModel)
        XCTAssertEqual(all.report!.otherImportance.map(\.model), ["a", "b"].filter { $0 != best })
        let other = try XCTUnwrap(all.report!.otherImportance.first)
        XCTAssertEqual(Set(other.columns.map(\.name)), Set(plain.report!.importance!.columns.map(\.name)))
        let md = try String(contentsOf: dir.appendingPathComponent("runs/e2e/report.md"), encoding: .utf8)
        XCTAssertTrue(md.contains("### Permutation importance of \(other.model)\n\n**\(other.model)** on the 100 test rows"), md)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("runs/e2e/metrics.json"))) as! [String: Any]
        XCTAssertNotNil((json["importance_by_model"] as? [String: Any])?[other.model])
        _ = try runSpec()
        let plainJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("runs/e2e/metrics.json"))) as! [String: Any]
        XCTAssertNil(plainJSON["importance_by_model"], "without the key, metrics.json is as before")
    }

    /// `split.group`: rows sharing the column's value never sit on both sides of the holdout or of a fold.
    func testSplitGroupKeepsEachGroupOnOneSide() throws {
        try spec().replacingOccurrences(of: "split: {test_size: 0.25, folds: 4}", with: "split: {test_size: 0.25, folds: 4, group: visits}\npredictions: {columns: [visits]}")
            .write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: dir.appendingPathComponent("cache").path)
        options.predictionsFile = dir.appendingPathComponent("p.csv").path
        try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: options)
        let lines = try String(contentsOf: dir.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(Array(lines[0].prefix(6)), ["row", "id", "visits", "split", "repeat", "fold"])
        var side: [String: String] = [:]
        for l in lines.dropFirst() {
            let place = l[3] == "test" ? "test" : "fold \(l[5])"
            if let s = side[l[2]] { XCTAssertEqual(s, place, "visits = \(l[2]) on two sides") } else { side[l[2]] = place }
        }
        XCTAssertEqual(Set(side.values).count, 5, "the test set and four folds")
        let report = try String(contentsOf: dir.appendingPathComponent("runs/e2e/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("- Split: stratified grouped by `visits` holdout of 25% for test, then stratified grouped by `visits` 4-fold CV"), report)
        try spec().replacingOccurrences(of: "split: {test_size: 0.25, folds: 4}", with: "split: {test_size: 0.25, folds: 4, group: vists}")
            .write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Experiment.validate(specPath: dir.appendingPathComponent("e.yaml").path)) {
            XCTAssertEqual("\($0)", "\(dir.path)/e.yaml:5:43: split.group: no column 'vists' in \(dir.path)/t.csv; did you mean 'visits'?")
        }
    }

    func testUnknownColumnsAreBadInputsAtTheirSpecLocation() throws {
        XCTAssertThrowsError(try runSpec(["data.target=boughtt"])) {
            let e = $0 as! AssayError
            XCTAssertTrue(e.isBadInput)
            XCTAssertEqual(e.description, "--set data.target: data.target: no column 'boughtt' in \(dir.path)/t.csv; did you mean 'bought'?")
        }
        try spec().replacingOccurrences(of: "id: id}", with: "id: id, drop: [visits, spnd]}")
            .write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Experiment.validate(specPath: dir.appendingPathComponent("e.yaml").path)) {
            XCTAssertEqual("\($0)", "\(dir.path)/e.yaml:4:77: data.drop: no column 'spnd' in \(dir.path)/t.csv; did you mean 'spend'?")
        }
    }

    func testMissingNumbersWithoutImputeFailBeforeAnyFit() throws {
        try spec(impute: false).write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runSpec()) {
            let e = $0 as! AssayError
            XCTAssertTrue(e.isBadInput)
            XCTAssertTrue(e.description.hasSuffix("numeric column 'spend' has missing values and preprocess has no impute step for it; add '- impute: {numeric: median}'"), e.description)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/e2e/report.md").path))
    }

    /// `validate` reads the data with the same code as `run` and makes every check that needs no fit: each of these
    /// tables fails `validate` with the error `run` gives, before any task of `run` starts.
    func testValidateRejectsWhatRunRejects() throws {
        let good = (0..<40).map { "\($0),\($0 % 7),\(Double($0) * 1.5),\(["free", "pro"][$0 % 2]),\($0 % 3 == 0 ? "yes" : "no")" }
        let header = "id,visits,spend,plan,bought"
        let bad: [(String, [String])] = [
            ("unbalanced quotes", [header] + good.prefix(5) + ["5,\"1,2,free,yes"] + good.suffix(30)),
            ("header only", [header]),
            ("one row", [header, good[0]]),
            ("one class", [header] + good.map { $0.replacingOccurrences(of: ",yes", with: ",no") }),
            ("all-missing target", [header] + good.map { String($0.prefix { $0 != "," }) + ",1,2,free," }),
            ("positive label absent", [header] + good.map { $0.replacingOccurrences(of: ",yes", with: ",maybe") }),
            ("three values", [header] + good.enumerated().map { $0.offset % 5 == 1 ? $0.element.replacingOccurrences(of: ",no", with: ",unsure") : $0.element }),
            ("ragged rows", [header] + good.prefix(10) + ["10,3,4.5,free"] + good.suffix(29)),
            ("gappy target", [header] + good.enumerated().map { $0.offset == 7 ? String($0.element.dropLast(2)) : $0.element }),
        ]
        for (what, lines) in bad {
            try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
            var validateError = "no error", runError = "no error"
            do { _ = try Experiment.validate(specPath: dir.appendingPathComponent("e.yaml").path) } catch { validateError = "\(error)" }
            do { try runSpec(cache: "c-\(what)") } catch { runError = "\(error)" }
            XCTAssertNotEqual(validateError, "no error", "validate passed: \(what)")
            XCTAssertEqual(validateError, runError, what)
        }
    }

    /// A numeric column turned categorical by a few stray cells, and a free-text column, are reported by run and validate.
    func testStrayTextInANumericColumnAndFreeTextAreWarnedAbout() throws {
        var lines = try String(contentsOf: dir.appendingPathComponent("t.csv"), encoding: .utf8).split(separator: "\n").map(String.init)
        lines[0] += ",note"
        for i in 1..<lines.count {
            var fields = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            if i % 50 == 3 { fields[1] = " " } else if i == 200 { fields[1] = "n/a" }
            lines[i] = fields.joined(separator: ",") + ",comment number \(i)"
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        let warnings = Warnings()
        try runSpec(warnings: warnings)
        let file = dir.appendingPathComponent("t.csv").path
        XCTAssertEqual(warnings.lines, [
            "\(file): column 'visits' is read as categories with 22 values although 391 of its 400 cells are numbers; the others are \" \" (8 cells), "
                + "\"n/a\" (1 cell), first at row 3. Blank-looking cells are not missing unless data.missing lists them (\"\" matches only empty cells); "
                + "list such markers in data.missing, or set data.columns: {visits: numeric} to make each an error naming its row",
            "\(file): column 'note' has 400 distinct values in 400 rows: an id or free text gives a model one category per row; "
                + "name it in data.id or data.drop unless it is meant as a feature",
        ])
        let validateWarnings = Warnings()
        _ = try Experiment.validate(specPath: dir.appendingPathComponent("e.yaml").path, warn: { validateWarnings.add($0) })
        XCTAssertEqual(validateWarnings.lines, warnings.lines)
    }

    /// An output folder that cannot be written is found before any work, as bad input.
    func testUnwritableOutputsAreRefusedBeforeAnyWork() throws {
        try Data("x".utf8).write(to: dir.appendingPathComponent("afile"))
        for (out, models) in [("afile", "models"), ("afile/runs", "models"), ("runs", "afile")] {
            XCTAssertThrowsError(try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: RunOptions(
                jobs: 1, outputRoot: dir.appendingPathComponent(out).path, cacheDirectory: dir.appendingPathComponent("cache").path,
                modelsDirectory: dir.appendingPathComponent(models).path))) {
                let e = $0 as! AssayError
                XCTAssertTrue(e.isBadInput, "\(e)")
                XCTAssertTrue(e.description.contains("is a file, not a folder; nothing was run"), e.description)
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("cache").path), "no task ran")
    }

    /// `derive` may create a target, but never silently replace the labels the file holds.
    func testDeriveRefusesToOverwriteTheTarget() throws {
        XCTAssertThrowsError(try runSpec(["data.clean=[{derive: {bought: \"visits > 5\"}}]"])) {
            let e = $0 as! AssayError
            XCTAssertTrue(e.isBadInput)
            XCTAssertTrue(e.description.hasSuffix(": derive 'bought' would overwrite the target column read from \(self.dir.path)/t.csv; "
                + "derive the label under a new name, name it as data.target, and drop 'bought'"), e.description)
        }
        XCTAssertNoThrow(try runSpec(["data.clean=[{derive: {visits2: \"visits * 2\"}}]"]))
    }

    /// Stratified k-fold needs k rows of each class among the training rows (scikit-learn's StratifiedKFold refuses
    /// fewer); with fewer, some folds would score no positive and their metrics would be null.
    func testMoreFoldsThanRowsOfTheRarerClassIsRefusedBeforeAnyFit() throws {
        let rows = (0..<40).map { i in "\(i),\(i % 7),\(Double(i) * 1.5),\(["free", "pro"][i % 2]),\(i % 10 == 0 ? "yes" : "no")" }
        try (["id,visits,spend,plan,bought"] + rows).joined(separator: "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runSpec(["split.test_size=0", "split.folds=5"])) {
            let e = $0 as! AssayError
            XCTAssertTrue(e.isBadInput)
            XCTAssertEqual(e.description, "\(dir.path)/t.csv: the training rows hold 4 rows of class 'yes', fewer than the 5 folds; use at most 4 folds (stratified k-fold needs a row of each class in every fold)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/e2e/report.md").path))
        XCTAssertEqual(try runSpec(["split.test_size=0", "split.folds=4"]).report!.models.count, 2)
    }

    /// The transform a fold's fit used was fitted on that fold's training rows, never on its validation rows.
    func testFoldPreprocessingNeverSeesValidationRows() throws {
        let spec = try Experiment.validate(specPath: dir.appendingPathComponent("e.yaml").path)
        var planner = Planner(spec: spec)
        let load = planner.load(contentHash: "test")
        let split = planner.split(load)
        let variant = Preprocessing(spec.preprocess)
        let preps = (0..<4).map { planner.prep(variant, rows: .fold($0, resources: nil), load: load, split: split) }
        let (results, _) = try Executor(store: NoStore(), jobs: 2).run(planner.graph, want: [load, split] + preps)
        let data = try Dataset(decoding: results[load]!), s = try Split(decoding: results[split]!)
        for k in 0..<4 {
            let fitted = try FittedPreprocessing(decoding: results[preps[k]]!)
            XCTAssertEqual(fitted, try variant.fit(data.features, rows: s.trainingRows(ofFold: k)))
            XCTAssertNotEqual(fitted, try variant.fit(data.features, rows: s.train))
            XCTAssertTrue(Set(s.trainingRows(ofFold: k)).isDisjoint(with: s.folds[k]))
            XCTAssertTrue(Set(s.trainingRows(ofFold: k)).isDisjoint(with: s.test))
        }
    }
}

/// Runs the built `assay` binary: exit codes and one-line errors.
final class CommandLineTests: XCTestCase {
    var binary: URL {
        #if os(macOS)
        Bundle.allBundles.first { $0.bundlePath.hasSuffix(".xctest") }!.bundleURL.deletingLastPathComponent().appendingPathComponent("assay")
        #else
        Bundle.main.bundleURL.appendingPathComponent("assay")
        #endif
    }

    func assay(_ args: [String], in cwd: URL, environment: [String: String] = [:]) throws -> (code: Int32, stderr: String, stdout: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = cwd
        var env = ProcessInfo.processInfo.environment
        env["GITHUB_ACTIONS"] = nil
        p.environment = env.merging(environment) { $1 }
        let err = Pipe(), out = Pipe()
        p.standardError = err
        p.standardOutput = out
        try p.run()
        // Read stdout on another thread so that neither pipe fills while the other is read.
        let outText = LockedText()
        let reader = Thread { outText.set(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)) }
        reader.start()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text, outText.wait())
    }

    final class LockedText: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var text = ""
        func set(_ s: String) { text = s; done.signal() }
        func wait() -> String { done.wait(); return text }
    }

    func testExitCodes() throws {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            return XCTFail("the assay binary is not built at \(binary.path)")
        }
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "a,y\n1,0\n2,1\n3,0\n4,1\n5,0\n6,1\n7,0\n8,1\n9,1\n10,0\n".write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let good = "assay: 1\ndata: {path: d.csv, target: y}\nsplit: {test_size: 0, folds: 2}\nmodels:\n  lr: {type: logistic_regression}\n"
        try good.write(to: dir.appendingPathComponent("ok.yaml"), atomically: true, encoding: .utf8)
        try good.replacingOccurrences(of: "folds: 2", with: "folds: 1").write(to: dir.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)

        XCTAssertEqual(try assay(["validate", "ok.yaml"], in: dir).code, 0)
        let jobs = try assay(["run", "ok.yaml", "--jobs", "-1"], in: dir)
        XCTAssertEqual(jobs.code, 2)
        XCTAssertTrue(jobs.stderr.hasPrefix("assay: error: --jobs must be at least 1, got -1\n"), jobs.stderr)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("afolder"), withIntermediateDirectories: true)
        let statsFolder = try assay(["run", "ok.yaml", "--stats-json", "afolder"], in: dir)
        XCTAssertEqual(statsFolder.code, 2)
        XCTAssertTrue(statsFolder.stderr.hasPrefix("assay: error: --stats-json afolder is a folder; name a file\n"), statsFolder.stderr)
        for (args, message) in [(["--shard", "0/2"], "--shard must be i/N with 1 ≤ i ≤ N, got '0/2'"), (["--shard", "3/2"], "--shard must be i/N with 1 ≤ i ≤ N, got '3/2'"),
                                (["--shard", "1/2", "--assemble"], "--shard runs one slice of the fits and --assemble writes the report from all of them; use one")] {
            let bad = try assay(["run", "ok.yaml"] + args, in: dir)
            XCTAssertEqual(bad.code, 2, "\(args)")
            XCTAssertTrue(bad.stderr.hasPrefix("assay: error: \(message)\n"), bad.stderr)
        }
        // Assembling before any shard ran: exit 3, naming the missing fits; after the shards, the report.
        let early = try assay(["run", "ok.yaml", "--assemble", "--cache-dir", "sc", "--out", "sharded"], in: dir)
        XCTAssertEqual(early.code, 3, early.stderr)
        XCTAssertTrue(early.stderr.contains("assay: error: 2 fits are not in the cache; run the shards that own them (or the whole run) first:\n  fit lr fold 1"), early.stderr)
        for i in 1...2 {
            let shard = try assay(["run", "ok.yaml", "--shard", "\(i)/2", "--cache-dir", "sc"], in: dir)
            XCTAssertEqual(shard.code, 0, shard.stderr)
            XCTAssertTrue(shard.stderr.contains("shard \(i)/2: 1 fits of its own (1 run, 0 cached)"), shard.stderr)
        }
        let named = try assay(["run", "ok.yaml", "--assemble", "--shards", "2", "--cache-dir", "sc2", "--out", "sharded"], in: dir)
        XCTAssertEqual(named.code, 3)
        XCTAssertTrue(named.stderr.contains("  fit lr fold 1 — shard 1/2 runs it (plan position 0)\n  fit lr fold 2 — shard 2/2 runs it (plan position 1)"), named.stderr)
        XCTAssertEqual(try assay(["run", "ok.yaml", "--shards", "2"], in: dir).code, 2, "--shards without --assemble")
        XCTAssertEqual(try assay(["run", "ok.yaml", "--assemble", "--cache-dir", "sc", "--out", "sharded"], in: dir).code, 0)
        XCTAssertTrue(try assay(["--version"], in: dir).stdout.hasPrefix("0."), "a version")
        for command in ["init", "run", "validate", "check", "diff", "predict", "prepare", "models", "schema"] {
            let help = try assay([command, "--help"], in: dir)
            XCTAssertEqual(help.code, 0)
            XCTAssertTrue(help.stdout.contains("Example: assay \(command)"), "\(command) --help shows an example")
        }
        let run = try assay(["run", "ok.yaml", "--jobs", "1", "--cache-dir", "c", "--models-dir", "m", "--stats-json", "stats.json"], in: dir)
        XCTAssertEqual(run.code, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/ok/report.md").path))
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("stats.json"))) as! [String: Any]
        XCTAssertEqual(stats["fits_executed"] as? Int, 3)  // 2 folds and the refit (no test set: the saved pipeline still needs it)
        XCTAssertEqual(Set(stats.keys), ["tasks", "executed", "cached", "fits_executed", "seconds", "task_seconds_by_kind"])
        let byKind = try XCTUnwrap(stats["task_seconds_by_kind"] as? [String: Double])
        XCTAssertTrue(Set(byKind.keys).isSuperset(of: ["load", "split", "fit"]), "\(byKind)")
        XCTAssertTrue(byKind.values.allSatisfy { $0 >= 0 })

        let predicted = try assay(["predict", "--model", "m/ok/lr.assaymodel", "--input", "d.csv", "--output", "p.csv", "--top", "20%"], in: dir)
        XCTAssertEqual(predicted.code, 0, predicted.stderr)
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n").count, 3)
        try "b,y\n1,0\n".write(to: dir.appendingPathComponent("other.csv"), atomically: true, encoding: .utf8)
        let missing = try assay(["predict", "--model", "m/ok/lr.assaymodel", "--input", "other.csv", "--output", "q.csv"], in: dir)
        XCTAssertEqual(missing.code, 2)
        XCTAssertEqual(missing.stderr, "assay: error: other.csv: feature column 'a' is missing; did you mean 'b'?\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("q.csv").path))
        XCTAssertEqual(try assay(["predict", "--model", "m/ok/lr.assaymodel", "--input", "d.csv", "--output", "q.csv", "--top", "0"], in: dir).code, 2)
        XCTAssertEqual(try assay(["predict", "--model", "nope.assaymodel", "--input", "d.csv", "--output", "q.csv"], in: dir).code, 2)

        let bad = try assay(["run", "bad.yaml"], in: dir)
        XCTAssertEqual(bad.code, 2)
        XCTAssertEqual(bad.stderr, "assay: error: bad.yaml:3:30: split.folds must be at least 2, got 1\n")
        XCTAssertEqual(try assay(["run", "ok.yaml", "--no-such-flag"], in: dir).code, 2)
        XCTAssertEqual(try assay(["run", "missing.yaml"], in: dir).code, 2)
        let unwritable = try assay(["run", "ok.yaml", "--cache-dir", "c", "--out", "/dev/null/x"], in: dir)
        XCTAssertEqual(unwritable.code, 2, "found before any work, as bad input")
        XCTAssertEqual(unwritable.stderr, "assay: error: --out /dev/null/x: /dev/null is a file, not a folder; nothing was run\n")
    }

    /// A variant run with `--out` keeps its models beside its report and leaves the baseline's untouched; `predict`
    /// says which run's model it scores with.
    func testVariantRunsKeepTheirOwnModels() throws {
        let (dir, rows) = try smallTable()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "assay: 1\ndata: {path: d.csv, target: y}\nsplit: {test_size: 0.25, folds: 3}\nmodels:\n  lr: {type: logistic_regression}\n"
            .write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        let baseline = try assay(["run", "s.yaml", "--cache-dir", "c"], in: dir)
        XCTAssertEqual(baseline.code, 0, baseline.stderr)
        XCTAssertTrue(baseline.stderr.hasSuffix("; models in .assay/models/s/\n"), baseline.stderr)
        let baselineModel = dir.appendingPathComponent(".assay/models/s/lr.assaymodel")
        let before = try Data(contentsOf: baselineModel)

        let variant = try assay(["run", "s.yaml", "--cache-dir", "c", "--out", "variant", "--set", "models.lr.params.C=0.01"], in: dir)
        XCTAssertEqual(variant.code, 0, variant.stderr)
        XCTAssertTrue(variant.stderr.hasSuffix("; models in variant/s/\n"), variant.stderr)
        XCTAssertEqual(try Data(contentsOf: baselineModel), before, "the variant left the baseline's model untouched")
        let variantModel = dir.appendingPathComponent("variant/s/lr.assaymodel")
        XCTAssertNotEqual(try Data(contentsOf: variantModel), before)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("variant/s/report.md").path))

        let scored = try assay(["predict", "--model", "variant/s/lr.assaymodel", "--input", "d.csv", "--output", "p.csv", "--with", "b"], in: dir)
        XCTAssertEqual(scored.code, 0, scored.stderr)
        let pipeline = try SavedPipeline(fileData: try Data(contentsOf: variantModel), file: "m")
        XCTAssertTrue(scored.stderr.hasPrefix("assay: scoring with model 'lr' (logistic_regression, {\"C\":0.01}) of experiment 's', threshold 0.5, "
                                              + "spec \(pipeline.specHash.prefix(12)), saved by Assay \(pipeline.assayVersion)\n"), scored.stderr)
        let written = try String(contentsOf: dir.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(written[0], ["row", "b", "probability", "predicted", "decile", "rank"])
        for line in written.dropFirst() { XCTAssertEqual(line[1], rows[Int(line[0])!].split(separator: ",").map(String.init)[1], "--with b carries b as written") }
        let missing = try assay(["predict", "--model", "variant/s/lr.assaymodel", "--input", "d.csv", "--output", "q.csv", "--with", "bb"], in: dir)
        XCTAssertEqual(missing.code, 2)
        XCTAssertEqual(missing.stderr.components(separatedBy: "\n").last { !$0.isEmpty }, "assay: error: d.csv: --with column 'bb' is missing; did you mean 'b'?")
    }

    struct MissingBinary: Error, CustomStringConvertible {
        let path: String
        var description: String { "the assay binary is not built at \(path)" }
    }

    /// A scratch folder holding `d.csv` (40 rows: a, b, y) for the binary to run on; the test fails when the binary is not built.
    func smallTable() throws -> (dir: URL, rows: [String]) {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw MissingBinary(path: binary.path) }
        let dir = try TestPaths.temporaryDirectory()
        var rows = ["a,b,y"]
        for i in 0..<40 { rows.append("\(i),\((i * 7) % 5),\(i % 3 == 0 || i > 30 ? 1 : 0)") }
        try (rows.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        return (dir, rows)
    }

    func testCheckAndDiffExitCodes() throws {
        let (dir, _) = try smallTable()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = """
        assay: 1
        data: {path: d.csv, target: y}
        split: {test_size: 0.25, folds: 3}
        models:
          lr: {type: logistic_regression}
        metrics: [roc_auc, log_loss]
        checks:
          cv.roc_auc: {min: 0.5}
          lr.test.log_loss: {max: 5, tolerance: 0.001}

        """
        try spec.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try assay(["run", "s.yaml", "--cache-dir", "c", "--models-dir", "m"], in: dir).code, 0)
        XCTAssertEqual(try assay(["run", "s.yaml", "--cache-dir", "c", "--models-dir", "m", "--out", "pr"], in: dir).code, 0)

        // Everything holds against the committed run: exit 0, and a JUnit file with three passing cases.
        let ok = try assay(["check", "s.yaml", "--out", "pr", "--junit", "out/junit.xml"], in: dir)
        XCTAssertEqual(ok.code, 0, ok.stderr)
        XCTAssertEqual(ok.stderr, "assay: s: 3 checks, 0 failed (pr/s/metrics.json against runs/s/metrics.json)\n")
        let junit = try String(contentsOf: dir.appendingPathComponent("out/junit.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("tests=\"3\" failures=\"0\""), junit)

        // A bound that no longer holds: exit 1, an annotation under GitHub Actions, and the failure in JUnit.
        let strict = ["check", "s.yaml", "--out", "pr", "--set", "checks.cv.roc_auc.min=0.999", "--junit", "j.xml"]
        let failed = try assay(strict, in: dir, environment: ["GITHUB_ACTIONS": "true"])
        XCTAssertEqual(failed.code, 1, failed.stderr)
        XCTAssertTrue(failed.stdout.contains("::error file=s.yaml,line=8,col=3,title=assay check%3A cv.roc_auc >= 0.999::cv.roc_auc = "), failed.stdout)
        XCTAssertTrue(try String(contentsOf: dir.appendingPathComponent("j.xml"), encoding: .utf8).contains("<failure type=\"min\""))
        XCTAssertFalse(try assay(strict, in: dir).stdout.contains("::error"), "annotations only under GitHub Actions")

        // A worse baseline comparison: the PR's log loss against a baseline that was better.
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("runs/s/metrics.json"))) as! [String: Any]
        var models = json["models"] as! [String: Any], lr = models["lr"] as! [String: Any], test = lr["test"] as! [String: Any]
        XCTAssertGreaterThan(test["log_loss"] as! Double, 0.011)
        test["log_loss"] = 0.01
        lr["test"] = test; models["lr"] = lr; json["models"] = models
        try JSONSerialization.data(withJSONObject: json).write(to: dir.appendingPathComponent("better.json"))
        let regressed = try assay(["check", "s.yaml", "--out", "pr", "--baseline", "better.json"], in: dir)
        XCTAssertEqual(regressed.code, 1, regressed.stderr)
        XCTAssertTrue(regressed.stdout.contains("FAIL  lr.test.log_loss = "), regressed.stdout)

        // Bad input: exit 2 with one line.
        let same = try assay(["check", "s.yaml"], in: dir)
        XCTAssertEqual(same.code, 2)
        XCTAssertTrue(same.stderr.hasPrefix("assay: error: checks with a tolerance compare two runs, but the baseline is the metrics being checked"))
        let notRun = try assay(["check", "s.yaml", "--out", "nowhere"], in: dir)
        XCTAssertEqual(notRun.code, 2)
        XCTAssertEqual(notRun.stderr, "assay: error: nowhere/s/metrics.json: no such file (has the experiment been run?)\n")
        let badSpec = try assay(["check", "s.yaml", "--set", "checks.cv.roc_auc.min=high"], in: dir)
        XCTAssertEqual(badSpec.code, 2)
        XCTAssertEqual(badSpec.stderr, "assay: error: --set checks.cv.roc_auc.min: checks.cv.roc_auc.min must be a number, got 'high'\n")

        // diff: exit 0 with or without changes; a missing run is bad input.
        let diff = try assay(["diff", "runs/s", "better.json"], in: dir)
        XCTAssertEqual(diff.code, 0, diff.stderr)
        XCTAssertTrue(diff.stdout.contains("| lr | test.log_loss | "), diff.stdout)
        let none = try assay(["diff", "runs/s", "pr/s/metrics.json", "--format", "json"], in: dir)
        XCTAssertEqual(none.code, 0)
        XCTAssertTrue(none.stdout.contains("\"changes\": []"), none.stdout)
        XCTAssertEqual(try assay(["diff", "runs/s", "missing"], in: dir).code, 2)
    }
}


/// The data profile's flags on the real tables whose leaks `../shared/data/README.md` documents.
final class ProfileOnRealDataTests: XCTestCase {
    func flagged(_ file: String, _ options: LoadOptions) throws -> [String: [String]] {
        let dir = try TestPaths.sharedData()
        let csv = try CSVFile(contentsOf: dir.appendingPathComponent(file), displayName: file, options: options.csv)
        let data = try DatasetLoader.load(csv, options)
        let p = TableProfile(data.features, target: data.target, roles: [:])
        return Dictionary(uniqueKeysWithValues: p.columns.filter { !$0.flags.isEmpty }.map { ($0.name, $0.flags) })
    }

    func testStudentPurchaseFlagsDaysOnPlatformOnly() throws {
        let flags = try flagged("student_purchase.csv", LoadOptions(csv: CSVOptions(missing: [""]), target: "purchased", positive: "1"))
        XCTAssertEqual(Array(flags.keys), ["days_on_platform"])
        XCTAssertEqual(flags["days_on_platform"], ["likely leak: predicts the target alone (AUC 0.949) far better than any other column (next 0.771)"])
    }

    func testBankMarketingFlagsDurationOnly() throws {
        let flags = try flagged("bank_marketing_full.csv", LoadOptions(csv: CSVOptions(delimiter: UInt8(ascii: ";")), target: "y", positive: "yes"))
        XCTAssertEqual(Array(flags.keys), ["duration"])
        XCTAssertEqual(flags["duration"]?.first?.hasPrefix("likely leak: predicts the target alone (AUC 0.808)"), true)
    }
}

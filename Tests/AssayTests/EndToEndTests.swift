@testable import Assay
import AssayCore
import AssayEngine
import AssayLearn
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
        let refit = after.report.models[1].bestIndex == before.report.models[1].bestIndex ? 0 : 1
        XCTAssertEqual(after.stats.executedByKind["fit"], 4 + refit)
        XCTAssertEqual(after.report.models[0].points.map(\.cv), before.report.models[0].points.map(\.cv))
    }

    func testChangingOnlyMetricsRunsNoFit() throws {
        try runSpec()
        let again = try runSpec(["metrics=[accuracy, brier]"])
        XCTAssertEqual(again.stats.executedByKind["fit", default: 0], 0)
        XCTAssertEqual(again.report.metrics, [.accuracy, .brier, .rocAUC])
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
            XCTAssertTrue(e.description.hasSuffix("numeric column 'spend' has missing values and preprocess has no impute step; add '- impute: {numeric: median}'"), e.description)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/e2e/report.md").path))
    }

    /// The transform a fold's fit used was fitted on that fold's training rows, never on its validation rows.
    func testFoldPreprocessingNeverSeesValidationRows() throws {
        let spec = try Experiment.validate(specPath: dir.appendingPathComponent("e.yaml").path)
        var planner = Planner(spec: spec)
        let load = planner.load(contentHash: "test")
        let split = planner.split(load)
        let variant = Preprocessing(spec.preprocess)
        let preps = (0..<4).map { planner.prep(variant, fold: $0, load: load, split: split) }
        let (results, _) = try Executor(store: NoStore(), jobs: 2).run(planner.graph, want: [load, split] + preps)
        let data = try Dataset(decoding: results[load]!), s = try Split(decoding: results[split]!)
        for k in 0..<4 {
            let fitted = try FittedPreprocessing(decoding: results[preps[k]]!)
            XCTAssertEqual(fitted, variant.fit(data.features, rows: s.trainingRows(ofFold: k)))
            XCTAssertNotEqual(fitted, variant.fit(data.features, rows: s.train))
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

    func assay(_ args: [String], in cwd: URL) throws -> (code: Int32, stderr: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = cwd
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, text)
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
        let run = try assay(["run", "ok.yaml", "--jobs", "1", "--cache-dir", "c", "--models-dir", "m", "--stats-json", "stats.json"], in: dir)
        XCTAssertEqual(run.code, 0, run.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/ok/report.md").path))
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("stats.json"))) as! [String: Any]
        XCTAssertEqual(stats["fits_executed"] as? Int, 3)  // 2 folds and the refit (no test set: the saved pipeline still needs it)
        XCTAssertEqual(Set(stats.keys), ["tasks", "executed", "cached", "fits_executed", "seconds"])

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
        XCTAssertEqual(unwritable.code, 1)
        XCTAssertEqual(unwritable.stderr, "assay: error: cannot write /dev/null: it is a file, not a folder\n")  // one line; every task was cached
    }
}

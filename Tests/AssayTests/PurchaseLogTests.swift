@testable import Assay
import AssayCore
import AssayData
import Foundation
import TestSupport
import XCTest

/// `data.events`: a purchase log turned into a customer table, end to end through `run`, `validate` and `prepare`.
final class PurchaseLogTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = try TestPaths.temporaryDirectory()
        // 300 customers over 2021; a customer's habit (purchases a month) carries on after the cutoff, so recent,
        // frequent buyers buy again. Whitespace-separated, ids with leading zeros, yyyymmdd dates, a zero-value row.
        var rng = SplitMix64(seed: 5)
        var lines = [" customer   date  amount"]
        let start = Day(year: 2021, month: 1, day: 1)!.number
        for c in 0..<300 {
            let rate = Double(Int.random(in: 1...40, using: &rng)) / 400  // purchases per day
            for d in 0..<365 where Double.random(in: 0..<1, using: &rng) < rate {
                let (y, m, dd) = Day(number: start + d).civil
                lines.append(String(format: " %05d  %04d%02d%02d  %.2f", c, y, m, dd, Double(Int.random(in: 100...9000, using: &rng)) / 100))
            }
        }
        lines.append(" 00007  20210105  0.00")
        try (lines.joined(separator: "\r\n") + "\r\n").write(to: dir.appendingPathComponent("log.txt"), atomically: true, encoding: .utf8)
        try spec().write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func spec(cutoff: String = "2021-10-01", label: String = "{buys_within: 30d}", features: String = "[recency, frequency, monetary, tenure, {orders: [30d, 90d]}]") -> String {
        """
        assay: 1
        name: repeat
        seed: 1
        data:
          events:
            path: log.txt
            delimiter: whitespace
            customer: customer
            time: date
            time_format: "%Y%m%d"
            amount: amount
            clean:
              - filter: "amount > 0"
          cutoff: \(cutoff)
          label: \(label)
          features: \(features)
        split: {test_size: 0.25, folds: 3}
        models:
          lr:
            type: logistic_regression
            preprocess: [{log1p: {}}, {scale: {method: standard}}]
            grid: {C: [1]}
        metrics: [roc_auc]
        """
    }

    @discardableResult
    func runSpec(_ overrides: [String] = [], out: String = "runs") throws -> RunOutcome {
        try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, overrides: overrides, options: RunOptions(
            jobs: 2, outputRoot: dir.appendingPathComponent(out).path, cacheDirectory: dir.appendingPathComponent("cache").path))
    }

    func testRunReportsTheCutoffAndTheCacheKeysTheTableByLogAndSpec() throws {
        let first = try runSpec()
        XCTAssertEqual(first.stats.executedByKind["load"], 1)
        let report = try String(contentsOf: dir.appendingPathComponent("runs/repeat/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("  - filter `amount > 0`: 1 of "), report)
        XCTAssertTrue(report.contains("  - cutoff 2021-10-01: 292 customers; label window 2021-10-01 to 2021-10-30: 211 buy (72.3%)"), report)
        XCTAssertTrue(report.contains("target `buys_within_30d`"), report)
        XCTAssertTrue(report.contains("Columns: 6 numeric (`recency`, `frequency`, `monetary`, `tenure`, `orders_30d`, `orders_90d`)"), report)
        let metrics = try String(contentsOf: dir.appendingPathComponent("runs/repeat/metrics.json"), encoding: .utf8)
        let auc = try XCTUnwrap(metrics.range(of: #""test": \{\s*"roc_auc": ([0-9.]+)"#, options: .regularExpression).map { String(metrics[$0]) })
        XCTAssertGreaterThan(Double(auc.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) ?? 0, 0.75, "recent frequent buyers buy again: \(auc)")

        // A grid change does not rebuild the customer table; a changed log does.
        XCTAssertEqual(try runSpec(["models.lr.grid.C=[0.5]"], out: "r2").stats.executedByKind["load", default: 0], 0)
        let log = dir.appendingPathComponent("log.txt")
        try (try String(contentsOf: log, encoding: .utf8) + " 00001  20211215  5.00\r\n").write(to: log, atomically: true, encoding: .utf8)
        XCTAssertEqual(try runSpec(out: "r3").stats.executedByKind["load", default: 0], 1)
        // So does a changed feature list.
        try spec(features: "[recency, frequency]").write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try runSpec(out: "r4").stats.executedByKind["load", default: 0], 1)
    }

    /// `assay prepare` writes the table the models see; a saved model scores it with `assay predict` (a customer-table
    /// model reads plain CSV, not the log's whitespace-separated format) and gives the run's test probabilities.
    func testPrepareWritesTheCustomerTableAndPredictScoresIt() throws {
        let out = dir.appendingPathComponent("table.csv").path
        XCTAssertEqual(try Experiment.prepare(specPath: dir.appendingPathComponent("e.yaml").path, output: out), 292, "8 of the 300 customers buy only after the cutoff")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.first, "customer,cutoff,recency,frequency,monetary,tenure,orders_30d,orders_90d,buys_within_30d")
        XCTAssertTrue(lines[1].hasPrefix("00000,2021-10-01,"), String(lines[1]))

        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: dir.appendingPathComponent("cache").path)
        options.modelsDirectory = dir.appendingPathComponent("models").path
        let outcome = try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: options)
        let scores = dir.appendingPathComponent("scores.csv").path
        _ = try Predict.run(model: try XCTUnwrap(outcome.savedModels["lr"]), input: out, output: scores, id: "customer", top: nil)
        let scored = try String(contentsOfFile: scores, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(scored.count, 292)
        let byCustomer = Dictionary(uniqueKeysWithValues: scored.map { ($0[0], Double($0[1])!) })
        let customers = lines.dropFirst().map { String($0.split(separator: ",")[0]) }
        for (row, p) in zip(outcome.testRows, try XCTUnwrap(outcome.testProbabilities["lr"])) {
            XCTAssertEqual(byCustomer[customers[row]]!, p, accuracy: 1e-12, "customer \(customers[row])")
        }
    }

    /// Several cutoffs with `holdout: last_cutoff`: the test rows are the last cutoff's, a cutoff whose label window
    /// reaches past it is left out, and a customer's rows at the other cutoffs always share one fold.
    func testTimeAwareValidationKeepsCustomersTogetherAndLeavesOverlappingWindowsOut() throws {
        try spec(cutoff: "[2021-08-01, 2021-09-01, 2021-09-20, 2021-10-01]")
            .replacingOccurrences(of: "split: {test_size: 0.25, folds: 3}", with: "split: {holdout: last_cutoff, folds: 3}\npredictions: {columns: [cutoff]}")
            .write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        let predictions = dir.appendingPathComponent("p.csv").path
        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: dir.appendingPathComponent("cache").path)
        options.predictionsFile = predictions
        try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: options)
        let lines = try String(contentsOfFile: predictions, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        XCTAssertEqual(Array(lines[0].prefix(6)), ["row", "customer", "cutoff", "split", "repeat", "fold"])
        var foldOf: [String: String] = [:], cutoffsSeen: [String: Set<String>] = [:]
        for l in lines.dropFirst() {
            cutoffsSeen[l[3], default: []].insert(l[2])
            guard l[3] == "train" else { continue }
            if let f = foldOf[l[1]] { XCTAssertEqual(f, l[5], "customer \(l[1]) is in two folds") } else { foldOf[l[1]] = l[5] }
        }
        XCTAssertEqual(cutoffsSeen["test"], ["2021-10-01"])
        XCTAssertEqual(cutoffsSeen["train"], ["2021-08-01", "2021-09-01"], "20 September's 30-day window reaches past 1 October: left out")
        XCTAssertEqual(Set(foldOf.values), ["1", "2", "3"])
        let report = try String(contentsOf: dir.appendingPathComponent("runs/repeat/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("- Split: time-aware: the 292 rows of the last cutoff (2021-10-01) for test, then stratified grouped by `customer` 3-fold CV on the rows of the earlier cutoffs ("), report)
        XCTAssertTrue(report.contains("| | 2021-08-01 (cv) | 2021-09-01 (cv) | 2021-09-20 (left out) | 2021-10-01 (test) |"), report)
        XCTAssertTrue(report.contains("| lr | 0."), report)
        let metrics = try String(contentsOf: dir.appendingPathComponent("runs/repeat/metrics.json"), encoding: .utf8)
        XCTAssertTrue(metrics.contains("\"over_time\""), metrics)
    }

    /// `folds: forward`: fold k validates on the (k + 1)-th cutoff and trains only on earlier cutoffs; the first
    /// cutoff trains every fold and is never validated; the refit learns from all three.
    func testForwardChainingFoldsFollowTime() throws {
        try spec(cutoff: "[2021-06-01, 2021-07-15, 2021-09-01, 2021-10-01]")
            .replacingOccurrences(of: "split: {test_size: 0.25, folds: 3}", with: "split: {holdout: last_cutoff, folds: forward}\npredictions: {columns: [cutoff]}")
            .write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: dir.appendingPathComponent("cache").path)
        options.predictionsFile = dir.appendingPathComponent("p.csv").path
        let outcome = try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: options)
        let lines = try String(contentsOf: dir.appendingPathComponent("p.csv"), encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var cutoffsOfFold: [String: Set<String>] = [:]
        for l in lines where l[3] == "train" { cutoffsOfFold[l[5], default: []].insert(l[2]) }
        XCTAssertEqual(cutoffsOfFold, ["1": ["2021-07-15"], "2": ["2021-09-01"]])
        XCTAssertEqual(Set(lines.filter { $0[3] == "test" }.map { $0[2] }), ["2021-10-01"])
        let rowsPerCutoff = outcome.report!.data.rows / 4
        XCTAssertGreaterThan(outcome.report!.data.trainRows, 2 * rowsPerCutoff, "the refit learns from the first cutoff too")
        let report = try String(contentsOf: dir.appendingPathComponent("runs/repeat/report.md"), encoding: .utf8)
        XCTAssertTrue(report.contains("then 2 forward-chaining folds on the earlier cutoffs: fold k validates on the (k + 1)-th cutoff"), report)
        XCTAssertTrue(report.contains("| | 2021-06-01 (train only) | 2021-07-15 (cv) | 2021-09-01 (cv) | 2021-10-01 (test) |"), report)
        XCTAssertEqual(outcome.report!.models[0].points[0].foldScores[.rocAUC]?.count, 2)

        try spec(cutoff: "[2021-07-15, 2021-09-01, 2021-10-01]").replacingOccurrences(of: "split: {test_size: 0.25, folds: 3}", with: "split: {holdout: last_cutoff, folds: forward}")
            .write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runSpec()) {
            XCTAssertTrue("\($0)".hasSuffix("split.folds: forward validates on every cutoff but the first and the last: it needs at least four cutoffs, and data.cutoff has 3"), "\($0)")
        }
        try spec().replacingOccurrences(of: "split: {test_size: 0.25, folds: 3}", with: "split: {folds: forward}")
            .write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try runSpec()) {
            XCTAssertTrue("\($0)".hasSuffix("split.folds: forward follows time across a customer table's cutoffs: it needs holdout: last_cutoff"), "\($0)")
        }
    }

    /// Each bad input is one line naming the spec line or the log's row, a bad input (exit 2), and nothing is written.
    func testBadInputIsOneLineAndWritesNothing() throws {
        let cases: [(String, String)] = [
            (spec(cutoff: "2021-12-15"), "e.yaml:14:11: the label window of cutoff 2021-12-15 (2021-12-15 to 2022-01-13, 30d) runs past the log's last day (2021-12-31); the latest cutoff a 30d window fits is 2021-12-02"),
            (spec(cutoff: "2020-12-01"), "e.yaml:14:11: cutoff 2020-12-01 is on or before the log's first purchase day (2021-01-01): no purchase precedes it"),
            (spec(label: "{buys_within: 30 days}"), "e.yaml:15:24: data.label.buys_within must be a number of days or weeks, like 90d or 12w, got '30 days'"),
            (spec(label: "{buy_within: 30d}"), "e.yaml:15:11: unknown label rule 'buy_within'; did you mean 'buys_within'? (buys_within or spend_within)"),
            (spec(features: "[recency, {orders: 30}]"), "e.yaml:16:32: data.features.orders must be a number of days or weeks, like 90d or 12w, got '30'"),
            (spec(features: "[recency, orders]"), "e.yaml:16:23: data.features: orders needs a window, like {orders: 90d}"),
            (spec().replacingOccurrences(of: "amount: amount", with: "amount: amont"), "e.yaml:11:13: data.events.amount: no column 'amont' in \(dir.path)/log.txt; did you mean 'amount'?"),
            (spec().replacingOccurrences(of: "%Y%m%d", with: "%d-%m-%Y"), "\(dir.path)/log.txt:2: row 1, time column 'date': '20210115' does not match time_format '%d-%m-%Y'"),
            (spec().replacingOccurrences(of: "  events:", with: "  target: x\n  events:"), "e.yaml:5:11: data.target is not used with data.events: the customer table's target is its label, its id the customer column"),
            (spec().replacingOccurrences(of: "test_size: 0.25", with: "holdout: last_cutoff"), "e.yaml:17:18: split.holdout: last_cutoff tests on a customer table's last cutoff: it needs data.events with at least two cutoffs"),
            (spec(cutoff: "[2021-10-01, 2021-09-01]"), "e.yaml:14:24: data.cutoff must list days in increasing order: 2021-09-01 follows 2021-10-01"),
        ]
        for (text, message) in cases {
            try text.write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try runSpec()) {
                let e = $0 as? AssayError
                XCTAssertEqual(e?.isBadInput, true, "\($0)")
                XCTAssertEqual("\($0)".replacingOccurrences(of: dir.path + "/e.yaml", with: "e.yaml"), message)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs").path))
        }
    }
}

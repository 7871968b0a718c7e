@testable import Assay
import AssayCore
import AssayData
import Foundation
import TestSupport
import XCTest

/// `assay init`: the format sniffer, the guesses, and specs that validate and run.
final class StarterSpecTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try TestPaths.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func sniff(_ text: String) throws -> CSVOptions { try CSVSniffer.sniff(Array(text.utf8), file: "t.csv") }

    func testSnifferFindsDelimiterDecimalMarkAndHeader() throws {
        let semicolons = try sniff("id;spend\r\n1;0,98\r\n2;12,5\r\n")
        XCTAssertEqual(semicolons.delimiter, UInt8(ascii: ";"))
        XCTAssertEqual(semicolons.decimal, UInt8(ascii: ","))
        XCTAssertTrue(semicolons.header)
        let quoted = try sniff("\"a,b\",c\n\"x, y\",1\n\"z\",2\n")
        XCTAssertEqual(quoted.delimiter, UInt8(ascii: ","), "a comma inside quotes does not count")
        let tabs = try sniff("a\tb\tc\n1\t2.5\t3\n")
        XCTAssertEqual(tabs.delimiter, UInt8(ascii: "\t"))
        XCTAssertEqual(tabs.decimal, UInt8(ascii: "."))
        let headerless = try sniff("1,0.5,7\n2,0.25,8\n")
        XCTAssertFalse(headerless.header)
        XCTAssertEqual(headerless.names, ["column_1", "column_2", "column_3"])
        let padded = try sniff(" customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1  11.77\r\n 00002 19970112  2  12.00\r\n")
        XCTAssertEqual(padded.delimiter, CSVOptions.whitespace, "fields padded with runs of spaces")
        XCTAssertTrue(padded.header)
    }

    /// A semicolon file with decimal commas, CRLF, country codes where "NA" is Namibia, blank-looking cells in a
    /// number column, an id and a constant column: the spec says so, validates and runs.
    func testInitOnAQuirkyTableWritesASpecThatRuns() throws {
        var lines = ["customer_id;country;plan;monthly_spend;visits;region;churned"]
        var state: UInt64 = 7
        func next() -> Int { state = state &* 6364136223846793005 &+ 1442695040888963407; return Int(state >> 33) }
        for i in 0..<300 {
            let visits = next() % 10, plan = next() % 3 == 0 ? "pro" : "basic"
            let churned = (visits < 4 ? next() % 10 < 7 : next() % 10 < 2) ? "yes" : "no"
            let spend = i % 37 == 5 ? " " : "\(10 + next() % 90),\(next() % 100)"
            lines.append("\(1000 + i);\(["DE", "FR", "NA", "US", "GB"][i % 5]);\(plan);\(spend);\(visits);EU;\(churned)")
        }
        let data = dir.appendingPathComponent("data/customers.csv")
        try FileManager.default.createDirectory(at: data.deletingLastPathComponent(), withIntermediateDirectories: true)
        try (lines.joined(separator: "\r\n") + "\r\n").write(to: data, atomically: true, encoding: .utf8)
        let output = dir.appendingPathComponent("experiments/customers.yaml").path

        let starter = try StarterSpec.write(dataPath: data.path, output: output, target: nil, positive: nil, force: false)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        XCTAssertEqual(text, starter.text)
        for line in ["name: customers", "  path: ../data/customers.csv", "  delimiter: \";\"", "  decimal: \",\"",
                     "  missing: [\"\", \" \"]", "    # \"NA\" is kept as a value: in country it sits among two-letter codes (Namibia?)",
                     "    # \" \" (blank-looking) in monthly_spend", "  target: churned", "  positive: \"yes\"",
                     "    - region    # constant", "split: {test_size: 0.2, folds: 5}"] {
            XCTAssertTrue(text.contains(line + "\n"), "missing line \(line) in\n\(text)")
        }
        XCTAssertTrue(text.contains("  id: customer_id   "), text)
        XCTAssertFalse(text.contains("Warning"), "customer_id is unique")
        XCTAssertTrue(starter.findings.contains { $0.hasPrefix("target: churned (guessed; also two-valued: plan; choose with --target), positive label \"yes\" (40.0% of rows)") }, "\(starter.findings)")

        let outcome = try Experiment.run(specPath: output, options: RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: nil, modelsDirectory: nil))
        XCTAssertEqual(Set(outcome.report!.models.map(\.name)), ["logreg", "forest", "boost"])
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("runs/customers/metrics.json"))) as! [String: Any]
        let best = metrics["best_model"] as? String
        XCTAssertNotNil(best)
        XCTAssertGreaterThan(outcome.report!.models.first { $0.name == best }!.best.cv[.rocAUC]!.mean, 0.6, "visits predict churn")

        XCTAssertThrowsError(try StarterSpec.write(dataPath: data.path, output: output, target: nil, positive: nil, force: false)) {
            XCTAssertEqual("\($0)", "\(output) already exists; pass --force to replace it, or --output to write elsewhere")
        }
        XCTAssertThrowsError(try StarterSpec.make(dataPath: data.path, specFolder: dir.path, target: "country", positive: nil, stem: "x")) {
            XCTAssertEqual("\($0)", "--target country: the column has 5 distinct values; Assay predicts a target with exactly two values, or a number (a regression), and none missing")
        }
        // A numeric target is a regression: its own task, models and metrics, no positive label, and it runs.
        let numeric = try StarterSpec.write(dataPath: data.path, output: dir.appendingPathComponent("experiments/visits.yaml").path, target: "visits",
                                            positive: nil, force: false)
        for line in ["task: regression              # the target is a number", "  target: visits", "    type: ridge", "metrics: [rmse, mae, r2]", "select: rmse"] {
            XCTAssertTrue(numeric.text.contains(line + "\n"), "missing line \(line) in\n\(numeric.text)")
        }
        XCTAssertFalse(numeric.text.contains("positive:"), numeric.text)
        XCTAssertTrue(numeric.findings.contains("target: visits, numeric: a regression (10 distinct values, 0 to 9)"), "\(numeric.findings)")
        let regression = try Experiment.run(specPath: dir.appendingPathComponent("experiments/visits.yaml").path,
                                            options: RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: nil, modelsDirectory: nil))
        XCTAssertEqual(regression.report!.kind, .regression)
        XCTAssertEqual(Set(regression.report!.models.map(\.name)), ["ridge", "forest", "boost"])
        try FileManager.default.removeItem(atPath: dir.appendingPathComponent("experiments/visits.yaml").path)
        XCTAssertThrowsError(try StarterSpec.make(dataPath: data.path, specFolder: dir.path, target: "churn", positive: nil, stem: "x")) {
            XCTAssertTrue("\($0)".contains("did you mean 'churned'?"), "\($0)")
        }
        XCTAssertThrowsError(try StarterSpec.make(dataPath: data.path, specFolder: dir.path, target: nil, positive: "Yes", stem: "x")) {
            XCTAssertTrue("\($0)".contains("'Yes'"), "\($0)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("experiments").path)
        XCTAssertEqual(leftovers, ["customers.yaml"], "no draft left behind")
    }

    /// Every table in ../shared/data with a two-valued column gets a spec that validates (CI also runs each one);
    /// the side tables without one are refused with a line that says why (the purchase logs: the next test).
    func testInitOnEverySharedTable() throws {
        let shared = try TestPaths.sharedData()
        let expected: [(String, String, String, String?, [String])] = [
            ("student_purchase.csv", "purchased", "1", nil, ["days_on_platform"]),
            ("audiobooks.csv", "column_12", "1", "column_1", []),
            ("audiobooks_raw_with_header.csv", "Targets", "1", "ID", []),
            ("buyer_activity_market_file.csv", "Покупательская активность", "Снизилась", "id", []),
            ("buyer_activity_market_time.csv", "Период", "текущий_месяц", nil, []),
            ("online_shoppers_intention.csv", "Revenue", "TRUE", nil, ["PageValues"]),
            ("bank_marketing_full.csv", "y", "yes", nil, ["duration"]),
        ]
        for (file, target, positive, id, dropped) in expected {
            let output = dir.appendingPathComponent("\(file).yaml").path
            _ = try StarterSpec.write(dataPath: shared.appendingPathComponent(file).path, output: output, target: nil, positive: nil, force: false)
            let spec = try Experiment.loadSpec(specPath: output, overrides: [])  // write() validated it
            XCTAssertEqual(spec.data.target, target, file)
            XCTAssertEqual(spec.data.positive, positive, file)
            XCTAssertEqual(spec.data.id, id, file)
            XCTAssertEqual(spec.data.drop, dropped, file)
        }
        let student = try String(contentsOfFile: dir.appendingPathComponent("student_purchase.csv.yaml").path, encoding: .utf8)
        XCTAssertTrue(student.contains("\"NA\" is kept as a value: in student_country"), student)
        let long = try String(contentsOfFile: dir.appendingPathComponent("buyer_activity_market_time.csv.yaml").path, encoding: .utf8)
        XCTAssertTrue(long.contains("\n# Warning: every value of id appears 2 times: this looks like a long table"), long)
        let main = try String(contentsOfFile: dir.appendingPathComponent("buyer_activity_market_file.csv.yaml").path, encoding: .utf8)
        XCTAssertFalse(main.contains("Warning"), "one row per id")
        let raw = try String(contentsOfFile: dir.appendingPathComponent("audiobooks_raw_with_header.csv.yaml").path, encoding: .utf8)
        XCTAssertTrue(raw.contains("  missing: [\"\", \"#N/A\"]\n    # \"#N/A\" in Review 10/10\n"), raw)
        for file in ["buyer_activity_market_money.csv", "buyer_activity_money.csv"] {
            XCTAssertThrowsError(try StarterSpec.make(dataPath: shared.appendingPathComponent(file).path, specFolder: dir.path, target: nil, positive: nil, stem: "x")) {
                XCTAssertTrue("\($0)".hasSuffix("no column has exactly two values and no missing cells, so there is no target to guess; Assay predicts two-valued targets and numbers (name one with --target; a numeric one is a regression)"), "\($0)")
            }
        }
        // Named, the money file's profit is a regression target, but nothing is left to predict it from: a side table.
        XCTAssertThrowsError(try StarterSpec.make(dataPath: shared.appendingPathComponent("buyer_activity_money.csv").path, specFolder: dir.path,
                                                  target: "Прибыль", positive: nil, stem: "x")) {
            XCTAssertTrue("\($0)".hasSuffix("no column is left to predict Прибыль from (only id, Прибыль); this looks like a side table to join to a main one (data.join)"), "\($0)")
        }
    }

    /// The two purchase logs get a repeat-purchase spec (`data.events`) that validates and runs: CDNOW's cutoff is the
    /// README's 1998-04-02 (its last 90 days), its zero-value rows are filtered; the groceries log's day-first dates
    /// and space-padded item names are read as they are.
    func testInitOnAPurchaseLogWritesARepeatPurchaseSpecThatRuns() throws {
        let shared = try TestPaths.sharedData()
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let expected: [(String, [String], String)] = [
            ("cdnow_master.txt", ["    delimiter: whitespace", "    customer: customer_id", "    time: date", "    time_format: \"%Y%m%d\"",
                                  "    amount: dollar_value", "      - filter: \"`dollar_value` > 0\"", "  cutoff: 1998-04-02",
                                  "  features: [recency, frequency, monetary, tenure, {orders: 90d}]"],
             "  - cutoff 1998-04-02: 23502 customers; label window 1998-04-02 to 1998-06-30: 3301 buy (14.0%)"),
            ("groceries_dataset.csv", ["    customer: Member_number", "    time_format: \"%d-%m-%Y\"", "    item: itemDescription",
                                       "      - normalize: {columns: [itemDescription]}", "  cutoff: 2015-10-02",
                                       "  features: [recency, frequency, tenure, {orders: 90d}, distinct_items]"],
             "  - cutoff 2015-10-02: 3844 customers; label window 2015-10-02 to 2015-12-30: 1318 buy (34.3%)"),
        ]
        for (file, lines, cutoffLine) in expected {
            let output = dir.appendingPathComponent("\(file).yaml").path
            let starter = try StarterSpec.write(dataPath: shared.appendingPathComponent(file).path, output: output, target: nil, positive: nil, force: false)
            for line in lines { XCTAssertTrue(starter.text.contains(line + "\n") || starter.text.contains(line + " "), "\(file): \(line)\n\(starter.text)") }
            try Experiment.run(specPath: output, options: RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path,
                                                                     cacheDirectory: dir.appendingPathComponent("cache").path))
            let report = try String(contentsOf: dir.appendingPathComponent("runs/\(Guess.specName(file))/report.md"), encoding: .utf8)
            XCTAssertTrue(report.contains(cutoffLine), report)
        }
    }
}

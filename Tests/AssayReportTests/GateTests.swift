import AssayCore
import AssayReport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

/// `assay check` and `assay diff` over metrics.json documents.
final class GateTests: XCTestCase {
    func document(best: String? = "lr", auc: Double = 0.84, testAUC: Double? = 0.82, logLoss: Double = 0.41, c: String = "1",
                  file: String = "a.json") throws -> MetricsDocument {
        let test = testAUC.map { "{\"roc_auc\": \($0)}" } ?? "{}"
        let text = """
        {"assay": 1, "experiment": "ex", "best_model": \(best.map { "\"\($0)\"" } ?? "null"),
         "data": {"rows": 100, "positive_rate": 0.25},
         "models": {
           "lr": {"type": "logistic_regression", "best_params": {"C": \(c)},
                  "cv": {"roc_auc": {"mean": \(auc), "std": 0.01}, "log_loss": {"mean": \(logLoss), "std": 0.02}},
                  "test": \(test), "grid": []},
           "nb": {"type": "naive_bayes", "best_params": {}, "cv": {"roc_auc": {"mean": 0.7, "std": null}, "log_loss": {"mean": null, "std": null}},
                  "test": {}, "grid": []}}}
        """
        return try MetricsDocument(Array(text.utf8), file: file)
    }

    func check(_ path: String, min: Double? = nil, max: Double? = nil, tolerance: MetricCheck.Tolerance? = nil, line: Int = 7) -> MetricCheck {
        MetricCheck(path: MetricPath(path)!, min: min, max: max, tolerance: tolerance, file: "exp/e.yaml", line: line, column: 3)
    }

    func testMetricPaths() throws {
        XCTAssertEqual(MetricPath("cv.roc_auc"), MetricPath(model: nil, part: .cv, metric: .rocAUC))
        XCTAssertEqual(MetricPath("a.b.test.log_loss"), MetricPath(model: "a.b", part: .test, metric: .logLoss))
        XCTAssertNil(MetricPath("roc_auc"))
        XCTAssertNil(MetricPath("cv.auc"))
        XCTAssertNil(MetricPath(".cv.roc_auc"))
        XCTAssertNil(MetricPath("lr.train.roc_auc"))
        let d = try document()
        XCTAssertEqual(try d.value(MetricPath("cv.roc_auc")!), 0.84)
        XCTAssertEqual(try d.value(MetricPath("test.roc_auc")!), 0.82)
        XCTAssertEqual(try d.value(MetricPath("nb.cv.roc_auc")!), 0.7)
        XCTAssertTrue(try d.value(MetricPath("nb.cv.log_loss")!).isNaN)  // written as null
        XCTAssertThrowsError(try d.value(MetricPath("nb.test.roc_auc")!)) {
            XCTAssertEqual("\($0)", "a.json: cannot read nb.test.roc_auc: model 'nb' has no test scores")
        }
        XCTAssertThrowsError(try d.value(MetricPath("svm.cv.roc_auc")!)) { XCTAssertEqual("\($0)", "a.json: cannot read svm.cv.roc_auc: no model 'svm'") }
        XCTAssertThrowsError(try document(best: nil).value(MetricPath("cv.roc_auc")!)) {
            XCTAssertEqual("\($0)", "a.json: cannot read cv.roc_auc: the run has no best model")
        }
    }

    func testBoundsAndTolerancesFollowTheMetricsDirection() throws {
        let now = try document(auc: 0.84, logLoss: 0.41), before = try document(auc: 0.85, logLoss: 0.40, file: "base.json")
        let outcomes = try Checks.evaluate([
            check("cv.roc_auc", min: 0.84, max: 0.9),          // the bound itself passes
            check("cv.roc_auc", min: 0.8401),                    // just below: fails
            check("cv.roc_auc", tolerance: .absolute(0.01)),     // dropped 0.01: passes
            check("cv.roc_auc", tolerance: .absolute(0.0099)),   // fails
            check("cv.log_loss", tolerance: .relative(0.025)),   // rose 0.01 = 2.5% of 0.40: passes
            check("cv.log_loss", tolerance: .relative(0.02)),    // fails
            check("lr.cv.log_loss", max: 0.4),                   // lower is better: 0.41 > 0.4 fails
            check("nb.cv.log_loss", max: 1),                     // not a number: fails
        ], current: now, baseline: before)
        XCTAssertEqual(outcomes.map(\.passed), [true, true, false, true, false, true, false, false, false])
        XCTAssertEqual(outcomes.map(\.name), [
            "cv.roc_auc >= 0.84", "cv.roc_auc <= 0.9", "cv.roc_auc >= 0.8401", "cv.roc_auc within 0.01 of the baseline",
            "cv.roc_auc within 0.0099 of the baseline", "cv.log_loss within 2.5% of the baseline", "cv.log_loss within 2% of the baseline",
            "lr.cv.log_loss <= 0.4", "nb.cv.log_loss <= 1",
        ])
        XCTAssertEqual(outcomes[2].message, "cv.roc_auc = 0.84, below the minimum 0.8401")
        XCTAssertEqual(outcomes[4].message, "cv.roc_auc = 0.84, worse than the baseline 0.85 by 0.01 (tolerance 0.0099)")
        XCTAssertEqual(outcomes[6].message, "cv.log_loss = 0.41, worse than the baseline 0.4 by 0.01 (tolerance 2%)")
        XCTAssertEqual(outcomes[7].message, "lr.cv.log_loss = 0.41, above the maximum 0.4")
        XCTAssertEqual(outcomes[8].message, "nb.cv.log_loss is not a number in this run (the metric could not be computed)")
        let better = try Checks.evaluate([check("cv.log_loss", tolerance: .absolute(0))], current: before, baseline: now)
        XCTAssertEqual(better.map(\.passed), [true])
        XCTAssertEqual(better[0].message, "cv.log_loss = 0.4, no worse than the baseline 0.41")
        XCTAssertThrowsError(try Checks.evaluate([check("cv.roc_auc", tolerance: .absolute(0))], current: now, baseline: nil)) {
            XCTAssertEqual($0 as? ReportError, .sameBaseline(file: "a.json"))
        }
    }

    func testJUnitIsWellFormedXMLWithOneCasePerOutcome() throws {
        let outcomes = try Checks.evaluate([check("cv.roc_auc", min: 0.9, line: 7), check("test.roc_auc", min: 0.5, line: 8)],
                                           current: try document(), baseline: nil)
        let xml = Checks.junit(outcomes, experiment: "ex <&> \"q\"", metricsFile: "runs/ex/metrics.json")
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [(String, [String: String])] = []
            var failureText = ""
            var inFailure = false
            func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
                elements.append((name, attributes))
                inFailure = name == "failure"
            }
            func parser(_ p: XMLParser, foundCharacters s: String) { if inFailure { failureText += s } }
            func parser(_ p: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) { inFailure = false }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        XCTAssertTrue(parser.parse(), "JUnit XML does not parse: \(parser.parserError.map { "\($0)" } ?? "")\n\(xml)")
        XCTAssertEqual(collector.elements.map(\.0), ["testsuites", "testsuite", "testcase", "failure", "testcase"])
        XCTAssertEqual(collector.elements[0].1["tests"], "2")
        XCTAssertEqual(collector.elements[0].1["failures"], "1")
        XCTAssertEqual(collector.elements[1].1["name"], "ex <&> \"q\"")
        XCTAssertEqual(collector.elements[2].1["name"], "cv.roc_auc >= 0.9")
        XCTAssertEqual(collector.elements[2].1["file"], "exp/e.yaml")
        XCTAssertEqual(collector.elements[2].1["line"], "7")
        XCTAssertEqual(collector.elements[3].1["message"], "cv.roc_auc = 0.84, below the minimum 0.9")
        XCTAssertEqual(collector.failureText, "cv.roc_auc = 0.84, below the minimum 0.9 (runs/ex/metrics.json)")
        XCTAssertEqual(collector.elements[4].1["name"], "test.roc_auc >= 0.5")
    }

    func testGitHubAnnotationsForFailuresOnly() throws {
        let outcomes = try Checks.evaluate([check("cv.roc_auc", min: 0.9, line: 7), check("cv.roc_auc", min: 0.1)], current: try document(), baseline: nil)
        XCTAssertEqual(Checks.githubAnnotations(outcomes),
                       ["::error file=exp/e.yaml,line=7,col=3,title=assay check%3A cv.roc_auc >= 0.9::cv.roc_auc = 0.84, below the minimum 0.9"])
    }

    func testDiffListsChoicesFirstThenChangedNumbers() throws {
        let a = try document(best: "lr", auc: 0.84, testAUC: 0.82, c: "1", file: "A/metrics.json")
        let b = try document(best: "nb", auc: 0.86, testAUC: nil, c: "0.1", file: "B/metrics.json")
        let d = MetricsDiff(a, b)
        XCTAssertEqual(d.markdown(), """
        Changes from A = `A/metrics.json` to B = `B/metrics.json`:

        | model | what | A | B | delta | B is |
        |---|---|---:|---:|---:|---|
        | (run) | best_model | lr | nb |  |  |
        | lr | best_params | C=1 | C=0.1 |  |  |
        | lr | cv.roc_auc | 0.84 | 0.86 | +0.02 | better |
        | lr | test.roc_auc | 0.82 | – |  |  |

        Within noise: a CV mean that moved by less than the larger fold standard deviation of the two runs, or a test score by less than half the wider 95% bootstrap interval.

        """)
        // Within the fold spread (std 0.01), a CV change is noise; a loss that went up is worse; a test change inside half the
        // wider bootstrap interval is noise.
        let c = try document(auc: 0.845, testAUC: 0.83, logLoss: 0.45, file: "C/metrics.json")
        let verdicts = Dictionary(uniqueKeysWithValues: MetricsDiff(a, c).changes.map { ($0.key, $0.verdict?.rawValue) })
        XCTAssertEqual(verdicts, ["cv.roc_auc": "within noise", "cv.log_loss": "worse", "test.roc_auc": "better"])
        let withIntervals = { (file: String, auc: Double) in
            try MetricsDocument(Array(#"{"assay": 1, "models": {"lr": {"type": "t", "cv": {}, "test": {"roc_auc": \#(auc)}, "test_ci": {"roc_auc": {"low": 0.78, "high": 0.86}}}}}"#.utf8), file: file)
        }
        XCTAssertEqual(MetricsDiff(try withIntervals("x", 0.82), try withIntervals("y", 0.85)).changes.first?.verdict, .withinNoise)
        XCTAssertEqual(MetricsDiff(try withIntervals("x", 0.82), try withIntervals("y", 0.77)).changes.first?.verdict, .worse)
        XCTAssertEqual(MetricsDiff(a, a).markdown(), "No metric changed between `A/metrics.json` and `A/metrics.json`.\n")
        let json = try JSONValue.parse(Array(d.json().utf8))
        guard case .array(let changes)? = json["changes"] else { return XCTFail("no changes array") }
        XCTAssertEqual(changes.count, 4)
        XCTAssertEqual(changes[2]["delta"]?.double ?? 0, 0.02, accuracy: 1e-12)
        XCTAssertEqual(changes[3]["b"]?.double?.isNaN, true)  // null: absent in B
        XCTAssertEqual(changes[2]["verdict"]?.string, "better")
    }

    func testJSONReader() throws {
        let v = try JSONValue.parse(Array(#" {"a": [1, -2.5e1, true, null, "x\"\u00e9\ud83d\ude00"], "b": {}} "#.utf8))
        XCTAssertEqual(v["a"].map { $0.rendered() }, "[\n  1,\n  -25,\n  true,\n  null,\n  \"x\\\"é😀\"\n]\n")
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01x", "\"abc", "tru", "[1] 2"] {
            XCTAssertThrowsError(try JSONValue.parse(Array(bad.utf8)), bad)
        }
        XCTAssertThrowsError(try MetricsDocument(Array("{\"models\": {}}".utf8), file: "m.json")) {
            XCTAssertEqual("\($0)", "m.json: not an Assay metrics.json of version 1 (no \"assay\": 1)")
        }
    }
}

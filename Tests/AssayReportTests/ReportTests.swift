import AssayCore
@testable import AssayReport
import XCTest

final class ReportTests: XCTestCase {
    func sample() -> RunReport {
        let p1 = GridPointReport(params: [("C", .double(0.1))], cv: [.rocAUC: FoldSummary(mean: 0.93, std: 0.006), .logLoss: FoldSummary(mean: 0.25, std: 0.01)], notes: [])
        let p2 = GridPointReport(params: [("C", .int(1))], cv: [.rocAUC: FoldSummary(mean: 0.9422123456, std: 0.0051), .logLoss: FoldSummary(mean: 0.24, std: 0.012)],
                                 notes: ["2 of 5 fold fits stopped at max_iter (5) before reaching tol"])
        let m = ModelReport(name: "logreg", type: "logistic_regression", fixedParams: [("max_iter", .int(5))], preprocess: [.scale(.standard, columns: .all)],
                            points: [p1, p2], bestIndex: 1, test: [.rocAUC: 0.9612, .logLoss: 0.2])
        let d = DataSummary(path: "data/x.csv", rows: 100, trainRows: 80, testRows: 20, positiveRate: 0.0918, target: "y",
                            positiveLabel: "1", numericColumns: ["a"], categoricalColumns: [], split: SplitSummary(foldColumn: nil, folds: 5, repeats: 1, fits: 5, testRows: 12, testSize: 0.2, seed: 7))
        return RunReport(experiment: "ex", description: nil, select: .rocAUC, metrics: [.rocAUC, .logLoss], data: d, models: [m], bestModel: "logreg")
    }

    func testMetricsJSONFollowsTheSpecSchemaWithSortedKeys() {
        XCTAssertEqual(MetricsJSON.render(sample()), """
        {
          "assay": 1,
          "best_model": "logreg",
          "data": {
            "positive_rate": 0.0918,
            "rows": 100,
            "test_rows": 20,
            "train_rows": 80
          },
          "experiment": "ex",
          "models": {
            "logreg": {
              "best_params": {
                "C": 1
              },
              "cv": {
                "log_loss": {
                  "mean": 0.24,
                  "std": 0.012
                },
                "roc_auc": {
                  "mean": 0.942212,
                  "std": 0.0051
                }
              },
              "grid": [
                {
                  "cv": {
                    "log_loss": {
                      "mean": 0.25,
                      "std": 0.01
                    },
                    "roc_auc": {
                      "mean": 0.93,
                      "std": 0.006
                    }
                  },
                  "params": {
                    "C": 0.1
                  }
                },
                {
                  "cv": {
                    "log_loss": {
                      "mean": 0.24,
                      "std": 0.012
                    },
                    "roc_auc": {
                      "mean": 0.942212,
                      "std": 0.0051
                    }
                  },
                  "params": {
                    "C": 1
                  }
                }
              ],
              "test": {
                "log_loss": 0.2,
                "roc_auc": 0.9612
              },
              "threshold": 0.5,
              "type": "logistic_regression"
            }
          },
          "select": "roc_auc"
        }

        """)
    }

    /// The lead is the mean of paired fold differences; within their sample standard deviation the report says the
    /// two models are not distinguishable. Known answers: differences [0.01, -0.005, 0.002, 0.004, -0.001] have mean
    /// 0.002 and sample std sqrt(0.000126 / 4) = 0.0056125; for a loss, lower is better.
    func testLeadOverTheRunnerUpFromPairedFolds() throws {
        func model(_ name: String, _ folds: [Double], metric: Metric = .rocAUC) -> ModelReport {
            let mean = folds.reduce(0, +) / Double(folds.count)
            return ModelReport(name: name, type: "t", fixedParams: [], preprocess: [], points: [
                GridPointReport(params: [], cv: [metric: FoldSummary(mean: mean, std: 0)], notes: [], foldScores: [metric: folds])], bestIndex: 0, test: [:])
        }
        let best = model("knn", [0.91, 0.895, 0.902, 0.904, 0.899]), svc = model("svc", [0.90, 0.90, 0.90, 0.90, 0.90])
        let worse = model("tree", [0.8, 0.8, 0.8, 0.8, 0.8])
        let lead = try XCTUnwrap(ModelLead.of(best, among: [worse, best, svc], metric: .rocAUC))
        XCTAssertEqual(lead.runnerUp, "svc")
        XCTAssertEqual(lead.lead, 0.002, accuracy: 1e-12)
        XCTAssertEqual(lead.spread, 0.0056124861, accuracy: 1e-9)
        XCTAssertFalse(lead.distinguishable)
        let clear = try XCTUnwrap(ModelLead.of(best, among: [best, worse], metric: .rocAUC))
        XCTAssertEqual(clear.lead, 0.102, accuracy: 1e-12)
        XCTAssertTrue(clear.distinguishable)
        let loss = try XCTUnwrap(ModelLead.of(model("a", [0.30, 0.32], metric: .logLoss), among: [model("a", [0.30, 0.32], metric: .logLoss), model("b", [0.35, 0.33], metric: .logLoss)], metric: .logLoss))
        XCTAssertEqual(loss.lead, 0.03, accuracy: 1e-12, "positive: the best has the lower loss")
        XCTAssertNil(ModelLead.of(best, among: [best], metric: .rocAUC), "no runner-up")

        var r = sample()
        r.lead = lead
        XCTAssertTrue(MarkdownReport.render(r).contains("test roc_auc 0.9612.\nIts lead over **svc** is 0.0020 (paired over 5 folds; their differences spread ± 0.0056): "
                                                        + "within that spread, so the two are not distinguishable on this data.\n\n"))
        r.lead = clear
        XCTAssertTrue(MarkdownReport.render(r).contains("Its lead over **tree** is 0.1020 (paired over 5 folds; their differences spread ± 0.0056).\n\n"))
    }

    func testNoTestSetGivesAnEmptyTestObject() {
        var r = sample()
        r.models[0].test = [:]
        XCTAssertTrue(MetricsJSON.render(r).contains("\"test\": {},"))
    }

    func testMarkdownShowsGridChosenPointTestNumbersAndNotes() {
        let md = MarkdownReport.render(sample())
        XCTAssertTrue(md.hasPrefix("# ex\n"))
        XCTAssertTrue(md.contains("| 100 | 80 | 20 | 0.0918 |"))
        XCTAssertTrue(md.contains("**logreg** (logistic_regression), C=1: CV roc_auc 0.9422 ± 0.0051, test roc_auc 0.9612."))
        XCTAssertTrue(md.contains("| **1** | 0.9422 ± 0.0051 | 0.2400 ± 0.0120 |"))
        XCTAssertTrue(md.contains("| 0.1 | 0.9300 ± 0.0060 | 0.2500 ± 0.0100 |"))
        XCTAssertTrue(md.contains("| logreg | 0.9612 | 0.2000 |"))
        XCTAssertTrue(md.contains("- Note: C=1: 2 of 5 fold fits stopped at max_iter (5) before reaching tol."))
        XCTAssertEqual(md, MarkdownReport.render(sample()))
    }

    /// Names, labels and text from the spec or the data never become markup in report.md, never break a table, and
    /// a huge cell is cut short.
    func testDataCannotInjectMarkupOrBreakTables() {
        var r = sample()
        r.experiment = "<script>alert(1)</script>"
        r.description = "[click](javascript:alert(1)) <img src=x onerror=alert(1)> *bold*\n# heading [\u{301}x](javascript:y)\r\n| z"
        r.models[0].name = "a|b`c"
        r.bestModel = "a|b`c"
        r.data.target = "y`|z"
        r.data.categoricalColumns = ["plan`x"]
        let column = "a`b <img src=x onerror=alert(1)>"
        r.data.preparation = ["<script>x</script>.csv: replace in \(code: column): 3 cells changed", "filter \(code: "`q` > 1"): 1 of 9 rows removed"]
        let huge = String(repeating: "v", count: 1_000_000)
        r.profile = TableProfile(rows: 10, positives: 3, duplicateRows: 0, idColumn: nil, columns: [
            .init(name: "c|d", role: .feature, kind: .categorical, missing: 0, distinct: 2, min: .nan, median: .nan, max: .nan,
                  groups: [.init(label: "<b>x</b>", count: 5, positives: 1), .init(label: huge, count: 5, positives: 2)], auc: 0.6, flags: []),
        ])
        let md = MarkdownReport.render(r)
        XCTAssertTrue(md.hasPrefix("# \\<script\\>alert(1)\\</script\\>\n"), md)
        XCTAssertTrue(md.contains("\\[click\\](javascript:alert(1)) \\<img src=x onerror=alert(1)\\> \\*bold\\* # heading \\[\u{301}x\\](javascript:y)  \\| z\n"), md)
        let prose = md.split(separator: "\n").filter { !$0.hasPrefix("![") }.joined(separator: "\n")  // the figures are the report's own links
            .replacingOccurrences(of: "`[^`]*`", with: "", options: .regularExpression)  // code spans show < and [ as written
        XCTAssertNil(prose.range(of: #"(?<!\\)[<\[]"#, options: .regularExpression), "an unescaped < or [ from the data")
        XCTAssertTrue(md.contains("| a\\|b\\`c | logistic_regression |"), md)
        XCTAssertTrue(md.contains("target `y'\\|z`"), md)
        XCTAssertTrue(md.contains("- `c\\|d`: \\<b\\>x\\</b\\> 0.20 (5) · " + String(repeating: "v", count: 200) + "… 0.40 (5)"), md)
        XCTAssertTrue(md.contains("  - \\<script\\>x\\</script\\>.csv: replace in `a'b <img src=x onerror=alert(1)>`: 3 cells changed\n"), md)
        XCTAssertTrue(md.contains("  - filter `'q' > 1`: 1 of 9 rows removed\n"), md)
        XCTAssertLessThan(md.utf8.count, 20_000, "a 1 MB cell is cut short")
        // Every row of every table has as many unescaped pipes as its header.
        var header: Int? = nil
        for line in md.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            guard line.hasPrefix("|") else { header = nil; continue }
            let pipes = line.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count
            if let h = header { XCTAssertEqual(pipes, h, line) } else { header = pipes }
        }
        let html = HTMLReport.render(markdown: md, title: r.experiment, figures: [:])
        XCTAssertFalse(html.contains("<script>") || html.contains("<img") || html.contains("<b>"))
        XCTAssertTrue(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "the HTML shows the text as written")
    }

    /// The report holds the choices as data; the Markdown renderer writes the sentences.
    func testMarkdownDescribesSplitPreprocessingSearchAndCalibration() {
        var r = sample()
        r.models[0].search = .halving(factor: 3, gridPoints: 9)
        r.models[0].calibration = CalibrateStep(method: .isotonic, cv: 3)
        r.models[0].preprocess = [.impute(ImputeStep(numeric: .median, addIndicator: true)), .encode(EncodeStep(method: .onehot, minFrequency: 10)),
                                  .scale(.standard, columns: .all)]
        let md = MarkdownReport.render(r)
        XCTAssertTrue(md.contains("- Split: stratified holdout of 20% for test, then stratified 5-fold CV on the training rows, seed 7."), md)
        XCTAssertTrue(md.contains("- Preprocessing: impute (numeric median, categorical most_frequent, missing indicators) → encode onehot (min_frequency 10) → scale standard."), md)
        XCTAssertTrue(md.contains("- Search: successive halving (factor 3) over the 9 grid points: each round scores the survivors on a larger share of the training rows."), md)
        XCTAssertTrue(md.contains("- Calibration: isotonic, fitted on 3 inner folds of each fit's training rows (CalibratedClassifierCV, ensemble)."), md)
        r.data.split = SplitSummary(foldColumn: nil, folds: 5, repeats: 3, fits: 15, testRows: 0, testSize: 0, seed: 1)
        r.models[0].search = .random(drawn: 6, gridPoints: 18, fromDistributions: false)
        let again = MarkdownReport.render(r)
        XCTAssertTrue(again.contains("- Split: no test set; stratified 5-fold CV repeated 3 times (15 fits per point) on all rows, seed 1."), again)
        XCTAssertTrue(again.contains("- Search: random search, 6 points drawn (seeded) from the 18-point grid."), again)
    }

    func testJSONEscapesText() {
        XCTAssertEqual(JSONValue.string("a\"b\\c\nд\u{1}").rendered(), "\"a\\\"b\\\\c\\nд\\u0001\"\n")
    }
}

final class ValueSegmentsTests: XCTestCase {
    /// Eight rows worked by hand: probability cut at 0.5, value at its median (tertiles would be finer than the data).
    func testCellsByHand() {
        let p = [0.9, 0.8, 0.7, 0.2, 0.1, 0.6, 0.3, 0.4], v = [10.0, 2, 8, 9, 1, 3, 7, 4]
        let labels: [UInt8] = [1, 1, 0, 0, 0, 1, 0, 1]
        let s = ValueSegments(model: "m", value: "profit", probabilities: p, values: v, labels: labels,
                              probabilityCuts: .fixed([0.5]), valueCuts: .quantiles(2))
        XCTAssertEqual(s.valueCuts, [5.5], "the median of 1, 2, 3, 4, 7, 8, 9, 10")
        XCTAssertEqual(s.cells.map { "\($0.probabilityBand)\($0.valueBand)" }, ["11", "10", "01", "00"])
        let high = s.cells[0]  // p > 0.5, value > 5.5: rows 0 and 2
        XCTAssertEqual(high.rows, 2)
        XCTAssertEqual(high.meanProbability, 0.8, accuracy: 1e-12)
        XCTAssertEqual(high.meanValue, 9)
        XCTAssertEqual(high.expectedValue, 0.9 * 10 + 0.7 * 8, accuracy: 1e-12)
        XCTAssertEqual(high.observedRate, 0.5)
        let low = s.cells[3]  // p ≤ 0.5, value ≤ 5.5: rows 4 and 7
        XCTAssertEqual(low.rows, 2)
        XCTAssertEqual(low.expectedValue, 0.1 * 1 + 0.4 * 4, accuracy: 1e-12)
        XCTAssertEqual(s.cells.map(\.rows).reduce(0, +), 8)
        XCTAssertEqual(BandCuts.band(0.5, [0.5]), 0, "right-closed, as pandas.cut")
        XCTAssertEqual(BandCuts.quantiles(3).points([1, 2, 3, 4]), [2, 3])
        XCTAssertEqual(ValueSegments.bandText(1, [0.3, 0.7]), "0.30 – 0.70")
    }
}

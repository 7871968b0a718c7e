import AssayCore
import AssayReport
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import XCTest

final class FigureTests: XCTestCase {
    func report() -> RunReport {
        let y: [UInt8] = [0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1]
        let p = [0.05, 0.1, 0.15, 0.35, 0.4, 0.62, 0.65, 0.7, 0.95, 1.0, 0.2, 0.3]
        let point = GridPointReport(params: [("C", .double(0.1))], cv: [.rocAUC: FoldSummary(mean: 0.8, std: 0.05)], notes: [],
                                    foldScores: [.rocAUC: [0.75, 0.85]])
        var m = ModelReport(name: "lr <&>", type: "logistic_regression", fixedParams: [], preprocess: [], points: [point, point],
                            bestIndex: 1, test: [.rocAUC: 0.7])
        // The curves the assembly computes from these rows (checked against scikit-learn in the learn and end-to-end tests).
        _ = (y, p)
        m.curves = ModelCurves(roc: (0.638888888888889, [(0, 0), (0, 0.1667), (0.5, 0.5), (1, 1)]),
                               precisionRecall: (0.6, [(0, 1), (0.5, 0.6), (1, 0.5)]),
                               calibration: [CalibrationBin(meanPredicted: 0.075, observed: 0, count: 2), CalibrationBin(meanPredicted: 0.975, observed: 0.5, count: 2)],
                               gains: (0...12).map { (Double($0) / 12, min(1, Double($0) / 8)) }, positiveRate: 0.5)
        let d = DataSummary(path: "d.csv", rows: 24, trainRows: 12, testRows: 12, positiveRate: 0.5, target: "y", positiveLabel: "1",
                            numericColumns: ["a"], categoricalColumns: [], split: SplitSummary(foldColumn: nil, folds: 5, repeats: 1, fits: 5, testRows: 12, testSize: 0.2, seed: 7))
        var r = RunReport(experiment: "ex", description: "A | B", select: .rocAUC, metrics: [.rocAUC], data: d, models: [m], bestModel: "lr <&>")
        r.curvesOnTest = true
        r.importance = ImportanceReport(model: "lr <&>", metric: .rocAUC, rows: 12, repeats: 2, baseline: 0.64,
                                        columns: [("a", FoldSummary(mean: 0.1, std: 0.02), [0.08, 0.12]), ("b", FoldSummary(mean: -0.01, std: 0), [-0.01, -0.01])])
        return r
    }

    func testFiguresAreWellFormedDeterministicSVG() throws {
        let figures = Figures.render(report())
        XCTAssertEqual(figures.map(\.file), Figures.catalog(report()).map(\.file))
        XCTAssertEqual(figures.map(\.file), ["roc.svg", "pr.svg", "calibration.svg", "gains.svg", "cv.svg", "importance.svg"])
        XCTAssertEqual(figures.map(\.svg), Figures.render(report()).map(\.svg), "same input, different bytes")
        for (file, svg) in figures {
            let parser = XMLParser(data: Data(svg.utf8))
            XCTAssertTrue(parser.parse(), "\(file) is not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "")")
            XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""), file)
            XCTAssertFalse(svg.contains("nan") || svg.contains("inf"), "\(file) has a non-finite coordinate")
        }
        var withProfit = report()
        withProfit.models[0].curves?.profit = [(0, 0), (0.5, 120), (1, -40)]
        XCTAssertEqual(Figures.catalog(withProfit).map(\.file), ["roc.svg", "pr.svg", "calibration.svg", "gains.svg", "profit.svg", "cv.svg", "importance.svg"])
        let profit = Figures.render(withProfit)[4].svg
        XCTAssertTrue(profit.contains("lr &lt;&amp;&gt; (best: 120 at 50%)"), profit)
        XCTAssertTrue(XMLParser(data: Data(profit.utf8)).parse())
        let gains = figures[3].svg
        XCTAssertTrue(gains.contains("share of positives reached") && gains.contains("% of positives)"), "no one is called a buyer by default")
        var named = report()
        named.positiveName = "churners <x>"
        let churners = Figures.render(named)[3].svg
        XCTAssertTrue(churners.contains("share of churners &lt;x&gt; reached") && churners.contains("% of churners &lt;x&gt;)"), churners)
        let roc = figures[0].svg
        XCTAssertTrue(roc.contains("ROC curve (test rows)"))
        XCTAssertTrue(roc.contains("lr &lt;&amp;&gt; (AUC 0.639)"), roc)  // the model, escaped, with its AUC (scikit-learn: 0.638889)
        let cv = figures[4].svg
        XCTAssertEqual(cv.components(separatedBy: "r=\"2.5\"").count - 1, 4, "one ring per fold and grid point")
        XCTAssertTrue(cv.contains("font-weight=\"bold\">lr &lt;&amp;&gt;: C=0.1</text>"), "the selected point is bold")
        XCTAssertEqual(figures[5].svg.components(separatedBy: "r=\"2.5\"").count - 1, 4, "one ring per column and repeat")
    }

    func testHTMLIsSelfContainedAndFollowsTheMarkdown() throws {
        let r = report()
        let md = MarkdownReport.render(r)
        let figures = Figures.render(r)
        let html = HTMLReport.render(markdown: md, title: r.experiment, figures: Dictionary(uniqueKeysWithValues: figures))
        XCTAssertEqual(html.components(separatedBy: "<svg ").count - 1, figures.count, "every figure inline")
        XCTAssertFalse(html.contains("<script"))
        XCTAssertFalse(html.contains("src="), "nothing is fetched")
        XCTAssertTrue(html.contains("<h1>ex</h1>"))
        XCTAssertTrue(html.contains("<p>A | B</p>"))
        XCTAssertTrue(html.contains("<th class=\"num\">CV roc_auc</th>"))
        XCTAssertTrue(html.contains("<li>File: <code>d.csv</code>; target <code>y</code>, positive label <code>1</code>.</li>"), html)
        XCTAssertTrue(html.contains("<strong>lr &lt;&amp;&gt;</strong>"))
        // The page minus its inline SVG is well-formed XML too (XHTML-compatible), so nothing is left unclosed.
        let body = html.replacingOccurrences(of: "<!DOCTYPE html>\n", with: "")
            .replacingOccurrences(of: "<meta charset=\"utf-8\">", with: "<meta charset=\"utf-8\"/>")
            .replacingOccurrences(of: "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">", with: "")
        let parser = XMLParser(data: Data(body.utf8))
        XCTAssertTrue(parser.parse(), "report.html does not nest: \(parser.parserError.map { "\($0)" } ?? "")")
    }
}

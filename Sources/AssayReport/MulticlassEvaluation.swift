import AssayCore
import Foundation

/// A multiclass model's selected point on the rows the report shows (the test rows, or out of fold without them):
/// the confusion matrix, each class's precision, recall and F1, and each class's one-vs-rest ROC curve.
public struct MulticlassEvaluation: Sendable {
    public struct ClassScores: Sendable, Equatable {
        public var precision: Double, recall: Double, f1: Double
        public var support: Int

        public init(precision: Double, recall: Double, f1: Double, support: Int) {
            self.precision = precision; self.recall = recall; self.f1 = f1; self.support = support
        }
    }

    /// "test" or "cv".
    public var source: String
    public var classes: [String]
    /// `confusion[t][q]`: rows of class t predicted as class q.
    public var confusion: [[Int]]
    public var perClass: [ClassScores]
    /// Per class: its one-vs-rest ROC-AUC and curve (false against true positive rate).
    public var roc: [(auc: Double, points: [(x: Double, y: Double)])]

    public init(source: String, classes: [String], confusion: [[Int]], perClass: [ClassScores], roc: [(auc: Double, points: [(x: Double, y: Double)])]) {
        self.source = source
        self.classes = classes
        self.confusion = confusion
        self.perClass = perClass
        self.roc = roc
    }

    var rows: Int { confusion.reduce(0) { $0 + $1.reduce(0, +) } }

    /// The per-class table and the confusion matrix, counts then shares of each true class.
    func markdown(model: String) -> [String] {
        let on = source == "test" ? "the \(rows) test rows" : "out-of-fold predictions on the \(rows) training rows"
        var out = ["## Classes of \(model)", "", "On \(on); a row's predicted class is its most probable one.", ""]
        out += ["| class | rows | precision | recall | F1 | one-vs-rest ROC-AUC |", "|---|---:|---:|---:|---:|---:|"]
        for (c, name) in classes.enumerated() {
            let s = perClass[c]
            out += ["| \(Markup.text(name)) | \(s.support) | \(NumberFormat.fixed(s.precision)) | \(NumberFormat.fixed(s.recall)) | \(NumberFormat.fixed(s.f1)) | \(NumberFormat.fixed(roc[c].auc)) |"]
        }
        out += ["", "Confusion matrix: rows are the true class, columns the predicted one; counts, then each true class's shares.", ""]
        let header = "| true \\ predicted | " + classes.map { Markup.text($0) }.joined(separator: " | ") + " |"
        let rule = "|---|" + String(repeating: "---:|", count: classes.count)
        out += [header, rule]
        for (c, name) in classes.enumerated() { out += ["| \(Markup.text(name)) | " + confusion[c].map(String.init).joined(separator: " | ") + " |"] }
        out += ["", header, rule]
        for (c, name) in classes.enumerated() {
            let total = Double(max(confusion[c].reduce(0, +), 1))
            out += ["| \(Markup.text(name)) | " + confusion[c].map { NumberFormat.fixed(Double($0) / total, decimals: 2) }.joined(separator: " | ") + " |"]
        }
        return out + [""]
    }

    var json: JSONValue {
        .object([
            "rows": .string(source),
            "classes": .array(classes.map(JSONValue.string)),
            "confusion": .array(confusion.map { .array($0.map(JSONValue.integer)) }),
            "per_class": .object(Dictionary(uniqueKeysWithValues: zip(classes, perClass).enumerated().map { c, pair in
                (pair.0, JSONValue.object(["precision": .number(pair.1.precision), "recall": .number(pair.1.recall), "f1": .number(pair.1.f1),
                                           "support": .integer(pair.1.support), "roc_auc": .number(roc[c].auc)]))
            })),
        ])
    }

    /// The confusion matrix as shaded cells: each true class's shares, darker for more.
    func confusionFigure(model: String) -> String {
        let k = classes.count, cell = min(64.0, 480.0 / Double(max(k, 1)))
        let labelWidth = min(220.0, Double(classes.map(\.count).max() ?? 0) * 7 + 16)
        let left = labelWidth + 24, top = 70.0
        let width = left + cell * Double(k) + 24, height = top + cell * Double(k) + labelWidth * 0.6 + 40
        var out = ["<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">",
                   "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
                   "<text x=\"\(SVGChart.f(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(Markup.escape("Confusion matrix of \(model) (\(source == "test" ? "test rows" : "out-of-fold, training rows"))"))</text>",
                   "<text x=\"\(SVGChart.f(left + cell * Double(k) / 2))\" y=\"50\" text-anchor=\"middle\">predicted class → (each row: shares of a true class)</text>"]
        for t in 0..<k {
            let total = Double(max(confusion[t].reduce(0, +), 1))
            let y = top + cell * Double(t)
            out.append("<text x=\"\(SVGChart.f(left - 8))\" y=\"\(SVGChart.f(y + cell / 2 + 4))\" text-anchor=\"end\">\(Markup.escape(classes[t]))</text>")
            for q in 0..<k {
                let share = Double(confusion[t][q]) / total
                let x = left + cell * Double(q)
                out.append("<rect x=\"\(SVGChart.f(x))\" y=\"\(SVGChart.f(y))\" width=\"\(SVGChart.f(cell))\" height=\"\(SVGChart.f(cell))\" fill=\"#4e79a7\" fill-opacity=\"\(String(format: "%.3f", 0.05 + 0.95 * share))\" stroke=\"#ffffff\"/>")
                out.append("<text x=\"\(SVGChart.f(x + cell / 2))\" y=\"\(SVGChart.f(y + cell / 2 + 4))\" text-anchor=\"middle\" fill=\"\(share > 0.5 ? "#ffffff" : "#333333")\">\(NumberFormat.fixed(share, decimals: 2))</text>")
            }
        }
        let base = top + cell * Double(k) + 12
        for q in 0..<k {
            let x = left + cell * (Double(q) + 0.5)
            out.append("<text transform=\"translate(\(SVGChart.f(x)) \(SVGChart.f(base))) rotate(40)\" text-anchor=\"start\">\(Markup.escape(classes[q]))</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Each class's one-vs-rest ROC curve.
    func rocFigure(model: String) -> String {
        var chart = SVGChart(title: "One-vs-rest ROC curves of \(model) (\(source == "test" ? "test rows" : "out-of-fold, training rows"))",
                             xLabel: "false positive rate", yLabel: "true positive rate")
        chart.reference = [(0, 0), (1, 1)]
        chart.referenceName = "chance"
        for (c, name) in classes.enumerated() where !roc[c].points.isEmpty {
            chart.series.append(.init(name: "\(name) (AUC \(NumberFormat.fixed(roc[c].auc, decimals: 3)))", points: Figures.thin(roc[c].points)))
        }
        return chart.render()
    }
}

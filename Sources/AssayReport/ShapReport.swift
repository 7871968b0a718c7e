import AssayCore

/// A tree model's exact TreeSHAP values on the test rows, summarized per input column: the mean |SHAP| (a one-hot
/// block's values summed per row first, so a column's share is whole), the expected value, and how exactly each row's
/// values add up to the model's raw output.
public struct ShapReport: Sendable, Equatable {
    public var model: String
    /// What the values are in: `probability`, `log-odds`, `value`, `log of the value`.
    public var rawOutput: String
    /// `tree` or `linear`.
    public var method: String
    public var expected: Double
    public var rows: Int
    /// Input columns by mean |SHAP|, largest first (ties by name).
    public var columns: [(name: String, meanAbs: Double)]
    /// The largest |expected + Σ values − raw output| over the rows.
    public var additivityError: Double

    public static func == (a: ShapReport, b: ShapReport) -> Bool {
        a.model == b.model && a.expected == b.expected && a.columns.map(\.name) == b.columns.map(\.name) && a.columns.map(\.meanAbs) == b.columns.map(\.meanAbs)
    }

    /// Summarizes row-major values (`width` output columns per row), each output column from input column `sources[j]`.
    public init(model: String, rawOutput: String, method: String, expected: Double, values: [Double], width: Int, sources: [Int], inputs: [String], additivityError: Double) {
        self.model = model
        self.rawOutput = rawOutput
        self.method = method
        self.expected = expected
        self.additivityError = additivityError
        let rows = width > 0 ? values.count / width : 0
        self.rows = rows
        var sums = [Double](repeating: 0, count: inputs.count), perRow = [Double](repeating: 0, count: inputs.count)
        for r in 0..<rows {
            for k in perRow.indices { perRow[k] = 0 }
            for j in 0..<width { perRow[sources[j]] += values[r * width + j] }
            for k in perRow.indices { sums[k] += abs(perRow[k]) }
        }
        columns = zip(inputs, sums).map { (name: $0, meanAbs: rows > 0 ? $1 / Double(rows) : 0) }
            .sorted { $0.meanAbs != $1.meanAbs ? $0.meanAbs > $1.meanAbs : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    /// Whether every row's values and the expected value add up to its raw output to within 1e-9.
    public var addsUp: Bool { additivityError <= 1e-9 }

    func markdown() -> [String] {
        var out = ["### SHAP values of \(Markup.text(model)) (test rows)", ""]
        let how = method == "linear" ? "Exact linear SHAP (as the `shap` package's LinearExplainer: features independent, the training rows' means as the background)"
            : "Exact TreeSHAP (path-dependent, as the `shap` package's TreeExplainer)"
        out += ["\(how) on the \(rows) test rows, in the model's raw output "
                + "(\(rawOutput)): each row's values and the expected value \(NumberFormat.fixed(expected)) add up to its output "
                + (addsUp ? "(to within 1e-9)." : "except for rounding as large as \(NumberFormat.json(additivityError)).") + " A one-hot column's values are summed per row.", ""]
        out += ["| column | mean \\|SHAP\\| |", "|---|---:|"]
        for c in columns.prefix(25) { out += ["| \(Markup.text(c.name)) | \(NumberFormat.fixed(c.meanAbs)) |"] }
        if columns.count > 25 { out += ["", "\(columns.count - 25) more columns in metrics.json."] }
        return out + [""]
    }

    var json: JSONValue {
        .object(["method": .string(method), "raw_output": .string(rawOutput), "expected_value": .number(expected), "rows": .integer(rows),
                 "adds_up": .bool(addsUp),
                 "mean_abs": .object(Dictionary(uniqueKeysWithValues: columns.map { ($0.name, JSONValue.number($0.meanAbs)) }))])
    }

    var figure: String {
        SVGChart.bars(title: "Mean |SHAP| of \(model) (test rows, \(rawOutput))", xLabel: "mean |SHAP value|",
                      rows: columns.prefix(25).map { ($0.name, $0.meanAbs) })
    }
}

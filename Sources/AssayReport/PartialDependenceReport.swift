import AssayCore

/// The best model's partial dependence on its most important columns, over the test rows.
public struct PartialDependenceReport: Sendable {
    public struct Curve: Sendable {
        public var column: String
        /// Numeric grid values, or a categorical column's categories (then `grid` is empty).
        public var grid: [Double]
        public var categories: [String]
        public var average: [Double]

        public init(column: String, grid: [Double], categories: [String], average: [Double]) {
            self.column = column
            self.grid = grid
            self.categories = categories
            self.average = average
        }
    }

    public var model: String
    public var rows: Int
    /// What is averaged: `probability` (of the positive class) or `prediction`.
    public var output: String
    public var curves: [Curve]

    public init(model: String, rows: Int, output: String, curves: [Curve]) {
        self.model = model
        self.rows = rows
        self.output = output
        self.curves = curves
    }

    func markdown(figures: [(file: String, title: String)]) -> [String] {
        var out = ["## Partial dependence of \(Markup.text(model))", ""]
        out += ["The average \(output) over the \(rows) test rows when one column is set to each value in turn (scikit-learn's `partial_dependence`, "
                + "brute force: a numeric column on 100 points between its 5th and 95th percentiles over these rows, or on its distinct values when fewer; "
                + "a categorical column on its categories). Columns in order of permutation importance.", ""]
        let numeric = curves.filter { $0.categories.isEmpty }
        if !numeric.isEmpty {
            out += ["| column | from | to | points | average at the lowest value | at the highest | smallest average | largest |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
            for c in numeric {
                out += ["| \(Markup.text(c.column)) | \(NumberFormat.fixed(c.grid.first ?? .nan)) | \(NumberFormat.fixed(c.grid.last ?? .nan)) | \(c.grid.count) | "
                        + "\(NumberFormat.fixed(c.average.first ?? .nan)) | \(NumberFormat.fixed(c.average.last ?? .nan)) | "
                        + "\(NumberFormat.fixed(c.average.min() ?? .nan)) | \(NumberFormat.fixed(c.average.max() ?? .nan)) |"]
            }
            out += [""]
        }
        for c in curves where !c.categories.isEmpty {
            out += ["| \(Markup.text(c.column)) | average \(output) |", "|---|---:|"]
            for (k, a) in zip(c.categories, c.average) { out += ["| \(Markup.text(k)) | \(NumberFormat.fixed(a)) |"] }
            out += [""]
        }
        for f in figures { out += ["![\(f.title)](figures/\(f.file))", ""] }
        return out
    }

    /// One line figure per numeric column: `pd-1.svg`, `pd-2.svg`, … in the curves' order.
    var figures: [(file: String, title: String, svg: String)] {
        curves.filter { $0.categories.isEmpty && $0.grid.count >= 2 }.enumerated().map { k, c in
            var chart = SVGChart(title: "Partial dependence of \(model) on \(c.column) (test rows)", xLabel: c.column, yLabel: "average \(output)")
            chart.x = (c.grid.first ?? 0)...max(c.grid.last ?? 1, (c.grid.first ?? 0) + 1e-9)
            let lo = c.average.min() ?? 0, hi = c.average.max() ?? 1, pad = max((hi - lo) * 0.1, 1e-6)
            chart.y = (lo - pad)...(hi + pad)
            chart.series = [SVGChart.Series(name: "", points: zip(c.grid, c.average).map { ($0, $1) }, style: .line)]
            return ("pd-\(k + 1).svg", "Partial dependence on \(c.column)", chart.render())
        }
    }

    var json: JSONValue {
        .object(["model": .string(model), "rows": .integer(rows), "output": .string(output),
                 "columns": .object(Dictionary(uniqueKeysWithValues: curves.map { c in
                     (c.column, JSONValue.object((c.categories.isEmpty ? ["grid": .array(c.grid.map(JSONValue.number))] : ["categories": .array(c.categories.map(JSONValue.string))])
                        .merging(["average": .array(c.average.map(JSONValue.number))]) { a, _ in a }))
                 }))])
    }
}

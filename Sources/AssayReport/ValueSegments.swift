import AssayCore

/// `segments:`: every row crossed by the best model's predicted probability (out of fold on the training rows, from
/// the refit model on the test rows) and the band of a value column — whom to target, and what is at stake.
public struct ValueSegments: Sendable {
    public struct Cell: Sendable {
        public var probabilityBand: Int
        public var valueBand: Int
        public var rows: Int
        public var meanProbability: Double
        public var meanValue: Double
        /// Σ probability × value: the value expected to be at stake in the cell.
        public var expectedValue: Double
        /// The share of the cell's rows that are positive.
        public var observedRate: Double
    }

    public var model: String
    public var value: String
    public var probabilityCuts: [Double]
    public var valueCuts: [Double]
    /// Non-empty cells, highest probability band first, then highest value band.
    public var cells: [Cell]
    /// (value, probability) of at most 2,000 rows, spread evenly over them, for the figure.
    public var points: [(value: Double, probability: Double)]
    public var rows: Int
    /// Rows left out because their value is missing.
    public var withoutValue = 0

    /// The segments of rows with these probabilities, values and labels (1 = positive).
    public init(model: String, value: String, probabilities: [Double], values: [Double], labels: [UInt8],
                probabilityCuts: BandCuts, valueCuts: BandCuts) {
        self.model = model
        self.value = value
        self.probabilityCuts = probabilityCuts.points(probabilities)
        self.valueCuts = valueCuts.points(values)
        rows = probabilities.count
        var sums: [[(n: Int, p: Double, v: Double, ev: Double, pos: Int)]] =
            Array(repeating: Array(repeating: (0, 0, 0, 0, 0), count: self.valueCuts.count + 1), count: self.probabilityCuts.count + 1)
        for i in probabilities.indices {
            let a = BandCuts.band(probabilities[i], self.probabilityCuts), b = BandCuts.band(values[i], self.valueCuts)
            let s = sums[a][b]
            sums[a][b] = (s.n + 1, s.p + probabilities[i], s.v + values[i], s.ev + probabilities[i] * values[i], s.pos + Int(labels[i]))
        }
        cells = sums.indices.reversed().flatMap { a in
            sums[a].indices.reversed().compactMap { b -> Cell? in
                let s = sums[a][b]
                guard s.n > 0 else { return nil }
                return Cell(probabilityBand: a, valueBand: b, rows: s.n, meanProbability: s.p / Double(s.n), meanValue: s.v / Double(s.n),
                            expectedValue: s.ev, observedRate: Double(s.pos) / Double(s.n))
            }
        }
        let step = max(1, probabilities.count / 2000)
        points = stride(from: 0, to: probabilities.count, by: step).map { (values[$0], probabilities[$0]) }
    }

    /// A band's range as text: `≤ 0.31`, `0.31 – 0.65`, `> 0.65`.
    static func bandText(_ band: Int, _ cuts: [Double]) -> String {
        func f(_ x: Double) -> String { NumberFormat.fixed(x, decimals: abs(x) >= 100 ? 0 : abs(x) >= 10 ? 1 : 2) }
        if cuts.isEmpty { return "all" }
        if band == 0 { return "≤ \(f(cuts[0]))" }
        if band == cuts.count { return "> \(f(cuts[band - 1]))" }
        return "\(f(cuts[band - 1])) – \(f(cuts[band]))"
    }

    /// The report's section.
    func markdown(positives: String) -> [String] {
        var out = ["## Segments: probability × \(Markup.text(value))", ""]
        out += ["Every row by \(Markup.text(model))'s probability (out of fold on the training rows, from the refit model on the test rows) "
                + "and by `\(value)`; bands are right-closed. Expected value is Σ probability × `\(value)`: what the cell holds at stake. "
                + "Highest probability first." + (withoutValue == 0 ? "" : " \(withoutValue) rows have no `\(value)` and are left out."), ""]
        out += ["| probability | \(Markup.text(value)) | rows | share | mean probability | mean \(Markup.text(value)) | expected value | observed rate of \(Markup.text(positives)) |"]
        out += ["|---|---|---:|---:|---:|---:|---:|---:|"]
        for c in cells {
            out += ["| \(Self.bandText(c.probabilityBand, probabilityCuts)) | \(Self.bandText(c.valueBand, valueCuts)) | \(c.rows) | "
                    + "\(NumberFormat.fixed(Double(c.rows) / Double(rows), decimals: 3)) | \(NumberFormat.fixed(c.meanProbability)) | "
                    + "\(NumberFormat.fixed(c.meanValue)) | \(NumberFormat.fixed(c.expectedValue, decimals: 2)) | \(NumberFormat.fixed(c.observedRate)) |"]
        }
        return out + [""]
    }

    /// `segments` in metrics.json.
    var json: JSONValue {
        .object([
            "model": .string(model), "value": .string(value), "rows": .integer(rows), "rows_without_value": .integer(withoutValue),
            "probability_cuts": .array(probabilityCuts.map(JSONValue.number)), "value_cuts": .array(valueCuts.map(JSONValue.number)),
            "cells": .array(cells.map { c in
                .object(["probability_band": .integer(c.probabilityBand), "value_band": .integer(c.valueBand), "rows": .integer(c.rows),
                         "mean_probability": .number(c.meanProbability), "mean_value": .number(c.meanValue),
                         "expected_value": .number(c.expectedValue), "observed_rate": .number(c.observedRate)])
            }),
        ])
    }

    /// The rows as dots, value against probability, with the band cuts as dashed lines.
    var figure: String {
        let xs = points.map(\.value)
        let low = xs.min() ?? 0, high = xs.max() ?? 1
        let pad = (high - low) * 0.03 + (high == low ? 1 : 0)
        var chart = SVGChart(title: "Probability × \(value) (\(model); \(points.count) of \(rows) rows)", xLabel: value, yLabel: "predicted probability",
                             x: (low - pad)...(high + pad), y: 0...1)
        chart.legendAtTop = true
        chart.series.append(.init(name: "rows", points: points.map { ($0.value, $0.probability) }, style: .markers))
        for (k, cut) in probabilityCuts.enumerated() {
            chart.series.append(.init(name: k == 0 ? "band cuts" : "", points: [(chart.x.lowerBound, cut), (chart.x.upperBound, cut)], style: .dashed, color: 3))
        }
        for cut in valueCuts {
            chart.series.append(.init(name: "", points: [(cut, 0), (cut, 1)], style: .dashed, color: 3))
        }
        return chart.render()
    }
}

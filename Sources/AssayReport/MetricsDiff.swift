import AssayCore

/// `assay diff A B`: what moved between two runs' metrics.json, choices first, then every metric that changed.
public struct MetricsDiff: Sendable {
    public struct Change: Sendable {
        /// The model, or nil for the run as a whole (`best_model`, `data.rows`).
        public var model: String?
        /// What changed: `best_model`, `type`, `best_params`, `data.rows`, `cv.roc_auc`, `test.f1`, …
        public var key: String
        /// The values: a number, a text, or null when absent on that side.
        public var a: JSONValue
        public var b: JSONValue
        /// B − A for numbers present on both sides.
        public var delta: Double?
        /// For a metric's change: whether B is better, worse, or within the noise of the two runs.
        public var verdict: Verdict? = nil
    }

    /// A metric's change judged against the runs' own noise: a CV mean moved by less than the larger of the two
    /// runs' fold standard deviations, or a test score by less than half the wider of their 95% bootstrap intervals,
    /// is within noise; otherwise it is better or worse in the metric's direction.
    public enum Verdict: String, Sendable {
        case better, worse
        case withinNoise = "within noise"

        static func of(_ delta: Double, noise: Double?, metric: String) -> Verdict? {
            guard let m = Metric(rawValue: metric) else { return nil }
            if let noise, abs(delta) < noise { return .withinNoise }
            return m.higherIsBetter == (delta > 0) ? .better : .worse
        }
    }

    public var a: String
    public var b: String
    public var changes: [Change]

    public init(_ a: MetricsDocument, _ b: MetricsDocument) {
        self.a = a.file
        self.b = b.file
        var choices: [Change] = [], numbers: [Change] = []
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func number(_ model: String?, _ key: String, _ x: Double?, _ y: Double?, into list: inout [Change], metric: String? = nil, noise: Double? = nil) {
            guard !Self.same(x, y) else { return }
            let delta = x.flatMap { x in y.map { $0 - x } }.flatMap { $0.isFinite ? $0 : nil }
            var change = Change(model: model, key: key, a: x.map(JSONValue.number) ?? .null, b: y.map(JSONValue.number) ?? .null, delta: delta)
            if let delta, let metric { change.verdict = Verdict.of(delta, noise: noise, metric: metric) }
            list.append(change)
        }
        func largest(_ values: [Double?]) -> Double? { values.compactMap { $0 }.filter(\.isFinite).max() }
        if a.bestModel != b.bestModel {
            choices.append(Change(model: nil, key: "best_model", a: text(a.bestModel), b: text(b.bestModel), delta: nil))
        }
        for key in Set(a.data.keys).union(b.data.keys).sorted() {
            number(nil, "data." + key, a.data[key], b.data[key], into: &choices)
        }
        let metricOrder = Metric.allCases.map(\.rawValue)
        func ordered(_ keys: Set<String>) -> [String] {
            keys.sorted { (metricOrder.firstIndex(of: $0) ?? Int.max, $0) < (metricOrder.firstIndex(of: $1) ?? Int.max, $1) }
        }
        for name in Set(a.models.keys).union(b.models.keys).sorted() {
            let x = a.models[name], y = b.models[name]
            if x?.type != y?.type {
                choices.append(Change(model: name, key: "type", a: text(x?.type), b: text(y?.type), delta: nil))
            }
            let px = x.map { Self.paramText($0.bestParams) }, py = y.map { Self.paramText($0.bestParams) }
            if let px, let py, px != py { choices.append(Change(model: name, key: "best_params", a: .string(px), b: .string(py), delta: nil)) }
            for metric in ordered(Set((x?.cv ?? [:]).keys).union((y?.cv ?? [:]).keys)) {
                number(name, "cv." + metric, x?.cv[metric]?.mean, y?.cv[metric]?.mean, into: &numbers,
                       metric: metric, noise: largest([x?.cv[metric]?.std, y?.cv[metric]?.std]))
            }
            for metric in ordered(Set((x?.test ?? [:]).keys).union((y?.test ?? [:]).keys)) {
                let halfWidths = [x, y].map { m in m?.testIntervals[metric].map { ($0.high - $0.low) / 2 } }
                number(name, "test." + metric, x?.test[metric], y?.test[metric], into: &numbers, metric: metric, noise: largest(halfWidths))
            }
        }
        // A segmentation's or a basket analysis's numbers (`segmentation.k`, `baskets.rules`, …): better or worse in the
        // metric's direction (no folds, so no noise to weigh them against); the chosen k is a choice.
        for part in Set(a.summaries.keys).union(b.summaries.keys).sorted() {
            let x = a.summaries[part] ?? [:], y = b.summaries[part] ?? [:]
            for key in ordered(Set(x.keys).union(y.keys)) {
                if Metric(rawValue: key) != nil {
                    number(nil, part + "." + key, x[key], y[key], into: &numbers, metric: key)
                } else {
                    number(nil, part + "." + key, x[key], y[key], into: &choices)
                }
            }
        }
        changes = choices + numbers
    }

    /// Two numbers are the same when both are absent, both NaN, or equal.
    static func same(_ x: Double?, _ y: Double?) -> Bool {
        switch (x, y) {
        case (nil, nil): return true
        case let (x?, y?): return x == y || (x.isNaN && y.isNaN)
        default: return false
        }
    }

    static func paramText(_ p: [String: JSONValue]) -> String {
        p.isEmpty ? "defaults" : p.keys.sorted().map { k in "\(k)=\(p[k]!.rendered().dropLast())" }.joined(separator: ", ")
    }

    /// A Markdown table of the changes, or one line saying there are none.
    public func markdown() -> String {
        guard !changes.isEmpty else { return "No metric changed between `\(a)` and `\(b)`.\n" }
        var out = ["Changes from A = `\(a)` to B = `\(b)`:", "", "| model | what | A | B | delta | B is |", "|---|---|---:|---:|---:|---|"]
        for c in changes {
            let delta = c.delta.map { ($0 > 0 ? "+" : "") + NumberFormat.json($0) } ?? ""
            out.append("| \(Markup.cell(c.model ?? "(run)")) | \(c.key) | \(cell(c.a)) | \(cell(c.b)) | \(delta) | \(c.verdict?.rawValue ?? "") |")
        }
        out += ["", "Within noise: a CV mean that moved by less than the larger fold standard deviation of the two runs, "
                + "or a test score by less than half the wider 95% bootstrap interval."]
        return out.joined(separator: "\n") + "\n"
    }

    /// The changes as JSON, in the same order.
    public func json() -> String {
        JSONValue.object([
            "a": .string(a), "b": .string(b),
            "changes": .array(changes.map { c in
                .object(["model": c.model.map(JSONValue.string) ?? .null, "key": .string(c.key), "a": c.a, "b": c.b,
                         "delta": c.delta.map(JSONValue.number) ?? .null, "verdict": c.verdict.map { .string($0.rawValue) } ?? .null])
            }),
        ]).rendered()
    }

    private func cell(_ v: JSONValue) -> String {
        switch v {
        case .null: return "–"
        case .string(let s): return Markup.cell(s)
        case .number(let d): return NumberFormat.json(d)
        default: return String(v.rendered().dropLast())
        }
    }
}

import AssayCore
import Foundation

/// A basket analysis (`task: associate`) as the report shows it: the baskets, the frequent itemsets by length, the
/// rules in their documented order, and the most frequent items.
public struct BasketReport: Sendable {
    /// One association rule with its items' names (each side sorted in code-point order) and its metrics.
    public struct Rule: Sendable, Equatable {
        public var antecedent: [String]
        public var consequent: [String]
        public var baskets: Int
        public var antecedentSupport: Double
        public var consequentSupport: Double
        public var support: Double
        public var confidence: Double
        public var lift: Double
        public var leverage: Double
        /// Infinite when the confidence is 1.
        public var conviction: Double

        public init(antecedent: [String], consequent: [String], baskets: Int, antecedentSupport: Double, consequentSupport: Double, support: Double,
                    confidence: Double, lift: Double, leverage: Double, conviction: Double) {
            self.antecedent = antecedent
            self.consequent = consequent
            self.baskets = baskets
            self.antecedentSupport = antecedentSupport
            self.consequentSupport = consequentSupport
            self.support = support
            self.confidence = confidence
            self.lift = lift
            self.leverage = leverage
            self.conviction = conviction
        }
    }

    public var experiment: String
    public var description: String?
    /// The log's path as the spec writes it, and what a basket is.
    public var path: String
    public var basketDefinition: LogLine
    public var preparation: [LogLine]
    public var baskets: Int
    /// Items bought in at least one basket.
    public var items: Int
    public var rows: Int
    public var basketSizes: [Int]
    public var minSupport: Double
    public var minCount: Int
    public var minConfidence: Double
    public var minLift: Double?
    public var maxLength: Int?
    /// Frequent itemsets by length (index 0: one item).
    public var itemsetsByLength: [Int]
    /// Every rule, in order; the report lists the first `top`.
    public var rules: [Rule]
    public var top: Int
    /// Items by the baskets that hold them (descending, ties by name).
    public var itemFrequencies: [(item: String, baskets: Int)]

    public init(experiment: String, description: String?, path: String, basketDefinition: LogLine, preparation: [LogLine], baskets: Int, items: Int,
                rows: Int, basketSizes: [Int], minSupport: Double, minCount: Int, minConfidence: Double, minLift: Double?, maxLength: Int?,
                itemsetsByLength: [Int], rules: [Rule], top: Int, itemFrequencies: [(item: String, baskets: Int)]) {
        self.experiment = experiment
        self.description = description
        self.path = path
        self.basketDefinition = basketDefinition
        self.preparation = preparation
        self.baskets = baskets
        self.items = items
        self.rows = rows
        self.basketSizes = basketSizes
        self.minSupport = minSupport
        self.minCount = minCount
        self.minConfidence = minConfidence
        self.minLift = minLift
        self.maxLength = maxLength
        self.itemsetsByLength = itemsetsByLength
        self.rules = rules
        self.top = top
        self.itemFrequencies = itemFrequencies
    }

    public var itemsets: Int { itemsetsByLength.reduce(0, +) }

    /// Rule counts by shape (`1->1`, `2->1`, …), in shape order.
    public var rulesByShape: [(shape: String, rules: Int)] {
        var counts: [[Int]: Int] = [:]
        for r in rules { counts[[r.antecedent.count, r.consequent.count], default: 0] += 1 }
        return counts.keys.sorted { $0.lexicographicallyPrecedes($1) }.map { ("\($0[0])->\($0[1])", counts[$0]!) }
    }

    var meanBasket: Double { Double(basketSizes.reduce(0, +)) / Double(max(basketSizes.count, 1)) }
    var medianBasket: Double {
        let s = basketSizes.sorted()
        guard !s.isEmpty else { return .nan }
        return s.count % 2 == 1 ? Double(s[s.count / 2]) : Double(s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    static func items(_ names: [String]) -> String { names.map { "`" + Markup.code($0) + "`" }.joined(separator: ", ") }

    /// report.md.
    public var markdown: String {
        var out = ["# \(Markup.text(experiment))", ""]
        if let d = description, !d.isEmpty { out += [Markup.text(d, limit: 2_000), ""] }
        out += ["## Baskets", ""]
        out += ["| baskets | items | purchase rows | mean items per basket | median | largest | one-item baskets |", "|---:|---:|---:|---:|---:|---:|---:|"]
        out += ["| \(baskets) | \(items) | \(rows) | \(NumberFormat.fixed(meanBasket)) | \(NumberFormat.fixed(medianBasket, decimals: 1)) | \(basketSizes.max() ?? 0) | \(basketSizes.filter { $0 == 1 }.count) |", ""]
        out += ["- File: `\(Markup.code(path))`; a basket is \(Markup.line(basketDefinition)); an item bought twice in one basket counts once."]
        if !preparation.isEmpty { out += ["- Prepared:"] + preparation.map { "  - " + Markup.line($0) } }
        out += [""]

        out += ["## Frequent itemsets", ""]
        let lengths = itemsetsByLength.enumerated().filter { $0.element > 0 }.map { "\($0.element) of \($0.offset + 1) item\($0.offset == 0 ? "" : "s")" }
        out += ["FP-growth at min_support \(NumberFormat.json(minSupport)) (an itemset is in at least \(minCount) of the \(baskets) baskets), "
                + (maxLength.map { "at most \($0) items long" } ?? "no length limit") + ": **\(itemsets) itemset\(itemsets == 1 ? "" : "s")**"
                + (lengths.isEmpty ? "." : " (\(lengths.joined(separator: ", "))).")]
        if itemsets == 0 { out += ["", "No itemset reaches this support: lower min_support to find any."] }
        out += [""]

        out += ["## Rules", ""]
        let shapes = rulesByShape.map { "\($0.rules) of shape \($0.shape.replacingOccurrences(of: "->", with: "→"))" }.joined(separator: ", ")
        out += ["**\(rules.count) rule\(rules.count == 1 ? "" : "s")** with confidence ≥ \(NumberFormat.json(minConfidence))" + (minLift.map { " and lift ≥ \(NumberFormat.json($0))" } ?? "")
                + (rules.isEmpty ? "." : " (\(shapes)).")]
        if rules.isEmpty {
            out += ["", "No rule reaches these thresholds" + (itemsetsByLength.count < 2 || itemsetsByLength[1] == 0 ? ": no itemset of two or more items is frequent." : ".")]
        } else {
            out += ["", "The top \(min(top, rules.count)) by lift, then confidence, then support, then the antecedent's and the consequent's item names in code-point order. "
                    + "Support is the share of baskets holding every item of the rule; confidence the share of the baskets holding the left side that also hold the right; "
                    + "lift the confidence over the right side's own support.", ""]
            out += ["| # | if the basket holds | it also holds | baskets | support | confidence | lift | leverage | conviction |", "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
            for (i, r) in rules.prefix(top).enumerated() {
                out += ["| \(i + 1) | \(Self.items(r.antecedent)) | \(Self.items(r.consequent)) | \(r.baskets) | \(NumberFormat.fixed(r.support)) | \(NumberFormat.fixed(r.confidence)) | "
                        + "\(NumberFormat.fixed(r.lift)) | \(NumberFormat.fixed(r.leverage)) | \(r.conviction.isFinite ? NumberFormat.fixed(r.conviction) : "∞") |"]
            }
        }
        out += ["", "## Items", "", itemFrequencies.count == 1 ? "The one item:" : "The \(min(20, itemFrequencies.count)) items in the most baskets:", ""]
        out += ["| item | baskets | support |", "|---|---:|---:|"]
        for f in itemFrequencies.prefix(20) { out += ["| \(Self.items([f.item])) | \(f.baskets) | \(NumberFormat.fixed(Double(f.baskets) / Double(baskets))) |"] }
        out += ["", "## Figures", ""]
        for f in figureCatalog { out += ["![\(f.title)](figures/\(f.file))", ""] }
        return out.joined(separator: "\n")
    }

    var figureCatalog: [(file: String, title: String)] {
        (rules.isEmpty ? [] : [("rules.svg", "Rules: support against confidence, by lift")]) + [("items.svg", "Items by support")]
    }

    static func ruleJSON(_ r: Rule) -> JSONValue {
        .object(["antecedents": .array(r.antecedent.map(JSONValue.string)), "consequents": .array(r.consequent.map(JSONValue.string)),
                 "baskets": .integer(r.baskets), "antecedent_support": .number(r.antecedentSupport), "consequent_support": .number(r.consequentSupport),
                 "support": .number(r.support), "confidence": .number(r.confidence), "lift": .number(r.lift), "leverage": .number(r.leverage),
                 "conviction": r.conviction.isFinite ? .number(r.conviction) : .null])
    }

    /// metrics.json: `task: associate`, the baskets under `data`, and the counts `checks:` read (`baskets.itemsets`,
    /// `baskets.rules`) with the top rules and items under `baskets`.
    public var json: String {
        var settings: [String: JSONValue] = ["min_support": .number(minSupport), "min_count": .integer(minCount), "min_confidence": .number(minConfidence)]
        settings["min_lift"] = minLift.map(JSONValue.number) ?? .null
        settings["max_len"] = maxLength.map(JSONValue.integer) ?? .null
        let root: JSONValue = .object([
            "assay": .integer(1), "experiment": .string(experiment), "task": .string(ExperimentKind.associate.rawValue),
            "data": .object(["rows": .integer(rows), "baskets": .integer(baskets), "items": .integer(items),
                             "mean_basket_items": .number(meanBasket), "one_item_baskets": .integer(basketSizes.filter { $0 == 1 }.count)]),
            "baskets": .object([
                "settings": .object(settings),
                Metric.itemsets.rawValue: .integer(itemsets),
                "itemsets_by_length": .object(Dictionary(uniqueKeysWithValues: itemsetsByLength.enumerated().filter { $0.element > 0 }.map { ("\($0.offset + 1)", JSONValue.integer($0.element)) })),
                Metric.rules.rawValue: .integer(rules.count),
                "rules_by_shape": .object(Dictionary(uniqueKeysWithValues: rulesByShape.map { ($0.shape, JSONValue.integer($0.rules)) })),
                "top_rules": .array(rules.prefix(top).map(Self.ruleJSON)),
                "top_items": .array(itemFrequencies.prefix(20).map { .object(["item": .string($0.item), "baskets": .integer($0.baskets), "support": .number(Double($0.baskets) / Double(baskets))]) }),
            ]),
        ])
        return root.rendered() + "\n"
    }

    /// The figures, by file name.
    public var figures: [(file: String, svg: String)] {
        var out: [(file: String, svg: String)] = []
        if !rules.isEmpty {
            // Rules in four bands of lift (quartiles of the rules' lifts), the highest drawn last (on top).
            let lifts = rules.map(\.lift).sorted()
            func quantile(_ q: Double) -> Double { lifts[min(lifts.count - 1, Int(q * Double(lifts.count)))] }
            let cuts = [quantile(0.25), quantile(0.5), quantile(0.75)]
            var chart = SVGChart(title: "Rules (\(rules.count)): support against confidence", xLabel: "support (share of baskets)", yLabel: "confidence")
            let supports = rules.map(\.support), confidences = rules.map(\.confidence)
            chart.x = 0...((supports.max() ?? 1) * 1.05)
            chart.y = 0...min(1, (confidences.max() ?? 1) * 1.05)
            chart.legendAtTop = true
            for band in 0...3 {
                let members = rules.filter { r in (band == 0 || r.lift >= cuts[band - 1]) && (band == 3 || r.lift < cuts[band]) }
                guard let low = members.map(\.lift).min(), let high = members.map(\.lift).max() else { continue }
                chart.series.append(SVGChart.Series(name: "lift \(NumberFormat.fixed(low, decimals: 2))–\(NumberFormat.fixed(high, decimals: 2))",
                                                    points: members.map { ($0.support, $0.confidence) }, style: .markers, color: band))
            }
            out.append(("rules.svg", chart.render()))
        }
        out.append(("items.svg", SVGChart.bars(title: "Items in the most baskets", xLabel: "support (share of baskets holding the item)",
                                               rows: itemFrequencies.prefix(25).map { ($0.item, Double($0.baskets) / Double(baskets)) })))
        return out
    }
}

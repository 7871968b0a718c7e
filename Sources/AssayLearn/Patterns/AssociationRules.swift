import AssayCore

/// An association rule A → C between disjoint itemsets, with the basket counts every metric derives from.
public struct AssociationRule: Sendable, Hashable {
    public var antecedent: [Int32]
    public var consequent: [Int32]
    /// Baskets holding A, C, and both; and all baskets.
    public var antecedentCount: Int
    public var consequentCount: Int
    public var count: Int
    public var baskets: Int

    public init(antecedent: [Int32], consequent: [Int32], antecedentCount: Int, consequentCount: Int, count: Int, baskets: Int) {
        self.antecedent = antecedent
        self.consequent = consequent
        self.antecedentCount = antecedentCount
        self.consequentCount = consequentCount
        self.count = count
        self.baskets = baskets
    }

    // Every metric is computed from the integer counts (products of counts are exact in 64 bits), as mlxtend's
    // definitions read with supports n(X)/N, so that a boundary such as 21/210 = 0.1 is exact.
    public var support: Double { Double(count) / Double(baskets) }
    public var antecedentSupport: Double { Double(antecedentCount) / Double(baskets) }
    public var consequentSupport: Double { Double(consequentCount) / Double(baskets) }
    public var confidence: Double { Double(count) / Double(antecedentCount) }
    /// confidence / consequent support.
    public var lift: Double { Double(count * baskets) / Double(antecedentCount * consequentCount) }
    /// support − antecedent support × consequent support.
    public var leverage: Double { Double(count * baskets - antecedentCount * consequentCount) / (Double(baskets) * Double(baskets)) }
    /// (1 − consequent support) / (1 − confidence); infinite when the confidence is 1.
    public var conviction: Double {
        count < antecedentCount ? Double((baskets - consequentCount) * antecedentCount) / Double(baskets * (antecedentCount - count)) : .infinity
    }
}

/// Rules from frequent itemsets, as mlxtend's `association_rules` enumerates them: for every frequent itemset of two
/// or more items, every non-empty proper subset as the antecedent and the rest as the consequent, kept when the
/// confidence reaches `minConfidence` (and the lift `minLift`, when given).
public enum AssociationRules {
    public static func rules(_ itemsets: [Itemset], baskets: Int, minConfidence: Double, minLift: Double? = nil) -> [AssociationRule] {
        var countOf: [[Int32]: Int] = [:]
        countOf.reserveCapacity(itemsets.count)
        for s in itemsets { countOf[s.items] = s.count }
        var out: [AssociationRule] = []
        for s in itemsets where s.items.count >= 2 {
            let n = s.items.count
            // Every non-empty proper subset, by bit mask over the (ascending) items: subsets of a frequent set are frequent.
            for mask in 1..<((1 << n) - 1) {
                var a: [Int32] = [], c: [Int32] = []
                for k in 0..<n { if mask & (1 << k) != 0 { a.append(s.items[k]) } else { c.append(s.items[k]) } }
                guard let na = countOf[a], let nc = countOf[c] else { continue }
                let rule = AssociationRule(antecedent: a, consequent: c, antecedentCount: na, consequentCount: nc, count: s.count, baskets: baskets)
                guard rule.confidence >= minConfidence else { continue }
                if let minLift, rule.lift < minLift { continue }
                out.append(rule)
            }
        }
        return out
    }

    /// Sorts rules by lift, confidence and support (each descending), then by the antecedent's and the consequent's
    /// item names (each list sorted, compared name by name in code-point order, a prefix first): a total order.
    public static func sort(_ rules: inout [AssociationRule], names: [String]) {
        func key(_ items: [Int32]) -> [String] { items.map { names[Int($0)] }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
        func precedes(_ a: [String], _ b: [String]) -> Bool { a.lexicographicallyPrecedes(b) { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
        let keyed = rules.map { (rule: $0, lift: $0.lift, confidence: $0.confidence, a: key($0.antecedent), c: key($0.consequent)) }
        rules = keyed.sorted { x, y in
            if x.lift != y.lift { return x.lift > y.lift }
            if x.confidence != y.confidence { return x.confidence > y.confidence }
            if x.rule.count != y.rule.count { return x.rule.count > y.rule.count }
            if x.a != y.a { return precedes(x.a, y.a) }
            return precedes(x.c, y.c)
        }.map(\.rule)
    }
}

/// What a basket analysis found: the frequent itemsets and the rules, in their documented orders.
public struct BasketAnalysis: Sendable, Equatable {
    public var baskets: Int
    /// The smallest basket count of a frequent itemset.
    public var minCount: Int
    public var itemsets: [Itemset]
    public var rules: [AssociationRule]

    public init(baskets: Int, minCount: Int, itemsets: [Itemset], rules: [AssociationRule]) {
        self.baskets = baskets
        self.minCount = minCount
        self.itemsets = itemsets
        self.rules = rules
    }
}

extension BasketAnalysis: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.write(baskets); w.write(minCount)
        w.write(itemsets.count)
        for s in itemsets { w.write(s.items); w.write(s.count) }
        w.write(rules.count)
        for r in rules { w.write(r.antecedent); w.write(r.consequent); w.write([r.antecedentCount, r.consequentCount, r.count]) }
    }

    public init(from r: inout ByteReader) throws {
        let baskets = try r.readInt(), minCount = try r.readInt()
        let itemsets = try (0..<r.readCount()).map { _ in Itemset(items: try r.readInt32s(), count: try r.readInt()) }
        let rules = try (0..<r.readCount()).map { _ -> AssociationRule in
            let a = try r.readInt32s(), c = try r.readInt32s(), n = try r.readInts()
            guard n.count == 3, !a.isEmpty, !c.isEmpty, n[2] >= 1, n[2] <= min(n[0], n[1]), max(n[0], n[1]) <= baskets else {
                throw BinaryFormatError.inconsistent("association rule")
            }
            return AssociationRule(antecedent: a, consequent: c, antecedentCount: n[0], consequentCount: n[1], count: n[2], baskets: baskets)
        }
        self.init(baskets: baskets, minCount: minCount, itemsets: itemsets, rules: rules)
    }
}

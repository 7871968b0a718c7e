import AssayCore

/// A set of items (codes, ascending) and the number of baskets that hold all of them.
public struct Itemset: Sendable, Hashable {
    public var items: [Int32]
    public var count: Int

    public init(items: [Int32], count: Int) {
        self.items = items
        self.count = count
    }
}

/// Frequent itemsets by FP-growth (Han, Pei and Yin, 2000), as mlxtend's `fpgrowth` defines them: an itemset is
/// frequent when at least `ceil(min_support × baskets)` baskets hold every one of its items (mlxtend computes the
/// threshold exactly so, in floating point), and itemsets are at most `max_len` items long.
///
/// The baskets are compressed into a prefix tree whose paths list each basket's frequent items by descending
/// frequency; the itemsets ending in an item are mined from the tree of that item's prefix paths (its conditional
/// tree), recursively. The result does not depend on the order of the baskets or of the items in them.
public enum FPGrowth {
    /// Mining stopped: more frequent itemsets than the limit (the thresholds are too low for the log).
    public struct TooManyItemsets: Error, Equatable, CustomStringConvertible {
        public let limit: Int
        public var description: String { "more than \(limit) frequent itemsets (mining stopped there); raise min_support or set max_len" }
    }

    /// The smallest number of baskets a frequent itemset is in, for `minSupport` (a fraction of `baskets`).
    public static func minimumCount(minSupport: Double, baskets: Int) -> Int {
        max(1, Int((minSupport * Double(baskets)).rounded(.up)))
    }

    /// Every frequent itemset of `baskets` (each a list of distinct item codes in 0..<itemCount), ordered by length,
    /// then count (descending), then items. Throws as soon as more than `limit` itemsets are found, naming the count,
    /// before the search uses more memory.
    public static func mine(_ baskets: [[Int32]], itemCount: Int, minCount: Int, maxLength: Int? = nil, limit: Int = 1_000_000) throws -> [Itemset] {
        var counts = [Int](repeating: 0, count: itemCount)
        for b in baskets { for i in b { counts[Int(i)] += 1 } }
        var tree = Tree()
        // Frequent items ranked by descending count, ties by code: each basket's path lists its items in rank order.
        let frequent = (0..<itemCount).filter { counts[$0] >= minCount }.sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1 }
        var rank = [Int32](repeating: -1, count: itemCount)
        for (r, i) in frequent.enumerated() { rank[i] = Int32(r) }
        tree.reserve(items: frequent.count)
        var path: [Int32] = []
        for b in baskets {
            path.removeAll(keepingCapacity: true)
            for i in b where rank[Int(i)] >= 0 { path.append(rank[Int(i)]) }
            path.sort()
            tree.insert(path, count: 1)
        }
        var found: [Itemset] = []
        var suffix: [Int32] = []
        try grow(tree, suffix: &suffix, minCount: minCount, maxLength: maxLength ?? .max, limit: limit, into: &found)
        // Back from ranks to item codes.
        for k in found.indices { found[k].items = found[k].items.map { Int32(frequent[Int($0)]) }.sorted() }
        found.sort { a, b in
            if a.items.count != b.items.count { return a.items.count < b.items.count }
            if a.count != b.count { return a.count > b.count }
            return a.items.lexicographicallyPrecedes(b.items)
        }
        return found
    }

    /// Mines `tree` (whose items are ranks) for the itemsets that extend `suffix`.
    static func grow(_ tree: Tree, suffix: inout [Int32], minCount: Int, maxLength: Int, limit: Int, into found: inout [Itemset]) throws {
        // Least frequent item first, as FP-growth does: its conditional tree is the smallest.
        for item in stride(from: tree.heads.count - 1, through: 0, by: -1) {
            var support = 0
            var node = tree.heads[item]
            while node >= 0 { support += tree.count[node]; node = tree.next[node] }
            guard support >= minCount else { continue }
            suffix.append(Int32(item))
            found.append(Itemset(items: suffix, count: support))
            if found.count > limit { throw TooManyItemsets(limit: limit) }
            if suffix.count < maxLength, let conditional = tree.conditional(on: item, minCount: minCount) {
                try grow(conditional, suffix: &suffix, minCount: minCount, maxLength: maxLength, limit: limit, into: &found)
            }
            suffix.removeLast()
        }
    }

    /// A prefix tree of ranked paths. Node 0 is the root; `heads[item]` starts the chain (through `next`) of the nodes
    /// holding that item.
    struct Tree {
        var item: [Int32] = [-1]
        var count: [Int] = [0]
        var parent: [Int32] = [-1]
        var firstChild: [Int32] = [-1]
        var sibling: [Int32] = [-1]
        var next: [Int] = [-1]
        var heads: [Int] = []

        mutating func reserve(items: Int) { heads = [Int](repeating: -1, count: items) }

        /// Adds a path (ascending ranks) with a count.
        mutating func insert(_ path: [Int32], count c: Int) {
            var node = 0
            for i in path {
                var child = Int(firstChild[node])
                while child > 0 && item[child] != i { child = Int(sibling[child]) }
                if child <= 0 {
                    child = item.count
                    item.append(i); count.append(0); parent.append(Int32(node)); firstChild.append(-1)
                    sibling.append(firstChild[node]); firstChild[node] = Int32(child)
                    next.append(heads[Int(i)]); heads[Int(i)] = child
                }
                count[child] += c
                node = child
            }
        }

        /// The tree of the prefix paths of `item`'s nodes, each with that node's count, keeping only the items
        /// frequent among them; nil when none is.
        func conditional(on target: Int, minCount: Int) -> Tree? {
            var local = [Int](repeating: 0, count: target)
            var node = heads[target]
            while node >= 0 {
                var p = Int(parent[node])
                while p > 0 { local[Int(item[p])] += count[node]; p = Int(parent[p]) }
                node = next[node]
            }
            guard local.contains(where: { $0 >= minCount }) else { return nil }
            var tree = Tree()
            tree.reserve(items: target)
            var path: [Int32] = []
            node = heads[target]
            while node >= 0 {
                path.removeAll(keepingCapacity: true)
                var p = Int(parent[node])
                while p > 0 {
                    if local[Int(item[p])] >= minCount { path.append(item[p]) }
                    p = Int(parent[p])
                }
                if !path.isEmpty { path.reverse(); tree.insert(path, count: count[node]) }
                node = next[node]
            }
            return tree
        }
    }
}

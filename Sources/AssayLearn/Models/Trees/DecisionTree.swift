import AssayCore
import Foundation

/// Tree-growing settings shared by `decision_tree` and `random_forest` (scikit-learn's names and defaults).
public struct TreeSettings: Sendable, Equatable {
    public enum Criterion: String, Sendable { case gini, entropy }
    public enum MaxFeatures: Sendable, Equatable {
        case all, sqrt, log2
        case fraction(Double)
        case count(Int)

        func count(of p: Int) -> Int {
            switch self {
            case .all: return p
            case .sqrt: return max(1, Int(Double(p).squareRoot()))
            case .log2: return max(1, Int(Foundation.log2(Double(p))))
            case .fraction(let f): return max(1, Int(f * Double(p)))
            case .count(let k): return min(max(1, k), p)
            }
        }
    }

    public var criterion = Criterion.gini
    public var maxDepth: Int? = nil
    public var minSamplesSplit = 2
    public var minSamplesLeaf = 1
    public var maxFeatures = MaxFeatures.all
    public var balanced = false

    public init() {}

    /// `max_depth`: unlimited (null) or at least 1; gradient boosting shares it.
    static let maxDepthRule = ParameterRule("max_depth", summary: "null | an integer ≥ 1", schema: ["anyOf": [["type": "null"], ["type": "integer", "minimum": 1]]]) { v in
        if case .null = v { return nil }
        if case .int(let d) = v, d >= 1 { return nil }
        return "must be null or an integer of at least 1, got \(v.json)"
    }

    /// The tree parameters of any classifier that grows CART trees, `max_features` defaulting to `maxFeatures`.
    static func parameters<M: GrowsTrees>(maxFeatures: ParamValue) -> [Parameter<M>] {
        [
            Parameter(.choice("criterion", ["gini", "entropy"]), default: .string("gini"), accepts: [.string("entropy")], rejects: [.string("log_loss")]) {
                $0.treeSettings.criterion = Criterion(rawValue: $1.stringValue!)!
            },
        ] + shapeParameters(maxFeatures: maxFeatures) + [
            Parameter(.choice("class_weight", ["balanced"], nullable: true), default: .null, accepts: [.string("balanced")], rejects: [.string("auto")]) {
                $0.treeSettings.balanced = $1 == .string("balanced")
            },
        ]
    }

    /// The tree parameters of any regressor that grows CART trees: squared error is the one criterion.
    static func regressionParameters<M: GrowsTrees>(maxFeatures: ParamValue) -> [Parameter<M>] {
        [
            Parameter(.choice("criterion", ["squared_error"]), default: .string("squared_error"), rejects: [.string("gini"), .string("absolute_error")]) { _, _ in },
        ] + shapeParameters(maxFeatures: maxFeatures)
    }

    /// The parameters that shape a tree, whatever it predicts.
    static func shapeParameters<M: GrowsTrees>(maxFeatures: ParamValue) -> [Parameter<M>] {
        [
            Parameter(maxDepthRule, default: .null, accepts: [.int(1), .int(8)], rejects: [.int(0), .double(2.5)]) { $0.treeSettings.maxDepth = $1.intValue },
            Parameter(.integer("min_samples_split", atLeast: 2), default: .int(2), rejects: [.int(1)]) { $0.treeSettings.minSamplesSplit = $1.intValue! },
            Parameter(.integer("min_samples_leaf", atLeast: 1), default: .int(1), rejects: [.int(0)]) { $0.treeSettings.minSamplesLeaf = $1.intValue! },
            Parameter(ParameterRule("max_features", summary: "null | sqrt | log2 | a fraction in (0, 1] | a count ≥ 1",
                                    schema: ["anyOf": [["enum": [nil, "sqrt", "log2"]], ["type": "number", "exclusiveMinimum": 0, "maximum": 1], ["type": "integer", "minimum": 1]]]) { v in
                switch v {
                case .null, .string("sqrt"), .string("log2"): return nil
                case .int(let k) where k >= 1: return nil
                case .double(let f) where f > 0 && f <= 1: return nil
                default: return "must be sqrt, log2, null, a fraction in (0, 1] or a count, got \(v.json)"
                }
            }, default: maxFeatures, accepts: [.null, .string("sqrt"), .string("log2"), .double(0.5), .int(3)], rejects: [.double(1.5), .int(0), .string("auto")]) {
                switch $1 {
                case .string("sqrt"): $0.treeSettings.maxFeatures = .sqrt
                case .string("log2"): $0.treeSettings.maxFeatures = .log2
                case .double(let f): $0.treeSettings.maxFeatures = .fraction(f)
                case .int(let k): $0.treeSettings.maxFeatures = .count(k)
                default: $0.treeSettings.maxFeatures = .all
                }
            },
        ]
    }
}

/// A model whose settings include CART tree settings (decision trees and random forests).
protocol GrowsTrees: Sendable {
    var treeSettings: TreeSettings { get set }
}

/// A random forest's settings: how many trees, and whether each grows on a bootstrap sample.
protocol GrowsForests: GrowsTrees {
    var estimators: Int { get set }
    var bootstrap: Bool { get set }
}

extension TreeSettings {
    /// `n_estimators` and `bootstrap`, the parameters every random forest has beside its trees'.
    static func forestParameters<M: GrowsForests>() -> [Parameter<M>] {
        [
            Parameter(.integer("n_estimators", atLeast: 1), default: .int(100), accepts: [.int(1)], rejects: [.int(0)]) { $0.estimators = $1.intValue! },
            Parameter(.boolean("bootstrap"), default: .bool(true), accepts: [.bool(false)], rejects: [.string("yes"), .int(1)]) { $0.bootstrap = $1.boolValue! },
        ]
    }
}

/// Features cut into at most 255 ordered bins, learned from training rows.
///
/// A column with at most 255 distinct values gets one bin per value, so the candidate thresholds are the
/// midpoints scikit-learn's exact CART considers; a column with more gets quantile edges.
struct Binned {
    /// Per feature, the upper edges of bins 0..<count-1 (a value v is in the first bin whose edge is ≥ v).
    let edges: [[Double]]
    /// Column-major bin codes: `codes[j * rows + i]`.
    let codes: [UInt8]
    let rows: Int

    /// How a column of more than 255 distinct values is cut.
    enum Scheme {
        /// Assay's quantile edges: midway between the value at each 255th of the sorted rows and the next distinct value.
        case quantiles
        /// scikit-learn's `_BinMapper`: numpy's `averaged_inverted_cdf` percentiles at 100·k/255 (k = 1 … 254), or
        /// `_weighted_percentile(average=True)` with sample weights, duplicates removed.
        case percentiles
    }

    /// The bins of `x`'s rows `selected` (every row when nil), in that order: codes row `i` is row `selected[i]` of `x`
    /// (no copy of the rows is made). With sample weights (one per selected row), the edges come from the rows of
    /// positive weight only (as scikit-learn's binning and splitter leave rows of weight 0 out); every row is still coded.
    init(_ x: Matrix, rows selected: [Int]? = nil, weights: [Double]? = nil, scheme: Scheme = .quantiles) {
        self.init(rows: x.rows, cols: x.cols, selected: selected, weights: weights, scheme: scheme) { j in (0..<x.rows).map { x[$0, j] } }
    }

    /// The same from rows given a column at a time (each column read once, in order); `visit` sees each column as read.
    init(_ source: ColumnSource, rows selected: [Int]? = nil, weights: [Double]? = nil, scheme: Scheme = .quantiles,
         visit: (_ column: Int, _ values: [Double]) -> Void = { _, _ in }) throws {
        try self.init(rows: source.rows, cols: source.cols, selected: selected, weights: weights, scheme: scheme) { j in
            let values = try source.column(j)
            visit(j, values)
            return values
        }
    }

    /// A tree's or a forest's bins of every row, read where `InputCheck.fitting` checks the values (`values`, after
    /// the shape of `labels` targets), so its errors come in the same order; the source is released once read: the
    /// trees need only the bins.
    static func checked(_ x: ColumnSource, labels: Int, weights: [Double]?, values: (ColumnSource) throws -> Void) throws -> Binned {
        try InputCheck.fittingShape(rows: x.rows, labels: labels)
        let binned = try Binned(x, weights: weights)
        try values(x)
        x.release()
        return binned
    }

    /// Boosting's bins: of `trainRows` (at scikit-learn's percentiles, weighted by `weights` if given), and the
    /// early-stopping rows `validRows` (none without early stopping) as a matrix, copied as the columns pass.
    static func boosting(_ x: ColumnSource, trainRows: [Int], validRows: [Int], weights: [Double]?) throws -> (Binned, held: Matrix) {
        let width = x.cols
        var held = [Double](repeating: 0, count: validRows.count * width)
        let binned = try Binned(x, rows: validRows.isEmpty ? nil : trainRows, weights: weights, scheme: .percentiles) { j, values in
            for (i, r) in validRows.enumerated() { held[i * width + j] = values[r] }
        }
        return (binned, Matrix(rows: validRows.count, cols: width, values: held))
    }

    /// `column(j)`: every one of the `rows` rows' values of column `j`.
    private init(rows all: Int, cols: Int, selected: [Int]?, weights: [Double]?, scheme: Scheme, column: (Int) throws -> [Double]) rethrows {
        let count = selected?.count ?? all
        rows = count
        func source(_ i: Int) -> Int { selected?[i] ?? i }
        var edges: [[Double]] = []
        var codes = [UInt8](repeating: 0, count: count * cols)
        let weighted = weights.map { w in (0..<count).filter { w[$0] > 0 }.map(source) }
        let positiveWeights = weights.map { w in w.filter { $0 > 0 } }
        for j in 0..<cols {
            let x = try column(j)
            let values = weighted.map { rows in rows.map { x[$0] } } ?? selected.map { rows in rows.map { x[$0] } } ?? x
            let column = values.sorted()
            var distinct: [Double] = []
            for v in column where distinct.last != v { distinct.append(v) }
            var e: [Double] = []
            if distinct.count <= 255 {
                for k in 1..<max(distinct.count, 1) { e.append((distinct[k - 1] + distinct[k]) / 2) }
            } else if scheme == .percentiles {
                e = Self.percentileEdges(sorted: column, values: values, weights: positiveWeights)
            } else {
                for q in 1..<255 {
                    let v = column[q * column.count / 255]
                    let k = Self.firstAbove(v, distinct)
                    guard k < distinct.count else { continue }
                    let mid = (v + distinct[k]) / 2
                    if e.last.map({ mid > $0 }) ?? true { e.append(mid) }
                }
            }
            edges.append(e)
            for i in 0..<count { codes[j * count + i] = UInt8(Self.bin(x[source(i)], e)) }
        }
        self.edges = edges
        self.codes = codes
    }

    /// scikit-learn's thresholds for a column of more than 255 distinct values (`_find_binning_thresholds`): `values`
    /// holds the column's values (of the rows of positive weight when weighted), `sorted` the same ascending,
    /// `weights` their sample weights, if any.
    static func percentileEdges(sorted: [Double], values: [Double], weights: [Double]?) -> [Double] {
        var e: [Double] = []
        let step = 100.0 / 255.0, n = sorted.count
        if let weights {
            let quantiles = Stats.WeightedQuantiles(values, weights)
            for k in 1..<255 { e.append(quantiles.percentile(Double(k) * step, average: true)) }
        } else {
            for k in 1..<255 {
                // numpy: virtual index n·q − 1; gamma 0 averages the two neighbours, anything else takes the next one.
                let index = Double(n) * ((Double(k) * step) / 100) - 1
                var previous = index.rounded(.down), next = previous + 1
                if index >= Double(n - 1) { previous = Double(n - 1); next = previous }
                if index < 0 { previous = 0; next = 0 }
                let t = index - previous == 0 ? 0.5 : 1.0
                let a = sorted[Int(previous)], b = sorted[Int(next)]
                e.append(b - (b - a) * (1 - t))  // numpy's _lerp for t ≥ 0.5
            }
        }
        var unique: [Double] = []
        for v in e.sorted() where unique.last != v { unique.append(v) }
        return unique
    }

    /// Index of the first sorted value above `v`.
    static func firstAbove(_ v: Double, _ sorted: [Double]) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi { let mid = (lo + hi) / 2; if sorted[mid] <= v { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    static func bin(_ v: Double, _ e: [Double]) -> Int {
        var lo = 0, hi = e.count
        while lo < hi { let mid = (lo + hi) / 2; if v <= e[mid] { hi = mid } else { lo = mid + 1 } }
        return lo
    }
}

/// A fitted CART tree: nodes in an array; a leaf holds the positive-class probability.
public struct FittedTree: Sendable, Equatable {
    /// Split feature, or -1 at a leaf.
    public var feature: [Int32] = []
    public var threshold: [Double] = []
    public var left: [Int32] = []
    public var right: [Int32] = []
    public var value: [Double] = []
    /// Each split node's weighted impurity decrease, w·i(node) − w_left·i(left) − w_right·i(right) (0 at a leaf);
    /// empty for boosting trees.
    public var decrease: [Double] = []

    /// A node packed for prediction: a split's feature and threshold and its children, or a leaf (feature −1) with its
    /// value in place of the threshold — one cache line per node visited instead of four arrays.
    private struct PackedNode {
        var cut: Double
        var feature: Int32
        var left: Int32
        var right: Int32
    }

    /// Adds this tree's leaf value for every row of `x` to `sums` (one tree at a time keeps its nodes in cache;
    /// each row's sum still adds the trees in order). Four rows walk down together, so their nodes' loads overlap.
    func addLeafValues(_ x: Matrix, to sums: inout [Double]) {
        guard !feature.isEmpty else { return }
        let nodes = feature.indices.map { n in
            PackedNode(cut: feature[n] >= 0 ? threshold[n] : value[n], feature: feature[n], left: left[n], right: right[n])
        }
        let p = x.cols
        nodes.withUnsafeBufferPointer { nodes in
            x.values.withUnsafeBufferPointer { v in
                sums.withUnsafeMutableBufferPointer { out in
                    guard let nodes = nodes.baseAddress, let v = v.baseAddress, let out = out.baseAddress else { return }
                    /// One step down from node `n` for `row`; false at a leaf.
                    @inline(__always) func step(_ n: inout Int, _ row: UnsafePointer<Double>) -> Bool {
                        let node = nodes[n]
                        guard node.feature >= 0 else { return false }
                        n = Int(row[Int(node.feature)] <= node.cut ? node.left : node.right)
                        return true
                    }
                    var i = 0
                    while i + 4 <= x.rows {
                        let r0 = v + i * p, r1 = r0 + p, r2 = r1 + p, r3 = r2 + p
                        var n0 = 0, n1 = 0, n2 = 0, n3 = 0
                        while true {
                            let a = step(&n0, r0), b = step(&n1, r1), c = step(&n2, r2), d = step(&n3, r3)
                            if !(a || b || c || d) { break }
                        }
                        out[i] += nodes[n0].cut; out[i + 1] += nodes[n1].cut; out[i + 2] += nodes[n2].cut; out[i + 3] += nodes[n3].cut
                        i += 4
                    }
                    while i < x.rows {
                        var n = 0
                        while step(&n, v + i * p) {}
                        out[i] += nodes[n].cut
                        i += 1
                    }
                }
            }
        }
    }

    /// The value of the leaf a row reaches (a probability in a classification tree, a log-odds step in boosting).
    func leafValue(_ row: UnsafePointer<Double>) -> Double { value[leaf(row)] }

    /// The index of the leaf a row reaches.
    func leaf(_ row: UnsafePointer<Double>) -> Int {
        feature.withUnsafeBufferPointer { f in
            threshold.withUnsafeBufferPointer { t in
                left.withUnsafeBufferPointer { l in
                    right.withUnsafeBufferPointer { r in
                        var n = 0
                        while f[n] >= 0 { n = Int(row[Int(f[n])] <= t[n] ? l[n] : r[n]) }
                        return n
                    }
                }
            }
        }
    }

    func encode(to w: inout ByteWriter) {
        w.write(feature.map(Int.init)); w.write(threshold); w.write(left.map(Int.init)); w.write(right.map(Int.init)); w.write(value)
        w.write(decrease)
    }

    init() {}

    init(from r: inout ByteReader) throws {
        feature = try r.readInt32Values(); threshold = try r.readDoubles()
        left = try r.readInt32Values(); right = try r.readInt32Values(); value = try r.readDoubles()
        decrease = try r.readDoubles()
        let n = feature.count
        guard n > 0, threshold.count == n, left.count == n, right.count == n, value.count == n, decrease.isEmpty || decrease.count == n else {
            throw BinaryFormatError.inconsistent("tree: node arrays of different lengths")
        }
        // A split's children come after it, so every walk from the root ends at a leaf.
        for k in 0..<n where feature[k] >= 0 {
            guard left[k] > k, right[k] > k, left[k] < n, right[k] < n else { throw BinaryFormatError.inconsistent("tree: node \(k)'s children") }
        }
        guard feature.allSatisfy({ $0 >= -1 }) else { throw BinaryFormatError.inconsistent("tree: a split feature") }
    }

    /// Checks that every split reads one of `width` input columns.
    func check(width: Int) throws {
        guard feature.allSatisfy({ $0 < width }) else { throw BinaryFormatError.inconsistent("tree: a split feature beyond the \(width) inputs") }
    }
}

/// Grows one tree on binned features with per-row weights (bootstrap counts × class weights).
///
/// A classification tree keeps, per node and histogram bin, the weight of each class (w0, w1); a regression tree
/// (`values` given) keeps the weight and the weighted sum of the target (w0 = Σw, w1 = Σw·y), from which squared
/// error follows: a split's weighted child impurity is Σw·y² − S_l²/W_l − S_r²/W_r (scikit-learn's criterion).
struct TreeGrower {
    /// A node waiting to be split: its range of the grower's row index, its class weights (or weight and weighted
    /// target sum), and for regression Σw·y².
    struct Node { var start: Int, count: Int, depth: Int, id: Int, w0: Double, w1: Double, s2: Double }

    let settings: TreeSettings
    let binned: Binned
    let y: [UInt8]
    let weight: [Double]
    /// A regression target; nil for a classification tree (then `y` holds the labels).
    var values: [Double]? = nil

    /// The node's impurity: gini or entropy of its classes, or the variance of its target.
    func nodeImpurity(_ w0: Double, _ w1: Double, _ s2: Double) -> Double {
        guard values != nil else { return impurity(w0, w1) }
        guard w0 > 0 else { return 0 }
        let mean = w1 / w0
        return max(s2 / w0 - mean * mean, 0)
    }

    /// A split's weighted child impurity (to minimize), from the left side's sums and the node's.
    @inline(__always)
    func childImpurity(_ l0: Double, _ l1: Double, _ r0: Double, _ r1: Double, s2: Double) -> Double {
        guard values != nil else { return (l0 + l1) * impurity(l0, l1) + (r0 + r1) * impurity(r0, r1) }
        return s2 - l1 * l1 / l0 - r1 * r1 / r0
    }

    func impurity(_ w0: Double, _ w1: Double) -> Double {
        let t = w0 + w1
        guard t > 0 else { return 0 }
        let p0 = w0 / t, p1 = w1 / t
        switch settings.criterion {
        case .gini: return 1 - p0 * p0 - p1 * p1
        case .entropy: return -(p0 > 0 ? p0 * log2(p0) : 0) - (p1 > 0 ? p1 * log2(p1) : 0)
        }
    }

    /// Grows the tree on `rows` (increasing, each once; repeats are expressed by `weight`).
    /// A node's running sums, each added in row order.
    struct Sums {
        var w = 0.0, w0 = 0.0, w1 = 0.0, s2 = 0.0

        @inline(__always)
        mutating func add(_ weight: Double, _ negative: Double, _ positive: Double, _ square: Double) {
            w += weight; w0 += negative; w1 += positive; s2 += square
        }
    }

    func grow<G: RandomNumberGenerator>(rows: [Int], using rng: inout G) -> FittedTree {
        var tree = FittedTree()
        let p = binned.edges.count
        let tries = settings.maxFeatures.count(of: p)
        let n = weight.count, m = max(rows.count, 1)
        // A node's rows are a contiguous range of `index`; a split partitions the range stably, so every
        // node's rows stay increasing and the histogram sums add in the same order however the tree is grown.
        let index = UnsafeMutableBufferPointer<Int>.allocate(capacity: m), spill = UnsafeMutableBufferPointer<Int>.allocate(capacity: m)
        // Per-row weights split by class (so the histogram loop has no branch), and the node's copy in row order.
        let wNeg = UnsafeMutableBufferPointer<Double>.allocate(capacity: n), wPos = UnsafeMutableBufferPointer<Double>.allocate(capacity: n)
        let orderedNeg = UnsafeMutableBufferPointer<Double>.allocate(capacity: m), orderedPos = UnsafeMutableBufferPointer<Double>.allocate(capacity: m)
        // One 256-bin histogram per feature of a pass; all zero between uses (only touched bins are cleared).
        let hist = UnsafeMutableBufferPointer<Double>.allocate(capacity: BinSums.width * 3 * 256)
        defer { for b in [index, spill] { b.deallocate() }; for b in [wNeg, wPos, orderedNeg, orderedPos, hist] { b.deallocate() } }
        _ = index.initialize(from: rows)
        hist.initialize(repeating: 0)
        if let values {
            for i in 0..<n { wNeg[i] = weight[i]; wPos[i] = weight[i] * values[i] }
        } else {
            for i in 0..<n { wPos[i] = y[i] == 1 ? weight[i] : 0; wNeg[i] = y[i] == 1 ? 0 : weight[i] }
        }

        /// A node over `index[start..<start+count]`, with its sums (Σ weight, Σ negative, Σ positive weight, Σ weighted
        /// y² in regression) given, or summed over its rows in order.
        func newNode(_ start: Int, _ count: Int, _ depth: Int, sums: Sums? = nil) -> Node {
            var (w, w0, w1, s2) = (0.0, 0.0, 0.0, 0.0)
            if let sums {
                (w, w0, w1, s2) = (sums.w, sums.w0, sums.w1, sums.s2)
            } else {
                for k in start..<start + count { let i = index[k]; w += weight[i]; w0 += wNeg[i]; w1 += wPos[i] }
                if let values { for k in start..<start + count { let i = index[k]; s2 += wPos[i] * values[i] } }
            }
            tree.feature.append(-1); tree.threshold.append(0); tree.left.append(-1); tree.right.append(-1)
            tree.value.append(w > 0 ? w1 / w : 0)
            tree.decrease.append(0)
            return Node(start: start, count: count, depth: depth, id: tree.feature.count - 1, w0: w0, w1: w1, s2: s2)
        }
        var stack = [newNode(0, rows.count, 0)]
        var features = [Int](repeating: 0, count: BinSums.width)
        var lo = features, hi = features
        binned.codes.withUnsafeBufferPointer { codes in
            var columns = [UnsafePointer<UInt8>](repeating: codes.baseAddress!, count: BinSums.width)
            let bins = (0..<BinSums.width).map { hist.baseAddress! + 3 * 256 * $0 }
            while let node = stack.popLast() {
                let (samples, w0, w1) = (node.count, node.w0, node.w1)
                let parent = nodeImpurity(w0, w1, node.s2)
                // A pure node: one class, or a target whose variance is rounding error (relative to its mean square).
                let pure = values == nil ? parent <= 1e-12 : parent <= 1e-12 * max(node.s2 / max(w0, .leastNormalMagnitude), 1)
                if samples < settings.minSamplesSplit || samples < 2 * settings.minSamplesLeaf || pure
                    || (settings.maxDepth.map { node.depth >= $0 } ?? false) { continue }
                let rowsOfNode = index.baseAddress! + node.start
                for k in 0..<samples { orderedNeg[k] = wNeg[rowsOfNode[k]]; orderedPos[k] = wPos[rowsOfNode[k]] }
                // Candidate features in a random order (scikit-learn's tie-breaking among equal splits is also random).
                var order = Array(0..<p)
                order.seededShuffle(using: &rng)
                var best: (score: Double, feature: Int, bin: Int)? = nil
                var visited = 0, next = 0
                while visited < tries && next < p {
                    // The next features with bins, no more than are still needed: each is visited in the order
                    // one-at-a-time would visit it, and none that it would not.
                    var group = 0
                    while group < min(BinSums.width, tries - visited) && next < p {
                        let j = order[next]
                        next += 1
                        if binned.edges[j].isEmpty { continue }
                        features[group] = j; columns[group] = codes.baseAddress! + j * binned.rows
                        lo[group] = 255; hi[group] = 0
                        group += 1
                    }
                    if group == 0 { break }
                    // The bins touched: tracked row by row in a small node, found from the counts in a large one (cheaper
                    // than a min and a max per row once the rows outnumber the bins; the same range either way).
                    let track = samples < 512
                    if track {
                        BinSums.add(rows: rowsOfNode, count: samples, a: orderedNeg.baseAddress!, b: orderedPos.baseAddress!,
                                    columns: columns, bins: bins, features: group, lo: &lo, hi: &hi)
                    } else {
                        BinSums.add(rows: rowsOfNode, count: samples, a: orderedNeg.baseAddress!, b: orderedPos.baseAddress!,
                                    columns: columns, bins: bins, features: group)
                        for t in 0..<group {
                            let h = bins[t], top = binned.edges[features[t]].count
                            var first = 0, last = top
                            while first < top && h[3 * first + 2] == 0 { first += 1 }
                            while last > first && h[3 * last + 2] == 0 { last -= 1 }
                            lo[t] = first; hi[t] = last
                        }
                    }
                    for t in 0..<group {
                        let h = bins[t], (first, last) = (lo[t], hi[t])
                        defer { for b in 3 * first..<3 * (last + 1) { h[b] = 0 } }
                        // A feature constant in this node is not a candidate and does not count toward max_features (as in scikit-learn).
                        if first == last { continue }
                        visited += 1
                        var l0 = 0.0, l1 = 0.0, lc = 0
                        for b in first..<last {
                            l0 += h[3 * b]; l1 += h[3 * b + 1]
                            let c = Int(h[3 * b + 2])
                            lc += c
                            if c == 0 { continue }
                            if lc < settings.minSamplesLeaf { continue }
                            if samples - lc < settings.minSamplesLeaf { break }
                            let r0 = w0 - l0, r1 = w1 - l1
                            let (wl, wr) = values == nil ? (l0 + l1, r0 + r1) : (l0, r0)
                            if wl <= 0 || wr <= 0 { continue }
                            // Weighted child impurity, to minimize.
                            let score = childImpurity(l0, l1, r0, r1, s2: node.s2)
                            if best == nil || score < best!.score - 1e-12 { best = (score, features[t], b) }
                        }
                    }
                }
                guard let split = best else { continue }
                let column = codes.baseAddress! + split.feature * binned.rows
                // The partition also sums each child's rows, in their order: the sums `newNode` would take. A row's
                // weight is its negative plus its positive part (one of them 0) in classification, its negative part
                // (the weight itself) in regression.
                var left = 0, right = 0, leftSums = Sums(), rightSums = Sums()
                for k in 0..<samples {
                    let i = rowsOfNode[k], neg = orderedNeg[k], pos = orderedPos[k]
                    let w = values == nil ? neg + pos : neg, s2 = values.map { pos * $0[i] } ?? 0
                    if Int(column[i]) <= split.bin {
                        rowsOfNode[left] = i; left += 1
                        leftSums.add(w, neg, pos, s2)
                    } else {
                        spill[right] = i; right += 1
                        rightSums.add(w, neg, pos, s2)
                    }
                }
                for k in 0..<right { rowsOfNode[left + k] = spill[k] }
                tree.feature[node.id] = Int32(split.feature)
                tree.threshold[node.id] = binned.edges[split.feature][split.bin]
                tree.decrease[node.id] = values == nil ? (w0 + w1) * parent - split.score : node.s2 - w1 * w1 / w0 - split.score
                let l = newNode(node.start, left, node.depth + 1, sums: leftSums)
                let r = newNode(node.start + left, right, node.depth + 1, sums: rightSums)
                tree.left[node.id] = Int32(l.id); tree.right[node.id] = Int32(r.id)
                stack.append(r)
                stack.append(l)
            }
        }
        return tree
    }

    /// Class weights for `balanced`: n / (2 · n_class) over the given rows with their counts.
    static func classWeights(_ y: [UInt8], counts: [Double], balanced: Bool) -> [Double] {
        guard balanced else { return counts }
        var n = [0.0, 0.0]
        for (label, c) in zip(y, counts) { n[Int(label)] += c }
        let total = n[0] + n[1]
        return zip(y, counts).map { label, c in c * total / (2 * n[Int(label)]) }
    }
}

/// A CART decision tree classifier.
///
/// Matches scikit-learn's `DecisionTreeClassifier` in its parameters and stopping rules (gini or entropy,
/// `max_depth`, `min_samples_split`, `min_samples_leaf`, `max_features`, `class_weight`); leaves give the
/// weighted positive share. Differs from scikit-learn: split candidates come from at most 255 bins per
/// feature (exact for features with at most 255 distinct training values, quantile edges otherwise), and
/// ties between equally good splits are broken by this tree's own seeded feature order.
public struct DecisionTree: ColumnwiseClassifier, Equatable, GrowsTrees {
    public typealias Fitted = FittedForest
    public var settings = TreeSettings()

    public init(settings: TreeSettings = TreeSettings()) { self.settings = settings }

    var treeSettings: TreeSettings {
        get { settings }
        set { settings = newValue }
    }

    /// The spec's `decision_tree`.
    public static let definition = ModelDefinition.classifier("decision_tree", tag: 5, defaults: DecisionTree(),
                                                              parameters: TreeSettings.parameters(maxFeatures: .null))

    /// Sample weights multiply the class weights (`balanced` counts rows, as scikit-learn's `compute_sample_weight`);
    /// rows of weight 0 are left out; `min_samples_leaf` and `min_samples_split` still count rows.
    public func fit<G: RandomNumberGenerator>(columns x: ColumnSource, _ y: [UInt8], weights sampleWeights: [Double]?,
                                              using rng: inout G) throws -> FittedForest {
        let (n, width) = (x.rows, x.cols)
        let binned = try Binned.checked(x, labels: y.count, weights: sampleWeights) { try InputCheck.fittingValues($0, y) }
        let weights = ClassWeights.times(TreeGrower.classWeights(y, counts: [Double](repeating: 1, count: y.count), balanced: settings.balanced), sampleWeights)
        let tree = TreeGrower(settings: settings, binned: binned, y: y, weight: weights)
            .grow(rows: ClassWeights.weighted(Array(0..<n), sampleWeights), using: &rng)
        return FittedForest(trees: [tree], width: width)
    }
}

/// Fitted trees whose probabilities are averaged (one tree for a decision tree).
public struct FittedForest: FittedClassifier, Equatable {
    public let trees: [FittedTree]
    public let width: Int

    public var inputWidth: Int { width }

    public var ownImportance: (kind: String, values: [Double])? { ("impurity", impurityImportance) }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: width)
        var sums = [Double](repeating: 0, count: x.rows)
        for t in trees { t.addLeafValues(x, to: &sums) }
        return sums.map { $0 / Double(trees.count) }
    }

    /// scikit-learn's `feature_importances_` (mean decrease in impurity): per tree, each feature's summed
    /// impurity decrease over the root's weight, normalized to sum 1; then the mean over trees that split,
    /// normalized again. All zeros when no tree splits.
    public var impurityImportance: [Double] { Self.impurityImportance(trees, width: width) }

    /// The same over any trees reading `width` inputs (a multiclass forest's too).
    static func impurityImportance(_ trees: [FittedTree], width: Int) -> [Double] {
        var total = [Double](repeating: 0, count: width)
        for t in trees where t.decrease.count == t.feature.count && t.feature.count > 1 {
            var imp = [Double](repeating: 0, count: width)
            for (n, f) in t.feature.enumerated() where f >= 0 { imp[Int(f)] += t.decrease[n] }
            let sum = imp.reduce(0, +)
            guard sum > 0 else { continue }
            for j in imp.indices { total[j] += imp[j] / sum }
        }
        let sum = total.reduce(0, +)
        return sum > 0 ? total.map { $0 / sum } : total
    }

    static let formatVersion: UInt32 = 2

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(width)
        w.write(trees.count)
        for t in trees { t.encode(to: &w) }
    }

    public init(trees: [FittedTree], width: Int) {
        self.trees = trees
        self.width = width
    }

    public init(from r: inout ByteReader) throws {
        try self.init(from: &r, leafValues: { (0...1).contains($0) })
    }

    /// Reads trees whose every leaf value passes `leafValues` (a probability, or any finite regression value).
    init(from r: inout ByteReader, leafValues: (Double) -> Bool) throws {
        try r.readHeader("trees", version: Self.formatVersion)
        let width = try r.readInt()
        let trees = try (0..<r.readCount()).map { _ in try FittedTree(from: &r) }
        guard !trees.isEmpty, width >= 0 else { throw BinaryFormatError.inconsistent("forest: no trees") }
        for t in trees {
            try t.check(width: width)
            try BinaryFormatError.require(t.value.allSatisfy(leafValues), "forest: a leaf value")
        }
        self.init(trees: trees, width: width)
    }
}

/// A CART regression tree (squared error).
///
/// Matches scikit-learn's `DecisionTreeRegressor` with `criterion: squared_error` in its parameters and stopping
/// rules (`max_depth`, `min_samples_split`, `min_samples_leaf`, `max_features`) and its exact split search (every
/// midpoint of a node's distinct values; `ExactRegressionTreeGrower`); a leaf predicts the mean target of its rows.
/// Candidate features are drawn as scikit-learn's splitter draws them; with `random_state: N` from the same stream, so
/// the same rows give scikit-learn's tree (without it, the stream is seeded from the task).
public struct DecisionTreeRegressor: WeightedRegressor, Equatable, GrowsTrees {
    public var settings = TreeSettings()
    /// Nil: the splitter's stream is seeded from the fit's generator.
    public var randomState: UInt32? = nil

    public init(settings: TreeSettings = TreeSettings()) { self.settings = settings }

    var treeSettings: TreeSettings {
        get { settings }
        set { settings = newValue }
    }

    /// The spec's `decision_tree` (task regression).
    public static let definition = ModelDefinition.regressor("decision_tree", tag: 10, defaults: DecisionTreeRegressor(),
                                                             parameters: TreeSettings.regressionParameters(maxFeatures: .null) + [
        Parameter(ParameterRule.randomState, default: .null, accepts: [.int(42), .int(4_294_967_295)], rejects: [.int(-1), .int(4_294_967_296)]) {
            $0.randomState = $1.intValue.map(UInt32.init)
        },
    ])

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedForestRegressor {
        try InputCheck.fitting(x, y)
        // scikit-learn's splitter draws its rand_r state as RandomState(random_state).randint(0, 2**31 - 1).
        var rs = NumpyRandomState(seed: randomState ?? UInt32(truncatingIfNeeded: rng.next()))
        let tree = ExactRegressionTreeGrower(settings: settings, x: x, y: y).grow(seed: UInt32(rs.interval(0x7FFF_FFFE)))
        return FittedForestRegressor(forest: FittedForest(trees: [tree], width: x.cols))
    }

    /// Weighted sums and means in the criterion and the leaves; rows of weight 0 are left out; the size rules count rows.
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> FittedForestRegressor {
        try InputCheck.fitting(x, y)
        var rs = NumpyRandomState(seed: randomState ?? UInt32(truncatingIfNeeded: rng.next()))
        var grower = ExactRegressionTreeGrower(settings: settings, x: x, y: y)
        grower.weights = weights
        let tree = grower.grow(seed: UInt32(rs.interval(0x7FFF_FFFE)))
        return FittedForestRegressor(forest: FittedForest(trees: [tree], width: x.cols))
    }
}

/// Fitted regression trees whose predictions are averaged (one tree for a decision tree).
public struct FittedForestRegressor: FittedRegressor, Equatable {
    public let forest: FittedForest

    public var inputWidth: Int { forest.width }
    public var ownImportance: (kind: String, values: [Double])? { forest.ownImportance }

    public func predict(_ x: Matrix) throws -> [Double] { try forest.predictProbabilities(x) }

    public func encode(to w: inout ByteWriter) { forest.encode(to: &w) }

    init(forest: FittedForest) { self.forest = forest }

    public init(from r: inout ByteReader) throws {
        forest = try FittedForest(from: &r, leafValues: { $0.isFinite })
    }
}

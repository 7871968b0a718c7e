import AssayCore
import Foundation

/// Grows one CART tree over several classes on binned features with per-row weights (bootstrap counts × class
/// weights): the binary `TreeGrower`'s rules (the same bins, stopping rules, seeded feature order, constant features
/// not counted toward `max_features`, ties kept by the first split found) with gini or entropy over every class. A
/// split's threshold is scikit-learn's: midway between the node's largest value on the left and smallest on the right
/// (not the bin's edge, which may sit elsewhere between them), so unseen values fall on the side scikit-learn sends them.
struct ClassTreeGrower {
    let settings: TreeSettings
    let x: Matrix
    /// The features' bins (a forest's trees search their edges); nil searches every midpoint of a node's distinct
    /// values (scikit-learn's splitter: a single tree's splits).
    let binned: Binned?
    let y: [UInt8]
    let classes: Int
    let weight: [Double]

    /// A node waiting to be split: its range of the row index, its depth and its position in the tree.
    struct Node { var start: Int, count: Int, depth: Int, id: Int }

    func impurity(_ w: UnsafePointer<Double>) -> Double {
        var total = 0.0
        for c in 0..<classes { total += w[c] }
        guard total > 0 else { return 0 }
        var out = settings.criterion == .gini ? 1.0 : 0.0
        for c in 0..<classes {
            let p = w[c] / total
            switch settings.criterion {
            case .gini: out -= p * p
            case .entropy: if p > 0 { out -= p * log2(p) }
            }
        }
        return out
    }

    /// The tree, and each node's class probabilities (nodes × classes; a leaf's are its rows' weighted class shares).
    func grow<G: RandomNumberGenerator>(rows: [Int], using rng: inout G) -> (tree: FittedTree, probabilities: [Double]) {
        var tree = FittedTree()
        var probabilities: [Double] = []
        let k = classes, p = x.cols, tries = settings.maxFeatures.count(of: p)
        var index = rows, spill = [Int](repeating: 0, count: rows.count)
        // Per bin: the class weights, then the row count.
        let stride = k + 1
        var hist = [Double](repeating: 0, count: 256 * stride)
        var left = [Double](repeating: 0, count: k), right = left, node = left

        func newNode(_ start: Int, _ count: Int, _ depth: Int) -> Node {
            var w = [Double](repeating: 0, count: k)
            for r in start..<start + count { w[Int(y[index[r]])] += weight[index[r]] }
            let total = w.reduce(0, +)
            probabilities += w.map { total > 0 ? $0 / total : 0 }
            tree.feature.append(-1); tree.threshold.append(0); tree.left.append(-1); tree.right.append(-1); tree.value.append(0)
            tree.decrease.append(0)
            return Node(start: start, count: count, depth: depth, id: tree.feature.count - 1)
        }
        var stack = [newNode(0, rows.count, 0)]
        while let n = stack.popLast() {
            for c in 0..<k { node[c] = 0 }
            for r in n.start..<n.start + n.count { node[Int(y[index[r]])] += weight[index[r]] }
            let total = node.reduce(0, +)
            let parent = node.withUnsafeBufferPointer { impurity($0.baseAddress!) }
            if n.count < settings.minSamplesSplit || n.count < 2 * settings.minSamplesLeaf || parent <= 1e-12
                || (settings.maxDepth.map { n.depth >= $0 } ?? false) { continue }
            var order = Array(0..<p)
            order.seededShuffle(using: &rng)
            var best: (score: Double, feature: Int, bin: Int, threshold: Double?)? = nil
            var visited = 0, next = 0
            func consider(_ wl: Double, _ j: Int, _ bin: Int, _ threshold: Double?) {
                let wr = total - wl
                if wl <= 0 || wr <= 0 { return }
                let score = wl * left.withUnsafeBufferPointer { impurity($0.baseAddress!) } + wr * right.withUnsafeBufferPointer { impurity($0.baseAddress!) }
                if best.map({ score < $0.score - 1e-12 }) ?? true { best = (score, j, bin, threshold) }
            }
            while visited < tries && next < p {
                let j = order[next]
                next += 1
                guard let binned else {
                    // The node's rows in order of the feature (equal values by row); a constant feature is skipped uncounted.
                    let sorted = index[n.start..<(n.start + n.count)].sorted { (x[$0, j], $0) < (x[$1, j], $1) }
                    guard let first = sorted.first, let last = sorted.last, x[last, j] > x[first, j] + 1e-7 else { continue }
                    visited += 1
                    for c in 0..<k { left[c] = 0 }
                    for t in 0..<(sorted.count - 1) {
                        let i = sorted[t]
                        left[Int(y[i])] += weight[i]
                        let v = x[i, j], following = x[sorted[t + 1], j]
                        if following <= v + 1e-7 || t + 1 < settings.minSamplesLeaf { continue }
                        if n.count - t - 1 < settings.minSamplesLeaf { break }
                        var wl = 0.0
                        for c in 0..<k { right[c] = node[c] - left[c]; wl += left[c] }
                        let middle = v / 2 + following / 2
                        consider(wl, j, 0, middle == following || !middle.isFinite ? v : middle)
                    }
                    continue
                }
                if binned.edges[j].isEmpty { continue }
                let column = j * binned.rows
                var lo = 255, hi = 0
                for r in n.start..<n.start + n.count {
                    let i = index[r], b = Int(binned.codes[column + i])
                    hist[b * stride + Int(y[i])] += weight[i]
                    hist[b * stride + k] += 1
                    lo = min(lo, b); hi = max(hi, b)
                }
                defer { for b in lo...hi { for c in 0..<stride { hist[b * stride + c] = 0 } } }
                // A feature constant in this node is not a candidate and does not count toward max_features.
                if lo == hi { continue }
                visited += 1
                for c in 0..<k { left[c] = 0 }
                var leftCount = 0
                for b in lo..<hi {
                    for c in 0..<k { left[c] += hist[b * stride + c] }
                    let rowsInBin = Int(hist[b * stride + k])
                    leftCount += rowsInBin
                    if rowsInBin == 0 || leftCount < settings.minSamplesLeaf { continue }
                    if n.count - leftCount < settings.minSamplesLeaf { break }
                    var wl = 0.0
                    for c in 0..<k { right[c] = node[c] - left[c]; wl += left[c] }
                    consider(wl, j, b, nil)
                }
            }
            guard let split = best else { continue }
            var l = 0, s = 0
            for r in n.start..<n.start + n.count {
                let i = index[r]
                // An exact split's threshold, or a bin split's bin (the threshold is set from the node's values below).
                let goesLeft = split.threshold.map { x[i, split.feature] <= $0 } ?? (binned.map { Int($0.codes[split.feature * $0.rows + i]) <= split.bin } ?? false)
                if goesLeft { index[n.start + l] = i; l += 1 } else { spill[s] = i; s += 1 }
            }
            for t in 0..<s { index[n.start + l + t] = spill[t] }
            var threshold = split.threshold ?? 0
            if split.threshold == nil {
                var below = -Double.infinity, above = Double.infinity
                for t in 0..<l { below = max(below, x[index[n.start + t], split.feature]) }
                for t in 0..<s { above = min(above, x[spill[t], split.feature]) }
                let middle = below / 2 + above / 2
                threshold = middle == above || !middle.isFinite ? below : middle
            }
            tree.feature[n.id] = Int32(split.feature)
            tree.threshold[n.id] = threshold
            tree.decrease[n.id] = total * parent - split.score
            let a = newNode(n.start, l, n.depth + 1), b = newNode(n.start + l, s, n.depth + 1)
            tree.left[n.id] = Int32(a.id); tree.right[n.id] = Int32(b.id)
            stack.append(b)
            stack.append(a)
        }
        return (tree, probabilities)
    }

}

/// A CART decision tree for task multiclass: scikit-learn's `DecisionTreeClassifier` over several classes (gini or
/// entropy over every class; a leaf gives its rows' weighted class shares) with the binary tree's parameters, and
/// scikit-learn's exact split search (every midpoint of a node's distinct values). Differs from scikit-learn: ties
/// between equally good splits are broken by this tree's own seeded feature order.
public struct MulticlassDecisionTree: WeightedMulticlassClassifier, Equatable, GrowsTrees {
    public var settings = TreeSettings()

    public init() {}

    var treeSettings: TreeSettings {
        get { settings }
        set { settings = newValue }
    }

    /// The spec's `decision_tree` under `task: multiclass`.
    public static let definition = ModelDefinition.multiclass("decision_tree", tag: 24, defaults: MulticlassDecisionTree(),
                                                              parameters: TreeSettings.parameters(maxFeatures: .null))

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedClassForest {
        try fit(x, y, classes: k, sampleWeights: nil, using: &rng)
    }

    /// Sample weights multiply the class weights (`balanced` counts rows); rows of weight 0 are left out.
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, weights: [Double], using rng: inout G) throws -> FittedClassForest {
        try fit(x, y, classes: k, sampleWeights: weights, using: &rng)
    }

    func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, sampleWeights: [Double]?, using rng: inout G) throws -> FittedClassForest {
        try InputCheck.fitting(x, y, classes: k)
        let weights = ClassWeights.times(ClassWeights.balanced(y, classes: k, enabled: settings.balanced), sampleWeights)
        let grown = ClassTreeGrower(settings: settings, x: x, binned: nil, y: y, classes: k, weight: weights)
            .grow(rows: ClassWeights.weighted(Array(0..<x.rows), sampleWeights), using: &rng)
        return FittedClassForest(classCount: k, trees: [grown.tree], probabilities: [grown.probabilities], width: x.cols)
    }
}

/// A random forest for task multiclass: scikit-learn's `RandomForestClassifier` over several classes (bootstrap
/// samples drawn as the binary forest draws them, `max_features` default `sqrt`, the trees' class probabilities
/// averaged).
public struct MulticlassRandomForest: WeightedMulticlassClassifier, Equatable, GrowsForests {
    public var estimators = 100
    public var bootstrap = true
    public var settings: TreeSettings = { var s = TreeSettings(); s.maxFeatures = .sqrt; return s }()

    public init() {}

    var treeSettings: TreeSettings {
        get { settings }
        set { settings = newValue }
    }

    /// The spec's `random_forest` under `task: multiclass` (its fitted form and tag are the multiclass tree's).
    public static let definition = ModelDefinition.multiclass("random_forest", tag: 24, defaults: MulticlassRandomForest(),
                                                               parameters: TreeSettings.forestParameters() + TreeSettings.parameters(maxFeatures: .string("sqrt")))

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedClassForest {
        try fit(x, y, classes: k, sampleWeights: nil, using: &rng)
    }

    /// Each tree's rows count their bootstrap draws times their sample weight; rows of weight 0 are left out.
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, weights: [Double], using rng: inout G) throws -> FittedClassForest {
        try fit(x, y, classes: k, sampleWeights: weights, using: &rng)
    }

    func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, sampleWeights: [Double]?, using rng: inout G) throws -> FittedClassForest {
        try InputCheck.fitting(x, y, classes: k)
        let binned = Binned(x, weights: sampleWeights)
        var probabilities: [[Double]] = []
        let trees = RandomForest.bootstrapTrees(estimators, rows: x.rows, bootstrap: bootstrap, seed: rng.next()) { counts, rows, g in
            let weights = ClassWeights.times(ClassWeights.balanced(y, classes: k, counts: counts, enabled: settings.balanced), sampleWeights)
            let grown = ClassTreeGrower(settings: settings, x: x, binned: binned, y: y, classes: k, weight: weights)
                .grow(rows: ClassWeights.weighted(rows, sampleWeights), using: &g)
            probabilities.append(grown.probabilities)
            return grown.tree
        }
        return FittedClassForest(classCount: k, trees: trees, probabilities: probabilities, width: x.cols)
    }
}

/// Fitted multiclass trees whose class probabilities are averaged (one tree for a decision tree).
public struct FittedClassForest: FittedMulticlassClassifier, Equatable {
    public let classCount: Int
    /// The trees' shapes (their `value`s unused: a node's class probabilities are in `probabilities`).
    public let trees: [FittedTree]
    /// Per tree, each node's class probabilities (nodes × classCount).
    public let probabilities: [[Double]]
    public let width: Int

    public var inputWidth: Int { width }

    public var ownImportance: (kind: String, values: [Double])? { ("impurity", FittedForest.impurityImportance(trees, width: width)) }

    public init(classCount: Int, trees: [FittedTree], probabilities: [[Double]], width: Int) {
        self.classCount = classCount
        self.trees = trees
        self.probabilities = probabilities
        self.width = width
    }

    public func predictClassProbabilities(_ x: Matrix) throws -> Matrix {
        try InputCheck.predicting(x, width: width)
        let k = classCount
        var out = Matrix(rows: x.rows, cols: k)
        x.values.withUnsafeBufferPointer { v in
            for (t, tree) in trees.enumerated() {
                let p = probabilities[t]
                for i in 0..<x.rows {
                    let leaf = tree.leaf(v.baseAddress! + i * x.cols)
                    for c in 0..<k { out[i, c] += p[leaf * k + c] }
                }
            }
        }
        let n = Double(trees.count)
        for i in 0..<x.rows { for c in 0..<k { out[i, c] /= n } }
        return out
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(classCount); w.write(width); w.write(trees.count)
        for (t, p) in zip(trees, probabilities) { t.encode(to: &w); w.write(p) }
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("multiclass trees", version: Self.formatVersion)
        let k = try r.readInt(), width = try r.readInt()
        try BinaryFormatError.require((2...255).contains(k), "multiclass trees: class count")
        var trees: [FittedTree] = [], probabilities: [[Double]] = []
        for _ in 0..<(try r.readCount()) {
            let t = try FittedTree(from: &r), p = try r.readDoubles()
            try t.check(width: width)
            try BinaryFormatError.require(p.count == t.feature.count * k && p.allSatisfy { (0...1).contains($0) }, "multiclass trees: class probabilities")
            trees.append(t); probabilities.append(p)
        }
        try BinaryFormatError.require(!trees.isEmpty && width >= 0, "multiclass trees: no trees")
        self.init(classCount: k, trees: trees, probabilities: probabilities, width: width)
    }
}

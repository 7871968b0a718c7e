import AssayCore
import Foundation

/// Histogram gradient boosting for binary log loss.
///
/// Matches scikit-learn's `HistGradientBoostingClassifier`: features binned into at most 255 bins (midpoints of the
/// distinct values, or scikit-learn's percentiles of a column of more: `Binned.Scheme.percentiles`, weighted by the
/// class and sample weights when there are any), a log-odds baseline, then `max_iter` trees fitted to the log-loss
/// gradients and hessians, stored as float32 as scikit-learn stores them; each tree grows leaf-wise (best gain first)
/// up to `max_leaf_nodes`, `max_depth` and `min_samples_leaf`, with scikit-learn's split gain `G·v − G_L·v_L − G_R·v_R`,
/// v = −G/(H+λ+1e-15) (the same `G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ)` in exact arithmetic; computed as scikit-learn
/// computes it, it decides a node whose rows share one gradient, whose gain is zero but for rounding, as scikit-learn
/// does), and leaf values `v · learning_rate` (λ = `l2_regularization`).
/// With `early_stopping: true`, a stratified, seeded 10% of the training rows is held out and fitting stops
/// when the held-out loss has not improved by 1e-7 in 10 iterations (scikit-learn's defaults).
/// `class_weight: balanced` weighs each row by `n / (2 · n_class)` (counted over all the rows it is given, before the
/// early-stopping split), as scikit-learn does: the baseline is the weighted log-odds, gradients and hessians are
/// multiplied by the weights, and the held-out loss is weighted.
/// Differs from scikit-learn: `early_stopping` defaults to false (scikit-learn's `auto` turns it on above
/// 10,000 rows; the peer turns it off), missing values must be imputed first, and percentile bin edges come from
/// all training rows rather than a 200,000-row subsample.
public struct GradientBoosting: ColumnwiseClassifier, Equatable {
    public typealias Fitted = FittedBoosting
    public var maxIter = 100
    public var learningRate = 0.1
    public var maxLeafNodes: Int? = 31
    public var maxDepth: Int? = nil
    public var minSamplesLeaf = 20
    public var l2Regularization = 0.0
    public var earlyStopping = false
    public var balanced = false

    public init() {}

    /// The spec's `gradient_boosting`.
    public static let definition = ModelDefinition.classifier("gradient_boosting", tag: 6, defaults: GradientBoosting(), parameters: classifierParameters)

    /// The classifiers' parameters (binary and multiclass): the shared ones and `class_weight`.
    static let classifierParameters: [Parameter<GradientBoosting>] = parameters + [
        Parameter(.choice("class_weight", ["balanced"], nullable: true), default: .null, accepts: [.string("balanced")], rejects: [.string("auto")]) {
            $0.balanced = $1 == .string("balanced")
        },
    ]

    /// The parameters of `gradient_boosting`, shared by the classifier and the regressor.
    static let parameters: [Parameter<GradientBoosting>] = [
        Parameter(.integer("max_iter", atLeast: 1), default: .int(100), rejects: [.int(0)]) { $0.maxIter = $1.intValue! },
        Parameter(.number("learning_rate", greaterThan: 0), default: .double(0.1), accepts: [.int(1)], rejects: [.int(0)]) { $0.learningRate = $1.number! },
        Parameter(ParameterRule("max_leaf_nodes", summary: "null | an integer ≥ 2", schema: ["anyOf": [["type": "null"], ["type": "integer", "minimum": 2]]]) { v in
            if case .null = v { return nil }
            if case .int(let n) = v, n >= 2 { return nil }
            return "must be null or an integer of at least 2, got \(v.json)"
        }, default: .int(31), accepts: [.null, .int(2)], rejects: [.int(1)]) { $0.maxLeafNodes = $1.intValue },
        Parameter(TreeSettings.maxDepthRule, default: .null, accepts: [.int(3)], rejects: [.int(0)]) { $0.maxDepth = $1.intValue },
        Parameter(.integer("min_samples_leaf", atLeast: 1), default: .int(20), rejects: [.int(0)]) { $0.minSamplesLeaf = $1.intValue! },
        Parameter(.number("l2_regularization", atLeast: 0), default: .double(0), accepts: [.double(1.5)], rejects: [.double(-1)]) {
            $0.l2Regularization = $1.number!
        },
        Parameter(ParameterRule("max_bins", summary: "255", schema: ["const": 255]) { v in v == .int(255) ? nil : "only 255 is supported so far, got \(v.json)" },
                  default: .int(255), rejects: [.int(128)]) { _, _ in },
        Parameter(.boolean("early_stopping"), default: .bool(false), accepts: [.bool(true)], rejects: [.string("auto")]) { $0.earlyStopping = $1.boolValue! },
    ]

    /// Sample weights multiply the class weights (`balanced` counts rows, as scikit-learn's `compute_sample_weight`)
    /// in the baseline, the gradients and hessians and the early-stopping loss; bins come from rows of positive weight.
    public func fit<G: RandomNumberGenerator>(columns x: ColumnSource, _ y: [UInt8], weights sampleWeights: [Double]?,
                                              using rng: inout G) throws -> FittedBoosting {
        let width = x.cols
        var trainRows = Array(0..<x.rows), validRows: [Int] = []
        let weighted = balanced || sampleWeights != nil
        try InputCheck.fittingShape(rows: x.rows, labels: y.count)
        if earlyStopping {
            let split = StratifiedSplitter.holdout(y, rows: trainRows, count: Int((0.1 * Double(x.rows)).rounded(.up)), using: &rng)
            let held = Set(split)
            validRows = split.sorted()
            trainRows = trainRows.filter { !held.contains($0) }
        }
        // Per-row weights (all 1 unless weighted), from the class counts over every given row, times the sample weights.
        let allPositives = Double(y.reduce(0) { $0 + Int($1) }), total = Double(y.count)
        let classWeight = [total / (2 * (total - allPositives)), total / (2 * allPositives)]
        let rowWeight: (Int) -> Double = { i in (self.balanced ? classWeight[Int(y[i])] : 1) * (sampleWeights?[i] ?? 1) }
        let wt = trainRows.map(rowWeight), wv = validRows.map(rowWeight)
        // scikit-learn bins with the class × sample weights
        let (binned, xv) = try Binned.boosting(x, trainRows: trainRows, validRows: validRows, weights: weighted ? wt : nil)
        try InputCheck.fittingValues(x, y)
        x.release()  // the trees need only the bins (and the held-out rows): the rows go now
        let yt = trainRows.map { y[$0] }, yv = validRows.map { y[$0] }
        let n = trainRows.count
        var positives = 0.0, weightSum = 0.0
        for i in 0..<n { let w = wt[i]; weightSum += w; if yt[i] == 1 { positives += w } }
        let baseline = log(positives / (weightSum - positives))
        var raw = [Double](repeating: baseline, count: n)
        var validRaw = [Double](repeating: baseline, count: validRows.count)
        var trees: [FittedTree] = []
        var scores: [Double] = []
        var g = [Double](repeating: 0, count: n), h = g
        let bundles = FeatureBundles(binned)
        for _ in 0..<maxIter {
            for i in 0..<n {
                let p = Logistic.sigmoid(raw[i])
                g[i] = p - Double(yt[i]); h[i] = p * (1 - p)
                if weighted { let w = wt[i]; g[i] *= w; h[i] *= w }
                // Stored as scikit-learn stores them (float32), so that equal gradients sum exactly.
                g[i] = Double(Float(g[i])); h[i] = Double(Float(h[i]))
            }
            let (tree, leafOfRow) = growTree(binned, bundles, g, h)
            for i in 0..<n { raw[i] += tree.value[leafOfRow[i]] }
            trees.append(tree)
            if earlyStopping {
                tree.addLeafValues(xv, to: &validRaw)
                scores.append(-(weighted ? Self.weightedLogLoss(yv, validRaw.map(Logistic.sigmoid), wv)
                                         : Scoring.logLoss(yv, validRaw.map(Logistic.sigmoid))))
                if scores.count > 10 {
                    let reference = scores[scores.count - 11]
                    if scores.suffix(10).allSatisfy({ $0 <= reference + 1e-7 }) { break }
                }
            }
        }
        return FittedBoosting(baseline: baseline, trees: trees, width: width)
    }

    /// Log loss with each row weighted by `weights` (scikit-learn's `np.average(loss, weights=…)`).
    static func weightedLogLoss(_ y: [UInt8], _ p: [Double], _ weights: [Double]) -> Double {
        var s = 0.0, total = 0.0
        for (i, label) in y.enumerated() {
            let w = weights[i]
            s += w * Scoring.logLoss([label], [p[i]])
            total += w
        }
        return s / total
    }

    /// Every feature's bins side by side, each bin three adjacent values (see `BinSums`): the sum of gradients,
    /// the sum of hessians and the row count.
    struct Histogram {
        var v: [Double]
        init(bins: Int) { v = [Double](repeating: 0, count: 3 * bins) }
    }

    struct Candidate {
        var rows: [Int]
        var depth: Int
        var node: Int
        var hist: Histogram
        var gain = -Double.infinity
        var feature = -1
        var bin = -1
    }

    /// scikit-learn's `compute_node_value`: a node's value (before the learning rate) from its sums.
    @inline(__always)
    static func nodeValue(_ g: Double, _ h: Double, _ lambda: Double) -> Double { -g / (h + lambda + 1e-15) }

    /// One tree, grown leaf-wise; returns it with each training row's leaf node.
    func growTree(_ b: Binned, _ bundling: FeatureBundles, _ g: [Double], _ h: [Double]) -> (FittedTree, [Int]) {
        let p = b.edges.count
        let offsets = b.edges.reduce(into: [0]) { $0.append($0.last! + $1.count + 1) }
        var tree = FittedTree()
        func addNode(_ rows: [Int]) -> Int {
            var sg = 0.0, sh = 0.0
            for i in rows { sg += g[i]; sh += h[i] }
            tree.feature.append(-1); tree.threshold.append(0); tree.left.append(-1); tree.right.append(-1)
            tree.value.append(Self.nodeValue(sg, sh, l2Regularization) * learningRate)
            tree.decrease.append(0)
            return tree.feature.count - 1
        }
        // One-hot columns share passes (`bundling`, made once per fit); gradients and hessians are gathered in the order
        // of a node's rows (`FeatureBundles.histogram`).
        var orderedG = [Double](repeating: 0, count: b.rows), orderedH = orderedG
        func histogram(_ rows: [Int]) -> Histogram {
            bundling.histogram(b, offsets: offsets, rows: rows, g: g, h: h, orderedG: &orderedG, orderedH: &orderedH)
        }
        func findSplit(_ c: inout Candidate) {
            if let maxDepth, c.depth >= maxDepth { return }
            if c.rows.count < 2 * minSamplesLeaf { return }
            var G = 0.0, H = 0.0
            for i in c.rows { G += g[i]; H += h[i] }
            let lambda = l2Regularization
            // scikit-learn's `_split_gain`: the node's loss G·v less its children's, each v = −G/(H + λ + 1e-15). A node
            // whose rows share one gradient and hessian (one class, one raw score) gains exactly nothing in theory; its
            // sums are exact (float32 gradients), so this arithmetic decides it as scikit-learn's does.
            let parent = G * Self.nodeValue(G, H, lambda)
            for j in 0..<p where !b.edges[j].isEmpty {
                let o = offsets[j]
                var gl = 0.0, hl = 0.0, nl = 0
                for bin in 0..<b.edges[j].count {
                    gl += c.hist.v[3 * (o + bin)]; hl += c.hist.v[3 * (o + bin) + 1]; nl += Int(c.hist.v[3 * (o + bin) + 2])
                    if nl < minSamplesLeaf || hl < 1e-3 { continue }
                    let nr = c.rows.count - nl, gr = G - gl, hr = H - hl
                    if nr < minSamplesLeaf { break }
                    if hr < 1e-3 { break }
                    let gain = parent - gl * Self.nodeValue(gl, hl, lambda) - gr * Self.nodeValue(gr, hr, lambda)
                    if gain > 0 && (c.feature < 0 || gain > c.gain) { c.gain = gain; c.feature = j; c.bin = bin }
                }
            }
        }
        let all = Array(0..<b.rows)
        var root = Candidate(rows: all, depth: 0, node: addNode(all), hist: histogram(all))
        findSplit(&root)
        var open = [root]
        var leaves = 1
        var leafOfRow = [Int](repeating: 0, count: b.rows)
        while !open.isEmpty && leaves < (maxLeafNodes ?? Int.max) {
            // Split the open leaf with the largest gain (the first one on ties).
            var k = 0
            for i in open.indices where open[i].gain > open[k].gain { k = i }
            guard open[k].feature >= 0 else { break }
            let c = open.remove(at: k)
            let column = c.feature * b.rows
            var left: [Int] = [], right: [Int] = []
            for i in c.rows { if Int(b.codes[column + i]) <= c.bin { left.append(i) } else { right.append(i) } }
            tree.feature[c.node] = Int32(c.feature)
            tree.threshold[c.node] = b.edges[c.feature][c.bin]
            tree.decrease[c.node] = c.gain / 2  // the loss reduction of the split (the gain above omits the ½)
            let l = addNode(left), r = addNode(right)
            tree.left[c.node] = Int32(l); tree.right[c.node] = Int32(r)
            // Histogram of the smaller child by a pass over its rows; the larger one's by subtraction.
            let small = left.count <= right.count ? left : right
            let smallHist = histogram(small)
            var bigHist = c.hist
            for i in bigHist.v.indices { bigHist.v[i] -= smallHist.v[i] }
            let (lh, rh) = left.count <= right.count ? (smallHist, bigHist) : (bigHist, smallHist)
            var lc = Candidate(rows: left, depth: c.depth + 1, node: l, hist: lh)
            var rc = Candidate(rows: right, depth: c.depth + 1, node: r, hist: rh)
            findSplit(&lc); findSplit(&rc)
            open.append(lc); open.append(rc)
            leaves += 1
        }
        for c in open { for i in c.rows { leafOfRow[i] = c.node } }
        // Rows of leaves closed earlier (no valid split) are in `open` too: every leaf stays there until split.
        return (tree, leafOfRow)
    }
}

/// A fitted boosting model: baseline log-odds plus the trees' leaf values.
public struct FittedBoosting: FittedClassifier, Equatable {
    public let baseline: Double
    public let trees: [FittedTree]
    public let width: Int

    public var inputWidth: Int { width }

    public var ownImportance: (kind: String, values: [Double])? { ("gain", gainImportance) }

    /// Gain importance (LightGBM's `importance_type="gain"`): each feature's loss reduction summed over every
    /// split of every tree, normalized to sum 1.
    public var gainImportance: [Double] { Self.gainImportance(trees, width: width) }

    /// The same over any boosting trees reading `width` inputs (a multiclass model's too).
    static func gainImportance(_ trees: [FittedTree], width: Int) -> [Double] {
        var total = [Double](repeating: 0, count: width)
        for t in trees where t.decrease.count == t.feature.count {
            for (n, f) in t.feature.enumerated() where f >= 0 { total[Int(f)] += t.decrease[n] }
        }
        let sum = total.reduce(0, +)
        return sum > 0 ? total.map { $0 / sum } : total
    }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: width)
        var z = [Double](repeating: baseline, count: x.rows)
        for t in trees { t.addLeafValues(x, to: &z) }
        return z.map(Logistic.sigmoid)
    }

    static let formatVersion: UInt32 = 2

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(baseline); w.write(width); w.write(trees.count)
        for t in trees { t.encode(to: &w) }
    }

    public init(baseline: Double, trees: [FittedTree], width: Int) {
        self.baseline = baseline
        self.trees = trees
        self.width = width
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("gradient boosting", version: Self.formatVersion)
        let baseline = try r.readDouble(), width = try r.readInt()
        let trees = try (0..<r.readCount()).map { _ in try FittedTree(from: &r) }
        guard width >= 0 else { throw BinaryFormatError.inconsistent("boosting: width") }
        for t in trees { try t.check(width: width) }
        self.init(baseline: baseline, trees: trees, width: width)
    }
}

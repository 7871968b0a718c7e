import AssayCore

/// Exact SHAP values of tree models by path-dependent TreeSHAP (Lundberg, Erion and Lee, "Consistent Individualized
/// Feature Attribution for Tree Ensembles", Algorithm 2; the `shap` package's `tree_shap` without conditioning): each
/// tree's leaf values are shared among the features on the paths to them, a feature absent from a coalition following
/// both branches of its splits in proportion to the training rows that went each way (the nodes' covers).
///
/// For one tree with covers c and a row x, the values φ satisfy E + Σⱼ φⱼ = the tree's output for x, where E is the
/// cover-weighted mean of the leaf values. An ensemble's values are its trees' values combined as its output combines
/// the trees (averaged for a forest, summed for boosting).
public enum TreeSHAP {
    /// One element of the path of unique features from the root (shap's `PathElement`).
    struct Element {
        var feature: Int
        var zero: Double
        var one: Double
        var weight: Double
    }

    /// The cover-weighted mean of the leaf values under `node` (shap's expected value at the root).
    public static func expectedValue(_ tree: FittedTree, cover: [Double], node: Int = 0) -> Double {
        let f = tree.feature[node]
        guard f >= 0 else { return tree.value[node] }
        let l = Int(tree.left[node]), r = Int(tree.right[node])
        guard cover[node] > 0 else { return 0 }
        return (cover[l] * expectedValue(tree, cover: cover, node: l) + cover[r] * expectedValue(tree, cover: cover, node: r)) / cover[node]
    }

    /// Adds `scale` × the SHAP values of `row` (one value per input column) for `tree` to `phi`.
    public static func add(_ tree: FittedTree, cover: [Double], row: UnsafePointer<Double>, scale: Double = 1, to phi: inout [Double]) {
        let depth = tree.maxDepth + 2
        var path = [Element](repeating: Element(feature: -1, zero: 0, one: 0, weight: 0), count: depth * (depth + 1) / 2 + depth)
        path.withUnsafeMutableBufferPointer { p in
            phi.withUnsafeMutableBufferPointer { out in
                recurse(tree, cover, row, scale, out, p, start: 0, node: 0, depth: 0, zero: 1, one: 1, feature: -1)
            }
        }
    }

    static func recurse(_ tree: FittedTree, _ cover: [Double], _ x: UnsafePointer<Double>, _ scale: Double, _ phi: UnsafeMutableBufferPointer<Double>,
                        _ buffer: UnsafeMutableBufferPointer<Element>, start parentStart: Int, node: Int, depth parentDepth: Int,
                        zero: Double, one: Double, feature: Int) {
        // This call's path is a copy of its parent's, placed after it.
        var depth = parentDepth
        let start = node == 0 ? 0 : parentStart + depth
        if node != 0 { for i in 0..<depth { buffer[start + i] = buffer[parentStart + i] } }
        let path = UnsafeMutableBufferPointer(rebasing: buffer[start...])
        extend(path, depth, zero, one, feature)
        let split = Int(tree.feature[node])
        if split < 0 {
            for i in 1...max(depth, 1) where i <= depth {
                let w = unwoundSum(path, depth, i), e = path[i]
                phi[e.feature] += w * (e.one - e.zero) * tree.value[node] * scale
            }
            return
        }
        let goesLeft = x[split] <= tree.threshold[node]
        let hot = Int(goesLeft ? tree.left[node] : tree.right[node]), cold = Int(goesLeft ? tree.right[node] : tree.left[node])
        let w = cover[node]
        let hotZero = w > 0 ? cover[hot] / w : 0, coldZero = w > 0 ? cover[cold] / w : 0
        var incomingZero = 1.0, incomingOne = 1.0
        // A feature split on before: undo that split, to redo it here.
        if let k = (0...depth).first(where: { path[$0].feature == split }) {
            incomingZero = path[k].zero
            incomingOne = path[k].one
            unwind(path, depth, k)
            depth -= 1
        }
        recurse(tree, cover, x, scale, phi, buffer, start: start, node: hot, depth: depth + 1, zero: hotZero * incomingZero, one: incomingOne, feature: split)
        recurse(tree, cover, x, scale, phi, buffer, start: start, node: cold, depth: depth + 1, zero: coldZero * incomingZero, one: 0, feature: split)
    }

    /// shap's `extend_path`: adds a feature with the fractions of rows that follow the path with it absent (zero) and
    /// present (one).
    static func extend(_ path: UnsafeMutableBufferPointer<Element>, _ depth: Int, _ zero: Double, _ one: Double, _ feature: Int) {
        path[depth] = Element(feature: feature, zero: zero, one: one, weight: depth == 0 ? 1 : 0)
        var i = depth - 1
        while i >= 0 {
            path[i + 1].weight += one * path[i].weight * Double(i + 1) / Double(depth + 1)
            path[i].weight = zero * path[i].weight * Double(depth - i) / Double(depth + 1)
            i -= 1
        }
    }

    /// shap's `unwind_path`: removes element `index`.
    static func unwind(_ path: UnsafeMutableBufferPointer<Element>, _ depth: Int, _ index: Int) {
        let one = path[index].one, zero = path[index].zero
        var next = path[depth].weight
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let t = path[i].weight
                path[i].weight = next * Double(depth + 1) / (Double(i + 1) * one)
                next = t - path[i].weight * zero * Double(depth - i) / Double(depth + 1)
            } else {
                path[i].weight = path[i].weight * Double(depth + 1) / (zero * Double(depth - i))
            }
            i -= 1
        }
        for k in index..<depth {
            path[k].feature = path[k + 1].feature
            path[k].zero = path[k + 1].zero
            path[k].one = path[k + 1].one
        }
    }

    /// shap's `unwound_path_sum`: the total weight of the path with element `index` removed.
    static func unwoundSum(_ path: UnsafeMutableBufferPointer<Element>, _ depth: Int, _ index: Int) -> Double {
        let one = path[index].one, zero = path[index].zero
        var next = path[depth].weight, total = 0.0
        var i = depth - 1
        while i >= 0 {
            if one != 0 {
                let t = next * Double(depth + 1) / (Double(i + 1) * one)
                total += t
                next = path[i].weight - t * zero * (Double(depth - i) / Double(depth + 1))
            } else if zero != 0 {
                total += (path[i].weight / zero) / (Double(depth - i) / Double(depth + 1))
            }
            i -= 1
        }
        return total
    }
}

extension FittedTree {
    /// The number of splits on the longest path from the root.
    public var maxDepth: Int {
        var depth = [Int](repeating: 0, count: feature.count), deepest = 0
        for n in feature.indices where feature[n] >= 0 {
            depth[Int(left[n])] = depth[n] + 1
            depth[Int(right[n])] = depth[n] + 1
            deepest = max(deepest, depth[n] + 1)
        }
        return deepest
    }

    /// How many of the rows of `x` reach each node (the covers TreeSHAP weighs branches by).
    public func covers(_ x: Matrix) -> [Double] {
        var c = [Double](repeating: 0, count: feature.count)
        for r in 0..<x.rows {
            var n = 0
            c[0] += 1
            while feature[n] >= 0 {
                n = Int(x[r, Int(feature[n])] <= threshold[n] ? left[n] : right[n])
                c[n] += 1
            }
        }
        return c
    }
}

/// A model whose raw output is `offset + weight × Σ trees` (a forest averages its trees, boosting adds its trees to a
/// baseline), and so is explained exactly by TreeSHAP.
public protocol TreeExplainable {
    var explainedTrees: [FittedTree] { get }
    /// Each tree's weight in the raw output (1/trees for a forest, 1 for boosting).
    var treeWeight: Double { get }
    /// The constant of the raw output (boosting's baseline; 0 for a forest).
    var rawOffset: Double { get }
    /// What the raw output is: `probability`, `log-odds`, `value` or `log of the value`.
    var rawOutput: String { get }
}

extension FittedForest: TreeExplainable {
    public var explainedTrees: [FittedTree] { trees }
    public var treeWeight: Double { 1 / Double(trees.count) }
    public var rawOffset: Double { 0 }
    public var rawOutput: String { "probability" }
}

extension FittedForestRegressor: TreeExplainable {
    public var explainedTrees: [FittedTree] { forest.trees }
    public var treeWeight: Double { forest.treeWeight }
    public var rawOffset: Double { 0 }
    public var rawOutput: String { "value" }
}

extension FittedBoosting: TreeExplainable {
    public var explainedTrees: [FittedTree] { trees }
    public var treeWeight: Double { 1 }
    public var rawOffset: Double { baseline }
    public var rawOutput: String { "log-odds" }
}

extension FittedBoostingRegressor: TreeExplainable {
    public var explainedTrees: [FittedTree] { trees }
    public var treeWeight: Double { 1 }
    public var rawOffset: Double { baseline }
    public var rawOutput: String { logLink ? "log of the value" : "value" }
}

/// A linear model: raw output = intercept + coefficients · x (the log-odds of a logistic regression).
public protocol LinearExplainable {
    var coefficients: [Double] { get }
    var intercept: Double { get }
    var rawOutput: String { get }
}

extension FittedLogisticRegression: LinearExplainable {
    public var rawOutput: String { "log-odds" }
}

extension FittedLinearRegressor: LinearExplainable {
    public var rawOutput: String { "value" }
}

/// SHAP values of some rows: one value per model input column and row, the expected value and each row's raw output,
/// which the values and the expected value add up to.
public struct ShapValues: Sendable, Equatable {
    public var expected: Double
    /// Row-major: row r's value for column j is values[r × width + j].
    public var values: [Double]
    public var width: Int
    public var raw: [Double]
    public var rawOutput: String
    /// `tree` (path-dependent TreeSHAP) or `linear`.
    public var method: String = "tree"

    public init(expected: Double, values: [Double], width: Int, raw: [Double], rawOutput: String, method: String = "tree") {
        self.expected = expected
        self.values = values
        self.width = width
        self.raw = raw
        self.rawOutput = rawOutput
        self.method = method
    }

    /// Exact SHAP values of a linear model with independent features, the `shap` package's `LinearExplainer`
    /// (interventional) with the training rows as the background: φⱼ = wⱼ (xⱼ − mean of xⱼ over the training rows), and
    /// the expected value is the raw output at those means.
    public init(linear model: LinearExplainable, training: Matrix, rows x: Matrix) {
        let w = model.coefficients
        var mean = [Double](repeating: 0, count: x.cols)
        for r in 0..<training.rows { for j in 0..<x.cols { mean[j] += training[r, j] } }
        for j in mean.indices { mean[j] /= Double(max(training.rows, 1)) }
        var expected = model.intercept
        for j in w.indices { expected += w[j] * mean[j] }
        var values = [Double](repeating: 0, count: x.rows * x.cols), raw = [Double](repeating: model.intercept, count: x.rows)
        for r in 0..<x.rows {
            for j in 0..<x.cols {
                values[r * x.cols + j] = w[j] * (x[r, j] - mean[j])
                raw[r] += w[j] * x[r, j]
            }
        }
        self.init(expected: expected, values: values, width: x.cols, raw: raw, rawOutput: model.rawOutput, method: "linear")
    }

    /// Explains the rows of `x` with the covers the rows of `training` give each node.
    public init(_ model: TreeExplainable, training: Matrix, rows x: Matrix) {
        let trees = model.explainedTrees, weight = model.treeWeight
        let covers = trees.map { $0.covers(training) }
        var expected = model.rawOffset
        for (t, c) in zip(trees, covers) { expected += weight * TreeSHAP.expectedValue(t, cover: c) }
        var values = [Double](repeating: 0, count: x.rows * x.cols), raw = [Double](repeating: model.rawOffset, count: x.rows)
        var phi = [Double](repeating: 0, count: x.cols)
        x.values.withUnsafeBufferPointer { v in
            for r in 0..<x.rows {
                guard let row = v.baseAddress.map({ $0 + r * x.cols }) else { continue }
                for j in phi.indices { phi[j] = 0 }
                for (t, c) in zip(trees, covers) {
                    TreeSHAP.add(t, cover: c, row: row, scale: weight, to: &phi)
                    raw[r] += weight * t.leafValue(row)
                }
                for j in phi.indices { values[r * x.cols + j] = phi[j] }
            }
        }
        self.init(expected: expected, values: values, width: x.cols, raw: raw, rawOutput: model.rawOutput)
    }

    /// The largest |expected + Σ values − raw output| over the rows: how exactly the values add up.
    public var additivityError: Double {
        var worst = 0.0
        for r in raw.indices {
            var s = expected
            for j in 0..<width { s += values[r * width + j] }
            worst = max(worst, abs(s - raw[r]))
        }
        return worst
    }
}

extension ShapValues: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.write(expected); w.write(values); w.write(width); w.write(raw); w.write(rawOutput); w.write(method)
    }

    public init(from r: inout ByteReader) throws {
        let expected = try r.readDouble(), values = try r.readDoubles(), width = try r.readInt(), raw = try r.readDoubles()
        guard width >= 0, values.count == raw.count * width else { throw BinaryFormatError.inconsistent("SHAP values") }
        self.init(expected: expected, values: values, width: width, raw: raw, rawOutput: try r.readString(), method: try r.readString())
    }
}

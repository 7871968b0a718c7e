import AssayCore

/// Exact CART for one regression tree, grown as scikit-learn's `DecisionTreeRegressor` (the `best` splitter, squared
/// error, depth first) grows it: at each node every boundary between a node's distinct values of a candidate feature
/// (values closer than 1e-7 count as one) is tried, and the first split with the largest S_l²/W_l + S_r²/W_r is
/// taken, its threshold the midpoint `v/2 + v'/2`. Candidate features are drawn as scikit-learn's splitter draws them —
/// a Fisher–Yates pass over one feature array kept from node to node, features found constant set aside for the
/// node's descendants — from its `rand_r` stream; a node is a leaf when its depth, size or `min_samples_leaf` forbid a
/// split or its variance is at most machine epsilon. With the same seed for that stream (`random_state: N` seeds it
/// from numpy's `RandomState(N)`, as scikit-learn does) the same rows give scikit-learn's tree; where the histogram
/// grower (`TreeGrower`) bins a column with more than 255 distinct values, this one is exact. It sorts each candidate
/// feature's node rows, O(n log n) per feature and node, so forests keep the binned grower.
struct ExactRegressionTreeGrower {
    /// A node waiting to be split: its rows, its depth and index, Σy and Σy² of its rows, and how many features its
    /// ancestors found constant (they lead the feature array).
    struct Node { var rows: [Int], depth: Int, id: Int, s: Double, s2: Double, constants: Int }

    let settings: TreeSettings
    let x: Matrix
    let y: [Double]
    /// Sample weights: Σw, Σw·y and Σw·y² take the place of counts and sums (`min_samples_leaf` and `min_samples_split`
    /// still count rows); nil weighs every row 1. Rows of weight 0 must be left out of the root.
    var weights: [Double]? = nil

    /// scikit-learn's `FEATURE_THRESHOLD`: values closer than this are not split between.
    static let featureThreshold = 1e-7

    /// scikit-learn's `our_rand_r`: a xorshift step, reduced to 31 bits.
    static func randR(_ state: inout UInt32) -> UInt32 {
        if state == 0 { state = 1 }
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        return state % 0x8000_0000
    }

    /// Grows the tree; `seed` is the splitter's `rand_r` state (scikit-learn draws it as `randint(0, 2**31 - 1)`).
    func grow(seed: UInt32) -> FittedTree {
        var tree = FittedTree()
        var state = seed
        let p = x.cols
        let maxFeatures = settings.maxFeatures.count(of: p)
        var features = Array(0..<p), constantFeatures = [Int](repeating: 0, count: p)
        func newNode(_ rows: [Int], _ depth: Int, constants: Int) -> Node {
            var s = 0.0, s2 = 0.0
            if let weights {
                for i in rows { s += weights[i] * y[i]; s2 += weights[i] * y[i] * y[i] }
            } else {
                for i in rows { s += y[i]; s2 += y[i] * y[i] }
            }
            let w = weightOf(rows)
            tree.feature.append(-1); tree.threshold.append(0); tree.left.append(-1); tree.right.append(-1)
            tree.value.append(w > 0 ? s / w : 0)
            tree.decrease.append(0)
            return Node(rows: rows, depth: depth, id: tree.feature.count - 1, s: s, s2: s2, constants: constants)
        }
        var stack = [newNode(weights.map { w in (0..<x.rows).filter { w[$0] > 0 } } ?? Array(0..<x.rows), 0, constants: 0)]
        var pairs: [(value: Double, row: Int)] = []
        pairs.reserveCapacity(x.rows)
        while let node = stack.popLast() {
            let n = node.rows.count, w = weightOf(node.rows)
            let mean = node.s / w
            let impurity = node.s2 / w - mean * mean
            if node.depth >= (settings.maxDepth ?? Int.max) || n < settings.minSamplesSplit || n < 2 * settings.minSamplesLeaf
                || impurity <= Double.ulpOfOne { continue }
            // scikit-learn's BestSplitter.node_split.
            var best: (proxy: Double, feature: Int, threshold: Double)? = nil
            var visited = 0, foundConstants = 0, drawnConstants = 0
            let knownConstants = node.constants
            var totalConstants = knownConstants
            var fi = p
            while fi > totalConstants && (visited < maxFeatures || visited <= foundConstants + drawnConstants) {
                visited += 1
                var fj = drawnConstants + Int(Self.randR(&state) % UInt32(fi - foundConstants - drawnConstants))
                if fj < knownConstants {
                    features.swapAt(drawnConstants, fj)
                    drawnConstants += 1
                    continue
                }
                fj += foundConstants
                let feature = features[fj]
                pairs.removeAll(keepingCapacity: true)
                for i in node.rows { pairs.append((x.values[i * p + feature], i)) }
                pairs.sort { $0.value != $1.value ? $0.value < $1.value : $0.row < $1.row }
                if pairs[n - 1].value <= pairs[0].value + Self.featureThreshold {
                    features.swapAt(fj, totalConstants)
                    foundConstants += 1
                    totalConstants += 1
                    continue
                }
                fi -= 1
                features.swapAt(fi, fj)
                // Boundaries as scikit-learn's `next_p` finds them: past each run of values within the threshold.
                var position = 0, added = 0, sl = 0.0, addedWeight = 0.0
                while position < n {
                    while position + 1 < n && pairs[position + 1].value <= pairs[position].value + Self.featureThreshold { position += 1 }
                    let previous = position
                    position += 1
                    if position >= n { continue }
                    let left = position
                    if left < settings.minSamplesLeaf || n - left < settings.minSamplesLeaf { continue }
                    if let weights {
                        while added < left { let i = pairs[added].row; sl += weights[i] * y[i]; addedWeight += weights[i]; added += 1 }
                    } else {
                        while added < left { sl += y[pairs[added].row]; added += 1 }
                    }
                    let wl = weights == nil ? Double(left) : addedWeight, sr = node.s - sl
                    let proxy = sl * sl / wl + sr * sr / (w - wl)
                    if best == nil || proxy > best!.proxy {
                        var t = pairs[previous].value / 2 + pairs[left].value / 2
                        if t == pairs[left].value || !t.isFinite { t = pairs[previous].value }
                        best = (proxy, feature, t)
                    }
                }
            }
            // The ancestors' constants keep their order for the siblings; the ones found here are remembered for the children.
            for c in 0..<knownConstants { features[c] = constantFeatures[c] }
            for c in knownConstants..<totalConstants { constantFeatures[c] = features[c] }
            guard let split = best else { continue }
            var leftRows: [Int] = [], rightRows: [Int] = []
            for i in node.rows { if x.values[i * p + split.feature] <= split.threshold { leftRows.append(i) } else { rightRows.append(i) } }
            tree.feature[node.id] = Int32(split.feature)
            tree.threshold[node.id] = split.threshold
            tree.decrease[node.id] = split.proxy - node.s * node.s / w
            let l = newNode(leftRows, node.depth + 1, constants: totalConstants), r = newNode(rightRows, node.depth + 1, constants: totalConstants)
            tree.left[node.id] = Int32(l.id); tree.right[node.id] = Int32(r.id)
            stack.append(r)
            stack.append(l)
        }
        return tree
    }

    /// The rows' total weight (their count without sample weights).
    func weightOf(_ rows: [Int]) -> Double {
        guard let weights else { return Double(rows.count) }
        return rows.reduce(0.0) { $0 + weights[$1] }
    }
}

/// Statistics of binary labels ranked by a score: the ROC curve's steps and its area. Data profiling scores a
/// column alone with them, and metrics score a model's probabilities.
public enum RankStatistics {
    /// Cumulative (false positives, true positives) at each distinct score, from the highest score down.
    /// With `weights` (sample weights), each row counts its weight.
    public static func curve(_ y: [UInt8], _ p: [Double], weights: [Double]? = nil) -> [(fp: Double, tp: Double)] {
        let order = p.indices.sorted { p[$0] > p[$1] }
        var points: [(fp: Double, tp: Double)] = []
        var tp = 0.0, fp = 0.0
        for (k, i) in order.enumerated() {
            let w = weights?[i] ?? 1
            if y[i] == 1 { tp += w } else { fp += w }
            if k == order.count - 1 || p[order[k + 1]] != p[i] { points.append((fp, tp)) }  // tied scores form one step
        }
        return points
    }

    /// Area under the ROC curve by the trapezoidal rule over distinct scores (ties count half, as in scikit-learn).
    public static func rocAUC(_ y: [UInt8], _ p: [Double]) -> Double {
        let pts = curve(y, p)
        guard let last = pts.last, last.tp > 0, last.fp > 0 else { return .nan }
        var area = 0.0, prevFP = 0.0, prevTP = 0.0
        for pt in pts {
            area += (pt.fp - prevFP) * (pt.tp + prevTP) / 2
            prevFP = pt.fp; prevTP = pt.tp
        }
        return area / (last.tp * last.fp)
    }

    /// Harrell's concordance index of `x` for a numeric target `y`: over the pairs of rows whose targets differ, the share
    /// that `x` orders as `y` does, a tie in `x` counting half (the ROC-AUC when `y` has two values); NaN without such a
    /// pair. A missing (NaN) score ranks below every other. O(n log n): rows in target order, a Fenwick tree of `x` ranks.
    public static func concordance(_ y: [Double], _ x: [Double]) -> Double {
        precondition(y.count == x.count, "targets and scores differ in length")
        let x = x.map { $0.isNaN ? -Double.infinity : $0 }
        let distinct = Array(Set(x)).sorted()
        var rank: [Double: Int] = [:]
        for (k, v) in distinct.enumerated() { rank[v] = k + 1 }
        var tree = [Int](repeating: 0, count: distinct.count + 1)
        func below(_ k: Int) -> Int { var s = 0, i = k; while i > 0 { s += tree[i]; i -= i & -i }; return s }  // ranks ≤ k
        let order = y.indices.sorted { y[$0] < y[$1] }
        var concordant = 0.0, tied = 0.0, comparable = 0.0, inserted = 0, start = 0
        while start < order.count {
            var end = start
            while end < order.count && y[order[end]] == y[order[start]] { end += 1 }
            for i in order[start..<end] {  // against every earlier row, whose target is smaller
                let k = rank[x[i]] ?? 1  // every score has a rank ≥ 1
                let less = below(k - 1), equal = below(k) - less
                concordant += Double(less); tied += Double(equal); comparable += Double(inserted)
            }
            for i in order[start..<end] { var k = rank[x[i]] ?? 1; while k < tree.count { tree[k] += 1; k += k & -k } }
            inserted += end - start
            start = end
        }
        return comparable > 0 ? (concordant + tied / 2) / comparable : .nan
    }
}

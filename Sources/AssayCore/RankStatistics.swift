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
}

import AssayCore
import Foundation

/// Metric values with scikit-learn's definitions.
///
/// Threshold metrics call a row positive when its probability is above `threshold` (0.5: scikit-learn's
/// `predict`). Undefined ratios (precision with no predicted positive, and so on) are 0, as with
/// scikit-learn's `zero_division` default; ROC-AUC and average precision are NaN when a class is absent.
public enum Scoring {
    /// `weights`, when given, are sample weights: each row counts that much (scikit-learn's `sample_weight`).
    public static func score(_ metric: Metric, labels y: [UInt8], probabilities p: [Double], threshold: Double = 0.5, weights: [Double]? = nil) -> Double {
        precondition(y.count == p.count, "labels and probabilities differ in length")
        if let weights {
            precondition(weights.count == y.count, "labels and weights differ in length")
            return Bootstrap.weightedScore(metric, y, p, weights, order: p.indices.sorted { p[$0] > p[$1] }, threshold: threshold)
        }
        switch metric {
        case .rocAUC: return rocAUC(y, p)
        case .prAUC: return averagePrecision(y, p)
        case .logLoss: return logLoss(y, p)
        case .brier: return zip(y, p).reduce(0) { $0 + ($1.1 - Double($1.0)) * ($1.1 - Double($1.0)) } / Double(max(y.count, 1))
        default:
            return thresholdMetric(metric, Confusion(y, p, threshold: threshold), rows: Double(max(y.count, 1)))
        }
    }

    /// A metric of the confusion counts (which may be weighted).
    static func thresholdMetric(_ metric: Metric, _ c: Confusion, rows: Double) -> Double {
        switch metric {
        case .precision: return c.precision
        case .recall: return c.recall
        case .f1: return c.tp == 0 ? 0 : 2 * c.tp / (2 * c.tp + c.fp + c.fn)
        case .accuracy: return (c.tp + c.tn) / rows
        case .balancedAccuracy:
            let tnr = c.tn + c.fp == 0 ? 0 : c.tn / (c.tn + c.fp)
            return (c.recall + tnr) / 2
        case .mcc:
            let d = ((c.tp + c.fp) * (c.tp + c.fn) * (c.tn + c.fp) * (c.tn + c.fn)).squareRoot()
            return d == 0 ? 0 : (c.tp * c.tn - c.fp * c.fn) / d
        default: return .nan
        }
    }

    struct Confusion {
        var tp = 0.0, fp = 0.0, tn = 0.0, fn = 0.0
        init(_ y: [UInt8], _ p: [Double], threshold: Double) {
            for (label, prob) in zip(y, p) {
                let predicted = prob > threshold
                switch (label == 1, predicted) {
                case (true, true): tp += 1
                case (false, true): fp += 1
                case (false, false): tn += 1
                case (true, false): fn += 1
                }
            }
        }
        var precision: Double { tp + fp == 0 ? 0 : tp / (tp + fp) }
        var recall: Double { tp + fn == 0 ? 0 : tp / (tp + fn) }
    }

    /// Cumulative (false positives, true positives) at each distinct score, from the highest score down.
    public static func curve(_ y: [UInt8], _ p: [Double]) -> [(fp: Double, tp: Double)] { RankStatistics.curve(y, p) }

    /// Area under the ROC curve (see `RankStatistics.rocAUC`).
    public static func rocAUC(_ y: [UInt8], _ p: [Double]) -> Double { RankStatistics.rocAUC(y, p) }

    /// Average precision: Σ (Rₙ − Rₙ₋₁)·Pₙ over distinct scores (scikit-learn's `average_precision_score`, no interpolation).
    public static func averagePrecision(_ y: [UInt8], _ p: [Double]) -> Double {
        let pts = curve(y, p)
        guard let total = pts.last?.tp, total > 0 else { return .nan }
        var ap = 0.0, prevRecall = 0.0
        for pt in pts {
            let recall = pt.tp / total
            ap += (recall - prevRecall) * (pt.tp / (pt.tp + pt.fp))
            prevRecall = recall
        }
        return ap
    }

    /// Mean negative log-likelihood, probabilities clipped to [ε, 1 − ε] with ε the double's machine epsilon.
    public static func logLoss(_ y: [UInt8], _ p: [Double]) -> Double {
        let eps = Double.ulpOfOne
        var s = 0.0
        for (label, prob) in zip(y, p) {
            let q = min(max(prob, eps), 1 - eps)
            s -= label == 1 ? log(q) : log(1 - q)
        }
        return s / Double(max(y.count, 1))
    }
}

import AssayCore
import Foundation

/// Bootstrap confidence intervals for metrics on one set of scored rows: the rows are resampled with
/// replacement `resamples` times (seeded), each metric is computed on every resample, and the interval is
/// the 2.5th and 97.5th percentile of those values (numpy's linear interpolation). A resample is represented
/// by how often it drew each row, so no resampled copy is built and the rows are sorted once.
public enum Bootstrap {
    /// `weights` (sample weights, `data.weight`) multiply each drawn row's count.
    public static func intervals(_ metrics: [Metric], labels y: [UInt8], probabilities p: [Double], threshold: Double, weights: [Double]? = nil,
                                 resamples: Int = 1000, level: Double = 0.95, using rng: inout SplitMix64) -> [Metric: (low: Double, high: Double)] {
        let order = p.indices.sorted { p[$0] > p[$1] }
        let losses = Losses(y, p)
        return intervals(metrics, rows: y.count, weights: weights, resamples: resamples, level: level, using: &rng) { m, counts in
            weightedScore(m, y, p, counts, order: order, threshold: threshold, losses: losses)
        }
    }

    /// The same for regression predictions `p` of the values `y`.
    public static func intervals(_ metrics: [Metric], values y: [Double], predictions p: [Double], weights: [Double]? = nil,
                                 resamples: Int = 1000, level: Double = 0.95, using rng: inout SplitMix64) -> [Metric: (low: Double, high: Double)] {
        intervals(metrics, rows: y.count, weights: weights, resamples: resamples, level: level, using: &rng) { m, counts in
            RegressionScoring.score(m, values: y, predictions: p, weights: counts)
        }
    }

    /// The resampling loop: `score` computes a metric with each row counted as often as the resample drew it (times
    /// its sample weight, when `weights` are given).
    static func intervals(_ metrics: [Metric], rows n: Int, weights: [Double]? = nil, resamples: Int, level: Double, using rng: inout SplitMix64,
                          score: (Metric, [Double]) -> Double) -> [Metric: (low: Double, high: Double)] {
        guard n > 0 else { return [:] }
        var values = [Metric: [Double]]()
        var counts = [Double](repeating: 0, count: n)
        for _ in 0..<resamples {
            for i in counts.indices { counts[i] = 0 }
            for _ in 0..<n { counts[Int.random(in: 0..<n, using: &rng)] += 1 }
            if let weights { for i in counts.indices { counts[i] *= weights[i] } }
            for m in metrics { values[m, default: []].append(score(m, counts)) }
        }
        let tail = (1 - level) / 2 * 100
        return values.mapValues { v in
            let finite = v.filter { !$0.isNaN }.sorted()
            guard !finite.isEmpty else { return (Double.nan, Double.nan) }
            return (Stats.percentile(finite, tail), Stats.percentile(finite, 100 - tail))
        }
    }

    /// Each row's log loss and squared error, computed once for every resample.
    struct Losses {
        let log: [Double], squared: [Double]
        init(_ y: [UInt8], _ p: [Double]) {
            let eps = Double.ulpOfOne
            log = zip(y, p).map { label, prob in
                let q = min(max(prob, eps), 1 - eps)
                return label == 1 ? -Foundation.log(q) : -Foundation.log(1 - q)
            }
            squared = zip(y, p).map { ($1 - Double($0)) * ($1 - Double($0)) }
        }
    }

    /// `Scoring.score` on the rows repeated `w[i]` times each; `order` sorts the rows by score, highest first.
    static func weightedScore(_ metric: Metric, _ y: [UInt8], _ p: [Double], _ w: [Double], order: [Int], threshold: Double,
                              losses: Losses? = nil) -> Double {
        let total = w.reduce(0, +)
        switch metric {
        case .rocAUC, .prAUC:
            var tp = 0.0, fp = 0.0, prevTP = 0.0, prevFP = 0.0, area = 0.0
            var positives = 0.0
            for i in order where y[i] == 1 { positives += w[i] }
            for (k, i) in order.enumerated() {
                if y[i] == 1 { tp += w[i] } else { fp += w[i] }
                guard k == order.count - 1 || p[order[k + 1]] != p[i] else { continue }  // tied scores are one step
                if metric == .rocAUC {
                    area += (fp - prevFP) * (tp + prevTP) / 2
                } else if tp + fp > 0, positives > 0 {
                    area += (tp - prevTP) / positives * (tp / (tp + fp))
                }
                prevTP = tp; prevFP = fp
            }
            if metric == .rocAUC { return tp > 0 && fp > 0 ? area / (tp * fp) : .nan }
            return positives > 0 ? area : .nan
        case .logLoss, .brier:
            let l = losses ?? Losses(y, p)
            let per = metric == .logLoss ? l.log : l.squared
            var sum = 0.0
            for i in y.indices where w[i] > 0 { sum += w[i] * per[i] }
            return sum / total
        default:
            var c = Scoring.Confusion([], [], threshold: threshold)
            for i in y.indices where w[i] > 0 {
                switch (y[i] == 1, p[i] > threshold) {
                case (true, true): c.tp += w[i]
                case (false, true): c.fp += w[i]
                case (false, false): c.tn += w[i]
                case (true, false): c.fn += w[i]
                }
            }
            return Scoring.thresholdMetric(metric, c, rows: total)
        }
    }
}

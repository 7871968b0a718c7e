import AssayCore
import Foundation

/// Scores of multiclass predictions, as scikit-learn defines them. `y` holds each row's class index (0 ..< k) and
/// `p` its k class probabilities, row after row; the predicted class is the most probable one (the lowest index of
/// equals, as `argmax` takes it). Optional per-row weights count a row that many times (a bootstrap resample).
public enum MulticlassScoring {
    /// Rows scored once: the predicted classes and (`ranked`, for ROC-AUC) per class the rows in descending order of its
    /// probability.
    public struct Rows: Sendable {
        public let labels: [UInt8]
        public let probabilities: [Double]
        public let classes: Int
        public let predicted: [Int]
        let orders: [[Int]]?

        public init(labels: [UInt8], probabilities: [Double], classes k: Int, ranked: Bool = true) {
            self.labels = labels
            self.probabilities = probabilities
            self.classes = k
            predicted = labels.indices.map { i in
                var best = 0
                for c in 1..<k where probabilities[i * k + c] > probabilities[i * k + best] { best = c }
                return best
            }
            orders = ranked ? (0..<k).map { Self.order(of: $0, probabilities, k) } : nil
        }

        /// The rows in descending order of class `c`'s probability.
        static func order(of c: Int, _ p: [Double], _ k: Int) -> [Int] { (0..<(p.count / k)).sorted { p[$0 * k + c] > p[$1 * k + c] } }

        public var count: Int { labels.count }
    }

    public static func score(_ metric: Metric, labels y: [UInt8], probabilities p: [Double], classes k: Int) -> Double {
        score(metric, Rows(labels: y, probabilities: p, classes: k, ranked: metric == .rocAUCOvr))
    }

    /// The confusion matrix: `matrix[t][q]` is the (weighted) count of rows of class t predicted as class q.
    public static func confusion(_ rows: Rows, weights w: [Double]? = nil) -> [[Double]] {
        var m = [[Double]](repeating: [Double](repeating: 0, count: rows.classes), count: rows.classes)
        for i in rows.labels.indices { m[Int(rows.labels[i])][rows.predicted[i]] += w?[i] ?? 1 }
        return m
    }

    /// Per class (in class order): precision, recall, F1 and support (rows of the class), each 0 where undefined
    /// (scikit-learn's `zero_division` default).
    public static func perClass(_ m: [[Double]]) -> [(precision: Double, recall: Double, f1: Double, support: Double)] {
        m.indices.map { c in
            let tp = m[c][c], support = m[c].reduce(0, +), predicted = m.reduce(0) { $0 + $1[c] }
            let precision = predicted == 0 ? 0 : tp / predicted, recall = support == 0 ? 0 : tp / support
            return (precision, recall, precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall), support)
        }
    }

    public static func score(_ metric: Metric, _ rows: Rows, weights w: [Double]? = nil) -> Double {
        let m = confusion(rows, weights: w)
        let k = rows.classes
        let total = m.reduce(0) { $0 + $1.reduce(0, +) }
        guard total > 0 else { return .nan }
        let classes = perClass(m)
        // scikit-learn averages over the classes that occur among the true or the predicted rows.
        let present = (0..<k).filter { c in classes[c].support > 0 || m.contains { $0[c] > 0 } }
        func macro(_ value: ((precision: Double, recall: Double, f1: Double, support: Double)) -> Double) -> Double {
            present.reduce(0) { $0 + value(classes[$1]) } / Double(present.count)
        }
        switch metric {
        case .accuracy: return (0..<k).reduce(0) { $0 + m[$1][$1] } / total
        case .balancedAccuracy:
            let supported = (0..<k).filter { classes[$0].support > 0 }
            return supported.reduce(0) { $0 + classes[$1].recall } / Double(supported.count)
        case .precisionMacro: return macro(\.precision)
        case .recallMacro: return macro(\.recall)
        case .f1Macro: return macro(\.f1)
        case .f1Weighted: return (0..<k).reduce(0) { $0 + classes[$1].f1 * classes[$1].support } / total
        case .mcc:
            let correct = (0..<k).reduce(0) { $0 + m[$1][$1] }
            let t = (0..<k).map { classes[$0].support }, q = (0..<k).map { c in m.reduce(0) { $0 + $1[c] } }
            let covariance = correct * total - zip(t, q).reduce(0) { $0 + $1.0 * $1.1 }
            let spreadTrue = total * total - t.reduce(0) { $0 + $1 * $1 }, spreadPredicted = total * total - q.reduce(0) { $0 + $1 * $1 }
            return spreadTrue * spreadPredicted == 0 ? 0 : covariance / (spreadTrue * spreadPredicted).squareRoot()
        case .logLoss:
            let eps = Double.ulpOfOne
            var s = 0.0
            for i in rows.labels.indices {
                let q = min(max(rows.probabilities[i * k + Int(rows.labels[i])], eps), 1 - eps)
                s -= (w?[i] ?? 1) * log(q)
            }
            return s / total
        case .rocAUCOvr:
            return (0..<k).reduce(0) { $0 + oneVsRestAUC(rows, class: $1, weights: w) } / Double(k)
        default: return .nan
        }
    }

    /// The ROC-AUC of class `c`'s probability separating its rows from the others (ties count half).
    public static func oneVsRestAUC(_ rows: Rows, class c: Int, weights w: [Double]? = nil) -> Double {
        let points = rocPoints(rows, class: c, weights: w)
        guard let last = points.last, last.tp > 0, last.fp > 0 else { return .nan }
        var area = 0.0, previous = (fp: 0.0, tp: 0.0)
        for pt in points {
            area += (pt.fp - previous.fp) * (pt.tp + previous.tp) / 2
            previous = pt
        }
        return area / (last.tp * last.fp)
    }

    /// Cumulative (weighted) false and true positives of class `c` at each distinct probability, highest first.
    public static func rocPoints(_ rows: Rows, class c: Int, weights w: [Double]? = nil) -> [(fp: Double, tp: Double)] {
        let k = rows.classes, order = rows.orders?[c] ?? Rows.order(of: c, rows.probabilities, k)
        var points: [(fp: Double, tp: Double)] = []
        var tp = 0.0, fp = 0.0
        for (j, i) in order.enumerated() {
            let weight = w?[i] ?? 1
            if Int(rows.labels[i]) == c { tp += weight } else { fp += weight }
            if j == order.count - 1 || rows.probabilities[order[j + 1] * k + c] != rows.probabilities[i * k + c] { points.append((fp, tp)) }
        }
        return points
    }

    /// 95% bootstrap intervals of `metrics` on these rows (the resampling of `Bootstrap`).
    public static func intervals(_ metrics: [Metric], _ rows: Rows, weights: [Double]? = nil, resamples: Int = 1000, level: Double = 0.95,
                                 using rng: inout SplitMix64) -> [Metric: (low: Double, high: Double)] {
        Bootstrap.intervals(metrics, rows: rows.count, weights: weights, resamples: resamples, level: level, using: &rng) { m, counts in
            score(m, rows, weights: counts)
        }
    }
}

import AssayCore
import Foundation

/// Threshold rules, and the tables a campaign is planned with: precision and recall at a cut, lift by decile.
///
/// A row is flagged when its probability is above the threshold (scikit-learn's `predict` at 0.5). A rule cuts
/// between two distinct scores, so the threshold it returns is the midpoint of the lowest flagged score and the
/// next lower one: rows tied on a score are flagged together.
public enum Thresholds {
    /// The threshold `rule` picks on these scored rows (out-of-fold predictions, in practice). `rowValues`, aligned
    /// with the rows, are their own values under a profit rule with a `value` column.
    /// With `weights` (sample weights; validation refuses them with a profit rule) the counts and shares are weighted.
    public static func choose(_ rule: ThresholdRule, labels y: [UInt8], probabilities p: [Double], rowValues: [Double]? = nil,
                              weights: [Double]? = nil) -> Double {
        let scores = Array(Set(p)).sorted(by: >)
        guard !scores.isEmpty else { return 0.5 }
        /// The threshold that flags every row scoring at least scores[k].
        func cut(_ k: Int) -> Double { k + 1 < scores.count ? (scores[k] + scores[k + 1]) / 2 : scores[k] / 2 }
        // Cumulative (fp, tp) at each distinct score, highest first: aligned with `scores`.
        let curve = RankStatistics.curve(y, p, weights: weights)
        let positives = curve.last?.tp ?? 0
        switch rule {
        case .fixed(let t): return t
        case .maxF1:
            var best = 0, bestF1 = -1.0
            for (k, pt) in curve.enumerated() {
                let f1 = positives == 0 ? 0 : 2 * pt.tp / (pt.tp + pt.fp + positives)
                if f1 > bestF1 { bestF1 = f1; best = k }
            }
            return cut(best)
        case .recall(let r):
            let k = curve.firstIndex { positives > 0 && $0.tp / positives >= r - 1e-12 } ?? curve.count - 1
            return cut(k)
        case .top(let share):
            if let weights {
                let want = share * weights.reduce(0, +)
                return cut(curve.firstIndex { $0.tp + $0.fp >= want * (1 - 1e-12) } ?? curve.count - 1)
            }
            let want = Int((share * Double(p.count)).rounded(.up))
            let k = curve.firstIndex { Int($0.tp + $0.fp) >= want } ?? curve.count - 1
            return cut(k)
        case .profit(let v):
            // Flagging nobody is a choice too: then the threshold is 1 (a row is flagged when its probability is above it).
            let negatives = Double(p.count) - positives
            let gained = positiveValues(labels: y, probabilities: p, rowValues: rowValues)  // aligned with `curve`
            var best = -1, bestValue = v.total(tp: 0, fp: 0, fn: positives, tn: negatives)
            for (k, pt) in curve.enumerated() {
                let value = v.total(tp: pt.tp, fp: pt.fp, fn: positives - pt.tp, tn: negatives - pt.fp, positiveValue: gained?[k] ?? 0)
                if value > bestValue { bestValue = value; best = k }
            }
            return best < 0 ? 1 : cut(best)
        }
    }

    /// One row of a threshold table.
    public typealias Cut = ThresholdCut

    public static func cut(_ label: String, threshold t: Double, labels y: [UInt8], probabilities p: [Double], values: UnitValues? = nil,
                           rowValues: [Double]? = nil) -> Cut {
        let c = Scoring.Confusion(y, p, threshold: t)
        let flagged = (c.tp + c.fp) / Double(max(y.count, 1))
        let f1 = c.tp == 0 ? 0 : 2 * c.tp / (2 * c.tp + c.fp + c.fn)
        var cut = Cut(label: label, threshold: t, flagged: flagged, precision: c.precision, recall: c.recall, f1: f1,
                      lift: flagged == 0 ? .nan : c.recall / flagged)
        let gained = rowValues.map { v in y.indices.reduce(0.0) { y[$1] == 1 && p[$1] > t ? $0 + v[$1] : $0 } } ?? 0
        cut.profit = values.map { $0.total(tp: c.tp, fp: c.fp, fn: c.fn, tn: c.tn, positiveValue: gained) }
        return cut
    }

    /// Total value against the share of rows flagged, highest scores first, from flagging nobody to everybody; within
    /// a run of tied scores the value moves evenly (the expectation when ties are ordered at random).
    public static func profitCurve(labels y: [UInt8], probabilities p: [Double], values v: UnitValues, rowValues: [Double]? = nil) -> [(x: Double, y: Double)] {
        let n = Double(max(y.count, 1)), positives = Double(y.reduce(0) { $0 + Int($1) }), negatives = Double(y.count) - positives
        let gained = positiveValues(labels: y, probabilities: p, rowValues: rowValues)
        var tp = 0.0, fp = 0.0
        var out: [(x: Double, y: Double)] = [(0, v.total(tp: 0, fp: 0, fn: positives, tn: negatives))]
        for (k, g) in Curves.tieGroups(labels: y, probabilities: p).enumerated() {
            tp += Double(g.positives); fp += Double(g.end - g.start - g.positives)
            out.append((Double(g.end) / n, v.total(tp: tp, fp: fp, fn: positives - tp, tn: negatives - fp, positiveValue: gained?[k] ?? 0)))
        }
        return out
    }

    /// The summed row values of the positives flagged at each distinct score, highest first (aligned with
    /// `Scoring.curve` and `Curves.tieGroups`); nil without row values.
    static func positiveValues(labels y: [UInt8], probabilities p: [Double], rowValues: [Double]?) -> [Double]? {
        guard let v = rowValues else { return nil }
        let (order, runs) = Curves.tieRuns(p)
        var sum = 0.0
        return runs.map { run in
            for r in order[run] where y[r] == 1 { sum += v[r] }
            return sum
        }
    }

    /// Budgets a campaign is usually planned with, then the rule's own cut.
    public static func table(_ rule: ThresholdRule?, threshold: Double, labels y: [UInt8], probabilities p: [Double], rowValues: [Double]? = nil) -> [Cut] {
        let values = rule?.unitValues
        var rows = [0.05, 0.1, 0.2, 0.3, 0.5].map { share in
            cut("top \(NumberFormat.json(share * 100))%", threshold: choose(.top(share), labels: y, probabilities: p), labels: y, probabilities: p,
                values: values, rowValues: rowValues)
        }
        rows.append(cut(rule.map { "chosen: \($0.display)" } ?? "default 0.5", threshold: threshold, labels: y, probabilities: p, values: values,
                        rowValues: rowValues))
        return rows
    }

    /// One decile of a lift table.
    public typealias Decile = LiftDecile

    /// Rows sorted by score (highest first) and split into ten near-equal groups; tied rows share their positives
    /// evenly (`Curves.expectedPositives`), whatever their order in the file.
    public static func lift(labels y: [UInt8], probabilities p: [Double]) -> [Decile] {
        let n = y.count
        let total = y.reduce(0) { $0 + Int($1) }
        guard n >= 10, total > 0 else { return [] }
        let groups = Curves.tieGroups(labels: y, probabilities: p)
        let rate = Double(total) / Double(n)
        var out: [Decile] = []
        var seen = 0, seenPositives = 0.0
        for d in 0..<10 {
            let end = (d + 1) * n / 10
            // Each tie group gives the decile its share of positives: rows in the decile × positives / rows of the group
            // (a whole group gives its exact count).
            var positives = 0.0
            for g in groups where g.start < end && g.end > seen {
                let overlap = min(end, g.end) - max(seen, g.start)
                positives += overlap == g.end - g.start ? Double(g.positives) : Double(overlap * g.positives) / Double(g.end - g.start)
            }
            let rows = end - seen
            seenPositives += positives
            seen = end
            out.append(Decile(decile: d + 1, rows: rows, positives: positives,
                              captured: seenPositives / Double(total),
                              lift: positives / Double(max(rows, 1)) / rate,
                              cumulativeLift: seenPositives / Double(seen) / rate))
        }
        return out
    }
}

import AssayCore

/// The curves a report draws, computed once from labels and probabilities.
public enum Curves {
    /// Ten equal-width bins of predicted probability, as scikit-learn's `calibration_curve(n_bins=10)`.
    public static func calibrationBins(labels: [UInt8], probabilities: [Double], bins: Int = 10) -> [CalibrationBin] {
        var sumP = [Double](repeating: 0, count: bins), pos = [Int](repeating: 0, count: bins), n = [Int](repeating: 0, count: bins)
        for (y, p) in zip(labels, probabilities) {
            // searchsorted(inner edges, p, side="left"): a probability on an edge belongs to the bin below it.
            var k = 0
            while k < bins - 1 && p > Double(k + 1) / Double(bins) { k += 1 }
            sumP[k] += p; pos[k] += Int(y); n[k] += 1
        }
        return (0..<bins).filter { n[$0] > 0 }.map { CalibrationBin(meanPredicted: sumP[$0] / Double(n[$0]), observed: Double(pos[$0]) / Double(n[$0]), count: n[$0]) }
    }

    /// Share of positives captured when the top `k` rows by probability are contacted, for k = 0…n; within a run of
    /// tied scores the curve rises evenly (the expected share when ties are ordered at random).
    public static func gains(labels: [UInt8], probabilities: [Double]) -> [(x: Double, y: Double)] {
        let n = labels.count
        let total = Double(labels.reduce(0) { $0 + Int($1) })
        guard n > 0, total > 0 else { return [] }
        var out: [(x: Double, y: Double)] = [(0, 0)]
        var captured = 0.0
        for (k, e) in expectedPositives(labels: labels, probabilities: probabilities).enumerated() {
            captured += e
            out.append((Double(k + 1) / Double(n), captured / total))
        }
        return out
    }

    /// The rows in score order (highest first), each as the positives it is expected to hold: its label when its
    /// score is unique, else the positive rate of the rows tied with it. Sums over any run of ranks are then the
    /// expected positives if ties were ordered at random, never what the file's row order happens to give.
    public static func expectedPositives(labels: [UInt8], probabilities p: [Double]) -> [Double] {
        var out = [Double](repeating: 0, count: p.count)
        for g in tieGroups(labels: labels, probabilities: p) {
            for k in g.start..<g.end { out[k] = Double(g.positives) / Double(g.end - g.start) }
        }
        return out
    }

    /// The runs of equal scores in score order (highest first): ranks `start..<end` and the positives among them.
    public static func tieGroups(labels: [UInt8], probabilities p: [Double]) -> [(start: Int, end: Int, positives: Int)] {
        let (order, runs) = tieRuns(p)
        return runs.map { ($0.lowerBound, $0.upperBound, order[$0].reduce(0) { $0 + Int(labels[$1]) }) }
    }

    /// The rows in score order (highest first, equal scores in row order), and the rank ranges of equal scores.
    public static func tieRuns(_ p: [Double]) -> (order: [Int], runs: [Range<Int>]) {
        let order = p.indices.sorted { p[$0] != p[$1] ? p[$0] > p[$1] : $0 < $1 }
        var runs: [Range<Int>] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && p[order[end]] == p[order[start]] { end += 1 }
            runs.append(start..<end)
            start = end
        }
        return (order, runs)
    }
}

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

    /// Share of positives captured when the top `k` rows by probability are contacted, for k = 0…n (ties in row order).
    public static func gains(labels: [UInt8], probabilities: [Double]) -> [(x: Double, y: Double)] {
        let n = labels.count
        let total = Double(labels.reduce(0) { $0 + Int($1) })
        guard n > 0, total > 0 else { return [] }
        let order = probabilities.indices.sorted { probabilities[$0] != probabilities[$1] ? probabilities[$0] > probabilities[$1] : $0 < $1 }
        var out: [(x: Double, y: Double)] = [(0, 0)]
        var captured = 0.0
        for (k, i) in order.enumerated() {
            captured += Double(labels[i])
            out.append((Double(k + 1) / Double(n), captured / total))
        }
        return out
    }
}

import Foundation

/// Small statistics with numpy's conventions.
public enum Stats {
    public static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    /// numpy's pairwise summation of contiguous doubles (`pairwise_sum_DOUBLE`): blocks of at most 128 values
    /// summed in eight interleaved lanes, halves (rounded down to a multiple of 8) summed recursively, so a
    /// sum equals `np.sum` of the same values bit for bit.
    public static func pairwiseSum(_ x: [Double]) -> Double {
        x.withUnsafeBufferPointer { b in b.baseAddress.map { pairwiseSum($0, b.count) } ?? 0 }
    }

    static func pairwiseSum(_ a: UnsafePointer<Double>, _ n: Int) -> Double {
        if n < 8 {
            var s = 0.0
            for i in 0..<n { s += a[i] }
            return s
        }
        if n <= 128 {
            var r = (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7])
            var i = 8
            while i < n - n % 8 {
                r.0 += a[i]; r.1 += a[i + 1]; r.2 += a[i + 2]; r.3 += a[i + 3]
                r.4 += a[i + 4]; r.5 += a[i + 5]; r.6 += a[i + 6]; r.7 += a[i + 7]
                i += 8
            }
            var s = ((r.0 + r.1) + (r.2 + r.3)) + ((r.4 + r.5) + (r.6 + r.7))
            while i < n { s += a[i]; i += 1 }
            return s
        }
        var half = n / 2
        half -= half % 8
        return pairwiseSum(a, half) + pairwiseSum(a + half, n - half)
    }

    /// Population variance of all values as numpy's `X.var()` computes it (pairwise sums, two passes).
    public static func variance(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        let n = Double(x.count)
        let m = pairwiseSum(x) / n
        return pairwiseSum(x.map { ($0 - m) * ($0 - m) }) / n
    }

    /// Population standard deviation (numpy's default, ddof = 0).
    public static func std(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }

    /// scikit-learn's `_weighted_percentile` at `rank` percent: the first value, ascending, whose cumulative weight
    /// reaches `rank`% of the total (numpy's `inverted_cdf`); with `average`, the mean of it and the next value when it
    /// reaches it exactly (`averaged_inverted_cdf`, numpy's median for whole-number weights). Rows of weight 0 are left
    /// out; NaN when every weight is 0.
    public static func weightedPercentile(_ v: [Double], _ w: [Double], _ rank: Double = 50, average: Bool = false) -> Double {
        WeightedQuantiles(v, w).percentile(rank, average: average)
    }

    /// Values of positive weight sorted once, with their cumulative weights, for several weighted percentiles.
    public struct WeightedQuantiles {
        let sorted: [Double], cdf: [Double]

        public init(_ v: [Double], _ w: [Double]) {
            let order = v.indices.filter { w[$0] > 0 }.sorted { v[$0] < v[$1] }
            sorted = order.map { v[$0] }
            var total = 0.0
            cdf = order.map { total += w[$0]; return total }
        }

        /// `Stats.weightedPercentile` at `rank` percent.
        public func percentile(_ rank: Double, average: Bool = false) -> Double {
            guard let total = cdf.last, total > 0 else { return .nan }
            var target = rank / 100 * total
            if target == 0 { target = target.nextUp }
            var lo = 0, hi = cdf.count  // the first cumulative weight ≥ target
            while lo < hi { let mid = (lo + hi) / 2; if cdf[mid] >= target { hi = mid } else { lo = mid + 1 } }
            guard lo < cdf.count else { return sorted[sorted.count - 1] }
            if !average || cdf[lo] - target > Double.ulpOfOne || lo + 1 == cdf.count { return sorted[lo] }
            return (sorted[lo] + sorted[lo + 1]) / 2
        }
    }

    /// The q-th percentile of sorted values with linear interpolation (numpy's default method).
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * q / 100
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}

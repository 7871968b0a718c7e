/// How a number is cut into bands (`segments:`): at fixed points, or at the quantiles that split the values into
/// `n` groups. Bands are right-closed, as `pandas.cut` makes them: band k holds cut[k-1] < x ≤ cut[k].
public enum BandCuts: Sendable, Hashable {
    case quantiles(Int)
    case fixed([Double])

    /// The cut points for `values`: the fixed ones, or the quantiles k/n (k = 1…n−1, linear interpolation, NumPy's
    /// default), with repeated points merged.
    public func points(_ values: [Double]) -> [Double] {
        switch self {
        case .fixed(let cuts): return cuts
        case .quantiles(let n):
            let sorted = values.filter { !$0.isNaN }.sorted()
            guard sorted.count > 1 else { return [] }
            var cuts: [Double] = []
            for k in 1..<n {
                let position = Double(k) / Double(n) * Double(sorted.count - 1)
                let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
                let q = sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
                if cuts.last != q { cuts.append(q) }
            }
            return cuts
        }
    }

    /// The band of `x` among ascending `cuts`: how many cuts lie strictly below it.
    public static func band(_ x: Double, _ cuts: [Double]) -> Int {
        cuts.reduce(0) { $0 + (x > $1 ? 1 : 0) }
    }
}

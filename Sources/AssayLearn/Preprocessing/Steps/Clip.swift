import AssayCore

/// `clip`: bound the selected numeric columns to `[min, max]`, or to quantiles of the training rows' present values.
extension ClipStep: NumericTransformer {
    public func selects(numericColumn name: String) -> Bool { columns.matches(name, .numeric) }

    public func fit(_ values: [Double]) -> FittedPreprocessing.NumericOp {
        let present = values.filter { !$0.isNaN }.sorted()
        let q = quantiles ?? []
        let lo = min ?? (q.count == 2 ? Stats.percentile(present, q[0] * 100) : -.infinity)
        let hi = max ?? (q.count == 2 ? Stats.percentile(present, q[1] * 100) : .infinity)
        return .clip(lo.isNaN ? -.infinity : lo, hi.isNaN ? .infinity : hi)
    }
}

import AssayCore
import Foundation

/// `scale`: scikit-learn's `StandardScaler`, `MinMaxScaler` or `RobustScaler` on the selected numeric columns.
public struct ScaleTransformer: NumericTransformer {
    public let method: ScaleMethod
    public let columns: ColumnSelector

    public func selects(numericColumn name: String) -> Bool { columns.matches(name, .numeric) }

    public func fit(_ values: [Double]) -> FittedPreprocessing.NumericOp { Self.scaler(values, method) }

    static func scaler(_ values: [Double], _ method: ScaleMethod) -> FittedPreprocessing.NumericOp {
        let present = values.filter { !$0.isNaN }
        guard !present.isEmpty else { return .affine(shift: 0, scale: 1) }
        func guarded(_ s: Double) -> Double { s < 10 * Double.ulpOfOne ? 1 : s }  // scikit-learn's _handle_zeros_in_scale
        switch method {
        case .standard:
            // scikit-learn's `_incremental_mean_and_var` on one batch, missing values counting as 0 in numpy's
            // pairwise sums (the column is contiguous there: pandas hands the numeric block over in column order),
            // with the corrected two-pass variance.
            let n = Double(present.count)
            let m = Stats.pairwiseSum(values.map { $0.isNaN ? 0 : $0 }) / n
            let deviations = values.map { $0.isNaN ? 0 : $0 - m }
            let correction = Stats.pairwiseSum(deviations)
            let v = (Stats.pairwiseSum(deviations.map { $0 * $0 }) - correction * correction / n) / n
            return .affine(shift: m, scale: guarded(v.squareRoot()))
        case .minmax:
            let lo = present.min()!, hi = present.max()!
            return .affine(shift: lo, scale: guarded(hi - lo))
        case .robust:
            let s = present.sorted()
            let q1 = Stats.percentile(s, 25), q3 = Stats.percentile(s, 75)
            return .affine(shift: Stats.percentile(s, 50), scale: guarded(q3 - q1))
        }
    }

}

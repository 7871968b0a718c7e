import AssayCore
import Foundation

/// Regression metric values with scikit-learn's definitions (`sklearn.metrics._regression`), each optionally
/// weighted by a per-row count (bootstrap resamples are counts of each row).
///
/// R² and explained variance follow `force_finite=True`: a constant target scores 1 when predicted exactly, else 0.
/// MAPE divides each error by max(|y|, machine epsilon). Poisson deviance is NaN (undefined) unless every target
/// is ≥ 0 and every prediction > 0, where scikit-learn raises; a row with y = 0 adds 2·p.
public enum RegressionScoring {
    public static func score(_ metric: Metric, values y: [Double], predictions p: [Double], weights w: [Double]? = nil) -> Double {
        precondition(y.count == p.count && (w?.count ?? y.count) == y.count, "values, predictions and weights differ in length")
        let n = y.count
        guard n > 0 else { return .nan }
        func weight(_ i: Int) -> Double { w?[i] ?? 1 }
        func mean(_ f: (Int) -> Double) -> Double {
            var s = 0.0, total = 0.0
            for i in 0..<n { let wi = weight(i); guard wi != 0 else { continue }; s += wi * f(i); total += wi }
            return s / total
        }
        switch metric {
        case .rmse: return mean { (y[$0] - p[$0]) * (y[$0] - p[$0]) }.squareRoot()
        case .mae: return mean { abs(y[$0] - p[$0]) }
        case .mape: return mean { abs(y[$0] - p[$0]) / max(abs(y[$0]), Double.ulpOfOne) }
        case .medianAE: return weightedMedian((0..<n).map { abs(y[$0] - p[$0]) }, w)
        case .r2:
            let yBar = mean { y[$0] }
            let residual = mean { (y[$0] - p[$0]) * (y[$0] - p[$0]) }, total = mean { (y[$0] - yBar) * (y[$0] - yBar) }
            return finite(residual, total)
        case .explainedVariance:
            let yBar = mean { y[$0] }, dBar = mean { y[$0] - p[$0] }
            let residual = mean { (y[$0] - p[$0] - dBar) * (y[$0] - p[$0] - dBar) }, total = mean { (y[$0] - yBar) * (y[$0] - yBar) }
            return finite(residual, total)
        case .poissonDeviance:
            for i in 0..<n where weight(i) != 0 && (y[i] < 0 || !(p[i] > 0)) { return .nan }
            return mean { i in
                let yi = y[i], pi = p[i]
                return 2 * ((yi > 0 ? yi * log(yi / pi) : 0) - yi + pi)
            }
        default: return .nan
        }
    }

    /// 1 − residual / total, with scikit-learn's `force_finite`: a constant target (total 0) scores 1 when the
    /// residual is 0 too, else 0.
    static func finite(_ residual: Double, _ total: Double) -> Double {
        if total == 0 { return residual == 0 ? 1 : 0 }
        return 1 - residual / total
    }

    /// The median of `v` weighted by `w` as scikit-learn's `median_absolute_error` takes it (`averaged_inverted_cdf`:
    /// numpy's median of the values repeated `w[i]` times each when the weights are whole counts, a bootstrap resample).
    static func weightedMedian(_ v: [Double], _ w: [Double]?) -> Double {
        guard let w else { return Stats.percentile(v.sorted(), 50) }
        return Stats.weightedPercentile(v, w, 50, average: true)
    }
}

import Foundation

/// Platt scaling: a sigmoid `1 / (1 + exp(a·f + b))` from scores `f` to probabilities. The SVM calibrates its
/// decision values with it, as libsvm does, and `calibrate: sigmoid` calibrates any classifier's probabilities.
public enum PlattScaling {
    /// Platt's sigmoid fitted by the Newton method with backtracking of Lin, Lin and Weng (2007), as libsvm's
    /// `sigmoid_train`: targets are smoothed to `(N₊ + 1)/(N₊ + 2)` and `1/(N₋ + 2)`.
    /// With `weights` (sample weights), the priors are the classes' weights and every point's loss, gradient and
    /// hessian is weighted (scikit-learn's `_sigmoid_calibration` with `sample_weight`).
    public static func fit(_ f: [Double], _ y: [UInt8], weights: [Double]? = nil) -> (a: Double, b: Double) {
        let prior1: Double, prior0: Double
        if let weights {
            prior1 = zip(y, weights).reduce(0.0) { $0 + ($1.0 == 1 ? $1.1 : 0) }
            prior0 = weights.reduce(0, +) - prior1
        } else {
            prior1 = Double(y.reduce(0) { $0 + Int($1) }); prior0 = Double(y.count) - prior1
        }
        let hi = (prior1 + 1) / (prior1 + 2), lo = 1 / (prior0 + 2)
        let t = y.map { $0 == 1 ? hi : lo }
        let minStep = 1e-10, sigma = 1e-12, eps = 1e-5
        func objective(_ a: Double, _ b: Double) -> Double {
            var v = 0.0
            for i in f.indices {
                let z = f[i] * a + b
                v += (weights?[i] ?? 1) * (z >= 0 ? t[i] * z + log1p(exp(-z)) : (t[i] - 1) * z + log1p(exp(z)))
            }
            return v
        }
        var a = 0.0, b = log((prior0 + 1) / (prior1 + 1))
        var value = objective(a, b)
        for _ in 0..<100 {
            var h11 = sigma, h22 = sigma, h21 = 0.0, g1 = 0.0, g2 = 0.0
            for i in f.indices {
                let z = f[i] * a + b
                let p = Logistic.sigmoid(-z), q = Logistic.sigmoid(z)
                let wi = weights?[i] ?? 1
                let d2 = p * q * wi
                h11 += f[i] * f[i] * d2; h22 += d2; h21 += f[i] * d2
                let d1 = (t[i] - p) * wi
                g1 += f[i] * d1; g2 += d1
            }
            if abs(g1) < eps && abs(g2) < eps { break }
            let det = h11 * h22 - h21 * h21
            let dA = -(h22 * g1 - h21 * g2) / det, dB = -(-h21 * g1 + h11 * g2) / det
            let gd = g1 * dA + g2 * dB
            var step = 1.0
            while step >= minStep {
                let na = a + step * dA, nb = b + step * dB
                let nv = objective(na, nb)
                if nv < value + 0.0001 * step * gd { a = na; b = nb; value = nv; break }
                step /= 2
            }
            if step < minStep { break }
        }
        return (a, b)
    }

    /// The calibrated probability of score `f`.
    public static func apply(_ f: Double, a: Double, b: Double) -> Double { Logistic.sigmoid(-(f * a + b)) }
}

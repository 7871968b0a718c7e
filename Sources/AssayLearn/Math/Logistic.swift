import Foundation

/// The logistic function, the one definition every model and calibrator uses.
public enum Logistic {
    /// `1 / (1 + e^-z)`, computed without overflow on either side (`e^z / (1 + e^z)` for negative z).
    /// `sigmoid(-z)` is the upper tail `1 / (1 + e^z)` that Platt scaling uses.
    @inline(__always)
    public static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }

    /// The softmax of `count` scores at `z`, written to `out`: `e^(z_c − max z)` over their sum, the one definition the
    /// multiclass models use.
    @inline(__always)
    public static func softmax(_ z: UnsafePointer<Double>, count: Int, into out: UnsafeMutablePointer<Double>) {
        var top = -Double.infinity
        for c in 0..<count { top = max(top, z[c]) }
        var total = 0.0
        for c in 0..<count { let e = exp(z[c] - top); out[c] = e; total += e }
        for c in 0..<count { out[c] /= total }
    }
}

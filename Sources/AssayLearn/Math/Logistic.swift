import Foundation

/// The logistic function, the one definition every model and calibrator uses.
public enum Logistic {
    /// `1 / (1 + e^-z)`, computed without overflow on either side (`e^z / (1 + e^z)` for negative z).
    /// `sigmoid(-z)` is the upper tail `1 / (1 + e^z)` that Platt scaling uses.
    @inline(__always)
    public static func sigmoid(_ z: Double) -> Double {
        z >= 0 ? 1 / (1 + exp(-z)) : exp(z) / (1 + exp(z))
    }
}

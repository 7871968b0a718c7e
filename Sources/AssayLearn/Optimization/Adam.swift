import Foundation

/// Adam (Kingma and Ba, 2014) as scikit-learn's `AdamOptimizer` applies it: at step t,
/// `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`, and `θ ← θ − η·√(1 − β₂ᵗ)/(1 − β₁ᵗ) · m / (√v + ε)`.
struct Adam {
    let learningRate: Double
    let beta1: Double
    let beta2: Double
    let epsilon: Double
    private var step = 0
    private var m: [[Double]]
    private var v: [[Double]]

    /// One moment pair per parameter array, shaped like `sizes`.
    init(sizes: [Int], learningRate: Double, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        m = sizes.map { [Double](repeating: 0, count: $0) }
        v = m
    }

    /// Applies one step to every parameter array (`parameters[k]` with gradient `gradients[k]`).
    mutating func update(_ parameters: inout [[Double]], _ gradients: [[Double]]) {
        step += 1
        let t = Double(step)
        let rate = learningRate * (1 - pow(beta2, t)).squareRoot() / (1 - pow(beta1, t))
        let (b1, b2, eps) = (beta1, beta2, epsilon)
        for k in parameters.indices {
            gradients[k].withUnsafeBufferPointer { g in
                m[k].withUnsafeMutableBufferPointer { m in
                    v[k].withUnsafeMutableBufferPointer { v in
                        parameters[k].withUnsafeMutableBufferPointer { theta in
                            for i in 0..<g.count {
                                m[i] = b1 * m[i] + (1 - b1) * g[i]
                                v[i] = b2 * v[i] + (1 - b2) * (g[i] * g[i])
                                theta[i] += -rate * m[i] / (v[i].squareRoot() + eps)
                            }
                        }
                    }
                }
            }
        }
    }
}

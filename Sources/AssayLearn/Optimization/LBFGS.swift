/// Limited-memory BFGS for smooth unconstrained minimization.
///
/// Stops like scipy's L-BFGS-B as scikit-learn calls it: when the largest gradient component is at most
/// `gradientTolerance`, or when the relative decrease of the objective falls below `functionTolerance`.
public struct LBFGS: Sendable {
    public var memory = 10
    public var maxIterations = 100
    public var gradientTolerance = 1e-4
    public var functionTolerance = 64 * Double.ulpOfOne
    public var maxLineSearchSteps = 50

    public init(maxIterations: Int, gradientTolerance: Double) {
        self.maxIterations = maxIterations
        self.gradientTolerance = gradientTolerance
    }

    public struct Result: Sendable {
        public var x: [Double]
        public var value: Double
        public var iterations: Int
        public var converged: Bool
    }

    /// Minimizes `f`, which returns the value at `x` and writes the gradient into its second argument.
    public func minimize(from start: [Double], _ f: ([Double], inout [Double]) -> Double) -> Result {
        let n = start.count
        var x = start
        var g = [Double](repeating: 0, count: n)
        var fx = f(x, &g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var alpha = [Double](repeating: 0, count: memory)
        var iterations = 0
        if maxAbs(g) <= gradientTolerance { return Result(x: x, value: fx, iterations: 0, converged: true) }
        var xNew = x, gNew = g
        while iterations < maxIterations {
            iterations += 1
            // Two-loop recursion: d = -H g.
            var d = g.map { -$0 }
            for i in stride(from: s.count - 1, through: 0, by: -1) {
                alpha[i] = rho[i] * dot(s[i], d)
                axpy(-alpha[i], y[i], &d)
            }
            if let last = s.indices.last {
                let gamma = dot(s[last], y[last]) / dot(y[last], y[last])
                for j in 0..<n { d[j] *= gamma }
            }
            for i in 0..<s.count {
                let beta = rho[i] * dot(y[i], d)
                axpy(alpha[i] - beta, s[i], &d)
            }
            var slope = dot(g, d)
            if slope >= 0 {  // not a descent direction: restart from steepest descent
                s.removeAll(); y.removeAll(); rho.removeAll()
                d = g.map { -$0 }
                slope = dot(g, d)
            }
            // Backtracking line search with the Armijo condition.
            var step = s.isEmpty ? min(1, 1 / max(norm(g), 1e-300)) : 1
            var accepted = false
            var fNew = fx
            for _ in 0..<maxLineSearchSteps {
                for j in 0..<n { xNew[j] = x[j] + step * d[j] }
                fNew = f(xNew, &gNew)
                if fNew.isFinite && fNew <= fx + 1e-4 * step * slope { accepted = true; break }
                step *= 0.5
            }
            guard accepted else { return Result(x: x, value: fx, iterations: iterations, converged: false) }
            var sk = [Double](repeating: 0, count: n), yk = sk
            for j in 0..<n { sk[j] = xNew[j] - x[j]; yk[j] = gNew[j] - g[j] }
            let sy = dot(sk, yk)
            if sy > 1e-12 * dot(yk, yk) {
                if s.count == memory { s.removeFirst(); y.removeFirst(); rho.removeFirst() }
                s.append(sk); y.append(yk); rho.append(1 / sy)
            }
            let decrease = (fx - fNew) / max(abs(fx), abs(fNew), 1)
            swap(&x, &xNew); swap(&g, &gNew)
            fx = fNew
            if maxAbs(g) <= gradientTolerance || decrease <= functionTolerance {
                return Result(x: x, value: fx, iterations: iterations, converged: true)
            }
        }
        return Result(x: x, value: fx, iterations: iterations, converged: maxAbs(g) <= gradientTolerance)
    }

    @inline(__always) func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in a.indices { s += a[i] * b[i] }
        return s
    }
    @inline(__always) func axpy(_ a: Double, _ x: [Double], _ y: inout [Double]) {
        for i in x.indices { y[i] += a * x[i] }
    }
    func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
    func maxAbs(_ a: [Double]) -> Double { a.reduce(0) { max($0, abs($1)) } }
}

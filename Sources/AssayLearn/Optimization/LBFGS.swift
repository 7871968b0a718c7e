/// Limited-memory BFGS for smooth objectives, and its orthant-wise form (OWL-QN) for an added L1 term.
///
/// Minimizes `f(x) + Σ l1[i]·|x[i]|` where `f` is smooth. With no L1 weights this is plain L-BFGS.
/// With them it follows Andrew & Gao (2007): the pseudo-gradient replaces the gradient, the search
/// direction is kept in the orthant the pseudo-gradient points to, and steps are projected onto it.
/// Stops like scipy's L-BFGS-B as scikit-learn calls it: when the largest (pseudo-)gradient component is at
/// most `gradientTolerance`, or when the relative decrease of the objective falls below `functionTolerance`.
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

    /// Minimizes `f + Σ l1[i]·|x[i]|`; `f` returns the smooth part's value at `x` and writes its gradient.
    public func minimize(from start: [Double], l1: [Double]? = nil, _ f: ([Double], inout [Double]) -> Double) -> Result {
        let n = start.count
        let lambda = l1 ?? [Double](repeating: 0, count: n)
        func penalty(_ x: [Double]) -> Double { l1 == nil ? 0 : zip(lambda, x).reduce(0) { $0 + $1.0 * abs($1.1) } }
        func pseudoGradient(_ x: [Double], _ g: [Double]) -> [Double] {
            guard l1 != nil else { return g }
            return (0..<n).map { i in
                let l = lambda[i]
                if x[i] > 0 { return g[i] + l }
                if x[i] < 0 { return g[i] - l }
                if g[i] + l < 0 { return g[i] + l }
                if g[i] - l > 0 { return g[i] - l }
                return 0
            }
        }
        var x = start
        var g = [Double](repeating: 0, count: n)
        var fx = f(x, &g) + penalty(x)
        var pg = pseudoGradient(x, g)
        var s: [[Double]] = [], y: [[Double]] = [], rho: [Double] = []
        var alpha = [Double](repeating: 0, count: memory)
        var iterations = 0
        if maxAbs(pg) <= gradientTolerance { return Result(x: x, value: fx, iterations: 0, converged: true) }
        var xNew = x, gNew = g
        while iterations < maxIterations {
            iterations += 1
            // Two-loop recursion: d = -H pg.
            var d = pg.map { -$0 }
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
            if l1 != nil { for j in 0..<n where d[j] * pg[j] >= 0 { d[j] = 0 } }  // stay in the descent orthant
            if dot(pg, d) >= 0 {  // not a descent direction: restart from steepest descent
                s.removeAll(); y.removeAll(); rho.removeAll()
                d = pg.map { -$0 }
            }
            // The orthant of this step: the sign of x, or of -pg where x is 0.
            let orthant = (0..<n).map { x[$0] != 0 ? (x[$0] > 0 ? 1.0 : -1.0) : (pg[$0] < 0 ? 1.0 : (pg[$0] > 0 ? -1.0 : 0)) }
            // Backtracking line search with the Armijo condition on the projected step.
            var step = s.isEmpty ? min(1, 1 / max(norm(pg), 1e-300)) : 1
            var accepted = false
            var fNew = fx
            for _ in 0..<maxLineSearchSteps {
                for j in 0..<n {
                    let v = x[j] + step * d[j]
                    xNew[j] = l1 != nil && lambda[j] > 0 && v * orthant[j] <= 0 ? 0 : v
                }
                fNew = f(xNew, &gNew) + penalty(xNew)
                var decrease = 0.0
                for j in 0..<n { decrease += pg[j] * (xNew[j] - x[j]) }
                if fNew.isFinite && fNew <= fx + 1e-4 * decrease { accepted = true; break }
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
            let relative = (fx - fNew) / max(abs(fx), abs(fNew), 1)
            swap(&x, &xNew); swap(&g, &gNew)
            fx = fNew
            pg = pseudoGradient(x, g)
            if maxAbs(pg) <= gradientTolerance || relative <= functionTolerance {
                return Result(x: x, value: fx, iterations: iterations, converged: true)
            }
        }
        return Result(x: x, value: fx, iterations: iterations, converged: maxAbs(pg) <= gradientTolerance)
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

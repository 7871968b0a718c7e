import AssayCore
import Foundation

/// ε-support vector regression.
///
/// Matches scikit-learn's `SVR` (libsvm's `epsilon_svr`): the dual over 2l variables (each row once with sign +1 and
/// linear term ε − y, once with sign −1 and ε + y, all bounded by C) is solved by the classifier's SMO — second-order
/// working-set selection, shrinking, a `cache_size` kernel cache, `tol` — on the rows in their given order; a row's
/// coefficient is α⁺ − α⁻, and the prediction `Σ coefₖ K(svₖ, x) − ρ`. Parameters are the classifier's (`C`, `kernel`,
/// `gamma` with `scale` and `auto`, `coef0`, `degree`, `tol`, `shrinking`, `cache_size`, `max_iter`) and `epsilon`
/// (default 0.1), the half-width of the tube in which errors cost nothing.
public struct SupportVectorRegressor: WeightedRegressor, Equatable {
    public var machine = SupportVectorClassifier()
    public var epsilon = 0.1

    public init() {}

    /// The spec's `svm` (task regression).
    public static let definition = ModelDefinition.regressor("svm", tag: 16, defaults: SupportVectorRegressor(), parameters: [
        Parameter(.number("epsilon", atLeast: 0), default: .double(0.1), accepts: [.int(0), .double(0.5)], rejects: [.double(-0.1)]) { $0.epsilon = $1.number! },
    ] + SupportVectorClassifier.kernelParameters.map { $0.lifted(\.machine) })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedSupportVectorRegressor {
        try fit(x, y, sampleWeights: nil)
    }

    /// Each row's C times its sample weight (both of its dual variables); rows of weight 0 are left out, as
    /// scikit-learn's libsvm does.
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> FittedSupportVectorRegressor {
        try fit(x, y, sampleWeights: weights)
    }

    func fit(_ x: Matrix, _ y: [Double], sampleWeights: [Double]?) throws -> FittedSupportVectorRegressor {
        try InputCheck.fitting(x, y)
        let m = machine
        let kernel = Kernel(kind: m.kind, gamma: m.resolvedGamma(x), coef0: m.coef0, degree: m.degree)
        let (x, y, w) = SupportVectorClassifier.positiveWeights(x, y, sampleWeights)
        let l = x.rows
        let signs = [Double](repeating: 1, count: l) + [Double](repeating: -1, count: l)
        let linear = y.map { epsilon - $0 } + y.map { epsilon + $0 }
        let matrix = SVRKernelMatrix(x: x, kernel: kernel, bytes: m.cacheBytes)
        let solver = SMOSolver(tolerance: m.tol, shrinking: m.shrinking, maxIterations: m.maxIter ?? max(10_000_000, 200 * l))
        let solution = solver.solve(q: matrix, signs: signs, upper: w.map { w in (w + w).map { m.C * $0 } } ?? [Double](repeating: m.C, count: 2 * l),
                                    linear: linear)
        let coefficients = (0..<l).map { solution.alpha[$0] - solution.alpha[$0 + l] }
        let support = coefficients.indices.filter { coefficients[$0] != 0 }
        return FittedSupportVectorRegressor(machine: FittedSupportVectorClassifier(
            kernel: kernel, supportVectors: x.rows(support), dualCoefficients: support.map { coefficients[$0] }, rho: solution.rho,
            plattA: 0, plattB: 0, iterations: solution.iterations, converged: !solution.reachedMaxIterations))
    }
}

/// A fitted SVR: support vectors, their coefficients and ρ (held in the classifier's fitted form, whose decision
/// function is the prediction; its Platt parameters are unused).
public struct FittedSupportVectorRegressor: FittedRegressor, Equatable {
    public let machine: FittedSupportVectorClassifier

    public var inputWidth: Int { machine.inputWidth }
    public var convergenceNote: String? { machine.convergenceNote }

    public func predict(_ x: Matrix) throws -> [Double] { try machine.decisionFunction(x) }

    public func encode(to w: inout ByteWriter) { machine.encode(to: &w) }

    init(machine: FittedSupportVectorClassifier) { self.machine = machine }

    public init(from r: inout ByteReader) throws { machine = try FittedSupportVectorClassifier(from: &r) }
}

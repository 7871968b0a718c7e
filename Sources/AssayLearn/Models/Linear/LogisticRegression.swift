import AssayCore
import Foundation

/// Binary logistic regression with an unpenalized intercept and an L2, L1, elastic-net or no penalty.
///
/// Matches scikit-learn's `LogisticRegression`: it minimizes
/// `C · Σ sᵢ·logloss(yᵢ, σ(xᵢ·w + b)) + ρ‖w‖₁ + (1 − ρ)/2 ‖w‖²` with ρ = 0 (`l2`), 1 (`l1`) or `l1_ratio`
/// (`elasticnet`), and no penalty term for `none`. The solver is L-BFGS (OWL-QN when there is an L1 term),
/// stopping when the largest (pseudo-)gradient component of the sample-weight-normalized objective is at
/// most `tol`, as scipy's L-BFGS-B does for scikit-learn. `class_weight: balanced` weighs each class by
/// `n / (2 · n_class)`.
/// Differs from scikit-learn: the line search is a backtracking Armijo search rather than L-BFGS-B's
/// Moré–Thuente search, and scikit-learn solves L1 and elastic-net with SAGA, whose `tol` bounds the change in
/// coefficients instead; loosely converged fits (default `tol`) stop at slightly different points.
public struct LogisticRegression: WeightedClassifier, Equatable {
    public enum ClassWeight: String, Sendable { case balanced }
    public enum Penalty: String, Sendable { case l2, l1, elasticnet, none }

    public var C: Double = 1
    public var penalty = Penalty.l2
    /// The L1 share of an elastic-net penalty.
    public var l1Ratio = 0.5
    public var classWeight: ClassWeight? = nil
    public var maxIter: Int = 100
    public var tol: Double = 1e-4

    public init(C: Double = 1, classWeight: ClassWeight? = nil, maxIter: Int = 100, tol: Double = 1e-4) {
        self.C = C
        self.classWeight = classWeight
        self.maxIter = maxIter
        self.tol = tol
    }

    /// The spec's `logistic_regression`.
    public static let definition = ModelDefinition.classifier("logistic_regression", tag: 1, defaults: LogisticRegression(), parameters: [
        Parameter(.number("C", greaterThan: 0), default: .double(1), accepts: [.int(10)], rejects: [.int(0), .double(-1), .string("big")]) {
            $0.C = $1.number!
        },
        Parameter(.choice("penalty", ["l2", "l1", "elasticnet", "none"]), default: .string("l2"), accepts: [.string("l1")], rejects: [.string("l3")]) {
            $0.penalty = Penalty(rawValue: $1.stringValue!)!
        },
        Parameter(ParameterRule("l1_ratio", summary: "a number in [0, 1]", schema: ["type": "number", "minimum": 0, "maximum": 1]) { v in
            guard let x = v.number, x >= 0, x <= 1 else { return "must be a number in [0, 1], got \(v.json)" }
            return nil
        }, default: .double(0.5), accepts: [.int(0), .int(1)], rejects: [.double(1.5), .double(-0.1), .null],
           context: ["penalty": .string("elasticnet")]) { $0.l1Ratio = $1.number! },
        Parameter(.choice("class_weight", ["balanced"], nullable: true), default: .null, accepts: [.string("balanced")], rejects: [.string("auto")]) {
            $0.classWeight = $1.stringValue.flatMap(ClassWeight.init(rawValue:))
        },
        Parameter(.integer("max_iter", atLeast: 1), default: .int(100), rejects: [.int(0), .double(10.5)]) { $0.maxIter = $1.intValue! },
        Parameter(.number("tol", greaterThan: 0), default: .double(1e-4), rejects: [.int(0)]) { $0.tol = $1.number! },
    ], checkPoint: { point in
        // scikit-learn ignores l1_ratio under other penalties (with a warning); a spec that sets it has made a mistake.
        guard point["l1_ratio"] != nil, point["penalty"] != .string("elasticnet") else { return nil }
        return "l1_ratio only applies to penalty: elasticnet (this point has penalty \(point["penalty"]?.display ?? "l2"))"
    })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], using rng: inout G) throws -> FittedLogisticRegression {
        try fit(x, y, sampleWeights: nil)
    }

    /// Sample weights multiply each row's class weight (`balanced` counts the classes by weight); the loss and its
    /// penalty are divided by their sum (scikit-learn's scaling).
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], weights: [Double], using rng: inout G) throws -> FittedLogisticRegression {
        try fit(x, y, sampleWeights: weights)
    }

    func fit(_ x: Matrix, _ y: [UInt8], sampleWeights: [Double]?) throws -> FittedLogisticRegression {
        try InputCheck.fitting(x, y)
        let n = x.rows, p = x.cols
        var weights = [Double](repeating: 1, count: n)
        if let sampleWeights {
            // `balanced` counts each class by its rows' sample weights, as scikit-learn's LogisticRegression does.
            weights = ClassWeights.balanced(y, classes: 2, counts: sampleWeights, enabled: classWeight == .balanced)
        } else if classWeight == .balanced {
            let positives = Double(y.reduce(0) { $0 + Int($1) })
            let w1 = Double(n) / (2 * positives), w0 = Double(n) / (2 * (Double(n) - positives))
            for i in 0..<n { weights[i] = y[i] == 1 ? w1 : w0 }
        }
        let sw = weights.reduce(0, +)
        let rho: Double = [.l2: 0, .l1: 1, .elasticnet: l1Ratio, .none: 0][penalty]!
        let strength = penalty == .none ? 0 : 1 / (C * sw)
        let l2 = (1 - rho) * strength
        let l1: [Double]? = rho > 0 ? [Double](repeating: rho * strength, count: p) + [0] : nil
        var z = [Double](repeating: 0, count: n)
        var r = [Double](repeating: 0, count: n)
        let labels = y.map(Double.init)
        let solver = LBFGS(maxIterations: maxIter, gradientTolerance: tol)
        let result = x.values.withUnsafeBufferPointer { xb in
            solver.minimize(from: [Double](repeating: 0, count: p + 1), l1: l1) { theta, grad in
                let b = theta[p]
                var loss = 0.0
                theta.withUnsafeBufferPointer { t in
                    z.withUnsafeMutableBufferPointer { zb in RowDots.compute(xb.baseAddress!, rows: n, cols: p, t.baseAddress!, start: b, into: zb.baseAddress!) }
                    for i in 0..<n {
                        let s = z[i]
                        // log(1 + e^s) - y s, computed stably.
                        let softplus = s > 0 ? s + log1p(exp(-s)) : log1p(exp(s))
                        loss += weights[i] * (softplus - labels[i] * s)
                        let sigma = Logistic.sigmoid(s)
                        r[i] = weights[i] * (sigma - labels[i])
                    }
                }
                var penalty = 0.0
                for j in 0..<p { grad[j] = 0; penalty += theta[j] * theta[j] }
                var gb = 0.0
                grad.withUnsafeMutableBufferPointer { g in
                    for i in 0..<n {
                        let ri = r[i]
                        gb += ri
                        if ri == 0 { continue }
                        let row = xb.baseAddress! + i * p
                        for j in 0..<p { g[j] += ri * row[j] }
                    }
                }
                for j in 0..<p { grad[j] = grad[j] / sw + l2 * theta[j] }
                grad[p] = gb / sw
                return loss / sw + 0.5 * l2 * penalty
            }
        }
        return FittedLogisticRegression(coefficients: Array(result.x[0..<p]), intercept: result.x[p],
                                        iterations: result.iterations, converged: result.converged)
    }
}

/// A fitted logistic regression: coefficients per input column and an intercept.
public struct FittedLogisticRegression: FittedClassifier, Equatable {
    public let coefficients: [Double]
    public let intercept: Double
    public let iterations: Int
    /// False when `max_iter` was reached before the tolerance.
    public let converged: Bool

    public var inputWidth: Int { coefficients.count }

    public var convergenceNote: String? { converged ? nil : "stopped at max_iter (\(iterations)) before reaching tol" }

    public func decisionFunction(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: inputWidth)
        return RowDots.compute(x.values, rows: x.rows, cols: x.cols, coefficients, start: intercept)
    }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        try decisionFunction(x).map(Logistic.sigmoid)
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(coefficients); w.write(intercept); w.write(iterations); w.write(converged)
    }

    public init(coefficients: [Double], intercept: Double, iterations: Int, converged: Bool) {
        self.coefficients = coefficients
        self.intercept = intercept
        self.iterations = iterations
        self.converged = converged
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("logistic regression", version: Self.formatVersion)
        self.init(coefficients: try r.readDoubles(), intercept: try r.readDouble(), iterations: try r.readInt(), converged: try r.readBool())
    }
}

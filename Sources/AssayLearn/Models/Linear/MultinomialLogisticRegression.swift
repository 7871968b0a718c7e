import AssayCore
import Foundation

/// Multinomial (softmax) logistic regression for task multiclass, with unpenalized intercepts and an L2 or no penalty.
///
/// Matches scikit-learn's `LogisticRegression` with the lbfgs solver on more than two classes (multinomial since
/// scikit-learn 1.5): it minimizes `(1/Σs) Σ sᵢ·(log Σₖ e^{zᵢₖ} − zᵢ,yᵢ) + ‖W‖² / (2·C·Σs)` over the K × p coefficients
/// W and the K intercepts, zᵢₖ = xᵢ·Wₖ + bₖ, by L-BFGS stopping when the largest gradient component is at most `tol`.
/// `class_weight: balanced` weighs each class by `n / (K · n_class)`.
/// Differs from scikit-learn: the line search is a backtracking Armijo search rather than L-BFGS-B's Moré–Thuente
/// search, so loosely converged fits stop at slightly different points; `l1` and `elasticnet` (saga) are not offered.
public struct MultinomialLogisticRegression: WeightedMulticlassClassifier, Equatable {
    public enum Penalty: String, Sendable { case l2, none }

    public var C: Double = 1
    public var penalty = Penalty.l2
    public var classWeight: LogisticRegression.ClassWeight? = nil
    public var maxIter: Int = 100
    public var tol: Double = 1e-4

    public init() {}

    /// The spec's `logistic_regression` under `task: multiclass`.
    public static let definition = ModelDefinition.multiclass("logistic_regression", tag: 20, defaults: MultinomialLogisticRegression(), parameters: [
        Parameter(.number("C", greaterThan: 0), default: .double(1), accepts: [.int(10)], rejects: [.int(0), .double(-1), .string("big")]) {
            $0.C = $1.number!
        },
        Parameter(.choice("penalty", ["l2", "none"]), default: .string("l2"), accepts: [.string("none")], rejects: [.string("l1")]) {
            $0.penalty = Penalty(rawValue: $1.stringValue!)!
        },
        Parameter(.choice("class_weight", ["balanced"], nullable: true), default: .null, accepts: [.string("balanced")], rejects: [.string("auto")]) {
            $0.classWeight = $1.stringValue.flatMap(LogisticRegression.ClassWeight.init(rawValue:))
        },
        Parameter(.integer("max_iter", atLeast: 1), default: .int(100), rejects: [.int(0), .double(10.5)]) { $0.maxIter = $1.intValue! },
        Parameter(.number("tol", greaterThan: 0), default: .double(1e-4), rejects: [.int(0)]) { $0.tol = $1.number! },
    ])

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedMultinomialLogisticRegression {
        try fit(x, y, classes: k, sampleWeights: nil)
    }

    /// Sample weights multiply each row's class weight (`balanced` counts the classes by weight, as scikit-learn does).
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, weights: [Double],
                                              using rng: inout G) throws -> FittedMultinomialLogisticRegression {
        try fit(x, y, classes: k, sampleWeights: weights)
    }

    func fit(_ x: Matrix, _ y: [UInt8], classes k: Int, sampleWeights: [Double]?) throws -> FittedMultinomialLogisticRegression {
        try InputCheck.fitting(x, y, classes: k)
        let n = x.rows, p = x.cols
        let weights = ClassWeights.balanced(y, classes: k, counts: sampleWeights, enabled: classWeight == .balanced)
        let sw = weights.reduce(0, +)
        let l2 = penalty == .none ? 0 : 1 / (C * sw)
        let solver = LBFGS(maxIterations: maxIter, gradientTolerance: tol)
        var z = [Double](repeating: 0, count: k)
        let result = x.values.withUnsafeBufferPointer { xb in
            solver.minimize(from: [Double](repeating: 0, count: k * (p + 1))) { theta, grad in
                for j in grad.indices { grad[j] = 0 }
                var loss = 0.0
                theta.withUnsafeBufferPointer { t in
                    grad.withUnsafeMutableBufferPointer { g in
                        for i in 0..<n {
                            let row = xb.baseAddress! + i * p
                            for c in 0..<k {
                                var s = t[k * p + c]
                                let w = t.baseAddress! + c * p
                                for j in 0..<p { s += row[j] * w[j] }
                                z[c] = s
                            }
                            let top = z.max() ?? 0
                            var total = 0.0
                            for c in 0..<k { total += exp(z[c] - top) }
                            let logNorm = top + log(total)
                            let label = Int(y[i])
                            loss += weights[i] * (logNorm - z[label])
                            for c in 0..<k {
                                let r = weights[i] * (exp(z[c] - logNorm) - (c == label ? 1 : 0))
                                g[k * p + c] += r
                                if r == 0 { continue }
                                let gw = g.baseAddress! + c * p
                                for j in 0..<p { gw[j] += r * row[j] }
                            }
                        }
                    }
                }
                var penaltySum = 0.0
                for j in 0..<(k * p) { penaltySum += theta[j] * theta[j]; grad[j] = grad[j] / sw + l2 * theta[j] }
                for c in 0..<k { grad[k * p + c] /= sw }
                return loss / sw + 0.5 * l2 * penaltySum
            }
        }
        return FittedMultinomialLogisticRegression(classCount: k, coefficients: Array(result.x[0..<(k * p)]), intercepts: Array(result.x[(k * p)...]),
                                                   iterations: result.iterations, converged: result.converged)
    }
}

/// A fitted multinomial logistic regression: per class, coefficients per input column and an intercept.
public struct FittedMultinomialLogisticRegression: FittedMulticlassClassifier, Equatable {
    public let classCount: Int
    /// classCount × inputWidth, class after class.
    public let coefficients: [Double]
    public let intercepts: [Double]
    public let iterations: Int
    public let converged: Bool

    public var inputWidth: Int { coefficients.count / max(classCount, 1) }

    public var convergenceNote: String? { converged ? nil : "stopped at max_iter (\(iterations)) before reaching tol" }

    public init(classCount: Int, coefficients: [Double], intercepts: [Double], iterations: Int, converged: Bool) {
        self.classCount = classCount
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.iterations = iterations
        self.converged = converged
    }

    public func predictClassProbabilities(_ x: Matrix) throws -> Matrix {
        try InputCheck.predicting(x, width: inputWidth)
        let k = classCount, p = x.cols
        var out = [Double](repeating: 0, count: x.rows * k)
        let scores = (0..<k).map { c in
            RowDots.compute(x.values, rows: x.rows, cols: p, Array(coefficients[(c * p)..<((c + 1) * p)]), start: intercepts[c])
        }
        var z = [Double](repeating: 0, count: k)
        for i in 0..<x.rows {
            for c in 0..<k { z[c] = scores[c][i] }
            out.withUnsafeMutableBufferPointer { o in Logistic.softmax(z, count: k, into: o.baseAddress! + i * k) }
        }
        return Matrix(rows: x.rows, cols: k, values: out)
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(classCount); w.write(coefficients); w.write(intercepts); w.write(iterations); w.write(converged)
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("multinomial logistic regression", version: Self.formatVersion)
        self.init(classCount: try r.readInt(), coefficients: try r.readDoubles(), intercepts: try r.readDoubles(), iterations: try r.readInt(),
                  converged: try r.readBool())
        try BinaryFormatError.require(classCount >= 2 && intercepts.count == classCount && coefficients.count % classCount == 0
                                      && (coefficients + intercepts).allSatisfy(\.isFinite), "multinomial logistic regression: coefficients")
    }
}

import AssayCore
import Foundation

/// Ordinary least squares with an intercept.
///
/// Matches scikit-learn's `LinearRegression`: the minimum-norm least-squares coefficients of the centred
/// columns (what `lstsq` returns when columns are collinear, as with a full one-hot encoding), and the intercept
/// that makes the residuals sum to zero. Solved through the eigendecomposition of the centred Gram matrix;
/// directions with an eigenvalue below 1e-10 of the largest count as null (`lstsq` cuts singular values below
/// machine epsilon × rows of the largest, which the Gram matrix cannot resolve).
public struct LinearRegression: WeightedRegressor, Equatable {
    public init() {}

    /// The spec's `linear_regression` (task regression).
    public static let definition = ModelDefinition.regressor("linear_regression", tag: 11, defaults: LinearRegression(), parameters: [])

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedLinearRegressor {
        try InputCheck.fitting(x, y)
        return LinearSolve.ridge(x, y, alpha: 0)
    }

    /// Weighted least squares (each row's squared error times its sample weight).
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> FittedLinearRegressor {
        try InputCheck.fitting(x, y)
        return LinearSolve.ridge(x, y, alpha: 0, weights: weights)
    }
}

/// Least squares with an L2 penalty `alpha‖w‖²` on the coefficients (not the intercept).
///
/// Matches scikit-learn's `Ridge` (its `cholesky` solver, which `auto` picks for dense input): the coefficients
/// solve (XcᵀXc + αI) w = Xcᵀyc on the centred columns. Solved through the same eigendecomposition as
/// `LinearRegression`.
public struct Ridge: WeightedRegressor, Equatable {
    public var alpha = 1.0

    public init(alpha: Double = 1) { self.alpha = alpha }

    /// The spec's `ridge` (task regression).
    public static let definition = ModelDefinition.regressor("ridge", tag: 11, defaults: Ridge(), parameters: [
        Parameter(.number("alpha", atLeast: 0), default: .double(1), accepts: [.double(0), .int(10)], rejects: [.double(-1)]) { $0.alpha = $1.number! },
    ])

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedLinearRegressor {
        try InputCheck.fitting(x, y)
        return LinearSolve.ridge(x, y, alpha: alpha)
    }

    /// Weighted least squares with the same penalty (scikit-learn does not scale `alpha` by the weights).
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> FittedLinearRegressor {
        try InputCheck.fitting(x, y)
        return LinearSolve.ridge(x, y, alpha: alpha, weights: weights)
    }
}

/// Least squares with an elastic-net penalty, by cyclic coordinate descent.
///
/// Matches scikit-learn's `ElasticNet` (and `Lasso`, its `l1_ratio = 1` case): it minimizes
/// `1/(2n)‖y − Xw − b‖² + α·ρ‖w‖₁ + α(1 − ρ)/2 ‖w‖²` on the centred columns, visiting the coefficients in
/// order, and stops when the largest coefficient change is below `tol` × the largest coefficient and the duality
/// gap is below `tol` × ‖y_c‖², or after `max_iter` passes (then the report notes it did not converge).
public struct ElasticNet: WeightedRegressor, Equatable {
    public var alpha = 1.0
    public var l1Ratio = 0.5
    public var maxIter = 1000
    public var tol = 1e-4

    public init(alpha: Double = 1, l1Ratio: Double = 0.5) {
        self.alpha = alpha
        self.l1Ratio = l1Ratio
    }

    static func parameters<S: ElasticNetSettings>() -> [Parameter<S>] {
        [
            Parameter(.number("alpha", atLeast: 0), default: .double(1), accepts: [.double(0.01), .int(2)], rejects: [.double(-0.5)]) { $0.net.alpha = $1.number! },
            Parameter(.integer("max_iter", atLeast: 1), default: .int(1000), accepts: [.int(50)], rejects: [.int(0)]) { $0.net.maxIter = $1.intValue! },
            Parameter(.number("tol", greaterThan: 0), default: .double(1e-4), accepts: [.double(1e-6)], rejects: [.double(0)]) { $0.net.tol = $1.number! },
        ]
    }

    /// The spec's `elastic_net` (task regression).
    public static let definition = ModelDefinition.regressor("elastic_net", tag: 11, defaults: ElasticNet(), parameters: parameters() + [
        Parameter(ParameterRule("l1_ratio", summary: "a number in [0, 1]", schema: ["type": "number", "minimum": 0, "maximum": 1]) { v in
            guard let r = v.number, r >= 0, r <= 1 else { return "must be a number in [0, 1], got \(v.json)" }
            return nil
        }, default: .double(0.5), accepts: [.double(0), .int(1)], rejects: [.double(1.5)]) { $0.l1Ratio = $1.number! },
    ])

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedLinearRegressor {
        try InputCheck.fitting(x, y)
        return LinearSolve.coordinateDescent(x, y, alpha: alpha, l1Ratio: l1Ratio, maxIter: maxIter, tol: tol)
    }

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> FittedLinearRegressor {
        try InputCheck.fitting(x, y)
        return LinearSolve.coordinateDescent(x, y, alpha: alpha, l1Ratio: l1Ratio, maxIter: maxIter, tol: tol, weights: weights)
    }
}

/// Settings that hold an elastic net (so `ElasticNet` and `Lasso` share their parameters).
protocol ElasticNetSettings: Sendable {
    var net: ElasticNet { get set }
}

extension ElasticNet: ElasticNetSettings {
    var net: ElasticNet {
        get { self }
        set { self = newValue }
    }
}

/// Least squares with an L1 penalty: scikit-learn's `Lasso`, an `ElasticNet` with `l1_ratio = 1`.
public struct Lasso: WeightedRegressor, Equatable, ElasticNetSettings {
    var net: ElasticNet = { var e = ElasticNet(); e.l1Ratio = 1; return e }()

    public init() {}

    /// The spec's `lasso` (task regression).
    public static let definition = ModelDefinition.regressor("lasso", tag: 11, defaults: Lasso(), parameters: ElasticNet.parameters())

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedLinearRegressor {
        try net.fit(x, y, using: &rng)
    }

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> FittedLinearRegressor {
        try net.fit(x, y, weights: weights, using: &rng)
    }
}

/// A fitted linear model: prediction = x·coef + intercept.
public struct FittedLinearRegressor: FittedRegressor, Equatable {
    public let coefficients: [Double]
    public let intercept: Double
    /// Set when coordinate descent stopped at `max_iter`.
    public let stoppedEarly: String?

    public var inputWidth: Int { coefficients.count }
    public var convergenceNote: String? { stoppedEarly }

    public init(coefficients: [Double], intercept: Double, stoppedEarly: String? = nil) {
        self.coefficients = coefficients
        self.intercept = intercept
        self.stoppedEarly = stoppedEarly
    }

    public func predict(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: coefficients.count)
        return RowDots.compute(x.values, rows: x.rows, cols: x.cols, coefficients, start: intercept)
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(coefficients); w.write(intercept); w.write(stoppedEarly ?? "")
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("linear regressor", version: Self.formatVersion)
        let coefficients = try r.readDoubles(), intercept = try r.readDouble(), note = try r.readString()
        try BinaryFormatError.require(coefficients.allSatisfy(\.isFinite) && intercept.isFinite, "linear regressor: coefficients")
        self.init(coefficients: coefficients, intercept: intercept, stoppedEarly: note.isEmpty ? nil : note)
    }
}

/// The solvers behind the linear regressors, on centred columns.
enum LinearSolve {
    /// Column means, and the centred matrix (row-major) and target.
    /// With sample weights: the weighted means, and each centred row (and its target) times the square root of its
    /// weight, so that plain least squares on them is the weighted problem (scikit-learn's `_rescale_data`).
    static func centred(_ x: Matrix, _ y: [Double], weights: [Double]?) -> (xMean: [Double], yMean: Double, xc: [Double], yc: [Double]) {
        guard let weights else { return centred(x, y) }
        let n = x.rows, p = x.cols, total = weights.reduce(0, +)
        var xMean = [Double](repeating: 0, count: p)
        for i in 0..<n { for j in 0..<p { xMean[j] += weights[i] * x.values[i * p + j] } }
        for j in 0..<p { xMean[j] /= total }
        let yMean = zip(y, weights).reduce(0.0) { $0 + $1.0 * $1.1 } / total
        var xc = x.values, yc = y
        for i in 0..<n {
            let root = weights[i].squareRoot()
            for j in 0..<p { xc[i * p + j] = (xc[i * p + j] - xMean[j]) * root }
            yc[i] = (y[i] - yMean) * root
        }
        return (xMean, yMean, xc, yc)
    }

    static func centred(_ x: Matrix, _ y: [Double]) -> (xMean: [Double], yMean: Double, xc: [Double], yc: [Double]) {
        let n = x.rows, p = x.cols
        var xMean = [Double](repeating: 0, count: p)
        for i in 0..<n { for j in 0..<p { xMean[j] += x.values[i * p + j] } }
        for j in 0..<p { xMean[j] /= Double(n) }
        let yMean = y.reduce(0, +) / Double(n)
        var xc = x.values
        for i in 0..<n { for j in 0..<p { xc[i * p + j] -= xMean[j] } }
        return (xMean, yMean, xc, y.map { $0 - yMean })
    }

    /// (XcᵀXc + αI)⁺ Xcᵀyc through the eigendecomposition of XcᵀXc; with α = 0, the minimum-norm solution.
    static func ridge(_ x: Matrix, _ y: [Double], alpha: Double, weights: [Double]? = nil) -> FittedLinearRegressor {
        let n = x.rows, p = x.cols
        let (xMean, yMean, xc, yc) = centred(x, y, weights: weights)
        var gram = [Double](repeating: 0, count: p * p), xty = [Double](repeating: 0, count: p)
        for i in 0..<n {
            let row = i * p
            for a in 0..<p {
                let v = xc[row + a]
                if v == 0 { continue }
                xty[a] += v * yc[i]
                for b in a..<p { gram[a * p + b] += v * xc[row + b] }
            }
        }
        for a in 0..<p { for b in 0..<a { gram[a * p + b] = gram[b * p + a] } }
        let (values, vectors) = SymmetricEigen.decompose(gram, p)
        let largest = values.max() ?? 0
        var w = [Double](repeating: 0, count: p)
        for k in 0..<p {
            let d = values[k] + alpha
            guard d > 1e-10 * max(largest + alpha, .leastNormalMagnitude) else { continue }
            var proj = 0.0
            for a in 0..<p { proj += vectors[a * p + k] * xty[a] }
            let c = proj / d
            for a in 0..<p { w[a] += c * vectors[a * p + k] }
        }
        return FittedLinearRegressor(coefficients: w, intercept: yMean - zip(xMean, w).reduce(0) { $0 + $1.0 * $1.1 })
    }

    /// scikit-learn's `enet_coordinate_descent` on the centred columns; sample weights are first scaled to sum to the
    /// row count, as scikit-learn's `ElasticNet.fit` does.
    static func coordinateDescent(_ x: Matrix, _ y: [Double], alpha: Double, l1Ratio: Double, maxIter: Int, tol: Double,
                                  weights: [Double]? = nil) -> FittedLinearRegressor {
        let n = x.rows, p = x.cols
        let scaled = weights.map { w -> [Double] in let total = w.reduce(0, +); return w.map { $0 * (Double(n) / total) } }
        let (xMean, yMean, xcRows, yc) = centred(x, y, weights: scaled)
        // Column-major copy: each coordinate step reads one column.
        var col = [Double](repeating: 0, count: n * p)
        for i in 0..<n { for j in 0..<p { col[j * n + i] = xcRows[i * p + j] } }
        let l1 = alpha * l1Ratio * Double(n), l2 = alpha * (1 - l1Ratio) * Double(n)
        let norms = (0..<p).map { j in (0..<n).reduce(0.0) { $0 + col[j * n + $1] * col[j * n + $1] } }
        var w = [Double](repeating: 0, count: p)
        var r = yc
        let gapTol = tol * yc.reduce(0) { $0 + $1 * $1 }
        var converged = false
        for _ in 0..<maxIter {
            var wMax = 0.0, dwMax = 0.0
            for j in 0..<p where norms[j] != 0 {
                let old = w[j], base = j * n
                if old != 0 { for i in 0..<n { r[i] += old * col[base + i] } }
                var t = 0.0
                for i in 0..<n { t += col[base + i] * r[i] }
                let shrunk = max(abs(t) - l1, 0)
                w[j] = shrunk == 0 ? 0 : (t < 0 ? -shrunk : shrunk) / (norms[j] + l2)
                if w[j] != 0 { for i in 0..<n { r[i] -= w[j] * col[base + i] } }
                dwMax = max(dwMax, abs(w[j] - old))
                wMax = max(wMax, abs(w[j]))
            }
            if wMax == 0 || dwMax / wMax < tol {
                if dualityGap(col, n, p, r, yc, w, l1: l1, l2: l2) < gapTol { converged = true; break }
            }
        }
        return FittedLinearRegressor(coefficients: w, intercept: yMean - zip(xMean, w).reduce(0) { $0 + $1.0 * $1.1 },
                                     stoppedEarly: converged ? nil : "did not converge in max_iter=\(maxIter) passes")
    }

    /// The elastic net's duality gap at `w` with residuals `r` (scikit-learn's formula).
    static func dualityGap(_ col: [Double], _ n: Int, _ p: Int, _ r: [Double], _ y: [Double], _ w: [Double], l1: Double, l2: Double) -> Double {
        var dualNorm = 0.0
        for j in 0..<p {
            var t = 0.0
            for i in 0..<n { t += col[j * n + i] * r[i] }
            dualNorm = max(dualNorm, abs(t - l2 * w[j]))
        }
        let rNorm2 = r.reduce(0) { $0 + $1 * $1 }, wNorm2 = w.reduce(0) { $0 + $1 * $1 }
        var gap: Double, scale: Double
        if dualNorm > l1 {
            scale = l1 / dualNorm
            gap = 0.5 * (rNorm2 + rNorm2 * scale * scale)
        } else {
            scale = 1
            gap = rNorm2
        }
        let ry = zip(r, y).reduce(0) { $0 + $1.0 * $1.1 }
        gap += l1 * w.reduce(0) { $0 + abs($1) } - scale * ry + 0.5 * l2 * (1 + scale * scale) * wNorm2
        return gap
    }
}

/// Eigenvalues and eigenvectors of a symmetric matrix by cyclic Jacobi rotations.
enum SymmetricEigen {
    /// `a` is p×p row-major; returns the eigenvalues and the eigenvectors as the columns of a p×p row-major matrix.
    static func decompose(_ matrix: [Double], _ p: Int) -> (values: [Double], vectors: [Double]) {
        var a = matrix
        var v = [Double](repeating: 0, count: p * p)
        for i in 0..<p { v[i * p + i] = 1 }
        let scale = a.reduce(0) { $0 + $1 * $1 }
        for _ in 0..<100 {
            var off = 0.0
            for i in 0..<p { for j in (i + 1)..<max(p, i + 1) { off += a[i * p + j] * a[i * p + j] } }
            if off <= 1e-30 * scale || off == 0 { break }
            for i in 0..<p {
                for j in (i + 1)..<max(p, i + 1) {
                    let aij = a[i * p + j]
                    if aij == 0 { continue }
                    let theta = (a[j * p + j] - a[i * p + i]) / (2 * aij)
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<p {
                        let aki = a[k * p + i], akj = a[k * p + j]
                        a[k * p + i] = c * aki - s * akj
                        a[k * p + j] = s * aki + c * akj
                    }
                    for k in 0..<p {
                        let aik = a[i * p + k], ajk = a[j * p + k]
                        a[i * p + k] = c * aik - s * ajk
                        a[j * p + k] = s * aik + c * ajk
                    }
                    for k in 0..<p {
                        let vki = v[k * p + i], vkj = v[k * p + j]
                        v[k * p + i] = c * vki - s * vkj
                        v[k * p + j] = s * vki + c * vkj
                    }
                }
            }
        }
        return ((0..<p).map { a[$0 * p + $0] }, v)
    }
}

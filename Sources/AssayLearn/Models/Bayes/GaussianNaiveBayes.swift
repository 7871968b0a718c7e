import AssayCore
import Foundation

/// Gaussian naive Bayes.
///
/// Matches scikit-learn's `GaussianNB`: per class, each feature's mean and (population) variance;
/// every variance is increased by `var_smoothing` times the largest feature variance of the whole
/// training set; class priors are the class shares. Probabilities come from the joint log-likelihood
/// normalized with log-sum-exp.
public struct GaussianNaiveBayes: WeightedClassifier, Equatable {
    public var varSmoothing: Double = 1e-9

    public init(varSmoothing: Double = 1e-9) { self.varSmoothing = varSmoothing }

    /// The spec's `naive_bayes`.
    public static let definition = ModelDefinition.classifier("naive_bayes", tag: 3, defaults: GaussianNaiveBayes(), parameters: parameters)

    static let parameters: [Parameter<GaussianNaiveBayes>] = [
        Parameter(.number("var_smoothing", atLeast: 0), default: .double(1e-9), accepts: [.int(0)], rejects: [.double(-1), .string("auto")]) {
            $0.varSmoothing = $1.number!
        },
    ]

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], using rng: inout G) throws -> FittedGaussianNaiveBayes {
        try InputCheck.fitting(x, y)
        let (means, variances, priors) = classStatistics(x, y, classes: 2)
        return FittedGaussianNaiveBayes(means: means, variances: variances, priors: priors)
    }

    /// Sample weights weigh each class's means and variances and its prior (its share of the weight); the smoothing
    /// still comes from the unweighted variances, as in scikit-learn.
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], weights: [Double], using rng: inout G) throws -> FittedGaussianNaiveBayes {
        try InputCheck.fitting(x, y)
        let (means, variances, priors) = classStatistics(x, y, classes: 2, weights: weights)
        return FittedGaussianNaiveBayes(means: means, variances: variances, priors: priors)
    }

    /// Per class 0 ..< `classes`: each feature's mean and smoothed variance, and the class's share of the rows (of
    /// their sample weight, with `weights`).
    func classStatistics(_ x: Matrix, _ y: [UInt8], classes: Int, weights: [Double]? = nil) -> (means: [[Double]], variances: [[Double]], priors: [Double]) {
        let p = x.cols
        var largest = 0.0
        for j in 0..<p {
            var column = [Double](repeating: 0, count: x.rows)
            for i in 0..<x.rows { column[i] = x[i, j] }
            largest = max(largest, Self.variance(column, mean: Stats.mean(column)))
        }
        let epsilon = varSmoothing * largest
        var means: [[Double]] = [], variances: [[Double]] = [], priors: [Double] = []
        if let weights {
            let total = weights.reduce(0, +)
            for c in 0..<classes {
                let rows = y.indices.filter { Int(y[$0]) == c }
                let w = rows.reduce(0.0) { $0 + weights[$1] }
                priors.append(w / total)
                var mu = [Double](repeating: 0, count: p), v = mu
                for j in 0..<p {
                    mu[j] = rows.reduce(0.0) { $0 + weights[$1] * x[$1, j] } / w
                    v[j] = rows.reduce(0.0) { $0 + weights[$1] * (x[$1, j] - mu[j]) * (x[$1, j] - mu[j]) } / w + epsilon
                }
                means.append(mu); variances.append(v)
            }
            return (means, variances, priors)
        }
        for c in 0..<classes {
            let rows = y.indices.filter { Int(y[$0]) == c }
            priors.append(Double(rows.count) / Double(x.rows))
            var mu = [Double](repeating: 0, count: p), v = mu
            for j in 0..<p {
                let column = rows.map { x[$0, j] }
                mu[j] = Stats.mean(column)
                v[j] = Self.variance(column, mean: mu[j]) + epsilon
            }
            means.append(mu); variances.append(v)
        }
        return (means, variances, priors)
    }

    static func variance(_ x: [Double], mean m: Double) -> Double {
        x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)
    }
}

/// A fitted Gaussian naive Bayes: per class, feature means and variances, and the class prior.
public struct FittedGaussianNaiveBayes: FittedClassifier, Equatable {
    /// Index 0: the negative class, 1: the positive class.
    public let means: [[Double]]
    public let variances: [[Double]]
    public let priors: [Double]

    public var inputWidth: Int { means[0].count }

    public init(means: [[Double]], variances: [[Double]], priors: [Double]) {
        self.means = means
        self.variances = variances
        self.priors = priors
    }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: inputWidth)
        let p = x.cols
        // -½ Σ log(2π σ²) per class, as scikit-learn computes it.
        let norms = (0..<2).map { c in -0.5 * variances[c].reduce(0) { $0 + log(2 * Double.pi * $1) } }
        return (0..<x.rows).map { i in
            var jll = [0.0, 0.0]
            for c in 0..<2 {
                var s = 0.0
                for j in 0..<p {
                    let d = x[i, j] - means[c][j]
                    s += d * d / variances[c][j]
                }
                jll[c] = log(priors[c]) + norms[c] - 0.5 * s
            }
            let top = max(jll[0], jll[1])
            let logNorm = top + log(exp(jll[0] - top) + exp(jll[1] - top))
            return exp(jll[1] - logNorm)
        }
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(means[0]); w.write(means[1]); w.write(variances[0]); w.write(variances[1]); w.write(priors)
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("naive Bayes", version: Self.formatVersion)
        let m0 = try r.readDoubles(), m1 = try r.readDoubles(), v0 = try r.readDoubles(), v1 = try r.readDoubles()
        self.init(means: [m0, m1], variances: [v0, v1], priors: try r.readDoubles())
        try BinaryFormatError.require(m1.count == m0.count && v0.count == m0.count && v1.count == m0.count && priors.count == 2
                                      && (m0 + m1).allSatisfy(\.isFinite) && (v0 + v1).allSatisfy { $0 >= 0 && $0.isFinite }
                                      && priors.allSatisfy { $0 > 0 && $0 <= 1 }, "naive Bayes: class statistics")
    }
}

/// Gaussian naive Bayes for task multiclass: the same model over every class (scikit-learn's `GaussianNB`).
public struct MulticlassGaussianNaiveBayes: WeightedMulticlassClassifier, Equatable {
    public var settings = GaussianNaiveBayes()

    public init() {}

    /// The spec's `naive_bayes` under `task: multiclass`.
    public static let definition = ModelDefinition.multiclass("naive_bayes", tag: 22, defaults: MulticlassGaussianNaiveBayes(),
                                                              parameters: GaussianNaiveBayes.parameters.map { $0.lifted(\.settings) })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedMulticlassGaussianNaiveBayes {
        try InputCheck.fitting(x, y, classes: k)
        let (means, variances, priors) = settings.classStatistics(x, y, classes: k)
        return FittedMulticlassGaussianNaiveBayes(means: means, variances: variances, priors: priors)
    }

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, weights: [Double],
                                              using rng: inout G) throws -> FittedMulticlassGaussianNaiveBayes {
        try InputCheck.fitting(x, y, classes: k)
        let (means, variances, priors) = settings.classStatistics(x, y, classes: k, weights: weights)
        return FittedMulticlassGaussianNaiveBayes(means: means, variances: variances, priors: priors)
    }
}

/// A fitted multiclass Gaussian naive Bayes: per class, feature means and variances, and the class prior.
public struct FittedMulticlassGaussianNaiveBayes: FittedMulticlassClassifier, Equatable {
    public let means: [[Double]]
    public let variances: [[Double]]
    public let priors: [Double]

    public var classCount: Int { priors.count }
    public var inputWidth: Int { means.first?.count ?? 0 }

    public init(means: [[Double]], variances: [[Double]], priors: [Double]) {
        self.means = means
        self.variances = variances
        self.priors = priors
    }

    public func predictClassProbabilities(_ x: Matrix) throws -> Matrix {
        try InputCheck.predicting(x, width: inputWidth)
        let k = classCount, p = x.cols
        let norms = (0..<k).map { c in -0.5 * variances[c].reduce(0) { $0 + log(2 * Double.pi * $1) } }
        var out = Matrix(rows: x.rows, cols: k)
        var jll = [Double](repeating: 0, count: k)
        for i in 0..<x.rows {
            for c in 0..<k {
                var s = 0.0
                for j in 0..<p {
                    let d = x[i, j] - means[c][j]
                    s += d * d / variances[c][j]
                }
                jll[c] = log(priors[c]) + norms[c] - 0.5 * s
            }
            let top = jll.max() ?? 0
            let logNorm = top + log(jll.reduce(0) { $0 + exp($1 - top) })
            for c in 0..<k { out[i, c] = exp(jll[c] - logNorm) }
        }
        return out
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(priors)
        for c in priors.indices { w.write(means[c]); w.write(variances[c]) }
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("multiclass naive Bayes", version: Self.formatVersion)
        let priors = try r.readDoubles()
        var means: [[Double]] = [], variances: [[Double]] = []
        for _ in priors.indices { means.append(try r.readDoubles()); variances.append(try r.readDoubles()) }
        self.init(means: means, variances: variances, priors: priors)
        let width = means.first?.count ?? 0
        try BinaryFormatError.require(priors.count >= 2 && means.allSatisfy { $0.count == width && $0.allSatisfy(\.isFinite) }
                                      && variances.allSatisfy { $0.count == width && $0.allSatisfy { $0 >= 0 && $0.isFinite } }
                                      && priors.allSatisfy { $0 > 0 && $0 <= 1 }, "multiclass naive Bayes: class statistics")
    }
}

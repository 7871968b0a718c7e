import AssayCore
import Foundation

/// A C-support vector classifier with probability outputs.
///
/// Matches scikit-learn's `SVC(probability=True)` (libsvm): the dual problem is solved by SMO with
/// second-order working-set selection, shrinking and a 200 MB kernel cache; `class_weight: balanced`
/// scales C per class by `n / (2 · n_class)`; `gamma: scale` is `1 / (n_features · Var(X))`, `auto` is
/// `1 / n_features`. Probabilities come from Platt scaling: a sigmoid `1 / (1 + exp(A·f + B))` fitted by
/// libsvm's Newton method to decision values from a seeded 5-fold cross-validation on the training rows.
/// The solver sees the rows as libsvm does (class 0 first, then class 1, each in the given order) and
/// `gamma: scale` uses numpy's pairwise sums, so on the same matrix SMO takes libsvm's path step for step:
/// even where a loose `tol` stops it far from the optimum, the decision function is scikit-learn's.
/// Differs from scikit-learn: the cross-validation folds come from Assay's seeded generator, not libsvm's
/// `rand()`, so A and B (and log loss, Brier) differ slightly; the ranking, and so ROC-AUC, comes from the
/// final decision function alone.
public struct SupportVectorClassifier: WeightedClassifier, Equatable {
    public enum Gamma: Equatable, Sendable { case scale, auto, value(Double) }

    public var C = 1.0
    public var kind = Kernel.Kind.rbf
    public var gamma = Gamma.scale
    public var coef0 = 0.0
    public var degree = 3
    public var balanced = false
    public var tol = 1e-3
    public var shrinking = true
    /// Nil: libsvm's default cap, `max(10_000_000, 100·n)` iterations.
    public var maxIter: Int? = nil
    /// Bytes for the kernel row cache (`cache_size` in MB, scikit-learn's default 200).
    public var cacheBytes = 200 << 20

    public init() {}

    /// The spec's `svm`.
    public static let definition = ModelDefinition.classifier("svm", tag: 7, defaults: SupportVectorClassifier(), parameters: classifierParameters)

    /// The classifiers' parameters (binary and multiclass): the kernel's and `class_weight`.
    static let classifierParameters: [Parameter<SupportVectorClassifier>] = kernelParameters + [
        Parameter(.choice("class_weight", ["balanced"], nullable: true), default: .null, accepts: [.string("balanced")], rejects: [.string("auto")]) {
            $0.balanced = $1 == .string("balanced")
        },
    ]

    /// The parameters of the solver and kernel, shared by the classifier and the regressor (SVR).
    static let kernelParameters: [Parameter<SupportVectorClassifier>] = [
        Parameter(.number("C", greaterThan: 0), default: .double(1), accepts: [.int(10)], rejects: [.int(0)]) { $0.C = $1.number! },
        Parameter(.choice("kernel", ["rbf", "linear", "poly", "sigmoid"]), default: .string("rbf"), accepts: [.string("poly")], rejects: [.string("precomputed")]) {
            $0.kind = Kernel.Kind(rawValue: $1.stringValue!)!
        },
        Parameter(ParameterRule("gamma", summary: "scale | auto | a number > 0", schema: ["anyOf": [["enum": ["scale", "auto"]], ["type": "number", "exclusiveMinimum": 0]]]) { v in
            if case .string(let s) = v, s == "scale" || s == "auto" { return nil }
            if let g = v.number, g.isFinite, g > 0 { return nil }
            return "must be scale, auto or a number greater than 0, got \(v.json)"
        }, default: .string("scale"), accepts: [.string("auto"), .double(0.1)], rejects: [.int(0), .string("big")]) {
            switch $1 {
            case .string("scale"): $0.gamma = .scale
            case .string("auto"): $0.gamma = .auto
            default: $0.gamma = .value($1.number!)
            }
        },
        Parameter(ParameterRule("coef0", summary: "a number", schema: ["type": "number"]) { v in v.number?.isFinite == true ? nil : "must be a number, got \(v.json)" },
                  default: .double(0), accepts: [.double(-1)], rejects: [.string("x")]) { $0.coef0 = $1.number! },
        Parameter(.integer("degree", atLeast: 0), default: .int(3), rejects: [.int(-1)]) { $0.degree = $1.intValue! },
        Parameter(.number("tol", greaterThan: 0), default: .double(1e-3), rejects: [.int(0)]) { $0.tol = $1.number! },
        Parameter(.number("cache_size", greaterThan: 0), default: .int(200), accepts: [.double(0.5)], rejects: [.int(0)]) {
            $0.cacheBytes = Int($1.number! * 1_048_576)
        },
        Parameter(.boolean("shrinking"), default: .bool(true), accepts: [.bool(false)], rejects: [.int(0)]) { $0.shrinking = $1.boolValue! },
        Parameter(ParameterRule("max_iter", summary: "-1 (no limit) | an integer ≥ 1", schema: ["anyOf": [["const": -1], ["type": "integer", "minimum": 1]]]) { v in
            if case .int(let i) = v, i == -1 || i >= 1 { return nil }
            return "must be -1 (no limit) or an integer of at least 1, got \(v.json)"
        }, default: .int(-1), accepts: [.int(1000)], rejects: [.int(0), .int(-2)]) { $0.maxIter = $1.intValue! == -1 ? nil : $1.intValue! },
    ]

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], using rng: inout G) throws -> FittedSupportVectorClassifier {
        try fit(x, y, sampleWeights: nil, using: &rng)
    }

    /// Each row's C is its class's times its sample weight (libsvm's per-row weights, as scikit-learn passes them);
    /// rows of weight 0 are left out before anything else, as scikit-learn's libsvm does (gamma `scale` still reads
    /// every row, as scikit-learn computes it first).
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], weights: [Double], using rng: inout G) throws -> FittedSupportVectorClassifier {
        try fit(x, y, sampleWeights: weights, using: &rng)
    }

    func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], sampleWeights: [Double]?, using rng: inout G) throws -> FittedSupportVectorClassifier {
        try InputCheck.fitting(x, y)
        let kernel = Kernel(kind: kind, gamma: resolvedGamma(x), coef0: coef0, degree: degree)
        let positives = y.reduce(0) { $0 + Int($1) }
        let n = Double(x.rows)
        let cPositive = balanced ? C * n / (2 * Double(positives)) : C
        let cNegative = balanced ? C * n / (2 * (n - Double(positives))) : C
        let (x, y, w) = Self.positiveWeights(x, y, sampleWeights)
        guard y.contains(0), y.contains(1) else { throw LearnError.badParameter("svm: the rows of positive sample weight hold only one class") }
        let (a, b) = plattParameters(x, y, kernel: kernel, cPositive: cPositive, cNegative: cNegative, weights: w, using: &rng)
        var model = train(x, y, kernel: kernel, cPositive: cPositive, cNegative: cNegative, weights: w)
        model.plattA = a
        model.plattB = b
        return model
    }

    /// The rows of positive sample weight, their labels and weights; everything unchanged without weights.
    static func positiveWeights<Label>(_ x: Matrix, _ y: [Label], _ w: [Double]?) -> (Matrix, [Label], [Double]?) {
        guard let w, w.contains(where: { $0 == 0 }) else { return (x, y, w) }
        let kept = w.indices.filter { w[$0] > 0 }
        return (x.rows(kept), kept.map { y[$0] }, kept.map { w[$0] })
    }

    func resolvedGamma(_ x: Matrix) -> Double {
        switch gamma {
        case .value(let g): return g
        case .auto: return 1 / Double(x.cols)
        case .scale:
            // `X.var()` over the whole (C-ordered) matrix, with numpy's pairwise sums: on a badly conditioned
            // problem one unit in the last place of gamma moves where SMO stops.
            let variance = Stats.variance(x.values)
            return variance != 0 ? 1 / (Double(x.cols) * variance) : 1
        }
    }

    /// One SMO fit; the result has no probability calibration yet.
    func train(_ x: Matrix, _ y: [UInt8], kernel: Kernel, cPositive: Double, cNegative: Double, weights: [Double]? = nil) -> FittedSupportVectorClassifier {
        // libsvm (as scikit-learn builds it) sorts the labels, puts the rows of the first class (0) first with
        // sign +1 and those of class 1 after them with sign −1, each in their given order. SMO's path, and so
        // where a loose tolerance stops it on a badly conditioned problem, depends on that order.
        let grouped = y.indices.filter { y[$0] == 0 } + y.indices.filter { y[$0] == 1 }
        let signs = grouped.map { y[$0] == 0 ? 1.0 : -1.0 }
        let upper = grouped.map { (y[$0] == 0 ? cNegative : cPositive) * (weights?[$0] ?? 1) }
        let rows = x.rows(grouped)
        let cache = KernelRowCache(x: rows, signs: signs, kernel: kernel, bytes: cacheBytes)
        let solver = SMOSolver(tolerance: tol, shrinking: shrinking, maxIterations: maxIter ?? max(10_000_000, 100 * x.rows))
        let solution = solver.solve(q: cache, signs: signs, upper: upper)
        let support = solution.alpha.indices.filter { solution.alpha[$0] > 0 }
        // libsvm's decision value is positive for class 0; Assay's (as scikit-learn's `decision_function`) for class 1.
        return FittedSupportVectorClassifier(
            kernel: kernel, supportVectors: rows.rows(support), dualCoefficients: support.map { -solution.alpha[$0] * signs[$0] },
            rho: -solution.rho, plattA: 0, plattB: 0, iterations: solution.iterations, converged: !solution.reachedMaxIterations)
    }

    func plattParameters<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], kernel: Kernel, cPositive: Double, cNegative: Double,
                                                   weights: [Double]? = nil, using rng: inout G) -> (Double, Double) {
        let l = x.rows, folds = 5
        var perm = Array(0..<l)
        for i in 0..<l { perm.swapAt(i, i + Int.random(in: 0..<(l - i), using: &rng)) }
        var decisions = [Double](repeating: 0, count: l)
        for f in 0..<folds {
            let begin = f * l / folds, end = (f + 1) * l / folds
            let held = Array(perm[begin..<end])
            guard !held.isEmpty else { continue }
            let trainRows = Array(perm[0..<begin] + perm[end..<l])
            let trainLabels = trainRows.map { y[$0] }
            let hasPositive = trainLabels.contains(1), hasNegative = trainLabels.contains(0)
            if !hasPositive || !hasNegative {
                let value: Double = hasPositive ? 1 : hasNegative ? -1 : 0
                for i in held { decisions[i] = value }
                continue
            }
            let sub = train(x.rows(trainRows), trainLabels, kernel: kernel, cPositive: cPositive, cNegative: cNegative,
                            weights: weights.map { w in trainRows.map { w[$0] } })
            let values = sub.decisionValues(x.rows(held))
            for (k, i) in held.enumerated() { decisions[i] = values[k] }
        }
        return PlattScaling.fit(decisions, y)
    }
}

/// A fitted support vector classifier: support vectors with their `αᵢ yᵢ`, the offset ρ and Platt's A, B.
public struct FittedSupportVectorClassifier: FittedClassifier, Equatable {
    public let kernel: Kernel
    public let supportVectors: Matrix
    public let dualCoefficients: [Double]
    public let rho: Double
    public internal(set) var plattA: Double
    public internal(set) var plattB: Double
    public let iterations: Int
    /// False when the solver stopped at max_iter.
    public let converged: Bool

    public var inputWidth: Int { supportVectors.cols }

    public var convergenceNote: String? { converged ? nil : "stopped at max_iter (\(iterations)) before reaching tol" }

    /// `Σ αᵢ yᵢ K(svᵢ, x) − ρ`, positive for the positive class.
    /// `Σ coefficientₖ · K(x, svₖ) − ρ`, with the kernel evaluated as libsvm's `k_function` does at prediction
    /// (rbf from `Σ (xⱼ − svⱼ)²`, not from the norms).
    func decisionValues(_ x: Matrix) -> [Double] {
        let p = x.cols, count = supportVectors.rows
        return x.values.withUnsafeBufferPointer { xb in
            supportVectors.values.withUnsafeBufferPointer { sb in
                (0..<x.rows).map { i in
                    let row = xb.baseAddress! + i * p
                    func value(_ measure: Double) -> Double {
                        kernel.kind == .rbf ? exp(-kernel.gamma * measure) : kernel.value(dot: measure, squaredNormA: 0, squaredNormB: 0)
                    }
                    // Four support vectors at a time (each measured in column order), added in support-vector order.
                    var s = 0.0, k = 0
                    while k + 4 <= count {
                        let sv = sb.baseAddress! + k * p
                        let measures = kernel.kind == .rbf ? Kernel.squaredDistances(row, sv, sv + p, sv + 2 * p, sv + 3 * p, p)
                            : Kernel.dots(row, sv, sv + p, sv + 2 * p, sv + 3 * p, p)
                        for t in 0..<4 { s += dualCoefficients[k + t] * value(measures[t]) }
                        k += 4
                    }
                    while k < count {
                        let sv = sb.baseAddress! + k * p
                        var measure = 0.0
                        if kernel.kind == .rbf {
                            for c in 0..<p { let d = row[c] - sv[c]; measure += d * d }
                        } else {
                            measure = Kernel.dot(row, sv, p)
                        }
                        s += dualCoefficients[k] * value(measure)
                        k += 1
                    }
                    return s - rho
                }
            }
        }
    }

    public func decisionFunction(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: inputWidth)
        return decisionValues(x)
    }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        try decisionFunction(x).map { f in
            let p = PlattScaling.apply(f, a: plattA, b: plattB)
            return min(max(p, Self.minimumProbability), 1 - Self.minimumProbability)
        }
    }

    /// libsvm clips pairwise probabilities to `[1e-7, 1 − 1e-7]`.
    static let minimumProbability = 1e-7

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(UInt8(Kernel.Kind.allCases.firstIndex(of: kernel.kind)!)); w.write(kernel.gamma); w.write(kernel.coef0); w.write(kernel.degree)
        w.write(supportVectors.rows); w.write(supportVectors.cols); w.write(supportVectors.values)
        w.write(dualCoefficients); w.write(rho); w.write(plattA); w.write(plattB); w.write(iterations); w.write(converged)
    }

    init(kernel: Kernel, supportVectors: Matrix, dualCoefficients: [Double], rho: Double, plattA: Double, plattB: Double,
         iterations: Int, converged: Bool) {
        self.kernel = kernel
        self.supportVectors = supportVectors
        self.dualCoefficients = dualCoefficients
        self.rho = rho
        self.plattA = plattA
        self.plattB = plattB
        self.iterations = iterations
        self.converged = converged
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("support vector classifier", version: Self.formatVersion)
        let tag = try r.readUInt8()
        guard Int(tag) < Kernel.Kind.allCases.count else { throw BinaryFormatError.badTag("kernel", tag) }
        let kind = Kernel.Kind.allCases[Int(tag)]
        let kernel = Kernel(kind: kind, gamma: try r.readDouble(), coef0: try r.readDouble(), degree: try r.readInt())
        let rows = try r.readInt(), cols = try r.readInt(), values = try r.readDoubles()
        try BinaryFormatError.require(values.count == (try BinaryFormatError.product(rows, cols, "svm: support vectors")), "svm: support vectors")
        self.init(kernel: kernel, supportVectors: Matrix(rows: rows, cols: cols, values: values),
                  dualCoefficients: try r.readDoubles(), rho: try r.readDouble(), plattA: try r.readDouble(),
                  plattB: try r.readDouble(), iterations: try r.readInt(), converged: try r.readBool())
        try BinaryFormatError.require(dualCoefficients.count == rows && kernel.degree >= 0, "svm: coefficients or kernel")
    }
}

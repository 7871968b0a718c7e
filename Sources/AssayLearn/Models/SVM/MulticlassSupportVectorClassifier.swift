import AssayCore
import Foundation

/// A C-support vector classifier for task multiclass: scikit-learn's `SVC(probability=True)` on more than two classes
/// (libsvm's one-vs-one). One binary machine per pair of classes i < j, fitted on those two classes' rows with the
/// binary classifier's solver, kernel and Platt scaling (class i as libsvm's first class; `class_weight: balanced` scales
/// C per class by `n / (K · n_class)` over all the rows, `gamma: scale` is computed once on all of them); a row's class
/// probabilities couple its pairwise probabilities by libsvm's `multiclass_probability` (Wu, Lin and Weng's second
/// method). Differences are the binary classifier's: each pair's Platt folds come from Assay's seeded generator.
public struct MulticlassSupportVectorClassifier: WeightedMulticlassClassifier, Equatable {
    public var settings = SupportVectorClassifier()

    public init() {}

    /// The spec's `svm` under `task: multiclass`.
    public static let definition = ModelDefinition.multiclass("svm", tag: 27, defaults: MulticlassSupportVectorClassifier(),
                                                              parameters: SupportVectorClassifier.classifierParameters.map { $0.lifted(\.settings) })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedMulticlassSupportVectorClassifier {
        try fit(x, y, classes: k, sampleWeights: nil, using: &rng)
    }

    /// Each row's C is its class's times its sample weight; rows of weight 0 are left out first (as the binary machine).
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, weights: [Double],
                                              using rng: inout G) throws -> FittedMulticlassSupportVectorClassifier {
        try fit(x, y, classes: k, sampleWeights: weights, using: &rng)
    }

    func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, sampleWeights: [Double]?,
                                       using rng: inout G) throws -> FittedMulticlassSupportVectorClassifier {
        try InputCheck.fitting(x, y, classes: k)
        let kernel = Kernel(kind: settings.kind, gamma: settings.resolvedGamma(x), coef0: settings.coef0, degree: settings.degree)
        var counts = [Double](repeating: 0, count: k)
        for label in y { counts[Int(label)] += 1 }
        let c = counts.map { settings.balanced ? settings.C * Double(y.count) / (Double(k) * $0) : settings.C }
        let (x, y, w) = SupportVectorClassifier.positiveWeights(x, y, sampleWeights)
        if let missing = (0..<k).first(where: { c in !y.contains { Int($0) == c } }) {
            throw LearnError.badParameter("svm: no row of class \(missing + 1) of \(k) has a positive sample weight")
        }
        var machines: [FittedSupportVectorClassifier] = []
        for i in 0..<k {
            for j in (i + 1)..<k {
                let rows = y.indices.filter { Int(y[$0]) == i || Int(y[$0]) == j }
                let xs = x.rows(rows), ys = rows.map { UInt8(Int(y[$0]) == j ? 1 : 0) }
                // Class i is the binary machine's class 0 (libsvm's first class), class j its class 1.
                let ws = w.map { w in rows.map { w[$0] } }
                let (a, b) = settings.plattParameters(xs, ys, kernel: kernel, cPositive: c[j], cNegative: c[i], weights: ws, using: &rng)
                var machine = settings.train(xs, ys, kernel: kernel, cPositive: c[j], cNegative: c[i], weights: ws)
                machine.plattA = a
                machine.plattB = b
                machines.append(machine)
            }
        }
        return FittedMulticlassSupportVectorClassifier(classCount: k, machines: machines)
    }
}

/// A fitted one-vs-one classifier: a binary machine per pair of classes (0-1, 0-2, …, 1-2, …), coupled.
public struct FittedMulticlassSupportVectorClassifier: FittedMulticlassClassifier, Equatable {
    public let classCount: Int
    public let machines: [FittedSupportVectorClassifier]

    public var inputWidth: Int { machines.first?.inputWidth ?? 0 }

    public var convergenceNote: String? { machines.compactMap(\.convergenceNote).first.map { "a pair's machine \($0)" } }

    public init(classCount: Int, machines: [FittedSupportVectorClassifier]) {
        self.classCount = classCount
        self.machines = machines
    }

    public func predictClassProbabilities(_ x: Matrix) throws -> Matrix {
        try InputCheck.predicting(x, width: inputWidth)
        let k = classCount
        // Per machine, each row's probability of the pair's second class (clipped to [1e-7, 1 − 1e-7] as libsvm does).
        let second = try machines.map { try $0.predictProbabilities(x) }
        var out = Matrix(rows: x.rows, cols: k)
        var r = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        for row in 0..<x.rows {
            var m = 0
            for i in 0..<k {
                for j in (i + 1)..<k {
                    r[j][i] = second[m][row]; r[i][j] = 1 - second[m][row]
                    m += 1
                }
            }
            let p = Self.couple(r)
            for c in 0..<k { out[row, c] = p[c] }
        }
        return out
    }

    /// libsvm's `multiclass_probability`: the class probabilities p minimizing Σ (r_ji p_i − r_ij p_j)² under Σ p = 1,
    /// by its fixed-point iteration (at most max(100, k) sweeps, stopping when every |(Qp)_t − pᵀQp| < 0.005 / k).
    static func couple(_ r: [[Double]]) -> [Double] {
        let k = r.count
        var q = [[Double]](repeating: [Double](repeating: 0, count: k), count: k)
        var p = [Double](repeating: 1 / Double(k), count: k), qp = [Double](repeating: 0, count: k)
        for t in 0..<k {
            for j in 0..<t { q[t][t] += r[j][t] * r[j][t]; q[t][j] = q[j][t] }
            for j in (t + 1)..<k { q[t][t] += r[j][t] * r[j][t]; q[t][j] = -r[j][t] * r[t][j] }
        }
        let eps = 0.005 / Double(k)
        for _ in 0..<max(100, k) {
            var pqp = 0.0
            for t in 0..<k {
                qp[t] = 0
                for j in 0..<k { qp[t] += q[t][j] * p[j] }
                pqp += p[t] * qp[t]
            }
            var maxError = 0.0
            for t in 0..<k { maxError = max(maxError, abs(qp[t] - pqp)) }
            if maxError < eps { break }
            for t in 0..<k {
                let diff = (-qp[t] + pqp) / q[t][t]
                p[t] += diff
                pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / (1 + diff) / (1 + diff)
                for j in 0..<k {
                    qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff)
                    p[j] /= 1 + diff
                }
            }
        }
        return p
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(classCount); w.write(machines.count)
        for m in machines { m.encode(to: &w) }
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("one-vs-one support vector classifier", version: Self.formatVersion)
        let k = try r.readInt(), count = try r.readCount()
        try BinaryFormatError.require((2...255).contains(k) && count == k * (k - 1) / 2, "svm: one machine per pair of classes")
        let machines = try (0..<count).map { _ in try FittedSupportVectorClassifier(from: &r) }
        try BinaryFormatError.require(Set(machines.map(\.inputWidth)).count == 1, "svm: machines of different widths")
        self.init(classCount: k, machines: machines)
    }
}

import AssayCore
import Foundation

/// A probability calibrator: Platt's sigmoid or isotonic regression, as scikit-learn's `CalibratedClassifierCV` fits them.
public enum Calibrator: Sendable, Equatable {
    /// `1 / (1 + exp(a·p + b))` (scikit-learn's `_SigmoidCalibration`: Platt's smoothed targets).
    case sigmoid(a: Double, b: Double)
    /// A non-decreasing step function through (x, y) points, linearly interpolated and clipped at the ends
    /// (scikit-learn's `IsotonicRegression(out_of_bounds="clip")`).
    case isotonic(x: [Double], y: [Double])

    /// `weights` (sample weights) weigh each point: Platt's priors and loss, the isotonic fit's means (points of weight
    /// 0 left out, as scikit-learn's `IsotonicRegression` strips them).
    public static func fit(_ method: CalibrationMethod, scores: [Double], labels: [UInt8], weights: [Double]? = nil) -> Calibrator {
        switch method {
        case .sigmoid:
            let (a, b) = PlattScaling.fit(scores, labels, weights: weights)
            return .sigmoid(a: a, b: b)
        case .isotonic:
            let (x, y) = isotonic(scores, labels.map(Double.init), weights: weights)
            return .isotonic(x: x, y: y)
        }
    }

    public func apply(_ p: Double) -> Double {
        switch self {
        case .sigmoid(let a, let b):
            return PlattScaling.apply(p, a: a, b: b)
        case .isotonic(let x, let y):
            guard let first = x.first, let last = x.last else { return p }
            if p <= first { return y[0] }
            if p >= last { return y[y.count - 1] }
            var lo = 0, hi = x.count - 1  // x[lo] < p < x[hi]
            while hi - lo > 1 { let mid = (lo + hi) / 2; if x[mid] <= p { lo = mid } else { hi = mid } }
            return x[hi] == x[lo] ? y[lo] : y[lo] + (p - x[lo]) / (x[hi] - x[lo]) * (y[hi] - y[lo])
        }
    }

    /// Pool adjacent violators on points sorted by x, equal x merged first (their y averaged, weighted by count).
    static func isotonic(_ xs: [Double], _ ys: [Double], weights: [Double]? = nil) -> ([Double], [Double]) {
        let order = xs.indices.filter { (weights?[$0] ?? 1) > 0 }.sorted { xs[$0] < xs[$1] }
        var ux: [Double] = [], uy: [Double] = [], uw: [Double] = []
        for i in order {
            let w = weights?[i] ?? 1
            if let last = ux.last, last == xs[i] {
                let k = ux.count - 1
                uy[k] = (uy[k] * uw[k] + ys[i] * w) / (uw[k] + w); uw[k] += w
            } else { ux.append(xs[i]); uy.append(ys[i]); uw.append(w) }
        }
        // Blocks of (value, weight, count of points).
        var value: [Double] = [], weight: [Double] = [], size: [Int] = []
        for i in ux.indices {
            value.append(uy[i]); weight.append(uw[i]); size.append(1)
            while value.count > 1 && value[value.count - 2] > value[value.count - 1] {
                let v = value.removeLast(), w = weight.removeLast(), s = size.removeLast()
                let k = value.count - 1
                value[k] = (value[k] * weight[k] + v * w) / (weight[k] + w); weight[k] += w; size[k] += s
            }
        }
        var fitted: [Double] = []
        for (v, s) in zip(value, size) { fitted += [Double](repeating: v, count: s) }
        return (ux, fitted)
    }
}

/// Any classifier wrapped in calibration, as scikit-learn's `CalibratedClassifierCV(cv=k, ensemble=True)`: for each
/// of k stratified inner folds of the training rows, a model fitted on the other folds and a calibrator fitted
/// on its predictions for this fold; a prediction is the mean of the k calibrated predictions. Differs: the
/// calibrator reads the model's probability, where scikit-learn reads `decision_function` when the model has one,
/// and the inner folds are shuffled with the task's seed (scikit-learn's are not shuffled).
public struct CalibratedClassifier: Sendable {
    public let base: AnyEstimator
    public let settings: CalibrateStep

    public init(base: AnyEstimator, settings: CalibrateStep) {
        self.base = base
        self.settings = settings
    }

    /// Fits; the inner folds and each member's generator derive from `seed`. `weights` (sample weights) go to each
    /// member's fit and to its calibrator, as scikit-learn's `CalibratedClassifierCV.fit(sample_weight=…)` passes them.
    public func fit(_ x: Matrix, _ y: [UInt8], weights: [Double]? = nil, seed: UInt64) throws -> FittedCalibrated {
        try InputCheck.fitting(x, y)  // before the inner folds, so an error names a row of `x`
        var rng = SplitMix64(seed: Seeds.derive(seed, "calibrate"))
        let folds = StratifiedSplitter.kFold(y, rows: Array(y.indices), k: settings.cv, using: &rng)
        // The inner folds are independent (each member's seed derives from its fold): fitted on idle workers if lent.
        let fitted = try Parallel.tryMap(folds.count) { k -> (FittedModel, Calibrator) in
            let held = folds[k], heldSet = Set(held)
            let train = y.indices.filter { !heldSet.contains($0) }
            let model = try base.fit(x.selecting(train), .labels(train.map { y[$0] }), weights: weights.map { w in train.map { w[$0] } },
                                     seed: Seeds.derive(seed, "calibrate fold \(k)"))
            let scores = try model.predict(x.selecting(held))
            return (model, Calibrator.fit(settings.method, scores: scores, labels: held.map { y[$0] }, weights: weights.map { w in held.map { w[$0] } }))
        }
        return FittedCalibrated(members: fitted.map(\.0), calibrators: fitted.map(\.1))
    }
}

extension CalibratedClassifier {
    /// Fits on several classes (scikit-learn's multiclass `CalibratedClassifierCV`): in each inner fold, a calibrator per
    /// class on that class's probability against the rest; a prediction calibrates each class's probability, divides by
    /// their sum (uniform where every one is 0) and averages the folds' members.
    public func fitClasses(_ x: Matrix, _ y: [UInt8], classes k: Int, weights: [Double]? = nil, seed: UInt64) throws -> FittedCalibratedClasses {
        try InputCheck.fitting(x, y, classes: k)
        var rng = SplitMix64(seed: Seeds.derive(seed, "calibrate"))
        let folds = StratifiedSplitter.kFold(y, rows: Array(y.indices), k: settings.cv, using: &rng)
        let fitted = try Parallel.tryMap(folds.count) { f -> (FittedModel, [Calibrator]) in
            let held = folds[f], heldSet = Set(held)
            let train = y.indices.filter { !heldSet.contains($0) }
            let model = try base.fit(x.selecting(train), .classes(train.map { y[$0] }, count: k), weights: weights.map { w in train.map { w[$0] } },
                                     seed: Seeds.derive(seed, "calibrate fold \(f)"))
            let scores = try model.predict(x.selecting(held))
            let heldWeights = weights.map { w in held.map { w[$0] } }
            return (model, (0..<k).map { c in
                Calibrator.fit(settings.method, scores: held.indices.map { scores[$0 * k + c] }, labels: held.map { UInt8(Int(y[$0]) == c ? 1 : 0) },
                               weights: heldWeights)
            })
        }
        return FittedCalibratedClasses(members: fitted.map(\.0), calibrators: fitted.map(\.1))
    }
}

/// A fitted multiclass `CalibratedClassifier`: the members and, per member, a calibrator per class.
public struct FittedCalibratedClasses: FittedMulticlassClassifier {
    public let members: [FittedModel]
    public let calibrators: [[Calibrator]]

    /// Read back by this tag, as `FittedCalibrated` is.
    static let tag: UInt8 = 28
    static let definition = ModelDefinition.wrapper("calibrated multiclass", tag: tag) { r, registry in try FittedCalibratedClasses(from: &r, registry: registry) }

    public var classCount: Int { calibrators.first?.count ?? 0 }
    public var inputWidth: Int { members.first?.fitted.inputWidth ?? 0 }
    public var convergenceNote: String? { members.lazy.compactMap(\.convergenceNote).first }

    public init(members: [FittedModel], calibrators: [[Calibrator]]) {
        self.members = members
        self.calibrators = calibrators
    }

    public func predictClassProbabilities(_ x: Matrix) throws -> Matrix {
        let k = classCount
        var sum = Matrix(rows: x.rows, cols: k)
        for (m, cs) in zip(members, calibrators) {
            let p = try m.predict(x)
            for i in 0..<x.rows {
                let q = (0..<k).map { cs[$0].apply(p[i * k + $0]) }
                let total = q.reduce(0, +)
                for c in 0..<k { sum[i, c] += total > 0 ? q[c] / total : 1 / Double(k) }
            }
        }
        for i in 0..<x.rows { for c in 0..<k { sum[i, c] /= Double(members.count) } }
        return sum
    }

    public func encode(to w: inout ByteWriter) {
        w.write(members.count)
        for (m, cs) in zip(members, calibrators) {
            m.encode(to: &w)
            w.write(cs.count)
            for c in cs { FittedCalibrated.write(c, to: &w) }
        }
    }

    public init(from r: inout ByteReader) throws { try self.init(from: &r, registry: .standard) }

    init(from r: inout ByteReader, registry: ModelRegistry) throws {
        var members: [FittedModel] = [], calibrators: [[Calibrator]] = []
        for _ in 0..<(try r.readCount()) {
            members.append(try registry.decode(from: &r))
            calibrators.append(try (0..<r.readCount()).map { _ in try FittedCalibrated.readCalibrator(&r) })
        }
        let k = calibrators.first?.count ?? 0
        try BinaryFormatError.require(!members.isEmpty && Set(members.map(\.fitted.inputWidth)).count == 1 && k >= 2 && calibrators.allSatisfy { $0.count == k }
                                      && members.allSatisfy { ($0.fitted as? any FittedMulticlassClassifier)?.classCount == k }, "calibration: members")
        self.init(members: members, calibrators: calibrators)
    }
}

/// A fitted `CalibratedClassifier`: the members and their calibrators.
public struct FittedCalibrated: FittedClassifier {
    public let members: [FittedModel]
    public let calibrators: [Calibrator]

    /// Calibration is not a spec model type but a wrapper (`calibrate:`); its fitted form is read back by this tag.
    static let tag: UInt8 = 9
    static let definition = ModelDefinition.wrapper("calibrated", tag: tag) { r, registry in try FittedCalibrated(from: &r, registry: registry) }

    public var inputWidth: Int { members.first?.fitted.inputWidth ?? 0 }

    public var convergenceNote: String? { members.lazy.compactMap(\.convergenceNote).first }

    /// The mean over the members, when every member has one.
    public var ownImportance: (kind: String, values: [Double])? {
        let parts = members.compactMap(\.ownImportance)
        guard let first = parts.first, parts.count == members.count else { return nil }
        return (first.kind, first.values.indices.map { j in parts.reduce(0) { $0 + $1.values[j] } / Double(parts.count) })
    }

    public init(members: [FittedModel], calibrators: [Calibrator]) {
        self.members = members
        self.calibrators = calibrators
    }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        var sum = [Double](repeating: 0, count: x.rows)
        for (m, c) in zip(members, calibrators) {
            let p = try m.predict(x)
            for i in sum.indices { sum[i] += c.apply(p[i]) }
        }
        return sum.map { $0 / Double(members.count) }
    }

    public func encode(to w: inout ByteWriter) {
        w.write(members.count)
        for (m, c) in zip(members, calibrators) {
            m.encode(to: &w)
            Self.write(c, to: &w)
        }
    }

    static func write(_ c: Calibrator, to w: inout ByteWriter) {
        switch c {
        case .sigmoid(let a, let b): w.write(UInt8(0)); w.write(a); w.write(b)
        case .isotonic(let x, let y): w.write(UInt8(1)); w.write(x); w.write(y)
        }
    }

    static func readCalibrator(_ r: inout ByteReader) throws -> Calibrator {
        let tag = try r.readUInt8()
        switch tag {
        case 0: return .sigmoid(a: try r.readDouble(), b: try r.readDouble())
        case 1:
            let x = try r.readDoubles(), y = try r.readDoubles()
            try BinaryFormatError.require(x.count == y.count && zip(x, x.dropFirst()).allSatisfy { $0 < $1 } && y.allSatisfy { (0...1).contains($0) },
                                          "calibration: isotonic steps")
            return .isotonic(x: x, y: y)
        default: throw BinaryFormatError.badTag("calibrator", tag)
        }
    }

    public init(from r: inout ByteReader) throws { try self.init(from: &r, registry: .standard) }

    /// Reads the members' models with `registry`.
    init(from r: inout ByteReader, registry: ModelRegistry) throws {
        var members: [FittedModel] = [], calibrators: [Calibrator] = []
        for _ in 0..<(try r.readCount()) {
            members.append(try registry.decode(from: &r))
            calibrators.append(try Self.readCalibrator(&r))
        }
        try BinaryFormatError.require(!members.isEmpty && Set(members.map(\.fitted.inputWidth)).count == 1, "calibration: members")
        self.init(members: members, calibrators: calibrators)
    }
}

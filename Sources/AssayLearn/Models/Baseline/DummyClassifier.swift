import AssayCore
import Foundation

/// A baseline that ignores the features.
///
/// Matches scikit-learn's `DummyClassifier`: `prior` gives every row the positive class share,
/// `most_frequent` gives probability 1 to the majority class (0 when tied, like scikit-learn's
/// lowest-label rule), `stratified` gives each row a one-hot draw from the class shares.
/// Differs from scikit-learn: a `stratified` draw is seeded by the fitted seed and the row's values,
/// so predicting a subset of rows gives the same draws as predicting all of them.
public struct DummyClassifier: WeightedClassifier, Equatable {
    public enum Strategy: String, Sendable { case prior, mostFrequent = "most_frequent", stratified }

    public var strategy: Strategy = .prior

    public init(strategy: Strategy = .prior) { self.strategy = strategy }

    /// The spec's `dummy`.
    public static let definition = ModelDefinition.classifier("dummy", tag: 4, defaults: DummyClassifier(), parameters: parameters)

    static let parameters: [Parameter<DummyClassifier>] = [
        Parameter(.choice("strategy", ["prior", "most_frequent", "stratified"]), default: .string("prior"),
                  accepts: [.string("most_frequent"), .string("stratified")], rejects: [.string("uniform")]) {
            $0.strategy = Strategy(rawValue: $1.stringValue!)!
        },
    ]

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], using rng: inout G) throws -> FittedDummyClassifier {
        try InputCheck.fitting(x, y)
        let share = Double(y.reduce(0) { $0 + Int($1) }) / Double(y.count)
        return FittedDummyClassifier(strategy: strategy, positiveShare: share, width: x.cols, seed: rng.next())
    }

    /// The positive class's share of the sample weight.
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], weights: [Double], using rng: inout G) throws -> FittedDummyClassifier {
        try InputCheck.fitting(x, y)
        let positive = zip(y, weights).reduce(0.0) { $0 + ($1.0 == 1 ? $1.1 : 0) }
        return FittedDummyClassifier(strategy: strategy, positiveShare: positive / weights.reduce(0, +), width: x.cols, seed: rng.next())
    }
}

public struct FittedDummyClassifier: FittedClassifier, Equatable {
    public let strategy: DummyClassifier.Strategy
    public let positiveShare: Double
    public let width: Int
    public let seed: UInt64

    public var inputWidth: Int { width }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: width)
        switch strategy {
        case .prior: return [Double](repeating: positiveShare, count: x.rows)
        case .mostFrequent: return [Double](repeating: positiveShare > 0.5 ? 1 : 0, count: x.rows)
        case .stratified:
            return (0..<x.rows).map { i in
                var h = seed
                for j in 0..<x.cols { h = (h ^ x[i, j].bitPattern) &* 0x1000_0000_01B3 }
                var g = SplitMix64(seed: h)
                return Double(g.next() >> 11) / Double(1 << 53) < positiveShare ? 1 : 0
            }
        }
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(strategy.rawValue); w.write(positiveShare); w.write(width); w.write(seed)
    }

    public init(strategy: DummyClassifier.Strategy, positiveShare: Double, width: Int, seed: UInt64) {
        self.strategy = strategy
        self.positiveShare = positiveShare
        self.width = width
        self.seed = seed
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("dummy", version: Self.formatVersion)
        guard let s = DummyClassifier.Strategy(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("dummy strategy", 0) }
        self.init(strategy: s, positiveShare: try r.readDouble(), width: try r.readInt(), seed: try r.readUInt64())
        try BinaryFormatError.require((0...1).contains(positiveShare) && width >= 0, "dummy: positive share or width")
    }
}

/// The dummy classifier for task multiclass (scikit-learn's `DummyClassifier`): `prior` gives every row the class
/// shares, `most_frequent` all of it to the most frequent class (the lowest index of equals), `stratified` a one-hot
/// draw from the shares, seeded as the binary one is.
public struct MulticlassDummyClassifier: WeightedMulticlassClassifier, Equatable {
    public var settings = DummyClassifier()

    public init() {}

    /// The spec's `dummy` under `task: multiclass`.
    public static let definition = ModelDefinition.multiclass("dummy", tag: 23, defaults: MulticlassDummyClassifier(),
                                                              parameters: DummyClassifier.parameters.map { $0.lifted(\.settings) })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedMulticlassDummyClassifier {
        try InputCheck.fitting(x, y, classes: k)
        var shares = [Double](repeating: 0, count: k)
        for label in y { shares[Int(label)] += 1 }
        return FittedMulticlassDummyClassifier(strategy: settings.strategy, shares: shares.map { $0 / Double(y.count) }, width: x.cols, seed: rng.next())
    }

    /// Each class's share of the sample weight.
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, weights: [Double],
                                              using rng: inout G) throws -> FittedMulticlassDummyClassifier {
        try InputCheck.fitting(x, y, classes: k)
        var shares = [Double](repeating: 0, count: k)
        for (label, w) in zip(y, weights) { shares[Int(label)] += w }
        let total = weights.reduce(0, +)
        return FittedMulticlassDummyClassifier(strategy: settings.strategy, shares: shares.map { $0 / total }, width: x.cols, seed: rng.next())
    }
}

public struct FittedMulticlassDummyClassifier: FittedMulticlassClassifier, Equatable {
    public let strategy: DummyClassifier.Strategy
    public let shares: [Double]
    public let width: Int
    public let seed: UInt64

    public var classCount: Int { shares.count }
    public var inputWidth: Int { width }

    public init(strategy: DummyClassifier.Strategy, shares: [Double], width: Int, seed: UInt64) {
        self.strategy = strategy
        self.shares = shares
        self.width = width
        self.seed = seed
    }

    public func predictClassProbabilities(_ x: Matrix) throws -> Matrix {
        try InputCheck.predicting(x, width: width)
        var out = Matrix(rows: x.rows, cols: classCount)
        let top = shares.indices.max { shares[$0] < shares[$1] || (shares[$0] == shares[$1] && $0 > $1) } ?? 0
        for i in 0..<x.rows {
            switch strategy {
            case .prior: for c in 0..<classCount { out[i, c] = shares[c] }
            case .mostFrequent: out[i, top] = 1
            case .stratified:
                var h = seed
                for j in 0..<x.cols { h = (h ^ x[i, j].bitPattern) &* 0x1000_0000_01B3 }
                var g = SplitMix64(seed: h)
                let u = Double(g.next() >> 11) / Double(1 << 53)
                var cumulative = 0.0, drawn = classCount - 1
                for c in 0..<classCount {
                    cumulative += shares[c]
                    if u < cumulative { drawn = c; break }
                }
                out[i, drawn] = 1
            }
        }
        return out
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(strategy.rawValue); w.write(shares); w.write(width); w.write(seed)
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("multiclass dummy", version: Self.formatVersion)
        guard let s = DummyClassifier.Strategy(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("dummy strategy", 0) }
        self.init(strategy: s, shares: try r.readDoubles(), width: try r.readInt(), seed: try r.readUInt64())
        try BinaryFormatError.require(shares.count >= 2 && shares.allSatisfy { (0...1).contains($0) } && width >= 0, "multiclass dummy: class shares or width")
    }
}

import AssayCore
import Foundation

/// A baseline that ignores the features: scikit-learn's `DummyRegressor` with `strategy` `mean` (the default)
/// or `median` (numpy's median of the training targets).
public struct DummyRegressor: WeightedRegressor, Equatable {
    public enum Strategy: String, Sendable { case mean, median }

    public var strategy: Strategy = .mean

    public init(strategy: Strategy = .mean) { self.strategy = strategy }

    /// The spec's `dummy` (task regression).
    public static let definition = ModelDefinition.regressor("dummy", tag: 12, defaults: DummyRegressor(), parameters: [
        Parameter(.choice("strategy", ["mean", "median"]), default: .string("mean"), accepts: [.string("median")], rejects: [.string("prior")]) {
            $0.strategy = Strategy(rawValue: $1.stringValue!)!
        },
    ])

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedDummyRegressor {
        try InputCheck.fitting(x, y)
        let value = strategy == .mean ? y.reduce(0, +) / Double(y.count) : Stats.percentile(y.sorted(), 50)
        return FittedDummyRegressor(value: value, width: x.cols)
    }

    /// The weighted mean, or scikit-learn's weighted median (`_weighted_percentile` at 50, inverted CDF).
    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> FittedDummyRegressor {
        try InputCheck.fitting(x, y)
        let value = strategy == .mean ? zip(y, weights).reduce(0.0) { $0 + $1.0 * $1.1 } / weights.reduce(0, +) : Stats.weightedPercentile(y, weights, 50)
        return FittedDummyRegressor(value: value, width: x.cols)
    }
}

public struct FittedDummyRegressor: FittedRegressor, Equatable {
    public let value: Double
    public let width: Int

    public var inputWidth: Int { width }

    public func predict(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: width)
        return [Double](repeating: value, count: x.rows)
    }

    public func encode(to w: inout ByteWriter) {
        w.write(value); w.write(width)
    }

    public init(value: Double, width: Int) {
        self.value = value
        self.width = width
    }

    public init(from r: inout ByteReader) throws {
        let value = try r.readDouble(), width = try r.readInt()
        try BinaryFormatError.require(value.isFinite && width >= 0, "dummy regressor: value or width")
        self.init(value: value, width: width)
    }
}

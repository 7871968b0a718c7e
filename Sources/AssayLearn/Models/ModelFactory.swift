import AssayCore

/// Any fitted model, tagged so that it can be saved and read back.
public enum FittedModel: Sendable, BinaryCodable {
    case logisticRegression(FittedLogisticRegression)

    public func predictProbabilities(_ x: Matrix) throws -> [Double] {
        switch self {
        case .logisticRegression(let m): return try m.predictProbabilities(x)
        }
    }

    /// A note for the report when the fit stopped early, else nil.
    public var convergenceNote: String? {
        switch self {
        case .logisticRegression(let m): return m.converged ? nil : "stopped at max_iter (\(m.iterations)) before reaching tol"
        }
    }

    public func encode(to w: inout ByteWriter) {
        switch self {
        case .logisticRegression(let m): w.write(UInt8(1)); w.write(m)
        }
    }

    public init(from r: inout ByteReader) throws {
        let tag = try r.readUInt8()
        switch tag {
        case 1: self = .logisticRegression(try r.read())
        default: throw BinaryFormatError.badTag("model", tag)
        }
    }
}

/// Builds a model from its spec type and parameters and fits it.
public enum ModelFactory {
    public static func fit(type: String, params: [String: ParamValue], _ x: Matrix, _ y: [UInt8], seed: UInt64) throws -> FittedModel {
        var rng = SplitMix64(seed: seed)
        switch type {
        case "logistic_regression":
            return .logisticRegression(try LogisticRegression(params: params).fit(x, y, using: &rng))
        default:
            throw LearnError.badParameter("model type '\(type)' is not available")
        }
    }
}

import AssayCore

/// Any fitted model, tagged so that it can be saved and read back.
public indirect enum FittedModel: Sendable, BinaryCodable {
    case logisticRegression(FittedLogisticRegression)
    case kNearestNeighbors(FittedKNearestNeighbors)
    case naiveBayes(FittedGaussianNaiveBayes)
    case dummy(FittedDummyClassifier)
    /// A decision tree (one tree) or a random forest.
    case trees(FittedForest)
    case boosting(FittedBoosting)
    case supportVectors(FittedSupportVectorClassifier)
    case neuralNetwork(FittedMultilayerPerceptron)
    /// Any of the above, wrapped in probability calibration.
    case calibrated(FittedCalibrated)

    /// The model inside, for what every fitted classifier can do.
    var classifier: any FittedClassifier {
        switch self {
        case .logisticRegression(let m): return m
        case .kNearestNeighbors(let m): return m
        case .naiveBayes(let m): return m
        case .dummy(let m): return m
        case .trees(let m): return m
        case .boosting(let m): return m
        case .supportVectors(let m): return m
        case .neuralNetwork(let m): return m
        case .calibrated(let m): return m
        }
    }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] { try classifier.predictProbabilities(x) }

    /// A note for the report when the fit stopped early, else nil.
    public var convergenceNote: String? {
        switch self {
        case .logisticRegression(let m) where !m.converged: return "stopped at max_iter (\(m.iterations)) before reaching tol"
        case .supportVectors(let m) where !m.converged: return "stopped at max_iter (\(m.iterations)) before reaching tol"
        case .neuralNetwork(let m) where !m.converged: return "ran all max_iter (\(m.epochs)) epochs without meeting the n_iter_no_change rule"
        case .calibrated(let m): return m.members.lazy.compactMap(\.convergenceNote).first
        default: return nil
        }
    }

    var tag: UInt8 {
        switch self {
        case .logisticRegression: return 1
        case .kNearestNeighbors: return 2
        case .naiveBayes: return 3
        case .dummy: return 4
        case .trees: return 5
        case .boosting: return 6
        case .supportVectors: return 7
        case .neuralNetwork: return 8
        case .calibrated: return 9
        }
    }

    public func encode(to w: inout ByteWriter) {
        w.write(tag)
        classifier.encode(to: &w)
    }

    public init(from r: inout ByteReader) throws {
        let tag = try r.readUInt8()
        switch tag {
        case 1: self = .logisticRegression(try r.read())
        case 2: self = .kNearestNeighbors(try r.read())
        case 3: self = .naiveBayes(try r.read())
        case 4: self = .dummy(try r.read())
        case 5: self = .trees(try r.read())
        case 6: self = .boosting(try r.read())
        case 7: self = .supportVectors(try r.read())
        case 8: self = .neuralNetwork(try r.read())
        case 9: self = .calibrated(try r.read())
        default: throw BinaryFormatError.badTag("model", tag)
        }
    }
}

/// Builds a model from its spec type and parameters and fits it.
public enum ModelFactory {
    /// Fits, inside probability calibration when `calibrate` is given.
    public static func fit(type: String, params: [String: ParamValue], _ x: Matrix, _ y: [UInt8], seed: UInt64, calibrate: CalibrateStep?) throws -> FittedModel {
        guard let calibrate else { return try fit(type: type, params: params, x, y, seed: seed) }
        return .calibrated(try FittedCalibrated.fit(type: type, params: params, x, y, settings: calibrate, seed: seed))
    }

    public static func fit(type: String, params: [String: ParamValue], _ x: Matrix, _ y: [UInt8], seed: UInt64) throws -> FittedModel {
        var rng = SplitMix64(seed: seed)
        switch type {
        case "logistic_regression": return .logisticRegression(try LogisticRegression(params: params).fit(x, y, using: &rng))
        case "knn": return .kNearestNeighbors(try KNearestNeighbors(params: params).fit(x, y, using: &rng))
        case "naive_bayes": return .naiveBayes(try GaussianNaiveBayes(params: params).fit(x, y, using: &rng))
        case "dummy": return .dummy(try DummyClassifier(params: params).fit(x, y, using: &rng))
        case "decision_tree": return .trees(try DecisionTree(params: params).fit(x, y, using: &rng))
        case "random_forest": return .trees(try RandomForest(params: params).fit(x, y, using: &rng))
        case "gradient_boosting": return .boosting(try GradientBoosting(params: params).fit(x, y, using: &rng))
        case "svm": return .supportVectors(try SupportVectorClassifier(params: params).fit(x, y, using: &rng))
        case "mlp": return .neuralNetwork(try MultilayerPerceptron(params: params).fit(x, y, using: &rng))
        default: throw LearnError.badParameter("model type '\(type)' is not available")
        }
    }
}

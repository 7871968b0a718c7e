import AssayCore

/// One model parameter, in one place: the rule its value follows (shared with spec validation), its default as
/// a spec would write it, examples of values the rule accepts and rejects, and how a value sets the settings.
public struct Parameter<Settings>: Sendable {
    public let rule: ParameterRule
    /// The value that leaves the settings as their defaults (scikit-learn's default unless the model's doc says otherwise).
    public let defaultValue: ParamValue
    /// Values the rule must accept and reject; the registry's test runs them through validation and construction.
    public let accepted: [ParamValue]
    public let rejected: [ParamValue]
    /// Other parameters the examples are tried with (where a rule ties this parameter to another).
    public let context: [String: ParamValue]
    let apply: @Sendable (inout Settings, ParamValue) -> Void

    /// `set` receives only values the rule accepted.
    public init(_ rule: ParameterRule, default defaultValue: ParamValue, accepts accepted: [ParamValue] = [], rejects rejected: [ParamValue],
                context: [String: ParamValue] = [:], set: @escaping @Sendable (inout Settings, ParamValue) -> Void) {
        self.rule = rule
        self.defaultValue = defaultValue
        self.accepted = [defaultValue] + accepted
        self.rejected = rejected
        self.context = context
        self.apply = set
    }

    public var name: String { rule.name }
}

/// A parameter's default and the values its rule must accept and reject, tried with `context`'s other parameters.
public struct ParameterExamples: Sendable {
    public let name: String
    public let defaultValue: ParamValue
    public let accepted: [ParamValue]
    public let rejected: [ParamValue]
    public let context: [String: ParamValue]
}

/// Everything Assay knows about one model type: its spec name, its serialization tag, its parameters and how
/// to build and read back its estimator. Each model's file declares its `definition`; `ModelRegistry`
/// lists them, and spec validation reads the catalog derived from that list.
public struct ModelDefinition: Sendable {
    /// The spec's `type:` (scikit-learn's family name).
    public let name: String
    /// The byte that tags the fitted model in cache entries and saved model files; never reused.
    public let tag: UInt8
    /// The catalog entry spec validation uses: every parameter's rule, and the rule tying a point's parameters together.
    public let schema: ModelType
    /// Per parameter: its default and the values its rule must accept and reject.
    public let examples: [ParameterExamples]
    /// Builds the estimator from spec parameters, checking every value with the same rules as validation.
    public let estimator: @Sendable ([String: ParamValue]) throws -> AnyClassifier
    /// Reads a fitted model of this type (its bytes after the tag); a wrapper reads its members with the registry given.
    public let decode: @Sendable (inout ByteReader, ModelRegistry) throws -> any FittedClassifier

    /// A classifier type whose settings start at `defaults` and are set by `parameters`.
    public static func classifier<C: Classifier & Equatable>(
        _ name: String, tag: UInt8, defaults: C, parameters: [Parameter<C>],
        checkPoint: @escaping @Sendable ([String: ParamValue]) -> String? = { _ in nil }
    ) -> ModelDefinition {
        let schema = ModelType(name: name, unsupported: nil, parameters: parameters.map(\.rule), checkPoint: checkPoint)
        let byName = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
        return ModelDefinition(
            name: name, tag: tag, schema: schema,
            examples: parameters.map { ParameterExamples(name: $0.name, defaultValue: $0.defaultValue, accepted: $0.accepted, rejected: $0.rejected, context: $0.context) },
            estimator: { params in
                var settings = defaults
                for key in params.keys.sorted() {
                    let value = params[key]!
                    guard let p = byName[key] else {
                        throw LearnError.badParameter("\(name): no parameter '\(key)'\(Suggest.hint(key, among: parameters.map(\.name)))")
                    }
                    if let why = p.rule.unsupported { throw LearnError.badParameter("\(name): \(why)") }
                    if let problem = p.rule.check(value) { throw LearnError.badParameter("\(name): \(key) \(problem)") }
                    p.apply(&settings, value)
                }
                if let problem = checkPoint(params) { throw LearnError.badParameter("\(name): \(problem)") }
                return AnyClassifier(settings, tag: tag)
            },
            decode: { r, _ in try C.Fitted(from: &r) })
    }

    /// A fitted-model kind that no spec names directly (a wrapper such as calibration): read back only.
    static func wrapper(_ name: String, tag: UInt8, decode: @escaping @Sendable (inout ByteReader, ModelRegistry) throws -> any FittedClassifier) -> ModelDefinition {
        ModelDefinition(name: name, tag: tag, schema: ModelType(name: name, unsupported: "\(name) is not a model type", parameters: []),
                        examples: [], estimator: { _ in throw LearnError.badParameter("\(name) is not a model type") }, decode: decode)
    }
}

/// A classifier's settings with their type erased, ready to fit.
public struct AnyClassifier: Sendable {
    /// The settings value (a `Classifier`), kept for comparison.
    public let settings: any Sendable
    let tag: UInt8
    let fitBody: @Sendable (Matrix, [UInt8], UInt64) throws -> any FittedClassifier
    let equals: @Sendable (any Sendable) -> Bool

    public init<C: Classifier & Equatable>(_ settings: C, tag: UInt8) {
        self.settings = settings
        self.tag = tag
        fitBody = { x, y, seed in
            var rng = SplitMix64(seed: seed)
            return try settings.fit(x, y, using: &rng)
        }
        equals = { ($0 as? C) == settings }
    }

    init(settings: any Sendable, tag: UInt8, fit: @escaping @Sendable (Matrix, [UInt8], UInt64) throws -> any FittedClassifier,
         equals: @escaping @Sendable (any Sendable) -> Bool) {
        self.settings = settings
        self.tag = tag
        self.fitBody = fit
        self.equals = equals
    }

    /// Fits on `x` and `y` with a generator seeded by `seed` (the task's seed).
    public func fit(_ x: Matrix, _ y: [UInt8], seed: UInt64) throws -> FittedModel {
        FittedModel(tag: tag, classifier: try fitBody(x, y, seed))
    }

    /// Whether both hold equal settings of the same type.
    public func hasSameSettings(as other: AnyClassifier) -> Bool { equals(other.settings) }

    /// These settings wrapped in probability calibration (scikit-learn's `CalibratedClassifierCV`).
    public func calibrated(_ step: CalibrateStep) -> AnyClassifier {
        let calibrated = CalibratedClassifier(base: self, settings: step)
        return AnyClassifier(settings: calibrated, tag: FittedCalibrated.tag, fit: { x, y, seed in try calibrated.fit(x, y, seed: seed) },
                             equals: { other in
                                 guard let other = other as? CalibratedClassifier else { return false }
                                 return other.settings == step && other.base.hasSameSettings(as: calibrated.base)
                             })
    }
}

/// Any fitted model, tagged with its definition's byte so that it can be saved and read back.
public struct FittedModel: Sendable, BinaryCodable {
    public let tag: UInt8
    /// The model inside, for what every fitted classifier can do.
    public let classifier: any FittedClassifier

    public init(tag: UInt8, classifier: any FittedClassifier) {
        self.tag = tag
        self.classifier = classifier
    }

    public func predictProbabilities(_ x: Matrix) throws -> [Double] { try classifier.predictProbabilities(x) }

    /// A note for the report when the fit stopped early, else nil.
    public var convergenceNote: String? { classifier.convergenceNote }

    /// The model's own importance per input column (impurity for trees and forests, gain for boosting), if it has one.
    public var ownImportance: (kind: String, values: [Double])? { classifier.ownImportance }

    public func encode(to w: inout ByteWriter) {
        w.write(tag)
        classifier.encode(to: &w)
    }

    /// Reads a model of any type in `ModelRegistry.standard`.
    public init(from r: inout ByteReader) throws {
        self = try ModelRegistry.standard.decode(from: &r)
    }
}

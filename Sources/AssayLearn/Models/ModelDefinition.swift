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

    /// The same parameter for settings that hold these settings at `path` (a regressor wrapping a classifier's settings).
    public func lifted<Outer>(_ path: WritableKeyPath<Outer, Settings> & Sendable) -> Parameter<Outer> {
        let apply = self.apply
        return Parameter<Outer>(rule, default: defaultValue, accepts: Array(accepted.dropFirst()), rejects: rejected, context: context) { outer, value in
            apply(&outer[keyPath: path], value)
        }
    }
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
    /// The spec's `type:` (scikit-learn's family name; one name may serve several kinds, as in scikit-learn's
    /// `RandomForestClassifier` and `RandomForestRegressor`).
    public let name: String
    /// The kind of experiment it fits.
    public let kind: ExperimentKind
    /// The byte that tags the fitted model in cache entries and saved model files; never reused.
    public let tag: UInt8
    /// The catalog entry spec validation uses: every parameter's rule, and the rule tying a point's parameters together.
    public let schema: ModelType
    /// Per parameter: its default and the values its rule must accept and reject.
    public let examples: [ParameterExamples]
    /// Builds the estimator from spec parameters, checking every value with the same rules as validation.
    public let estimator: @Sendable ([String: ParamValue]) throws -> AnyEstimator
    /// Reads a fitted model of this type (its bytes after the tag); a wrapper reads its members with the registry given.
    public let decode: @Sendable (inout ByteReader, ModelRegistry) throws -> any FittedEstimator

    /// A classifier type whose settings start at `defaults` and are set by `parameters`.
    public static func classifier<C: Classifier & Equatable>(
        _ name: String, tag: UInt8, defaults: C, parameters: [Parameter<C>],
        checkPoint: @escaping @Sendable ([String: ParamValue]) -> String? = { _ in nil }
    ) -> ModelDefinition {
        model(name, kind: .binary, tag: tag, defaults: defaults, parameters: parameters, checkPoint: checkPoint, weighted: C.self is any WeightedClassifier.Type,
              erase: { AnyEstimator($0, tag: tag) }, decode: { r, _ in try C.Fitted(from: &r) })
    }

    /// A multiclass classifier type whose settings start at `defaults` and are set by `parameters`.
    public static func multiclass<C: MulticlassClassifier & Equatable>(
        _ name: String, tag: UInt8, defaults: C, parameters: [Parameter<C>],
        checkPoint: @escaping @Sendable ([String: ParamValue]) -> String? = { _ in nil }
    ) -> ModelDefinition {
        model(name, kind: .multiclass, tag: tag, defaults: defaults, parameters: parameters, checkPoint: checkPoint,
              weighted: C.self is any WeightedMulticlassClassifier.Type, erase: { AnyEstimator(multiclass: $0, tag: tag) }, decode: { r, _ in try C.Fitted(from: &r) })
    }

    /// A regressor type whose settings start at `defaults` and are set by `parameters`.
    public static func regressor<R: Regressor & Equatable>(
        _ name: String, tag: UInt8, defaults: R, parameters: [Parameter<R>],
        checkPoint: @escaping @Sendable ([String: ParamValue]) -> String? = { _ in nil }
    ) -> ModelDefinition {
        model(name, kind: .regression, tag: tag, defaults: defaults, parameters: parameters, checkPoint: checkPoint,
              weighted: R.self is any WeightedRegressor.Type, erase: { AnyEstimator(regressor: $0, tag: tag) }, decode: { r, _ in try R.Fitted(from: &r) })
    }

    /// A model type of `kind` whose settings start at `defaults`, are set by `parameters` and erased by `erase`.
    static func model<S: Sendable>(
        _ name: String, kind: ExperimentKind, tag: UInt8, defaults: S, parameters: [Parameter<S>],
        checkPoint: @escaping @Sendable ([String: ParamValue]) -> String?, weighted: Bool, erase: @escaping @Sendable (S) -> AnyEstimator,
        decode: @escaping @Sendable (inout ByteReader, ModelRegistry) throws -> any FittedEstimator
    ) -> ModelDefinition {
        var schema = ModelType(name: name, kind: kind, unsupported: nil, parameters: parameters.map(\.rule), checkPoint: checkPoint)
        if !weighted { schema.noSampleWeights = "\(name) (task \(kind.rawValue)) takes no sample weights" }
        let byName = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0) })
        return ModelDefinition(
            name: name, kind: kind, tag: tag, schema: schema,
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
                return erase(settings)
            },
            decode: decode)
    }

    /// A fitted-model kind that no spec names directly (a wrapper such as calibration): read back only.
    static func wrapper(_ name: String, tag: UInt8, decode: @escaping @Sendable (inout ByteReader, ModelRegistry) throws -> any FittedEstimator) -> ModelDefinition {
        ModelDefinition(name: name, kind: .binary, tag: tag, schema: ModelType(name: name, kind: .binary, unsupported: "\(name) is not a model type", parameters: []),
                        examples: [], estimator: { _ in throw LearnError.badParameter("\(name) is not a model type") }, decode: decode)
    }
}

/// What a model is fitted to: binary labels (1 positive), class indices of `count` classes, or a regression target's values.
public enum FitTarget: Sendable, Equatable {
    case labels([UInt8])
    case classes([UInt8], count: Int)
    case values([Double])
}

/// A model's settings with their type erased, ready to fit.
public struct AnyEstimator: Sendable {
    /// The settings value (a `Classifier` or a `Regressor`), kept for comparison.
    public let settings: any Sendable
    /// Fits (with sample weights when given) and tags the fitted model with the byte its form is read back by.
    let fitBody: @Sendable (consuming Matrix, FitTarget, [Double]?, UInt64) throws -> FittedModel
    /// The same fit on rows given a column at a time, for a model that only bins its rows (`ColumnwiseClassifier`).
    let columnsBody: TaggedColumnsFit?
    let equals: @Sendable (any Sendable) -> Bool

    public init<C: Classifier & Equatable>(_ settings: C, tag: UInt8) {
        self.init(settings: settings, tag: tag, fit: { x, target, weights, seed in
            guard case .labels(let y) = target else { throw LearnError.badParameter("\(C.definition.name) is a classifier: it fits binary labels") }
            var rng = SplitMix64(seed: seed)
            guard let weights else { return try settings.fit(consume x, y, using: &rng) }
            guard let weighted = settings as? any WeightedClassifier else { throw Self.unweighted(C.definition) }
            return try Self.fitWeighted(weighted, consume x, y, weights, &rng)
        }, columns: (settings as? any ColumnwiseClassifier).map { columnwise -> ColumnsFit in { x, target, weights, seed in
            guard case .labels(let y) = target else { throw LearnError.badParameter("\(C.definition.name) is a classifier: it fits binary labels") }
            var rng = SplitMix64(seed: seed)
            if let weights { try InputCheck.weights(weights, rows: x.rows, labels: y, classes: 2) }
            return try columnwise.fit(columns: x, y, weights: weights, using: &rng)
        } }, equals: { ($0 as? C) == settings })
    }

    public init<C: MulticlassClassifier & Equatable>(multiclass settings: C, tag: UInt8) {
        self.init(settings: settings, tag: tag, fit: { x, target, weights, seed in
            guard case .classes(let y, let count) = target else { throw LearnError.badParameter("\(C.definition.name) (task multiclass) fits class indices") }
            var rng = SplitMix64(seed: seed)
            guard let weights else { return try settings.fit(consume x, y, classes: count, using: &rng) }
            guard let weighted = settings as? any WeightedMulticlassClassifier else { throw Self.unweighted(C.definition) }
            return try Self.fitWeighted(weighted, consume x, y, count, weights, &rng)
        }, equals: { ($0 as? C) == settings })
    }

    public init<R: Regressor & Equatable>(regressor settings: R, tag: UInt8) {
        self.init(settings: settings, tag: tag, fit: { x, target, weights, seed in
            guard case .values(let y) = target else { throw LearnError.badParameter("\(R.definition.name) is a regressor: it fits numeric values") }
            var rng = SplitMix64(seed: seed)
            guard let weights else { return try settings.fit(consume x, y, using: &rng) }
            guard let weighted = settings as? any WeightedRegressor else { throw Self.unweighted(R.definition) }
            return try Self.fitWeighted(weighted, consume x, y, weights, &rng)
        }, columns: (settings as? any ColumnwiseRegressor).map { columnwise -> ColumnsFit in { x, target, weights, seed in
            guard case .values(let y) = target else { throw LearnError.badParameter("\(R.definition.name) is a regressor: it fits numeric values") }
            var rng = SplitMix64(seed: seed)
            if let weights { try InputCheck.weights(weights, rows: x.rows) }
            return try columnwise.fit(columns: x, y, weights: weights, using: &rng)
        } }, equals: { ($0 as? R) == settings })
    }

    /// A model's fit on rows given a column at a time.
    typealias ColumnsFit = @Sendable (ColumnSource, FitTarget, [Double]?, UInt64) throws -> any FittedEstimator
    typealias TaggedColumnsFit = @Sendable (ColumnSource, FitTarget, [Double]?, UInt64) throws -> FittedModel

    static func unweighted(_ d: ModelDefinition) -> LearnError { .badParameter(d.schema.noSampleWeights ?? "\(d.name) takes no sample weights") }

    static func fitWeighted<C: WeightedClassifier>(_ c: C, _ x: consuming Matrix, _ y: [UInt8], _ w: [Double], _ rng: inout SplitMix64) throws -> any FittedEstimator {
        try InputCheck.weights(w, rows: x.rows, labels: y, classes: 2)
        return try c.fit(consume x, y, weights: w, using: &rng)
    }

    static func fitWeighted<C: WeightedMulticlassClassifier>(_ c: C, _ x: consuming Matrix, _ y: [UInt8], _ k: Int, _ w: [Double], _ rng: inout SplitMix64) throws -> any FittedEstimator {
        try InputCheck.weights(w, rows: x.rows, labels: y, classes: k)
        return try c.fit(consume x, y, classes: k, weights: w, using: &rng)
    }

    static func fitWeighted<R: WeightedRegressor>(_ r: R, _ x: consuming Matrix, _ y: [Double], _ w: [Double], _ rng: inout SplitMix64) throws -> any FittedEstimator {
        try InputCheck.weights(w, rows: x.rows)
        return try r.fit(consume x, y, weights: w, using: &rng)
    }

    /// Settings whose every fitted model is read back by `tag`.
    init(settings: any Sendable, tag: UInt8, fit: @escaping @Sendable (consuming Matrix, FitTarget, [Double]?, UInt64) throws -> any FittedEstimator,
         columns: ColumnsFit? = nil,
         equals: @escaping @Sendable (any Sendable) -> Bool) {
        var tagged: TaggedColumnsFit?
        if let columns { tagged = { x, target, weights, seed in FittedModel(tag: tag, fitted: try columns(x, target, weights, seed)) } }
        self.init(settings: settings, fit: { x, target, weights, seed in FittedModel(tag: tag, fitted: try fit(consume x, target, weights, seed)) },
                  columns: tagged, equals: equals)
    }

    init(settings: any Sendable, fit: @escaping @Sendable (consuming Matrix, FitTarget, [Double]?, UInt64) throws -> FittedModel,
         columns: TaggedColumnsFit? = nil,
         equals: @escaping @Sendable (any Sendable) -> Bool) {
        self.settings = settings
        self.fitBody = fit
        self.columnsBody = columns
        self.equals = equals
    }

    /// Fits on `x` and `target` with a generator seeded by `seed` (the task's seed); `weights`, when given, are the
    /// rows' sample weights (a type that takes none refuses them). A model may let `x` go before it returns (trees,
    /// once they have binned it): pass the last copy (`consume`) for its memory to be freed then.
    public func fit(_ x: consuming Matrix, _ target: FitTarget, weights: [Double]? = nil, seed: UInt64) throws -> FittedModel {
        try fitBody(consume x, target, weights, seed)
    }

    /// Whether the model also fits on rows given a column at a time (`fit(columns:…)`): it only bins its rows.
    public var fitsColumns: Bool { columnsBody != nil }

    /// The model `fit` gives on the matrix whose columns `x` gives, fitted without that matrix ever existing whole
    /// (only when `fitsColumns`).
    public func fit(columns x: ColumnSource, _ target: FitTarget, weights: [Double]? = nil, seed: UInt64) throws -> FittedModel {
        guard let columnsBody else { throw LearnError.badParameter("this model fits only on a whole matrix, not column by column") }
        return try columnsBody(x, target, weights, seed)
    }

    /// Fits a classifier on binary labels `y`.
    public func fit(_ x: Matrix, _ y: [UInt8], seed: UInt64) throws -> FittedModel { try fit(x, .labels(y), seed: seed) }

    /// Whether both hold equal settings of the same type.
    public func hasSameSettings(as other: AnyEstimator) -> Bool { equals(other.settings) }

    /// These settings wrapped in probability calibration (scikit-learn's `CalibratedClassifierCV`).
    public func calibrated(_ step: CalibrateStep) -> AnyEstimator {
        let calibrated = CalibratedClassifier(base: self, settings: step)
        // The binary and the multiclass fitted forms are read back by tags of their own.
        return AnyEstimator(settings: calibrated, fit: { x, target, weights, seed in
                                if let weights { try InputCheck.weights(weights, rows: x.rows) }
                                switch target {
                                case .labels(let y): return FittedModel(tag: FittedCalibrated.tag, fitted: try calibrated.fit(x, y, weights: weights, seed: seed))
                                case .classes(let y, let count):
                                    return FittedModel(tag: FittedCalibratedClasses.tag,
                                                       fitted: try calibrated.fitClasses(x, y, classes: count, weights: weights, seed: seed))
                                case .values: throw LearnError.badParameter("calibration fits class labels")
                                }
                            },
                            equals: { other in
                                guard let other = other as? CalibratedClassifier else { return false }
                                return other.settings == step && other.base.hasSameSettings(as: calibrated.base)
                            })
    }
}

/// Any fitted model, tagged with its definition's byte so that it can be saved and read back.
public struct FittedModel: Sendable, BinaryCodable {
    public let tag: UInt8
    /// The model inside, for what every fitted model can do.
    public let fitted: any FittedEstimator

    public init(tag: UInt8, fitted: any FittedEstimator) {
        self.tag = tag
        self.fitted = fitted
    }

    /// One number per row: the positive class's probability (a classifier) or the predicted value (a regressor).
    public func predict(_ x: Matrix) throws -> [Double] { try fitted.predictScores(x) }

    /// A note for the report when the fit stopped early, else nil.
    public var convergenceNote: String? { fitted.convergenceNote }

    /// The model's own importance per input column (impurity for trees and forests, gain for boosting), if it has one.
    public var ownImportance: (kind: String, values: [Double])? { fitted.ownImportance }

    public func encode(to w: inout ByteWriter) {
        w.write(tag)
        fitted.encode(to: &w)
    }

    /// Reads a model of any type in `ModelRegistry.standard`.
    public init(from r: inout ByteReader) throws {
        self = try ModelRegistry.standard.decode(from: &r)
    }
}

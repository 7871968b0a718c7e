import AssayCore

/// The model types Assay can fit, each from its own `definition`. Spec validation reads `catalog`; tasks build
/// estimators with `estimator(type:params:calibrate:)`; cache entries and saved models are read with `decode`.
///
/// Adding a model: write its file (settings, fitted model, `static let definition`) and add one line to `standard`.
public struct ModelRegistry: Sendable {
    public let definitions: [ModelDefinition]

    public init(_ definitions: [ModelDefinition]) { self.definitions = definitions }

    /// Every model type Assay ships.
    public static let standard = ModelRegistry([
        LogisticRegression.definition,
        KNearestNeighbors.definition,
        GaussianNaiveBayes.definition,
        DummyClassifier.definition,
        DecisionTree.definition,
        RandomForest.definition,
        GradientBoosting.definition,
        SupportVectorClassifier.definition,
        MultilayerPerceptron.definition,
        FittedCalibrated.definition,
        FittedCalibratedClasses.definition,
        // Multiclass.
        MultinomialLogisticRegression.definition,
        MulticlassKNearestNeighbors.definition,
        MulticlassGaussianNaiveBayes.definition,
        MulticlassDummyClassifier.definition,
        MulticlassDecisionTree.definition,
        MulticlassRandomForest.definition,
        MulticlassGradientBoosting.definition,
        MulticlassMLP.definition,
        MulticlassSupportVectorClassifier.definition,
        // Regression.
        LinearRegression.definition,
        Ridge.definition,
        Lasso.definition,
        ElasticNet.definition,
        DecisionTreeRegressor.definition,
        RandomForestRegressor.definition,
        KNeighborsRegressor.definition,
        GradientBoostingRegressor.definition,
        MLPRegressor.definition,
        SupportVectorRegressor.definition,
        DummyRegressor.definition,
    ])

    /// This registry with one more definition.
    public func adding(_ definition: ModelDefinition) -> ModelRegistry { ModelRegistry(definitions + [definition]) }

    /// The types a spec may name, with their parameter rules.
    public var catalog: ModelCatalog { ModelCatalog(definitions.map(\.schema).filter { $0.unsupported == nil }) }

    public func definition(named name: String, kind: ExperimentKind = .binary) -> ModelDefinition? {
        definitions.first { $0.name == name && $0.kind == kind && $0.schema.unsupported == nil }
    }

    /// The estimator a spec's model names, wrapped in calibration when `calibrate` is given.
    public func estimator(type: String, kind: ExperimentKind = .binary, params: [String: ParamValue], calibrate: CalibrateStep? = nil) throws -> AnyEstimator {
        guard let definition = definition(named: type, kind: kind) else { throw LearnError.badParameter("model type '\(type)' is not available for task \(kind.rawValue)") }
        let base = try definition.estimator(params)
        return calibrate.map { base.calibrated($0) } ?? base
    }

    /// Every model type a spec may name, each parameter with the values it accepts and its default (`assay models`).
    public var listing: String {
        definitions.filter { $0.schema.unsupported == nil }.map { d in
            let width = d.examples.map(\.name.count).max() ?? 0
            let rules = Dictionary(uniqueKeysWithValues: d.schema.parameters.map { ($0.name, $0.summary) })
            let lines = d.examples.map { p in
                let name = p.name.padding(toLength: width, withPad: " ", startingAt: 0)
                return "  \(name)  \(rules[p.name] ?? ""); default \(p.defaultValue.json)"
            }
            return ([d.kind == .binary ? d.name : "\(d.name) (task: \(d.kind.rawValue))"] + lines).joined(separator: "\n")
        }.joined(separator: "\n\n") + "\n"
    }

    /// Reads a tagged fitted model of any type here (decision trees and random forests share one fitted form and tag).
    public func decode(from r: inout ByteReader) throws -> FittedModel {
        let tag = try r.readUInt8()
        guard let definition = definitions.first(where: { $0.tag == tag }) else { throw BinaryFormatError.badTag("model", tag) }
        return FittedModel(tag: tag, fitted: try definition.decode(&r, self))
    }
}

import AssayCore
import AssayLearn
import AssaySpec
import TestSupport
import XCTest

/// Every registered model, checked from its definition alone: a new model is covered by adding it to `registry`.
final class ModelRegistryTests: XCTestCase {
    static let registry = ModelRegistry.standard.adding(ToyCentroidClassifier.definition)

    var models: [ModelDefinition] { Self.registry.definitions.filter { $0.schema.unsupported == nil } }

    func testEveryRegisteredModelPassesTheContract() throws {
        XCTAssertEqual(models.last?.name, "toy_centroid", "the test target's model is registered like any other")
        XCTAssertTrue(["logistic_regression", "knn", "naive_bayes", "dummy", "decision_tree", "random_forest", "gradient_boosting", "svm", "mlp"]
            .allSatisfy { name in models.contains { $0.name == name } })
        XCTAssertTrue(["linear_regression", "ridge", "lasso", "elastic_net", "decision_tree", "random_forest", "knn", "gradient_boosting", "mlp", "svm", "dummy"]
            .allSatisfy { name in models.contains { $0.name == name && $0.kind == .regression } })
        XCTAssertTrue(["logistic_regression", "knn", "naive_bayes", "dummy"].allSatisfy { name in models.contains { $0.name == name && $0.kind == .multiclass } })
        for definition in models {
            switch definition.kind {
            case .binary:
                try EstimatorContract.check(try definition.estimator([:]), registry: Self.registry)
                try EstimatorContract.check(try definition.estimator([:]).calibrated(CalibrateStep(method: .sigmoid, cv: 3)), registry: Self.registry)
            case .multiclass:
                try EstimatorContract.checkMulticlass(try definition.estimator([:]), registry: Self.registry)
            case .regression:
                try EstimatorContract.checkRegressor(try definition.estimator([:]), registry: Self.registry)
            case .segment, .associate:
                XCTFail("\(definition.name): segment and associate experiments fit no registered model")
            }
        }
    }

    /// The JSON Schema of each parameter (what `assay schema` gives editors) accepts the default and every accepted
    /// example, and refuses every rejected example the rule refuses on its own (not those refused only in
    /// combination with other parameters, which a per-value schema cannot see).
    func testEveryParameterSchemaAgreesWithItsRule() {
        for definition in models {
            for p in definition.examples {
                let rule = definition.schema.parameter(p.name)!
                let validator = SchemaValidator(rule.schema)
                for value in [p.defaultValue] + p.accepted {
                    XCTAssertEqual(validator.errors(JSONValue(value)), [], "\(definition.name): \(p.name) = \(value.json)")
                }
                for value in p.rejected where rule.check(value) != nil {
                    XCTAssertNotEqual(validator.errors(JSONValue(value)), [], "\(definition.name): the schema of \(p.name) accepts \(value.json)")
                }
            }
        }
    }

    /// Each parameter's default leaves the settings at their defaults, and each example value is accepted or
    /// refused alike by spec validation (the catalog) and by construction (the definition).
    func testEveryParameterRuleAgreesInValidationAndConstruction() throws {
        for definition in models {
            for p in definition.examples {
                let bare = try definition.estimator(p.context)
                XCTAssertTrue(try definition.estimator(p.context.merging([p.name: p.defaultValue]) { a, _ in a }).hasSameSettings(as: bare),
                              "\(definition.name): \(p.name) = \(p.defaultValue.json) is not the default")
                for value in p.accepted {
                    let params = p.context.merging([p.name: value]) { a, _ in a }
                    XCTAssertNoThrow(try definition.estimator(params), "\(definition.name): \(p.name) = \(value.json)")
                    XCTAssertEqual(validation(definition, params), "ok", "\(definition.name): \(p.name) = \(value.json)")
                }
                for value in p.rejected {
                    let params = p.context.merging([p.name: value]) { a, _ in a }
                    XCTAssertThrowsError(try definition.estimator(params), "\(definition.name): \(p.name) = \(value.json)")
                    XCTAssertTrue(validation(definition, params).contains("\(p.name)"), "\(definition.name): \(p.name) = \(value.json) passed validation")
                }
            }
            XCTAssertEqual(definition.examples.map(\.name), definition.schema.parameters.map(\.name))
        }
    }

    /// `assay models`: every type, every parameter with what it accepts and its default, from the same definitions.
    func testListingShowsEveryParameterWithItsRuleAndDefault() {
        let text = ModelRegistry.standard.listing
        for d in ModelRegistry.standard.definitions where d.schema.unsupported == nil {
            let heading = d.kind == .binary ? d.name : "\(d.name) (task: \(d.kind.rawValue))"
            XCTAssertTrue(text.contains("\n\(heading)\n") || text.hasPrefix("\(heading)\n"), heading)
            for (p, rule) in zip(d.examples, d.schema.parameters) {
                XCTAssertTrue(text.contains(" \(rule.summary); default \(p.defaultValue.json)\n"), "\(d.name).\(p.name)")
            }
        }
        XCTAssertFalse(text.contains("calibrated"), "the calibration wrapper is not a type a spec names")
        XCTAssertTrue(text.contains("  n_neighbors  an integer ≥ 1; default 5\n"), text)
    }

    func testSettingsCompareByTypeAndValue() throws {
        let lr = ModelRegistry.standard
        let a = try lr.estimator(type: "logistic_regression", params: ["C": .int(2)]), b = try lr.estimator(type: "logistic_regression", params: ["C": .int(2)])
        XCTAssertTrue(a.hasSameSettings(as: b))
        XCTAssertFalse(a.hasSameSettings(as: try lr.estimator(type: "logistic_regression", params: [:])))
        XCTAssertFalse(a.hasSameSettings(as: try lr.estimator(type: "svm", params: ["C": .int(2)])))
        let step = CalibrateStep(method: .sigmoid, cv: 3)
        XCTAssertTrue(a.calibrated(step).hasSameSettings(as: b.calibrated(step)))
        XCTAssertFalse(a.calibrated(step).hasSameSettings(as: try lr.estimator(type: "logistic_regression", params: [:]).calibrated(step)),
                       "calibrated estimators compare their base settings too")
        XCTAssertFalse(a.calibrated(step).hasSameSettings(as: a.calibrated(CalibrateStep(method: .isotonic, cv: 3))))
        XCTAssertFalse(a.calibrated(step).hasSameSettings(as: a))
    }

    func testNamesAreUniqueAndSharedTagsShareTheirFittedForm() throws {
        XCTAssertEqual(Set(models.map { "\($0.name) \($0.kind)" }).count, models.count)
        XCTAssertEqual(Self.registry.catalog.types.map(\.name), models.map(\.name))
        let (x, y) = Synthetic.classification(rows: 60, cols: 3, seed: 2)
        let byTag = Dictionary(grouping: Self.registry.definitions, by: \.tag)
        for (tag, group) in byTag where group.count > 1 {
            XCTAssertEqual(Set(group.map(\.kind)).count, 1, "tag \(tag) is shared across kinds")
            let target: FitTarget = group[0].kind == .binary ? .labels(y) : group[0].kind == .multiclass ? .classes(y, count: 2) : .values(y.map(Double.init))
            let forms = try group.map { "\(type(of: try $0.estimator([:]).fit(x, target, seed: 1).fitted))" }
            XCTAssertEqual(Set(forms).count, 1, "tag \(tag) is shared by \(group.map(\.name)) with different fitted forms \(forms)")
        }
    }

    /// What `assay validate` says about a spec whose one model has `params`: "ok" or the error.
    func validation(_ definition: ModelDefinition, _ params: [String: ParamValue]) -> String {
        let text = """
        assay: 1
        task: \(definition.kind.rawValue)
        data: {path: d.csv, target: y}
        models:
          m:
            type: \(definition.name)
            params: {\(params.keys.sorted().map { "\($0): \(params[$0]!.json)" }.joined(separator: ", "))}
        """
        do {
            _ = try SpecLoader.parse(text, file: "s.yaml", catalog: Self.registry.catalog)
            return "ok"
        } catch { return "\(error)" }
    }
}

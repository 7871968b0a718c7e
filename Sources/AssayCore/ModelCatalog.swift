/// The model types a spec may name, and the rules each parameter's value must follow.
///
/// Names and meanings follow scikit-learn. A type or parameter that is known but not built yet
/// is listed with the reason, so a spec naming it is refused with a clear message instead of ignored.
public struct ModelType: Sendable {
    public let name: String
    /// Nil when the type can run; otherwise why not.
    public let unsupported: String?
    public let parameters: [ParameterRule]
    /// A check of one grid point's parameters together (for rules that tie parameters to each other).
    public var checkPoint: @Sendable ([String: ParamValue]) -> String? = { _ in nil }

    public func parameter(_ name: String) -> ParameterRule? { parameters.first { $0.name == name } }
}

/// A parameter's name and a check of its value; the check returns a problem in words, or nil.
public struct ParameterRule: Sendable {
    public let name: String
    public let unsupported: String?
    public let check: @Sendable (ParamValue) -> String?

    public init(_ name: String, unsupported: String? = nil, check: @escaping @Sendable (ParamValue) -> String?) {
        self.name = name
        self.unsupported = unsupported
        self.check = check
    }

    public static func number(_ name: String, greaterThan low: Double) -> ParameterRule {
        ParameterRule(name) { v in
            guard let x = v.number, x.isFinite else { return "must be a number" }
            return x > low ? nil : "must be greater than \(NumberFormat.json(low)), got \(v.json)"
        }
    }

    public static func number(_ name: String, atLeast low: Double) -> ParameterRule {
        ParameterRule(name) { v in
            guard let x = v.number, x.isFinite else { return "must be a number" }
            return x >= low ? nil : "must be at least \(NumberFormat.json(low)), got \(v.json)"
        }
    }

    public static func integer(_ name: String, atLeast low: Int) -> ParameterRule {
        ParameterRule(name) { v in
            guard case .int(let i) = v else { return "must be an integer" }
            return i >= low ? nil : "must be at least \(low), got \(i)"
        }
    }

    public static func choice(_ name: String, _ options: [String], nullable: Bool = false) -> ParameterRule {
        ParameterRule(name) { v in
            if case .null = v, nullable { return nil }
            if case .string(let s) = v, options.contains(s) { return nil }
            let allowed = (nullable ? ["null"] : []) + options
            return "must be one of \(allowed.joined(separator: ", ")), got \(v.json)\(v.stringValue.map { Suggest.hint($0, among: options) } ?? "")"
        }
    }

    public static func notYet(_ name: String, _ why: String) -> ParameterRule {
        ParameterRule(name, unsupported: why) { _ in nil }
    }
}

extension ParamValue {
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

public enum ModelCatalog {
    public static let types: [ModelType] = [
        ModelType(name: "logistic_regression", unsupported: nil, parameters: [
            .number("C", greaterThan: 0),
            .choice("penalty", ["l2", "l1", "elasticnet", "none"]),
            ParameterRule("l1_ratio") { v in
                guard let x = v.number, x >= 0, x <= 1 else { return "must be a number in [0, 1], got \(v.json)" }
                return nil
            },
            .choice("class_weight", ["balanced"], nullable: true),
            .integer("max_iter", atLeast: 1),
            .number("tol", greaterThan: 0),
        ], checkPoint: { point in
            guard point["l1_ratio"] != nil, point["penalty"] != .string("elasticnet") else { return nil }
            return "l1_ratio only applies to penalty: elasticnet (this point has penalty \(point["penalty"]?.display ?? "l2"))"
        }),
        ModelType(name: "knn", unsupported: nil, parameters: [
            .integer("n_neighbors", atLeast: 1),
            .choice("weights", ["uniform", "distance"]),
            ParameterRule("p") { v in
                if case .int(let p) = v, p == 1 || p == 2 { return nil }
                return "must be 1 (Manhattan) or 2 (Euclidean), got \(v.json)"
            },
            ParameterRule("algorithm") { v in
                if case .string("ball_tree") = v { return "ball_tree is not available: kd_tree and brute search exactly, as auto does" }
                return ParameterRule.choice("algorithm", ["auto", "kd_tree", "brute"]).check(v)
            },
            .integer("leaf_size", atLeast: 1),
        ]),
        ModelType(name: "naive_bayes", unsupported: nil, parameters: [.number("var_smoothing", atLeast: 0)]),
        ModelType(name: "dummy", unsupported: nil, parameters: [.choice("strategy", ["prior", "most_frequent", "stratified"])]),
        ModelType(name: "decision_tree", unsupported: nil, parameters: treeRules),
        ModelType(name: "random_forest", unsupported: nil, parameters: [
            .integer("n_estimators", atLeast: 1),
            ParameterRule("bootstrap") { v in if case .bool = v { return nil }; return "must be true or false, got \(v.json)" },
        ] + treeRules),
        ModelType(name: "gradient_boosting", unsupported: nil, parameters: [
            .integer("max_iter", atLeast: 1),
            .number("learning_rate", greaterThan: 0),
            ParameterRule("max_leaf_nodes") { v in
                if case .null = v { return nil }
                if case .int(let n) = v, n >= 2 { return nil }
                return "must be null or an integer of at least 2, got \(v.json)"
            },
            treeRules[1],  // max_depth
            .integer("min_samples_leaf", atLeast: 1),
            .number("l2_regularization", atLeast: 0),
            ParameterRule("max_bins") { v in v == .int(255) ? nil : "only 255 is supported so far, got \(v.json)" },
            ParameterRule("early_stopping") { v in if case .bool = v { return nil }; return "must be true or false, got \(v.json)" },
        ]),
        ModelType(name: "svm", unsupported: nil, parameters: [
            .number("C", greaterThan: 0),
            .choice("kernel", ["rbf", "linear", "poly", "sigmoid"]),
            ParameterRule("gamma") { v in
                if case .string(let s) = v, s == "scale" || s == "auto" { return nil }
                if let g = v.number, g.isFinite, g > 0 { return nil }
                return "must be scale, auto or a number greater than 0, got \(v.json)"
            },
            ParameterRule("coef0") { v in v.number?.isFinite == true ? nil : "must be a number, got \(v.json)" },
            .integer("degree", atLeast: 0),
            .choice("class_weight", ["balanced"], nullable: true),
            .number("tol", greaterThan: 0),
            .number("cache_size", greaterThan: 0),
            ParameterRule("shrinking") { v in if case .bool = v { return nil }; return "must be true or false, got \(v.json)" },
            ParameterRule("max_iter") { v in
                if case .int(let i) = v, i == -1 || i >= 1 { return nil }
                return "must be -1 (no limit) or an integer of at least 1, got \(v.json)"
            },
        ]),
        ModelType(name: "mlp", unsupported: nil, parameters: [
            ParameterRule("hidden_layer_sizes") { v in
                if case .int(let n) = v, n >= 1 { return nil }
                if case .list(let items) = v, !items.isEmpty, items.allSatisfy({ if case .int(let n) = $0 { return n >= 1 } else { return false } }) { return nil }
                return "must be a list of layer sizes (integers of at least 1), got \(v.json)"
            },
            .choice("activation", ["relu", "tanh", "logistic", "identity"]),
            .number("alpha", atLeast: 0),
            ParameterRule("batch_size") { v in
                if v == .string("auto") { return nil }
                if case .int(let b) = v, b >= 1 { return nil }
                return "must be auto or an integer of at least 1, got \(v.json)"
            },
            .number("learning_rate_init", greaterThan: 0),
            .integer("max_iter", atLeast: 1),
            ParameterRule("random_state") { v in
                if case .null = v { return nil }
                if case .int(let i) = v, i >= 0, i <= Int(UInt32.max) { return nil }
                return "must be null or an integer from 0 to 4294967295 (numpy's seed range), got \(v.json)"
            },
            .number("tol", atLeast: 0),
            ParameterRule("early_stopping") { v in if case .bool = v { return nil }; return "must be true or false, got \(v.json)" },
            ParameterRule("validation_fraction") { v in
                guard let f = v.number, f > 0, f < 1 else { return "must be a number in (0, 1), got \(v.json)" }
                return nil
            },
            .integer("n_iter_no_change", atLeast: 1),
        ]),
    ]

    static let treeRules: [ParameterRule] = [
        .choice("criterion", ["gini", "entropy"]),
        ParameterRule("max_depth") { v in
            if case .null = v { return nil }
            if case .int(let d) = v, d >= 1 { return nil }
            return "must be null or an integer of at least 1, got \(v.json)"
        },
        .integer("min_samples_split", atLeast: 2),
        .integer("min_samples_leaf", atLeast: 1),
        ParameterRule("max_features") { v in
            switch v {
            case .null, .string("sqrt"), .string("log2"): return nil
            case .int(let k) where k >= 1: return nil
            case .double(let f) where f > 0 && f <= 1: return nil
            default: return "must be sqrt, log2, null, a fraction in (0, 1] or a count, got \(v.json)"
            }
        },
        .choice("class_weight", ["balanced"], nullable: true),
    ]

    public static func type(named name: String) -> ModelType? { types.first { $0.name == name } }
}

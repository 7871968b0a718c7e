/// A model type a spec may name, and the rules each parameter's value must follow.
///
/// Names and meanings follow scikit-learn. A type or parameter that is known but not built yet
/// is listed with the reason, so a spec naming it is refused with a clear message instead of ignored.
public struct ModelType: Sendable {
    public let name: String
    /// The kind of experiment it fits (one name may have one type per kind).
    public let kind: ExperimentKind
    /// Nil when the type can run; otherwise why not.
    public let unsupported: String?
    public let parameters: [ParameterRule]
    /// A check of one grid point's parameters together (for rules that tie parameters to each other).
    public let checkPoint: @Sendable ([String: ParamValue]) -> String?
    /// Nil when the type fits with per-row sample weights (`data.weight`); otherwise why not, in words.
    public var noSampleWeights: String? = nil

    public init(name: String, kind: ExperimentKind = .binary, unsupported: String?, parameters: [ParameterRule],
                checkPoint: @escaping @Sendable ([String: ParamValue]) -> String? = { _ in nil }) {
        self.name = name
        self.kind = kind
        self.unsupported = unsupported
        self.parameters = parameters
        self.checkPoint = checkPoint
    }

    public func parameter(_ name: String) -> ParameterRule? { parameters.first { $0.name == name } }
}

/// A parameter's name and a check of its value; the check returns a problem in words, or nil.
public struct ParameterRule: Sendable {
    public let name: String
    public let unsupported: String?
    /// The values the rule accepts, in words (`assay models` lists them).
    public let summary: String
    /// The same values as a JSON Schema (what `assay schema` gives editors); `check` stays the authority.
    public let schema: JSONValue
    public let check: @Sendable (ParamValue) -> String?

    public init(_ name: String, summary: String, schema: JSONValue, unsupported: String? = nil, check: @escaping @Sendable (ParamValue) -> String?) {
        self.name = name
        self.summary = summary
        self.schema = schema
        self.unsupported = unsupported
        self.check = check
    }

    /// `random_state`: null, or a seed for numpy's `RandomState` (where a model draws as scikit-learn does).
    public static let randomState = ParameterRule("random_state", summary: "null | an integer in [0, 4294967295]",
                                                  schema: ["anyOf": [["type": "null"], ["type": "integer", "minimum": 0, "maximum": 4294967295]]]) { v in
        if case .null = v { return nil }
        if case .int(let i) = v, i >= 0, i <= Int(UInt32.max) { return nil }
        return "must be null or an integer from 0 to 4294967295 (numpy's seed range), got \(v.json)"
    }

    public static func number(_ name: String, greaterThan low: Double) -> ParameterRule {
        ParameterRule(name, summary: "a number > \(NumberFormat.json(low))", schema: ["type": "number", "exclusiveMinimum": .number(low)]) { v in
            guard let x = v.number, x.isFinite else { return "must be a number" }
            return x > low ? nil : "must be greater than \(NumberFormat.json(low)), got \(v.json)"
        }
    }

    public static func number(_ name: String, atLeast low: Double) -> ParameterRule {
        ParameterRule(name, summary: "a number ≥ \(NumberFormat.json(low))", schema: ["type": "number", "minimum": .number(low)]) { v in
            guard let x = v.number, x.isFinite else { return "must be a number" }
            return x >= low ? nil : "must be at least \(NumberFormat.json(low)), got \(v.json)"
        }
    }

    public static func integer(_ name: String, atLeast low: Int) -> ParameterRule {
        ParameterRule(name, summary: "an integer ≥ \(low)", schema: ["type": "integer", "minimum": .integer(low)]) { v in
            guard case .int(let i) = v else { return "must be an integer" }
            return i >= low ? nil : "must be at least \(low), got \(i)"
        }
    }

    public static func choice(_ name: String, _ options: [String], nullable: Bool = false) -> ParameterRule {
        ParameterRule(name, summary: ((nullable ? ["null"] : []) + options).joined(separator: " | "),
                      schema: ["enum": .array((nullable ? [.null] : []) + options.map(JSONValue.string))]) { v in
            if case .null = v, nullable { return nil }
            if case .string(let s) = v, options.contains(s) { return nil }
            let allowed = (nullable ? ["null"] : []) + options
            return "must be one of \(allowed.joined(separator: ", ")), got \(v.json)\(v.stringValue.map { Suggest.hint($0, among: options) } ?? "")"
        }
    }

    public static func boolean(_ name: String) -> ParameterRule {
        ParameterRule(name, summary: "true | false", schema: ["type": "boolean"]) { v in if case .bool = v { return nil }; return "must be true or false, got \(v.json)" }
    }

    public static func notYet(_ name: String, _ why: String) -> ParameterRule {
        ParameterRule(name, summary: "not available", schema: ["not": [:], "description": .string(why)], unsupported: why) { _ in nil }
    }
}

extension ParamValue {
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}

/// The model types a spec may name, with their parameter rules: derived from the model registry in AssayLearn
/// (each model's own definition), and read by spec validation.
public struct ModelCatalog: Sendable {
    public let types: [ModelType]

    public init(_ types: [ModelType]) { self.types = types }

    /// The type a spec of `kind` means by `name`.
    public func type(named name: String, kind: ExperimentKind = .binary) -> ModelType? { types.first { $0.name == name && $0.kind == kind } }

    /// The type names a spec of `kind` may use, in the catalog's order.
    public func names(for kind: ExperimentKind) -> [String] { types.filter { $0.kind == kind }.map(\.name) }
}

import AssayCore

/// A JSON Schema (draft-07) of the spec format, for editors (`assay schema`; the VS Code YAML extension completes and
/// checks specs with it). It is built from what validation itself uses — the keys of `SpecKeys`, the vocabularies
/// (metrics, step methods, join kinds) and every model type's parameter rules — so it cannot drift from the loader.
/// The loader stays the authority: it also checks what a schema cannot say (columns that exist, `resample` last, …).
public enum SpecSchema {
    public static func document(catalog: ModelCatalog) -> JSONValue {
        var root = object(SpecKeys.top, [
            "assay": ["const": 1, "description": "The spec format version."],
            "name": describe(string, "The run's name: the report goes to runs/<name>/ (default: the file's stem)."),
            "description": describe(string, "What question the run answers; shown at the top of the report."),
            "seed": describe(["type": "integer", "minimum": 0], "Every random choice derives from it."),
            "task": describe(choice(ExperimentKind.self), "What the experiment answers: binary (the default: two labels, one positive), multiclass (one of several classes), regression (a number), segment (k-means segments, no target) or associate (frequent itemsets and rules of a purchase log's baskets)."),
            "data": data,
            "split": split,
            "preprocess": describe(ref("preprocess"), "Preprocessing steps, in order, fitted on the training rows of each fold only."),
            "models": describe(["type": "object"], "Model name → type, params, grid, search, preprocess, calibrate; the types are the task's."),
            "metrics": ["type": "array", "minItems": 1, "uniqueItems": true, "items": metric],
            "select": describe(metric, "Picks each model's grid point and the best model, by mean CV score."),
            "checks": checks,
            "threshold": threshold,
            "predictions": describe(object(SpecKeys.predictions, ["columns": ["type": "array", "items": string, "uniqueItems": true]]),
                                    "Columns carried, as written, into the row-level predictions file (assay run --predictions FILE)."),
            "importance": describe(object(SpecKeys.importance, ["models": ["anyOf": [["const": "all"], ["type": "array", "items": string]]],
                                                                "shap": ["type": "boolean"], "partial_dependence": ["type": "integer", "minimum": 0, "maximum": 10]]),
                                   "Models whose permutation importance is computed besides the best model's: all, or a list of names; shap: true adds exact SHAP values for the tree and linear models among them; partial_dependence: N the best model's partial dependence on its N most important columns."),
            "segments": describe(object(SpecKeys.segments, [
                "value": string,
                "probability": ["anyOf": [["type": "array", "minItems": 1, "items": ["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1]],
                                          object(["quantiles"], ["quantiles": ["type": "integer", "minimum": 2, "maximum": 10]], required: ["quantiles"])]],
                "value_bands": ["anyOf": [["type": "array", "minItems": 1, "items": ["type": "number"]],
                                          object(["quantiles"], ["quantiles": ["type": "integer", "minimum": 2, "maximum": 10]], required: ["quantiles"])]],
            ], required: ["value"]), "Binary runs: rows crossed by the best model's probability band × a value column's band (default tertiles of each)."),
            "labels": describe(object(SpecKeys.labels, ["positive": ["type": "string", "minLength": 1, "maxLength": 40]]),
                               "What the positive rows are called in figures and tables, like {positive: buyers}."),
            "segment": describe(object(SpecKeys.segment, [
                "k": ["anyOf": [["type": "integer", "minimum": 2], ["type": "array", "minItems": 1, "items": ["type": "integer", "minimum": 2]]]],
                "choose": choice(SegmentSection.Choice.self),
                "n_init": ["type": "integer", "minimum": 1], "max_iter": ["type": "integer", "minimum": 1], "tol": ["type": "number", "minimum": 0],
                "value": string,
                "rfm": object(SpecKeys.rfm, ["recency": string, "frequency": string, "monetary": string], required: SpecKeys.rfm),
                "stability": ["type": "integer", "minimum": 0, "maximum": 100],
            ], required: ["k"]), "Task segment: k-means for each k (k-means++, n_init, Lloyd), k chosen by silhouette or elbow; value and RFM columns to describe the segments."),
            "associate": describe(object(SpecKeys.associate, [
                "min_support": ["type": "number", "exclusiveMinimum": 0, "maximum": 1], "min_confidence": ["type": "number", "exclusiveMinimum": 0, "maximum": 1],
                "min_lift": ["type": "number", "minimum": 0], "max_len": ["type": "integer", "minimum": 1],
                "max_itemsets": ["type": "integer", "minimum": 1], "top": ["type": "integer", "minimum": 1],
            ], required: ["min_support"]), "Task associate: FP-growth itemsets (min_support, max_len) and association rules (min_confidence, min_lift) of the log's baskets."),
        ], required: ["assay", "data"])
        guard case .object(var fields) = root else { return root }
        fields["$schema"] = "http://json-schema.org/draft-07/schema#"
        fields["title"] = "Assay experiment spec, version 1"
        fields["definitions"] = ["preprocess": steps, "clean": clean, "distribution": distribution]
        // A spec fits models, or segments rows, or mines baskets.
        fields["anyOf"] = [["required": ["models"]], ["required": ["segment"]], ["required": ["associate"]]]
        // The model types a spec may name depend on its task (the same name is a classifier or a regressor).
        fields["if"] = ["properties": ["task": ["const": "regression"]], "required": ["task"]]
        fields["then"] = ["properties": ["models": models(catalog, kind: .regression)]]
        fields["else"] = ["properties": ["models": models(catalog, kind: .binary)]]
        root = .object(fields)
        return root
    }

    // MARK: building blocks

    /// An object whose properties are exactly `keys`, each described by `fragments` (which must cover them all).
    static func object(_ keys: [String], _ fragments: [String: JSONValue], required: [String] = []) -> JSONValue {
        precondition(Set(keys) == Set(fragments.keys), "schema fragments \(fragments.keys.sorted()) do not match the keys \(keys.sorted())")
        var o: [String: JSONValue] = ["type": "object", "additionalProperties": false, "properties": .object(fragments)]
        if !required.isEmpty { o["required"] = .array(required.map(JSONValue.string)) }
        return .object(o)
    }

    /// An object schema with more keywords (a schema that is not an object is returned as it is).
    static func merge(_ schema: JSONValue, _ more: [String: JSONValue]) -> JSONValue {
        guard case .object(var o) = schema else { return schema }
        o.merge(more) { _, b in b }
        return .object(o)
    }

    /// A reference to one of the document's shared definitions.
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/definitions/\(name)")] }

    static func describe(_ schema: JSONValue, _ text: String) -> JSONValue {
        guard case .object(var o) = schema else { return schema }
        o["description"] = .string(text)
        return .object(o)
    }

    static func choice<E: RawRepresentable & CaseIterable>(_: E.Type) -> JSONValue where E.RawValue == String {
        ["enum": .array(E.allCases.map { .string($0.rawValue) })]
    }

    static let string: JSONValue = ["type": "string"]
    static let scalar: JSONValue = ["type": ["string", "number", "integer", "boolean", "null"]]
    static let names: JSONValue = ["anyOf": [string, ["type": "array", "minItems": 1, "items": string]]]
    static let share: JSONValue = ["anyOf": [["type": "number", "exclusiveMinimum": 0, "maximum": 1], ["type": "string", "pattern": "^ *[0-9.]+ *%$"]]]
    static let metric = choice(Metric.self)

    /// A list of one-key mappings, each key one of `fragments` (preprocessing steps, cleaning steps).
    static func oneKeySteps(_ keys: [String], _ fragments: [String: JSONValue]) -> JSONValue {
        guard case .object(var step) = object(keys, fragments) else { return [:] }
        step["minProperties"] = 1
        step["maxProperties"] = 1
        return ["type": "array", "items": .object(step)]
    }

    // MARK: data

    static var format: [String: JSONValue] {
        [
            "path": describe(string, "Relative to the spec file."),
            "delimiter": describe(["anyOf": [["type": "string", "minLength": 1, "maxLength": 1], ["const": "whitespace"]]],
                                  "One character, or whitespace: runs of spaces or tabs."),
            "decimal": ["enum": [".", ","]],
            "missing": describe(["type": "array", "items": string], "Cells read as missing (default: \"\", NA, N/A, NaN, nan, null, NULL, #N/A)."),
            "header": ["type": "boolean"],
            "names": describe(["type": "array", "items": string], "Column names when header is false."),
            "columns": describe(["type": "object", "additionalProperties": choice(ColumnKind.self)], "Column type overrides."),
        ]
    }

    static var clean: JSONValue {
        oneKeySteps(SpecKeys.cleanSteps, [
            "replace": ["type": "object", "additionalProperties": ["type": "object", "additionalProperties": scalar]],
            "filter": describe(string, "Keeps the rows where the expression holds."),
            "derive": ["type": "object", "additionalProperties": string],
            "drop_duplicates": ["anyOf": [["type": "boolean"], object(SpecKeys.dropDuplicates, ["subset": names, "ignore": names])]],
            "normalize": ["anyOf": [["type": "boolean"], object(SpecKeys.normalize, ["columns": names, "lowercase": ["type": "boolean"]])]],
        ])
    }

    static var data: JSONValue {
        let pivot = object(SpecKeys.pivot, ["index": names, "columns": string, "values": names, "aggregate": choice(PivotAggregate.self)],
                           required: ["index", "columns", "values"])
        let join = object(SpecKeys.join, format.merging([
            "on": names, "how": choice(JoinHow.self), "clean": ref("clean"), "pivot": pivot,
        ]) { a, _ in a }, required: ["path", "on"])
        let window: JSONValue = describe(["type": "string", "pattern": "^[1-9][0-9]*[dw]$"], "Days or weeks, like 90d or 12w.")
        let date: JSONValue = ["type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"]
        let events = object(SpecKeys.events, format.merging([
            "customer": describe(string, "The customer id column (read as text: leading zeros kept)."),
            "time": describe(string, "The purchase time column."),
            "time_format": describe(string, "A strptime pattern (%Y %m %d %H %M %S), or iso (the default)."),
            "amount": describe(string, "The amount of each row (monetary, spend, spend_within)."),
            "order": describe(string, "An order id column; without one, a customer's purchases on one day are one order."),
            "item": describe(string, "The item column (distinct_items, basket_items)."),
            "category": describe(string, "The category column (category_share)."),
            "clean": describe(ref("clean"), "What counts as a purchase: cleaning of the log's rows before anything is aggregated."),
        ]) { a, _ in a }, required: ["path", "customer", "time"])
        let plain = CustomerFeature.names.filter { !$0.windowed }.map { JSONValue.string($0.name) }
        let windowed = CustomerFeature.names.filter(\.windowed).map(\.name)
        let feature: JSONValue = ["anyOf": [["enum": .array(plain)],
                                            object(windowed, Dictionary(uniqueKeysWithValues: windowed.map { ($0, ["anyOf": [window, ["type": "array", "minItems": 1, "items": window]]]) }))
                                                ]]
        guard case .object(var o) = object(SpecKeys.data, format.merging([
            "target": describe(string, "The column to predict."),
            "positive": describe(["type": ["string", "number", "integer", "boolean"]], "The positive label, as written in the file."),
            "id": describe(string, "Carried into predictions, never a feature."),
            "weight": describe(string, "Each row's sample weight (a number ≥ 0), used in fitting and in every metric; never a feature."),
            "drop": ["type": "array", "items": string],
            "join": ["type": "array", "items": join],
            "clean": ref("clean"),
            "events": describe(events, "A purchase log (one row per order line) instead of path: the table is one row per customer and cutoff."),
            "cutoff": describe(["anyOf": [date, ["type": "array", "minItems": 1, "items": date],
                                          object(SpecKeys.cutoffRange, ["from": date, "to": date, "every": window], required: SpecKeys.cutoffRange)]],
                               "With events: the day features stop and the label window starts; a list, or {from, to, every}, stacks several."),
            "features": describe(["type": "array", "minItems": 1, "items": feature], "With events: the customer table's features, from purchases before the cutoff."),
            "label": describe(merge(object(SpecKeys.labelRules, ["buys_within": window, "spend_within": window]), ["minProperties": 1, "maxProperties": 1]),
                              "With events: buys_within (binary) or spend_within (regression), read from [cutoff, cutoff + window)."),
            "customers": describe(["anyOf": [["const": "all"], object(SpecKeys.customers, ["active_within": window], required: ["active_within"])]],
                                  "With events: everyone with a purchase before the cutoff (all), or only those active within a window."),
        ]) { a, _ in a }) else { return [:] }
        // A table names its path (and its target, but for task segment); a purchase log names events instead (and, for a
        // customer table, cutoff, label and features: the loader checks which the task needs).
        o["anyOf"] = [["required": ["path"]], ["required": ["events"]]]
        return .object(o)
    }

    static var split: JSONValue {
        object(SpecKeys.split, [
            "test_size": ["type": "number", "minimum": 0, "exclusiveMaximum": 1],
            "folds": describe(["anyOf": [["type": "integer", "minimum": 2], ["const": "forward"]]],
                              "k-fold; or forward (with holdout: last_cutoff): each fold validates one cutoff and trains on the earlier ones."),
            "fold_column": string,
            "repeats": ["type": "integer", "minimum": 1],
            "holdout": describe(["enum": ["random", "last_cutoff"]], "last_cutoff: a customer table's last cutoff is the test set; earlier cutoffs train (time-aware validation)."),
            "group": describe(string, "Rows with the same value in this column are never on both sides of the holdout or of a fold."),
        ])
    }

    // MARK: preprocessing and models

    static var steps: JSONValue {
        let columns: JSONValue = ["anyOf": [names, object(SpecKeys.columnSelector, ["names": names, "pattern": string, "type": choice(ColumnKind.self)])]]
        func options(_ fragment: JSONValue) -> JSONValue { ["anyOf": [["type": "null"], fragment]] }
        return oneKeySteps(SpecKeys.steps, [
            "impute": options(object(SpecKeys.impute, ["numeric": choice(ImputeStrategy.self), "categorical": choice(ImputeStrategy.self),
                                                        "value": scalar, "add_indicator": ["type": "boolean"], "columns": columns])),
            "encode": options(object(SpecKeys.encode, [
                "method": choice(EncodeMethod.self), "handle_unknown": choice(HandleUnknown.self),
                "min_frequency": ["type": "number", "exclusiveMinimum": 0], "max_categories": ["type": "integer", "minimum": 1],
                "order": ["type": "object", "additionalProperties": ["type": "array", "items": string]],
                "smooth": ["anyOf": [["const": "auto"], ["type": "number", "minimum": 0]]], "cv": ["type": "integer", "minimum": 2],
                "columns": columns,
            ])),
            "scale": options(object(SpecKeys.scale, ["method": choice(ScaleMethod.self), "columns": columns])),
            "log1p": options(object(SpecKeys.log1p, ["columns": columns])),
            "clip": options(object(SpecKeys.clip, ["min": ["type": "number"], "max": ["type": "number"], "columns": columns,
                                                   "quantiles": ["type": "array", "minItems": 2, "maxItems": 2, "items": ["type": "number", "minimum": 0, "maximum": 1]]])),
            "resample": options(object(SpecKeys.resample, [
                "method": choice(ResampleMethod.self), "k_neighbors": ["type": "integer", "minimum": 1],
                "sampling_strategy": ["anyOf": [["const": "auto"], ["type": "number", "exclusiveMinimum": 0, "maximum": 1]]],
            ])),
        ])
    }

    static func models(_ catalog: ModelCatalog, kind: ExperimentKind) -> JSONValue {
        let runnable = catalog.types.filter { $0.unsupported == nil && $0.kind == kind }
        let search = object(SpecKeys.search, [
            "method": ["enum": .array(SpecKeys.searchMethods.map(JSONValue.string))],
            "n_iter": ["type": "integer", "minimum": 1], "factor": ["type": "integer", "minimum": 2],
            "min_resources": ["anyOf": [["enum": ["exhaust", "smallest"]], ["type": "integer", "minimum": 1]]],
        ])
        let calibrate: JSONValue = ["anyOf": [choice(CalibrationMethod.self), object(SpecKeys.calibrate, [
            "method": choice(CalibrationMethod.self), "cv": ["type": "integer", "minimum": 2],
        ], required: ["method"])]]
        guard case .object(var model) = object(SpecKeys.model, [
            "type": ["enum": .array(runnable.map { .string($0.name) })],
            "params": ["type": ["object", "null"]],
            "grid": ["type": ["object", "null"]],
            "preprocess": ref("preprocess"),
            "search": search,
            "calibrate": calibrate,
        ], required: ["type"]) else { return [:] }
        // Each type's own parameters, for params (a value) and grid (a value, a list of values or a distribution).
        model["allOf"] = .array(runnable.map { type in
            let usable = type.parameters.filter { $0.unsupported == nil }
            let params = Dictionary(uniqueKeysWithValues: usable.map { ($0.name, $0.schema) })
            let grid = Dictionary(uniqueKeysWithValues: usable.map { rule -> (String, JSONValue) in
                (rule.name, ["anyOf": [rule.schema, ["type": "array", "minItems": 1, "items": rule.schema], ref("distribution")]])
            })
            return [
                "if": ["properties": ["type": ["const": .string(type.name)]], "required": ["type"]],
                "then": ["properties": [
                    "params": ["anyOf": [["type": "null"], ["type": "object", "additionalProperties": false, "properties": .object(params)]]],
                    "grid": ["anyOf": [["type": "null"], ["type": "object", "additionalProperties": false, "properties": .object(grid),
                                                           "patternProperties": ["^preprocess\\.[^.]+\\.[^.]+$": [:]]]]],
                ]],
            ]
        })
        return ["type": "object", "minProperties": 1, "additionalProperties": .object(model)]
    }

    /// A random search's distribution: `{loguniform: [0.001, 100]}`.
    static var distribution: JSONValue {
        let bounds: JSONValue = ["type": "array", "minItems": 2, "maxItems": 2, "items": ["type": "number"]]
        guard case .object(var o) = object(SpecKeys.distributions, Dictionary(uniqueKeysWithValues: SpecKeys.distributions.map { ($0, bounds) })) else { return [:] }
        o["minProperties"] = 1
        o["maxProperties"] = 1
        return .object(o)
    }

    // MARK: checks and threshold

    static var checks: JSONValue {
        let metricNames = Metric.allCases.map(\.rawValue).joined(separator: "|")
        let check = object(SpecKeys.check, [
            "min": ["type": "number"], "max": ["type": "number"],
            "tolerance": ["anyOf": [["type": "number", "minimum": 0], ["type": "string", "pattern": "^ *[0-9.]+ *%$"]]],
        ])
        return describe([
            "type": "object", "additionalProperties": false,
            "properties": ["baseline": describe(string, "The metrics.json tolerances compare with.")],
            "patternProperties": ["^((.+\\.)?(cv|test)|segmentation|baskets)\\.(\(metricNames))$": check],
        ], "[MODEL.]cv|test.METRIC (segmentation.METRIC, baskets.METRIC for task segment, associate) → {min, max, tolerance}; `assay check` fails when one does not hold.")
    }

    static var threshold: JSONValue {
        guard case .object(var rules) = object(SpecKeys.thresholdRules, [
            "recall": ["type": "number", "exclusiveMinimum": 0, "maximum": 1], "top": share,
            "profit": object(SpecKeys.profit, Dictionary(uniqueKeysWithValues: SpecKeys.profit.map { ($0, $0 == "value" ? ["type": "string"] : ["type": "number"]) }),
                             required: ["tp", "fp"]),
        ]) else { return [:] }
        rules["minProperties"] = 1
        rules["maxProperties"] = 1
        return ["anyOf": [["type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1], ["const": "max_f1"], .object(rules)]]
    }
}

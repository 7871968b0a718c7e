import AssayCore

/// `runs/<name>/metrics.json`, version 1 (SPEC.md).
public enum MetricsJSON {
    public static func render(_ r: RunReport) -> String {
        var models: [String: JSONValue] = [:]
        for m in r.models {
            var fields: [String: JSONValue] = [
                "type": .string(m.type),
                "best_params": params(m.best.params),
                "cv": cv(m.best.cv, r.metrics),
                "test": .object(Dictionary(uniqueKeysWithValues: r.metrics.compactMap { k in m.test[k].map { (k.rawValue, JSONValue.number($0)) } })),
                "grid": .array(m.points.map { .object(["params": params($0.params), "cv": cv($0.cv, r.metrics)]) }),
            ]
            if r.kind == .binary { fields["threshold"] = .number(m.best.threshold) }
            if let e = m.evaluation { fields["evaluation"] = e.json }
            if let e = m.regression { fields["evaluation"] = e.json }
            if let e = m.multiclass { fields["evaluation"] = e.json }
            if !m.testIntervals.isEmpty {
                fields["test_ci"] = .object(Dictionary(uniqueKeysWithValues: r.metrics.compactMap { k in
                    m.testIntervals[k].map { (k.rawValue, JSONValue.object(["low": .number($0.low), "high": .number($0.high)])) }
                }))
            }
            models[m.name] = .object(fields)
        }
        var data: [String: JSONValue] = ["rows": .integer(r.data.rows), "train_rows": .integer(r.data.trainRows), "test_rows": .integer(r.data.testRows)]
        if let t = r.data.targetSummary {
            data["target"] = .object(["mean": .number(t.mean), "std": .number(t.std), "min": .number(t.min), "max": .number(t.max), "zero_share": .number(t.zeroShare)])
        } else if let classes = r.data.classes {
            data["classes"] = .object(Dictionary(classes.map { ($0.name, JSONValue.integer($0.rows)) }, uniquingKeysWith: { a, _ in a }))
        } else {
            data["positive_rate"] = .number(r.data.positiveRate)
        }
        if let w = r.data.weight {
            data["weight"] = .object(["column": .string(w.column), "total": .number(w.total), "zero_rows": .integer(w.zeroRows)])
        }
        var top: [String: JSONValue] = [
            "assay": .integer(1),
            "experiment": .string(r.experiment),
            "select": .string(r.select.rawValue),
            "data": .object(data),
            "models": .object(models),
        ]
        // A binary run's document keeps SPEC.md's version-1 shape exactly; other kinds say which they are.
        if r.kind != .binary { top["task"] = .string(r.kind.rawValue) }
        top["best_model"] = r.bestModel.map(JSONValue.string) ?? .null
        if let imp = r.impurityImportance {
            top[imp.kind + "_importance"] = .object(["model": .string(imp.model),
                                                  "columns": .object(Dictionary(imp.columns.map { ($0.name, JSONValue.number($0.value)) }, uniquingKeysWith: { a, _ in a }))])
        }
        func importance(_ imp: ImportanceReport) -> JSONValue {
            .object([
                "model": .string(imp.model), "metric": .string(imp.metric.rawValue), "rows": .integer(imp.rows), "repeats": .integer(imp.repeats),
                "baseline": .number(imp.baseline),
                "columns": .object(Dictionary(uniqueKeysWithValues: imp.columns.map { ($0.name, JSONValue.object(["mean": .number($0.summary.mean), "std": .number($0.summary.std)])) })),
            ])
        }
        if let t = r.overTime {
            top["over_time"] = .object(["metric": .string(t.metric.rawValue), "cutoffs": .array(t.cutoffs.map { c in
                .object(["cutoff": .string(c.cutoff), "role": .string(c.role), "rows": .integer(c.rows),
                         (r.kind == .regression ? "target_mean" : "positive_rate"): .number(c.rate),
                         "scores": .object(Dictionary(uniqueKeysWithValues: zip(t.models, c.scores).map { ($0, $1.map(JSONValue.number) ?? .null) }))])
            })])
        }
        if let g = r.segments { top["segments"] = g.json }
        if let imp = r.importance { top["importance"] = importance(imp) }
        if !r.otherImportance.isEmpty {
            top["importance_by_model"] = .object(Dictionary(uniqueKeysWithValues: r.otherImportance.map { ($0.model, importance($0)) }))
        }
        if let pd = r.partialDependence { top["partial_dependence"] = pd.json }
        if !r.shap.isEmpty { top["shap_by_model"] = .object(Dictionary(uniqueKeysWithValues: r.shap.map { ($0.model, $0.json) })) }
        return JSONValue.object(top).rendered()
    }

    static func params(_ p: [(name: String, value: ParamValue)]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: p.map { ($0.name, JSONValue($0.value)) }))
    }

    static func cv(_ cv: [Metric: FoldSummary], _ metrics: [Metric]) -> JSONValue {
        .object(Dictionary(uniqueKeysWithValues: metrics.compactMap { k in
            cv[k].map { (k.rawValue, JSONValue.object(["mean": .number($0.mean), "std": .number($0.std)])) }
        }))
    }
}

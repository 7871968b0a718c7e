import AssayCore

/// `runs/<name>/report.md`: stable text for people and for diffs (no times, hosts or absolute paths).
public enum MarkdownReport {
    public static func render(_ r: RunReport) -> String {
        var out: [String] = ["# \(r.experiment)", ""]
        if let d = r.description, !d.isEmpty { out += [d, ""] }

        let d = r.data
        out += ["## Data", ""]
        out += ["| rows | train | test | positive rate |", "|---:|---:|---:|---:|"]
        out += ["| \(d.rows) | \(d.trainRows) | \(d.testRows) | \(NumberFormat.fixed(d.positiveRate)) |", ""]
        out += ["- File: `\(d.path)`; target `\(d.target)`, positive label `\(d.positiveLabel)`."]
        out += ["- Split: \(d.split)."]
        out += ["- Columns: \(columnList(d.numericColumns, "numeric")); \(columnList(d.categoricalColumns, "categorical")).", ""]

        out += ["## Best model", ""]
        if let name = r.bestModel, let m = r.models.first(where: { $0.name == name }) {
            var line = "**\(name)** (\(m.type)), \(paramText(m.best.params)): CV \(r.select.rawValue) \(meanStd(m.best.cv[r.select]))"
            if let t = m.test[r.select] { line += ", test \(r.select.rawValue) \(NumberFormat.fixed(t))" }
            out += [line + ".", ""]
        } else {
            out += ["No model produced a usable \(r.select.rawValue).", ""]
        }

        out += ["## Models", ""]
        out += ["CV numbers are the mean ± std over the folds of the training rows; test numbers come from the selected point refit on all training rows and scored once on the test rows.", ""]
        let metricNames = r.metrics.map(\.rawValue)
        out += ["| model | type | selected | " + metricNames.map { "CV \($0)" }.joined(separator: " | ") + " |"]
        out += ["|---|---|---|" + String(repeating: "---:|", count: r.metrics.count)]
        for m in r.models {
            out += ["| \(m.name) | \(m.type) | \(paramText(m.best.params)) | " + r.metrics.map { meanStd(m.best.cv[$0]) }.joined(separator: " | ") + " |"]
        }
        out += [""]
        if r.models.contains(where: { !$0.test.isEmpty }) {
            out += ["| model | " + metricNames.map { "test \($0)" }.joined(separator: " | ") + " |"]
            out += ["|---|" + String(repeating: "---:|", count: r.metrics.count)]
            for m in r.models {
                out += ["| \(m.name) | " + r.metrics.map { m.test[$0].map { NumberFormat.fixed($0) } ?? "–" }.joined(separator: " | ") + " |"]
            }
            out += [""]
        }

        for m in r.models {
            out += ["### \(m.name)", ""]
            out += ["- Type: \(m.type); fixed parameters: \(m.fixedParams.isEmpty ? "none" : paramText(m.fixedParams))."]
            out += ["- Preprocessing: \(m.preprocess)."]
            out += ["- Selected by CV \(r.select.rawValue): \(paramText(m.best.params)).", ""]
            let names = m.best.params.map(\.name)
            out += ["| " + (names + metricNames).joined(separator: " | ") + " |"]
            out += ["|" + String(repeating: "---|", count: names.count) + String(repeating: "---:|", count: r.metrics.count)]
            for (i, p) in m.points.enumerated() {
                var cells = p.params.map { $0.value.display }
                if i == m.bestIndex, !cells.isEmpty { cells[0] = "**\(cells[0])**" }
                out += ["| " + (cells + r.metrics.map { meanStd(p.cv[$0]) }).joined(separator: " | ") + " |"]
            }
            out += [""]
            let notes = m.points.flatMap { p in p.notes.map { "\(paramText(p.params)): \($0)" } }
            if !notes.isEmpty { out += notes.map { "- Note: \($0)." } + [""] }
        }
        return out.joined(separator: "\n")
    }

    static func meanStd(_ s: FoldSummary?) -> String {
        guard let s else { return "–" }
        return "\(NumberFormat.fixed(s.mean)) ± \(NumberFormat.fixed(s.std))"
    }

    static func paramText(_ p: [(name: String, value: ParamValue)]) -> String {
        p.isEmpty ? "defaults" : p.map { "\($0.name)=\($0.value.display)" }.joined(separator: ", ")
    }

    static func columnList(_ names: [String], _ kind: String) -> String {
        names.isEmpty ? "no \(kind)" : "\(names.count) \(kind) (" + names.map { "`\($0)`" }.joined(separator: ", ") + ")"
    }
}

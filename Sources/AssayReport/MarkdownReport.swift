import AssayCore

/// `runs/<name>/report.md`: stable text for people and for diffs (no times, hosts or absolute paths).
public enum MarkdownReport {
    public static func render(_ r: RunReport) -> String {
        var out: [String] = ["# \(Markup.text(r.experiment))", ""]
        if let d = r.description, !d.isEmpty { out += [Markup.text(d, limit: 2_000), ""] }

        let d = r.data
        out += ["## Data", ""]
        if let t = d.targetSummary {
            out += ["| rows | train | test | target mean | std | min | max | zero share |", "|---:|---:|---:|---:|---:|---:|---:|---:|"]
            out += ["| \(d.rows) | \(d.trainRows) | \(d.testRows) | \([t.mean, t.std, t.min, t.max, t.zeroShare].map { NumberFormat.fixed($0) }.joined(separator: " | ")) |", ""]
            out += ["- File: `\(Markup.code(d.path))`; numeric target `\(Markup.code(d.target))` (regression)."]
        } else if let classes = d.classes {
            out += ["| rows | train | test | classes |", "|---:|---:|---:|---:|"]
            out += ["| \(d.rows) | \(d.trainRows) | \(d.testRows) | \(classes.count) |", ""]
            out += ["- File: `\(Markup.code(d.path))`; target `\(Markup.code(d.target))` (multiclass): "
                    + classes.map { "`\(Markup.code($0.name))` \($0.rows) (\(NumberFormat.fixed(Double($0.rows) / Double(max(d.rows, 1)) * 100, decimals: 1))%)" }.joined(separator: ", ") + "."]
        } else {
            out += ["| rows | train | test | positive rate |", "|---:|---:|---:|---:|"]
            out += ["| \(d.rows) | \(d.trainRows) | \(d.testRows) | \(NumberFormat.fixed(d.positiveRate)) |", ""]
            out += ["- File: `\(Markup.code(d.path))`; target `\(Markup.code(d.target))`, positive label `\(Markup.code(d.positiveLabel))`."]
        }
        if !d.preparation.isEmpty { out += ["- Prepared before the split:"] + d.preparation.map { "  - " + Markup.line($0) } }
        if let w = d.weight {
            out += ["- Rows weighted by `\(Markup.code(w.column))` (`data.weight`; total \(NumberFormat.fixed(w.total))"
                    + (w.zeroRows > 0 ? ", \(w.zeroRows) rows of weight 0" : "") + "): every fit and every metric, with its interval, weigh each row by it; "
                    + "the tables and figures of the evaluation count rows."]
        }
        out += ["- Split: \(Describe.split(d.split))."]
        out += ["- Columns: \(columnList(d.numericColumns, "numeric")); \(columnList(d.categoricalColumns, "categorical")).", ""]

        out += ["## Best model", ""]
        if let name = r.bestModel, let m = r.models.first(where: { $0.name == name }) {
            var line = "**\(Markup.text(name))** (\(m.type)), \(paramText(m.best.params)): CV \(r.select.rawValue) \(meanStd(m.best.cv[r.select]))"
            if let t = m.test[r.select] { line += ", test \(r.select.rawValue) \(NumberFormat.fixed(t))" }
            out += [line + "."]
            if let l = r.lead {
                let amounts = "\(NumberFormat.fixed(l.lead)) (paired over \(l.folds) folds; their differences spread ± \(NumberFormat.fixed(l.spread)))"
                out += [l.distinguishable ? "Its lead over **\(Markup.text(l.runnerUp))** is \(amounts)."
                        : "Its lead over **\(Markup.text(l.runnerUp))** is \(amounts): within that spread, so the two are not distinguishable on this data."]
            }
            out += [""]
        } else {
            out += ["No model produced a usable \(r.select.rawValue).", ""]
        }

        out += ["## Models", ""]
        out += ["CV numbers are the mean ± std over the folds of the training rows; test numbers come from the selected point refit on all training rows and scored once on the test rows.", ""]
        let metricNames = r.metrics.map(\.rawValue)
        out += ["| model | type | selected | " + metricNames.map { "CV \($0)" }.joined(separator: " | ") + " |"]
        out += ["|---|---|---|" + String(repeating: "---:|", count: r.metrics.count)]
        for m in r.models {
            out += ["| \(Markup.text(m.name)) | \(m.type) | \(paramText(m.best.params)) | " + r.metrics.map { meanStd(m.best.cv[$0]) }.joined(separator: " | ") + " |"]
        }
        out += [""]
        if r.models.contains(where: { !$0.test.isEmpty }) {
            out += ["| model | " + metricNames.map { "test \($0)" }.joined(separator: " | ") + " |"]
            out += ["|---|" + String(repeating: "---:|", count: r.metrics.count)]
            for m in r.models {
                out += ["| \(Markup.text(m.name)) | " + r.metrics.map { m.test[$0].map { NumberFormat.fixed($0) } ?? "–" }.joined(separator: " | ") + " |"]
            }
            out += [""]
            if r.models.contains(where: { !$0.testIntervals.isEmpty }) {
                out += ["95% bootstrap intervals of the test numbers (1,000 seeded resamples of the test rows):", ""]
                out += ["| model | " + metricNames.map { "test \($0)" }.joined(separator: " | ") + " |"]
                out += ["|---|" + String(repeating: "---:|", count: r.metrics.count)]
                for m in r.models {
                    out += ["| \(Markup.text(m.name)) | " + r.metrics.map { k in
                        m.testIntervals[k].map { "\(NumberFormat.fixed($0.low))–\(NumberFormat.fixed($0.high))" } ?? "–"
                    }.joined(separator: " | ") + " |"]
                }
                out += [""]
            }
        }

        if let t = r.overTime { out += overTime(t, regression: r.kind == .regression) }
        if let g = r.segments { out += g.markdown(positives: r.positiveName) }

        out += ["## Figures", ""]
        out += [Figures.source(r) + " The CV figure shows every grid point.", ""]
        out += Figures.catalog(r).map { "![\($0.title)](figures/\($0.file))" }.joined(separator: "\n\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        out += [""]

        if let name = r.bestModel, let m = r.models.first(where: { $0.name == name }) {
            if let e = m.evaluation { out += e.markdown(model: Markup.text(name), rule: r.threshold) }
            if let e = m.regression { out += e.markdown(model: Markup.text(name), target: r.data.target) }
            if let e = m.multiclass { out += e.markdown(model: Markup.text(name)) }
        }

        if let imp = r.importance {
            out += ["## Permutation importance", ""]
            out += importance(imp)
            for other in r.otherImportance {
                out += ["### Permutation importance of \(Markup.text(other.model))", ""]
                out += importance(other)
            }
            for s in r.shap { out += s.markdown() }
        }
        if let pd = r.partialDependence { out += pd.markdown(figures: pd.figures.map { ($0.file, $0.title) }) }

        if let imp = r.impurityImportance {
            if imp.kind == "gain" {
                out += ["## Gain importance", ""]
                out += ["**\(Markup.text(imp.model))**'s loss reduction summed over the splits of all its trees (LightGBM's gain importance, normalized to sum 1), "
                    + "per column it was fitted on; it is computed on the training rows. The 20 largest:", ""]
            } else {
                out += ["## Impurity importance", ""]
                out += ["**\(Markup.text(imp.model))**'s mean decrease in impurity over its splits (scikit-learn's `feature_importances_`, summing to 1), "
                    + "per column it was fitted on; it is computed on the training rows and favours columns with many split points. "
                    + "The 20 largest:", ""]
            }
            out += ["| column | importance |", "|---|---:|"]
            out += imp.columns.prefix(20).map { "| \(Markup.text($0.name)) | \(NumberFormat.fixed($0.value)) |" }
            out += [""]
        }

        for m in r.models {
            out += ["### \(Markup.text(m.name))", ""]
            out += ["- Type: \(m.type); fixed parameters: \(m.fixedParams.isEmpty ? "none" : paramText(m.fixedParams))."]
            out += ["- Preprocessing: \(Describe.steps(m.preprocess))."]
            if let s = m.search { out += ["- Search: \(Describe.search(s))."] }
            if let c = m.calibration { out += ["- Calibration: \(Describe.calibration(c))."] }
            if r.threshold != nil { out += ["- Threshold: \(NumberFormat.fixed(m.best.threshold)) (\(r.threshold!.display))."] }
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
        if let p = r.profile { out += profile(p) }
        return out.joined(separator: "\n")
    }

    /// `## Over time`: one column per cutoff, one row per model.
    static func overTime(_ t: ScoresOverTime, regression: Bool) -> [String] {
        var out = ["## Over time", ""]
        out += ["\(t.metric.rawValue) of each model's selected point, cutoff by cutoff: out of fold on the rows of each training cutoff, "
                + "and from the refit model on the test cutoff's rows.", ""]
        out += ["| | " + t.cutoffs.map { "\($0.cutoff) (\($0.role.replacingOccurrences(of: "_", with: " ")))" }.joined(separator: " | ") + " |"]
        out += ["|---|" + String(repeating: "---:|", count: t.cutoffs.count)]
        out += ["| rows | " + t.cutoffs.map { "\($0.rows)" }.joined(separator: " | ") + " |"]
        out += ["| \(regression ? "mean target" : "positive rate") | " + t.cutoffs.map { NumberFormat.fixed($0.rate) }.joined(separator: " | ") + " |"]
        for (i, name) in t.models.enumerated() {
            out += ["| \(Markup.text(name)) | " + t.cutoffs.map { $0.scores[i].map { NumberFormat.fixed($0) } ?? "–" }.joined(separator: " | ") + " |"]
        }
        return out + [""]
    }

    /// `## Data profile`: a table of the columns, their flags, and the target rate (a numeric target's mean) per value or bin.
    static func profile(_ p: TableProfile) -> [String] {
        let rate = p.rows == 0 ? Double.nan : Double(p.positives) / Double(p.rows)
        let score = p.targetMean == nil ? "AUC alone" : "C alone"
        var out = ["## Data profile", ""]
        out += ["\(p.rows) rows, \(p.duplicateRows) duplicate rows (equal to an earlier row in every column"
            + (p.idColumn.map { " but the id `\($0)`" } ?? "") + "), "
            + (p.targetMean.map { "target mean \(NumberFormat.fixed($0)). "
                + "\"C alone\" is the concordance index of the column by itself (the share of row pairs with different targets that it "
                + "orders as the target, ties half; numbers as they are, categories by their mean target), " }
                ?? "positive rate \(NumberFormat.fixed(rate)). "
                + "\"AUC alone\" is the ROC-AUC of the column by itself (numbers as they are, categories by their positive rate), ")
            + "computed on all rows: a screen for leaks, not a model.", ""]
        let flagged = p.columns.filter { !$0.flags.isEmpty }
        if flagged.isEmpty {
            out += ["No column is flagged.", ""]
        } else {
            out += flagged.map { c in "- **Check `\(Markup.code(c.name))`** (\(c.role.rawValue)): " + c.flags.map { Markup.text($0, limit: 400) }.joined(separator: "; ") + "." } + [""]
        }
        out += ["| column | role | type | missing | distinct | min | median | max | \(score) |", "|---|---|---|---:|---:|---:|---:|---:|---:|"]
        for c in p.columns {
            let missing = p.rows == 0 ? "–" : NumberFormat.fixed(Double(c.missing) / Double(p.rows) * 100, decimals: 1) + "%"
            let numbers = c.kind == .numeric ? [c.min, c.median, c.max].map(shortNumber) : ["", "", ""]
            out += ["| \(Markup.text(c.name)) | \(c.role.rawValue) | \(c.kind.rawValue) | \(missing) | \(c.distinct) | " + numbers.joined(separator: " | ")
                + " | \(NumberFormat.fixed(c.auc, decimals: 3)) |"]
        }
        out += ["", (p.targetMean == nil ? "Positive rate" : "Target mean") + " by value (categories: the 10 most frequent; numbers: each value, or decile bins), with the row count:", ""]
        for c in p.columns where !c.groups.isEmpty {
            // Category labels come from the data; numeric values and bins are written by the profile itself.
            let label = { (g: TableProfile.Group) in c.kind == .categorical ? Markup.text(g.label) : g.label }
            let value = { (g: TableProfile.Group) in p.targetMean == nil ? NumberFormat.fixed(g.positiveRate, decimals: 2) : shortNumber(g.targetMean) }
            out += ["- `\(Markup.code(c.name))`: " + c.groups.map { "\(label($0)) \(value($0)) (\($0.count))" }.joined(separator: " · ")]
        }
        return out + [""]
    }

    /// A number for a human table: integers as they are, others with up to 4 significant digits.
    static func shortNumber(_ x: Double) -> String {
        guard x.isFinite else { return "–" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(format: "%.4g", x)
    }



    static func meanStd(_ s: FoldSummary?) -> String {
        guard let s else { return "–" }
        return "\(NumberFormat.fixed(s.mean)) ± \(NumberFormat.fixed(s.std))"
    }

    static func paramText(_ p: [(name: String, value: ParamValue)]) -> String {
        p.isEmpty ? "defaults" : p.map { "\($0.name)=\($0.value.display)" }.joined(separator: ", ")
    }

    static func columnList(_ names: [String], _ kind: String) -> String {
        names.isEmpty ? "no \(kind)" : "\(names.count) \(kind) (" + names.map { "`\(Markup.code($0))`" }.joined(separator: ", ") + ")"
    }

    /// A permutation importance table with the sentence saying how it was computed.
    static func importance(_ imp: ImportanceReport) -> [String] {
        let on = imp.outOfFold ? "out of fold (no test set): each fold's model on its own validation rows, \(imp.rows) rows in all; each column's values shuffled among a fold's rows (\(imp.repeats) shuffles over all folds, seeded; baseline the mean over folds); "
            : "on the \(imp.rows) test rows: each column's values shuffled among them \(imp.repeats) times (seeded); "
        var out = ["**\(Markup.text(imp.model))** " + on
            + "the importance is the \(imp.metric.rawValue) lost, from \(NumberFormat.fixed(imp.baseline)) unshuffled "
            + "(scikit-learn's `permutation_importance` on the whole pipeline).", ""]
        out += ["| column | importance | std |", "|---|---:|---:|"]
        out += imp.columns.map { "| \(Markup.text($0.name)) | \(NumberFormat.fixed($0.summary.mean)) | \(NumberFormat.fixed($0.summary.std)) |" }
        return out + [""]
    }
}

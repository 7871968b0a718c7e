import AssayCore
import AssayData
import AssayEngine
import AssayReport
import AssaySpec
import Foundation

/// Stage 5: the rendered report and the saved models, each written whole or not at all.
enum WriteStage {
    /// Writes report.md, metrics.json, report.html and the figures under `<outputRoot>/<name>/`; returns the folder.
    static func report(_ report: RunReport, outputRoot: String) throws -> String {
        try write(experiment: report.experiment, markdown: MarkdownReport.render(report), metrics: MetricsJSON.render(report),
                  figures: Figures.render(report), outputRoot: outputRoot)
    }

    /// Writes a rendered report (report.md, metrics.json, report.html with the figures inlined, figures/*.svg) under
    /// `<outputRoot>/<experiment>/`, all or nothing; returns the folder.
    static func write(experiment: String, markdown: String, metrics: String, figures: [(file: String, svg: String)], outputRoot: String) throws -> String {
        let dir = outputRoot + "/" + experiment
        let html = HTMLReport.render(markdown: markdown, title: experiment, figures: Dictionary(uniqueKeysWithValues: figures))
        try AtomicFiles.write([(dir + "/report.md", Data(markdown.utf8)), (dir + "/metrics.json", Data(metrics.utf8)),
                               (dir + "/report.html", Data(html.utf8))]
            + figures.map { (dir + "/figures/" + $0.file, Data($0.svg.utf8)) })
        return dir
    }

    /// The row-level predictions (`run --predictions FILE`), as CSV: one line per training row and repeat with each
    /// model's out-of-fold probability (a regression: predicted value, and `actual` in place of `label`) at its selected point (the fold and repeat that held the row out), then one
    /// line per test row with each refit model's probability. `row` is the row's 1-based position among the rows the
    /// models saw (after `data.join` and `data.clean`); the `data.id` column follows when the spec names one, then the
    /// spec's `predictions.columns` as written.
    /// Probabilities are written exactly (shortest round-trip form), so the report's numbers can be recomputed. With
    /// `importance.shap`, each explained tree model adds `shap:MODEL:expected` and `shap:MODEL:COLUMN` per input column
    /// (a one-hot block summed), filled on the test rows: expected + the row's values = the model's raw output.
    static func predictions(_ spec: Spec, _ data: PreparedData, ids: [String]?, kept: [TextColumn], _ evaluation: Evaluation) -> String {
        let split = data.split, models = spec.models.map(\.name)
        let perRepeat = max(1, split.folds.count / max(1, spec.split.repeats))
        // The truth of row j of some predictions: its label as written, or a regression target's value.
        func truth(_ p: Predictions, _ j: Int) -> String {
            if let v = p.values { return "\(v[j])" }
            if let classes = data.profile.classNames { return classes[Int(p.labels[j])] }
            return p.labels[j] == 1 ? spec.data.positive : data.profile.negativeLabel
        }
        // A multiclass model writes one column per class (`MODEL:CLASS`, its probability): `width` numbers per row.
        let classes = data.profile.classNames, width = classes?.count ?? 1
        let modelColumns = classes.map { names in models.flatMap { m in names.map { "\(m):\($0)" } } } ?? models
        let truthName = spec.kind == .regression ? "actual" : "label"
        // `importance.shap`: each explained tree model's expected value and SHAP value per input column, on the test rows.
        let shap = evaluation.shap.map { i, e -> (names: [String], rows: [[Double]]) in
            let p = evaluation.refits[i].preprocessing, sources = p.outputSources
            let rows = (0..<(e.width > 0 ? e.values.count / e.width : 0)).map { r -> [Double] in
                var byInput = [Double](repeating: 0, count: p.inputColumns.count)
                for j in 0..<e.width { byInput[sources[j]] += e.values[r * e.width + j] }
                return [e.expected] + byInput
            }
            return ((["expected"] + p.inputColumns).map { "shap:\(models[i]):\($0)" }, rows)
        }
        var header = ["row"] + (spec.data.id.map { [$0] } ?? []) + kept.map(\.name) + ["split", "repeat", "fold", truthName] + modelColumns + shap.flatMap(\.names)
        header = header.map(CSVWriter.field)
        let emptyShap = String(repeating: ",", count: shap.reduce(0) { $0 + $1.names.count })
        var lines = [header.joined(separator: ",")]
        // Each model's probability (or predicted value) by (fold, row), and each row's truth.
        var byFold: [[Int: [Int: ArraySlice<Double>]]] = Array(repeating: [:], count: models.count), truths: [Int: String] = [:]
        for (i, folds) in evaluation.selectedFolds.enumerated() {
            for (k, f) in folds.enumerated() {
                var probabilities: [Int: ArraySlice<Double>] = [:]
                for (j, r) in f.rows.enumerated() { probabilities[r] = f.probabilities[(j * width)..<((j + 1) * width)]; truths[r] = truth(f, j) }
                byFold[i][k] = probabilities
            }
        }
        let missing = [Double?](repeating: nil, count: width)
        func line(_ r: Int, _ part: String, _ repeatText: String, _ foldText: String, _ y: String, _ values: [Double?]) -> String {
            ([String(r + 1)] + (ids.map { [$0[r]] } ?? []) + kept.map { $0.values[r] } + [part, repeatText, foldText, y])
                .map(CSVWriter.field).joined(separator: ",")
                + "," + values.map { $0.map { "\($0)" } ?? "" }.joined(separator: ",")
        }
        var training: [(repeat: Int, row: Int, fold: Int)] = []
        for (k, rows) in split.folds.enumerated() { for r in rows { training.append((k / perRepeat, r, k)) } }
        training.sort { ($0.repeat, $0.row) < ($1.repeat, $1.row) }
        for t in training {
            lines.append(line(t.row, "train", String(t.repeat + 1), String(t.fold % perRepeat + 1), truths[t.row] ?? "",
                              (0..<models.count).flatMap { byFold[$0][t.fold]?[t.row].map { $0.map(Optional.some) } ?? missing }) + emptyShap)
        }
        for (j, r) in split.test.enumerated() {
            lines.append(line(r, "test", "", "", evaluation.refits.first.map { truth($0.test, j) } ?? "",
                              evaluation.refits.flatMap { $0.test.probabilities[(j * width)..<((j + 1) * width)].map(Optional.some) })
                         + shap.map { "," + $0.rows[j].map { "\($0)" }.joined(separator: ",") }.joined())
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// SHA-256 of the spec's text and its `--set` overrides: what a saved model names its spec by.
    static func specHash(specPath: String, overrides: [String]) -> String {
        let specText = (try? String(contentsOfFile: specPath, encoding: .utf8)) ?? ""
        return SHA256.hex(([specText] + overrides).joined(separator: "\n--set "))
    }

    /// Saves each model's refit pipeline (or only the best's) under `<modelsDirectory>/<name>/`; returns the files by model.
    static func models(_ spec: Spec, specPath: String, overrides: [String], _ data: PreparedData, _ evaluation: Evaluation,
                       modelsDirectory: String, onlyBest: Bool) throws -> [String: String] {
        let specHash = self.specHash(specPath: specPath, overrides: overrides)
        var files: [(String, Data)] = [], saved: [String: String] = [:]
        for (i, m) in spec.models.enumerated() where !onlyBest || m.name == evaluation.bestModel {
            let path = modelsDirectory + "/" + spec.name + "/" + m.name + ".assaymodel"
            files.append((path, pipeline(spec, m, evaluation.models[i], evaluation.refits[i], data.profile, specHash).fileData()))
            saved[m.name] = path
        }
        try AtomicFiles.write(files)
        return saved
    }

    /// The saved form of one model's refit pipeline.
    static func pipeline(_ spec: Spec, _ m: ModelSpec, _ r: ModelReport, _ refit: RefitResult, _ profile: DataProfile, _ specHash: String) -> SavedPipeline {
        let kinds = Dictionary(uniqueKeysWithValues: profile.numeric.map { ($0, ColumnKind.numeric) } + profile.categorical.map { ($0, ColumnKind.categorical) })
        return SavedPipeline(
            assayVersion: AssayVersion.current, specHash: specHash, experiment: spec.name, model: m.name, type: m.type,
            // A customer-table model scores customer tables, written as `assay prepare` writes them (plain CSV), not logs.
            params: Planner.canonical(m.points[r.bestIndex]), threshold: r.best.threshold,
            csv: spec.data.events == nil ? DataFile.loadOptions(spec).csv : CSVOptions(),
            positiveLabel: spec.data.positive, negativeLabel: profile.negativeLabel, idColumn: spec.data.id,
            features: refit.preprocessing.inputColumns.map { ($0, kinds[$0]!) }, preprocessing: refit.preprocessing, fitted: refit.model,
            rowSteps: SavedPipeline.rowWise(spec.data.clean), classes: profile.classNames ?? [])
    }
}

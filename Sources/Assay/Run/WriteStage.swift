import AssayCore
import AssayEngine
import AssayReport
import AssaySpec
import Foundation

/// Stage 5: the rendered report and the saved models, each written whole or not at all.
enum WriteStage {
    /// Writes report.md, metrics.json, report.html and the figures under `<outputRoot>/<name>/`; returns the folder.
    static func report(_ report: RunReport, outputRoot: String) throws -> String {
        let dir = outputRoot + "/" + report.experiment
        let markdown = MarkdownReport.render(report), figures = Figures.render(report)
        let html = HTMLReport.render(markdown: markdown, title: report.experiment, figures: Dictionary(uniqueKeysWithValues: figures))
        try AtomicFiles.write([(dir + "/report.md", Data(markdown.utf8)), (dir + "/metrics.json", Data(MetricsJSON.render(report).utf8)),
                               (dir + "/report.html", Data(html.utf8))]
            + figures.map { (dir + "/figures/" + $0.file, Data($0.svg.utf8)) })
        return dir
    }

    /// Saves each model's refit pipeline (or only the best's) under `<modelsDirectory>/<name>/`; returns the files by model.
    static func models(_ spec: Spec, specPath: String, overrides: [String], _ data: PreparedData, _ evaluation: Evaluation,
                       modelsDirectory: String, onlyBest: Bool) throws -> [String: String] {
        let specText = (try? String(contentsOfFile: specPath, encoding: .utf8)) ?? ""
        let specHash = SHA256.hex(([specText] + overrides).joined(separator: "\n--set "))
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
            params: Planner.canonical(m.points[r.bestIndex]), threshold: r.best.threshold, csv: DataFile.loadOptions(spec).csv,
            positiveLabel: spec.data.positive, negativeLabel: profile.negativeLabel, idColumn: spec.data.id,
            features: refit.preprocessing.inputColumns.map { ($0, kinds[$0]!) }, preprocessing: refit.preprocessing, fitted: refit.model,
            rowSteps: SavedPipeline.rowWise(spec.data.clean))
    }
}

import AssayCore
import AssayLearn
import AssayReport
import AssaySpec

extension RunSession {
    /// Stage 4: everything the run found, as the pure data every renderer reads.
    func assemble(_ data: PreparedData, _ evaluation: Evaluation) -> RunReport {
        let profile = data.profile, split = data.split
        var report = RunReport(
            experiment: spec.name, description: spec.description, select: spec.select, metrics: spec.metrics,
            data: DataSummary(path: spec.data.path, rows: profile.rows, trainRows: profile.rows - split.test.count,
                              testRows: split.test.count, positiveRate: Double(profile.positives) / Double(profile.rows),
                              target: spec.data.target, positiveLabel: spec.data.positive, numericColumns: profile.numeric,
                              categoricalColumns: profile.categorical, split: Describe.split(spec, split), preparation: profile.preparation),
            models: evaluation.models, bestModel: evaluation.bestModel, profile: data.tableProfile)
        report.importance = evaluation.importance
        report.impurityImportance = evaluation.ownImportance
        report.threshold = spec.threshold
        return report
    }
}

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
            data: DataSummary(path: spec.data.path, rows: profile.rows, trainRows: split.train.count,
                              testRows: split.test.count, positiveRate: Double(profile.positives) / Double(profile.rows),
                              target: spec.data.target, positiveLabel: spec.data.positive, numericColumns: profile.numeric,
                              categoricalColumns: profile.categorical,
                              split: SplitSummary(foldColumn: spec.split.foldColumn, folds: spec.split.folds, repeats: spec.split.repeats, fits: split.folds.count,
                                                  testRows: split.test.count, testSize: spec.split.testSize, seed: spec.seed),
                              preparation: profile.preparation),
            models: evaluation.models, bestModel: evaluation.bestModel, profile: data.tableProfile)
        report.kind = spec.kind
        if let column = spec.data.weight, let w = profile.weight { report.data.weight = (column, w.total, w.zeroRows) }
        report.data.split.stratified = spec.kind == .binary || spec.kind == .multiclass
        report.data.split.group = spec.split.group ?? (data.profile.cutoffs.count > 1 ? spec.data.events?.customer : nil)
        if spec.split.holdoutLastCutoff {
            report.data.split.lastCutoff = data.profile.cutoffs.last
            report.data.split.leftOut = profile.rows - split.test.count - split.train.count
            report.data.split.forward = spec.split.forwardChaining
        }
        report.importance = evaluation.importance
        report.otherImportance = evaluation.otherImportance
        if let pd = evaluation.partialDependence, let best = spec.models.firstIndex(where: { $0.name == evaluation.bestModel }) {
            report.partialDependence = PartialDependenceReport(
                model: spec.models[best].name, rows: data.split.test.count, output: spec.kind == .regression ? "prediction" : "probability",
                curves: pd.columns.indices.map { k in
                    PartialDependenceReport.Curve(column: pd.columns[k], grid: pd.labels[k].isEmpty ? pd.grids[k] : [], categories: pd.labels[k], average: pd.averages[k])
                })
        }
        report.shap = evaluation.shap.map { i, e in
            let p = evaluation.refits[i].preprocessing
            return ShapReport(model: spec.models[i].name, rawOutput: e.rawOutput, method: e.method, expected: e.expected, values: e.values, width: e.width,
                              sources: p.outputSources, inputs: p.inputColumns, additivityError: e.additivityError)
        }
        report.impurityImportance = evaluation.ownImportance
        report.threshold = spec.threshold
        if let name = spec.positiveName { report.positiveName = name }
        // Tables and curves of each selected point: on the test rows (its refit's predictions), else out of fold.
        report.curvesOnTest = !split.test.isEmpty
        report.lead = report.models.first { $0.name == evaluation.bestModel }.flatMap { ModelLead.of($0, among: report.models, metric: spec.select) }
        report.overTime = scoresOverTime(data, evaluation)
        switch spec.kind {
        case .binary: addBinaryEvaluation(&report, evaluation, profitValues: data.profitValues)
        case .regression:
            report.data.targetSummary = profile.values.map(TargetSummary.init)
            addRegressionEvaluation(&report, evaluation)
        case .multiclass:
            if let names = profile.classNames {
                var rows = [Int](repeating: 0, count: names.count)
                for label in profile.labels { rows[Int(label)] += 1 }
                report.data.classes = zip(names, rows).map { (name: $0, rows: $1) }
            }
            addMulticlassEvaluation(&report, evaluation, classes: profile.classNames ?? [])
        case .segment, .associate: break  // these never reach the supervised stages (Experiment.run sends them elsewhere)
        }
        return report
    }

    /// Each multiclass model's confusion matrix, per-class scores and one-vs-rest ROC curves (test rows, else out of fold).
    func addMulticlassEvaluation(_ report: inout RunReport, _ evaluation: Evaluation, classes: [String]) {
        for i in report.models.indices {
            let scored = report.curvesOnTest ? evaluation.refits[i].test.scored : evaluation.outOfFold[i]
            guard scored.classCount == classes.count, !scored.labels.isEmpty else { continue }
            let rows = MulticlassScoring.Rows(labels: scored.labels, probabilities: scored.probabilities, classes: scored.classCount)
            let confusion = MulticlassScoring.confusion(rows)
            let perClass = MulticlassScoring.perClass(confusion).map {
                MulticlassEvaluation.ClassScores(precision: $0.precision, recall: $0.recall, f1: $0.f1, support: Int($0.support))
            }
            let roc = classes.indices.map { c -> (auc: Double, points: [(x: Double, y: Double)]) in
                let points = MulticlassScoring.rocPoints(rows, class: c)
                guard let last = points.last, last.tp > 0, last.fp > 0 else { return (.nan, []) }
                return (MulticlassScoring.oneVsRestAUC(rows, class: c), [(0, 0)] + points.map { ($0.fp / last.fp, $0.tp / last.tp) })
            }
            report.models[i].multiclass = MulticlassEvaluation(source: report.curvesOnTest ? "test" : "cv", classes: classes,
                                                               confusion: confusion.map { $0.map { Int($0) } }, perClass: perClass, roc: roc)
        }
    }

    /// A customer table with several cutoffs: each model's select metric on each cutoff's rows (out of fold on the
    /// training cutoffs, the refit's predictions on the test rows).
    func scoresOverTime(_ data: PreparedData, _ evaluation: Evaluation) -> ScoresOverTime? {
        let profile = data.profile, split = data.split
        // (A multiclass table's scores over cutoffs are not built: its rows carry every class's probability.)
        guard let cutoffOfRow = profile.cutoffOfRow, profile.cutoffs.count > 1, profile.classNames == nil else { return nil }
        // Out-of-fold predictions exist for the validated rows (in forward chaining, not the first cutoff's).
        let validated = split.validated, test = split.test
        let testSet = Set(test), validatedSet = Set(validated), trainSet = Set(split.train)
        let cutoffs = profile.cutoffs.indices.map { c -> ScoresOverTime.Cutoff in
            let rows = cutoffOfRow.indices.filter { cutoffOfRow[$0] == c }
            let role = rows.allSatisfy(testSet.contains) ? "test" : rows.allSatisfy(validatedSet.contains) ? "cv"
                : rows.allSatisfy(trainSet.contains) ? "train_only" : rows.allSatisfy { !testSet.contains($0) && !trainSet.contains($0) } ? "left_out" : "mixed"
            let rate = rows.isEmpty ? 0 : (profile.values.map { v in rows.reduce(0) { $0 + v[$1] } } ?? Double(rows.reduce(0) { $0 + Int(profile.labels[$1]) })) / Double(rows.count)
            let scores = evaluation.models.indices.map { i -> Double? in
                // Rows of this cutoff among the scored ones: the training rows (out of fold) or the test rows (refit), in order.
                let (order, scored): ([Int], ScoredRows)
                switch role {
                case "cv": (order, scored) = (validated, evaluation.outOfFold[i])
                case "test": (order, scored) = (evaluation.refits[i].test.rows, evaluation.refits[i].test.scored)
                default: return nil
                }
                let keep = order.indices.filter { cutoffOfRow[order[$0]] == c }
                var subset = ScoredRows(labels: scored.values == nil ? keep.map { scored.labels[$0] } : [], probabilities: keep.map { scored.probabilities[$0] },
                                        values: scored.values.map { v in keep.map { v[$0] } })
                subset.weights = scored.weights.map { w in keep.map { w[$0] } }
                let threshold = evaluation.models[i].best.threshold
                let value = subset.score(spec.select, threshold: threshold)
                return value.isFinite ? value : nil
            }
            return ScoresOverTime.Cutoff(cutoff: profile.cutoffs[c], role: role, rows: rows.count, rate: rate, scores: scores)
        }
        return ScoresOverTime(metric: spec.select, models: evaluation.models.map(\.name), cutoffs: cutoffs)
    }

    /// Each regression model's ranking by prediction: deciles, the share of the total its top rows hold, and the
    /// (actual, predicted) pairs the figures draw.
    func addRegressionEvaluation(_ report: inout RunReport, _ evaluation: Evaluation) {
        for i in report.models.indices {
            let rows = report.curvesOnTest ? evaluation.refits[i].test.scored : evaluation.outOfFold[i]
            guard let y = rows.values, !y.isEmpty else { continue }
            let p = rows.probabilities
            report.models[i].regression = RegressionEvaluation(
                source: report.curvesOnTest ? "test" : "cv", rows: y.count, deciles: ValueRanking.deciles(values: y, predictions: p),
                capture: ValueRanking.capture(values: y, predictions: p), pairs: zip(y, p).map { (actual: $0, predicted: $1) })
        }
    }

    /// Each binary model's threshold table, lift, calibration and curves (`profitValues`: a profit rule's value column).
    func addBinaryEvaluation(_ report: inout RunReport, _ evaluation: Evaluation, profitValues: [Double]?) {
        for i in report.models.indices {
            let rows = report.curvesOnTest ? evaluation.refits[i].test.scored : evaluation.outOfFold[i]
            guard !rows.labels.isEmpty else { continue }
            let rowValues = rows.rowValues(profitValues)
            report.models[i].evaluation = Self.evaluation(rows, onTest: report.curvesOnTest, threshold: report.models[i].best.threshold, rule: spec.threshold,
                                                          rowValues: rowValues)
            report.models[i].curves = Self.curves(rows, values: spec.threshold?.unitValues, rowValues: rowValues)
        }
    }

    /// The threshold table (the usual budgets, then the rule's cut), lift by decile, calibration bins and Brier score.
    static func evaluation(_ rows: ScoredRows, onTest: Bool, threshold: Double, rule: ThresholdRule?, rowValues: [Double]? = nil) -> ModelEvaluation {
        let y = rows.labels, p = rows.probabilities
        return ModelEvaluation(source: onTest ? "test" : "cv", rows: y.count, threshold: threshold,
                               cuts: Thresholds.table(rule, threshold: threshold, labels: y, probabilities: p, rowValues: rowValues),
                               lift: Thresholds.lift(labels: y, probabilities: p), calibration: Curves.calibrationBins(labels: y, probabilities: p),
                               brier: Scoring.score(.brier, labels: y, probabilities: p))
    }

    /// ROC and precision–recall curves (each step of distinct scores), calibration bins and cumulative gains.
    static func curves(_ rows: ScoredRows, values: UnitValues?, rowValues: [Double]? = nil) -> ModelCurves {
        let y = rows.labels, p = rows.probabilities
        let steps = Scoring.curve(y, p)
        var roc: (auc: Double, points: [(x: Double, y: Double)])? = nil
        if let last = steps.last, last.tp > 0, last.fp > 0 {
            roc = (Scoring.rocAUC(y, p), [(0, 0)] + steps.map { ($0.fp / last.fp, $0.tp / last.tp) })
        }
        var pr: (averagePrecision: Double, points: [(x: Double, y: Double)])? = nil
        if let total = steps.last?.tp, total > 0 {
            pr = (Scoring.averagePrecision(y, p), [(0, 1)] + steps.map { ($0.tp / total, $0.tp / ($0.tp + $0.fp)) })
        }
        var curves = ModelCurves(roc: roc, precisionRecall: pr, calibration: Curves.calibrationBins(labels: y, probabilities: p),
                                 gains: Curves.gains(labels: y, probabilities: p), positiveRate: Double(y.reduce(0) { $0 + Int($1) }) / Double(y.count))
        curves.profit = values.map { Thresholds.profitCurve(labels: y, probabilities: p, values: $0, rowValues: rowValues) }
        return curves
    }
}

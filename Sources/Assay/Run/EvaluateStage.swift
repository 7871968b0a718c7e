import AssayCore
import AssayEngine
import AssayLearn
import AssayReport
import AssaySpec

/// What evaluation found: each model's selected point with its CV and test scores, its refit, the best model,
/// and the importances of the best model.
struct Evaluation {
    var models: [ModelReport]
    var refits: [RefitResult]
    /// Per model, its selected point's out-of-fold predictions on the training rows.
    var outOfFold: [ScoredRows]
    /// Per model, its selected point's predictions fold by fold (folds of every repeat, in split order).
    var selectedFolds: [[Predictions]] = []
    var bestModel: String?
    var importance: ImportanceReport?
    var ownImportance: (model: String, kind: String, columns: [(name: String, value: Double)])?
    /// Permutation importance of the other models the spec's `importance.models` names, in spec order.
    var otherImportance: [ImportanceReport] = []
    /// `importance.shap`: each explained tree or linear model's SHAP values on the test rows, best model first.
    var shap: [(model: Int, explanation: ShapValues)] = []
    /// `importance.partial_dependence`: the best model's partial dependence on its most important columns.
    var partialDependence: PartialDependenceCurves? = nil
}

extension RunSession {
    /// Stage 3: aggregate folds and select each model's point, refit it on all training rows and score the test rows
    /// (with bootstrap intervals), pick the best model, and explain it (permutation and the model's own importance).
    mutating func evaluate(_ searches: [ModelSearch], _ data: PreparedData) throws -> Evaluation {
        let selected = try searches.map { try selectPoint($0, profitValues: data.profitValues) }
        var models = selected.map(\.report)
        let refitKeys = zip(spec.models, models).map { m, r in
            planner.refit(m, m.points[r.bestIndex], variant: Preprocessing(m.steps(for: m.points[r.bestIndex], default: spec.preprocess)),
                          load: data.load, split: data.splitKey)
        }
        try execute(refitKeys)
        let refits = try refitKeys.map { try value($0, as: RefitResult.self) }
        if !data.split.test.isEmpty {
            for i in models.indices { Evaluate.scoreTest(&models[i], refits[i], spec) }
        }
        var evaluation = Evaluation(models: models, refits: refits, outOfFold: selected.map(\.outOfFold), bestModel: Evaluate.bestModel(models, spec.select))
        evaluation.selectedFolds = selected.map(\.folds)
        guard let best = models.firstIndex(where: { $0.name == evaluation.bestModel }) else { return evaluation }
        func importance(_ i: Int) throws -> ImportanceReport {
            data.split.test.isEmpty ? try foldImportance(searches[i], bestIndex: models[i].bestIndex, data)
                : try testImportance(spec.models[i], refit: refitKeys[i], rows: data.split.test.count, data)
        }
        evaluation.importance = try importance(best)
        evaluation.otherImportance = try spec.models.indices.filter { $0 != best && spec.importanceModels.contains(spec.models[$0].name) }.map(importance)
        if spec.shap && !data.split.test.isEmpty {
            // The tree and linear models among those explained: the best first, then the others in spec order.
            let explained = [best] + spec.models.indices.filter { $0 != best && spec.importanceModels.contains(spec.models[$0].name) }
            let trees = explained.filter { refits[$0].model.fitted is TreeExplainable || refits[$0].model.fitted is LinearExplainable }
            let keys = trees.map { planner.shap(spec.models[$0], refit: refitKeys[$0], load: data.load, split: data.splitKey) }
            try execute(keys)
            evaluation.shap = try zip(trees, keys).map { ($0, try value($1, as: ShapValues.self)) }
        }
        if spec.partialDependence > 0, !data.split.test.isEmpty, let imp = evaluation.importance {
            let key = planner.partialDependence(spec.models[best], columns: imp.columns.prefix(spec.partialDependence).map(\.name),
                                                refit: refitKeys[best], load: data.load, split: data.splitKey)
            try execute([key])
            evaluation.partialDependence = try value(key, as: PartialDependenceCurves.self)
        }
        if let (kind, values) = refits[best].model.ownImportance {
            let columns = zip(refits[best].preprocessing.outputNames, values).map { (name: $0, value: $1) }
                .sorted { $0.value != $1.value ? $0.value > $1.value : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
            evaluation.ownImportance = (models[best].name, kind, columns)
        }
        return evaluation
    }

    /// One model's points scored over their folds (under successive halving, the folds of the last round each
    /// point reached), and the best of the search's finalists selected.
    func selectPoint(_ search: ModelSearch, profitValues: [Double]?) throws -> (report: ModelReport, outOfFold: ScoredRows, folds: [Predictions]) {
        let m = search.model, select = spec.select
        let foldPredictions = try search.keys.map { try $0.map { try value($0, as: Predictions.self) } }
        var points = try zip(m.points, foldPredictions).map { point, folds in try Evaluate.pointReport(spec, m, point, folds, profitValues: profitValues) }
        let finalists = Set(search.finalists)
        for p in points.indices {
            if let note = search.strategy.note(lastRound: search.lastRound[p], finalist: finalists.contains(p)) { points[p].notes.append(note) }
        }
        guard var best = search.finalists.first else { throw AssayError.input("model '\(m.name)': its search kept no grid point") }
        for p in search.finalists where select.isBetter(points[p].cv[select]!.mean, than: points[best].cv[select]!.mean) { best = p }
        var report = ModelReport(name: m.name, type: m.type, fixedParams: m.params.keys.sorted().map { ($0, m.params[$0]!) },
                                 preprocess: m.steps(for: m.points[best], default: spec.preprocess), points: points,
                                 bestIndex: best, test: [:])
        report.search = m.halving.map { .halving(factor: $0.factor, gridPoints: m.gridPoints.count) }
            ?? m.sampledPoints.map { .random(drawn: $0.count, gridPoints: m.gridPoints.count, fromDistributions: !m.distributions.isEmpty) }
        report.calibration = m.calibrate
        return (report, Evaluate.outOfFold(foldPredictions[best]), foldPredictions[best])
    }

    /// Permutation importance of a model's refit pipeline on the test rows (5 shuffles per column).
    mutating func testImportance(_ m: ModelSpec, refit: TaskKey, rows: Int, _ data: PreparedData) throws -> ImportanceReport {
        let repeats = 5
        let key = planner.importance(m, refit: refit, load: data.load, split: data.splitKey, repeats: repeats)
        try execute([key])
        let result = try value(key, as: PermutationImportance.Result.self)
        return ImportanceReport(model: m.name, metric: spec.select, rows: rows, repeats: repeats, baseline: result.baseline,
                                columns: Evaluate.ranked(result.columns.map { ($0.name, $0.importances) }))
    }

    /// Without a test set: each fold fit of the selected point (of its last round, under successive halving) on
    /// its own validation rows; the unshuffled score is then the point's CV mean.
    mutating func foldImportance(_ search: ModelSearch, bestIndex: Int, _ data: PreparedData) throws -> ImportanceReport {
        let repeats = 5, m = search.model
        let variant = Preprocessing(m.steps(for: m.points[bestIndex], default: spec.preprocess))
        let keys = search.fits[bestIndex].map {
            planner.foldImportance($0, m, variant: variant, load: data.load, split: data.splitKey, repeats: repeats)
        }
        try execute(keys)
        let results = try keys.map { try value($0, as: PermutationImportance.Result.self) }
        let columns = results[0].columns.indices.map { c in (results[0].columns[c].name, results.flatMap { $0.columns[c].importances }) }
        var report = ImportanceReport(model: m.name, metric: spec.select, rows: data.split.train.count, repeats: repeats * keys.count,
                                      baseline: Stats.mean(results.map(\.baseline)), columns: Evaluate.ranked(columns))
        report.outOfFold = true
        return report
    }
}

/// Scoring helpers of the evaluation stage (pure functions of fold predictions).
enum Evaluate {
    /// One grid point's CV scores over its folds; a threshold rule is applied to its out-of-fold predictions.
    static func pointReport(_ spec: Spec, _ m: ModelSpec, _ point: [String: ParamValue], _ folds: [Predictions], profitValues: [Double]?) throws -> GridPointReport {
        let oof = outOfFold(folds)
        let threshold = oof.values != nil ? 0.5
            : spec.threshold.map { Thresholds.choose($0, labels: oof.labels, probabilities: oof.probabilities, rowValues: oof.rowValues(profitValues),
                                                  weights: oof.weights) } ?? 0.5
        let scores = Dictionary(uniqueKeysWithValues: spec.metrics.map { metric in
            (metric, folds.map { $0.score(metric, threshold: threshold) })
        })
        var report = GridPointReport(params: m.gridNames.map { ($0, point[$0]!) }, cv: scores.mapValues(summarize), notes: notes(folds), foldScores: scores)
        report.threshold = threshold
        return report
    }

    /// The refit's test scores at the point's threshold, with 95% bootstrap intervals (seeded by the model's name).
    static func scoreTest(_ model: inout ModelReport, _ refit: RefitResult, _ spec: Spec) {
        let rows = refit.test.scored, threshold = model.best.threshold
        model.test = Dictionary(uniqueKeysWithValues: spec.metrics.map { ($0, rows.score($0, threshold: threshold)) })
        var rng = SplitMix64(seed: Seeds.derive(spec.seed, "bootstrap \(model.name)"))
        model.testIntervals = rows.intervals(spec.metrics, threshold: threshold, using: &rng)
    }

    /// The model whose selected point has the best mean CV score (the first of equals; none when all are NaN).
    static func bestModel(_ models: [ModelReport], _ select: Metric) -> String? {
        var bestModel: String? = nil
        var bestScore = Double.nan
        for m in models {
            let s = m.best.cv[select]!.mean
            if bestModel == nil && !s.isNaN || select.isBetter(s, than: bestScore) { bestModel = m.name; bestScore = s }
        }
        return bestModel
    }

    /// Columns' importances summarized, most important first (ties by name).
    static func ranked(_ columns: [(String, [Double])]) -> [(name: String, summary: FoldSummary, values: [Double])] {
        columns.map { (name: $0.0, summary: summarize($0.1), values: $0.1) }
            .sorted { $0.summary.mean != $1.summary.mean ? $0.summary.mean > $1.summary.mean : $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    static func summarize(_ scores: [Double]) -> FoldSummary {
        FoldSummary(mean: Stats.mean(scores), std: Stats.std(scores))
    }

    /// A point's out-of-fold predictions: every training row once, in row order (with repeated k-fold, the mean
    /// of its predictions over the repeats).
    static func outOfFold(_ folds: [Predictions]) -> ScoredRows {
        // A multiclass row has one probability per class: `width` numbers per row.
        let classes = folds.first?.classCount ?? 0, width = max(classes, 1)
        var sum: [Int: (label: UInt8, value: Double, weight: Double, total: [Double], count: Int)] = [:]
        for f in folds {
            for i in f.rows.indices {
                let r = f.rows[i]
                var entry = sum[r] ?? (f.labels.isEmpty ? 0 : f.labels[i], f.values?[i] ?? 0, f.weights?[i] ?? 1, [Double](repeating: 0, count: width), 0)
                for c in 0..<width { entry.total[c] += f.probabilities[i * width + c] }
                entry.count += 1
                sum[r] = entry
            }
        }
        let rows = sum.keys.sorted()
        let regression = folds.contains { $0.values != nil }
        var scored = ScoredRows(labels: [], probabilities: [], values: regression ? [] : nil, rows: rows)
        scored.classCount = classes
        let weighted = folds.contains { $0.weights != nil }
        if weighted { scored.weights = [] }
        for r in rows {
            guard let entry = sum[r] else { continue }
            if regression { scored.values?.append(entry.value) } else { scored.labels.append(entry.label) }
            if weighted { scored.weights?.append(entry.weight) }
            for c in 0..<width { scored.probabilities.append(entry.total[c] / Double(entry.count)) }
        }
        return scored
    }

    static func notes(_ folds: [Predictions]) -> [String] {
        let stopped = folds.compactMap(\.note)
        guard let first = stopped.first else { return [] }
        return ["\(stopped.count) of \(folds.count) fold fits \(first)"]
    }
}

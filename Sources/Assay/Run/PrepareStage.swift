import AssayCore
import AssayEngine
import AssayLearn
import AssayReport
import AssaySpec

/// The table as the plan sees it: its load and split tasks, what the schema task found, the folds and the profile.
struct PreparedData {
    let load: TaskKey
    let splitKey: TaskKey
    let profile: DataProfile
    let split: Split
    /// The data profile (target rate per value, each column's AUC): binary targets only so far.
    let tableProfile: TableProfile?
    /// A profit rule's `value` column, indexed by table row (read as written, outside the cached tasks); nil without one.
    var profitValues: [Double]? = nil
}

extension RunSession {
    /// Stage 1: load the table, profile it, split its rows, and check every input of the graph before any fit.
    mutating func prepareData() throws -> PreparedData {
        let hash = try DataFile.contentHash(spec, statCache: statCache)
        let load = planner.load(contentHash: hash)
        let schemaKey = planner.schema(load), splitKey = planner.split(load)
        let profileKey = spec.kind == .binary || spec.kind == .regression ? planner.profile(contentHash: hash) : nil
        try execute([schemaKey, splitKey] + (profileKey.map { [$0] } ?? []))
        var data = PreparedData(load: load, splitKey: splitKey, profile: try value(schemaKey), split: try value(splitKey),
                                tableProfile: try profileKey.map { try value($0) })
        try Self.checkInputs(spec, data.profile, data.split)
        data.profitValues = try spec.threshold?.unitValues?.value.map { try Experiment.profitValues(column: $0, spec) }
        for w in data.profile.warnings { warn(w) }
        return data
    }

    /// Checks the graph's inputs once the table is profiled, before any fit runs.
    static func checkInputs(_ spec: Spec, _ profile: DataProfile, _ split: Split) throws {
        for m in spec.models {
            for point in m.points {
                let variant = Preprocessing(m.steps(for: point, default: spec.preprocess))
                if let column = profile.numericWithMissing.first(where: { !variant.imputes(numericColumn: $0) }) {
                    let whose = m.preprocess == nil ? "preprocess" : "model '\(m.name)': preprocess"
                    throw AssayError.input("\(spec.data.resolvedPath): numeric column '\(column)' has missing values and \(whose) has no impute step for it; add '- impute: {numeric: median}'")
                }
            }
        }
        if let values = profile.values {
            // A regression's folds need no class in them; a fold too small to fit on, or a Poisson deviance over a negative target, is refused.
            for (k, fold) in split.folds.enumerated() where split.trainingRows(ofFold: k).count < 2 || fold.isEmpty {
                throw AssayError.input("\(spec.data.resolvedPath): fold \(k + 1) leaves \(split.trainingRows(ofFold: k).count) training rows and \(fold.count) validation rows; use fewer folds")
            }
            if spec.metrics.contains(.poissonDeviance), let i = values.firstIndex(where: { $0 < 0 }) {
                throw AssayError.input("\(spec.data.resolvedPath): metric poisson_deviance needs a target ≥ 0, and row \(i + 1) of target '\(spec.data.target)' is \(NumberFormat.json(values[i]))")
            }
            return
        }
        if let classes = profile.classNames {
            // Every fold's training rows must hold every class: each model fits all of them.
            var counts = [Int](repeating: 0, count: classes.count)
            for r in split.train { counts[Int(profile.labels[r])] += 1 }
            if spec.split.foldColumn == nil, let c = counts.indices.min(by: { counts[$0] < counts[$1] }), counts[c] < spec.split.folds {
                throw AssayError.input("\(spec.data.resolvedPath): the training rows hold \(counts[c]) rows of class '\(classes[c])', fewer than the \(spec.split.folds) folds; "
                    + "use at most \(max(counts[c], 1)) folds, or merge the class into another (data.clean: replace)")
            }
            for k in split.folds.indices {
                var present = [Bool](repeating: false, count: classes.count)
                for r in split.trainingRows(ofFold: k) { present[Int(profile.labels[r])] = true }
                if let c = present.firstIndex(of: false) {
                    throw AssayError.input("\(spec.data.resolvedPath): the training rows of fold \(k + 1) hold no row of class '\(classes[c])'; every model fits every class: use fewer folds")
                }
            }
            return
        }
        if spec.split.foldColumn == nil && split.training == nil {
            let positives = split.train.reduce(0) { $0 + Int(profile.labels[$1]) }
            let negatives = split.train.count - positives
            let (count, label) = positives <= negatives ? (positives, spec.data.positive) : (negatives, profile.negativeLabel)
            if count < spec.split.folds {
                throw AssayError.input("\(spec.data.resolvedPath): the training rows hold \(count) rows of class '\(label)', fewer than the \(spec.split.folds) folds; "
                    + "use at most \(count) folds (stratified k-fold needs a row of each class in every fold)")
            }
        }
        for k in split.folds.indices {
            let training = split.trainingRows(ofFold: k).map { profile.labels[$0] }
            if training.isEmpty {
                throw AssayError.input("\(spec.data.resolvedPath): fold \(k + 1) has no training rows (no earlier cutoff's label window ends by its cutoff); space the cutoffs at least the label window apart")
            }
            guard training.contains(0), training.contains(1) else {
                throw AssayError.input("\(spec.data.resolvedPath): the training rows of fold \(k) hold only one class; use fewer folds")
            }
        }
    }
}

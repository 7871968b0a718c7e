import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import AssayKernels
import AssayReport
import AssaySpec
import Foundation

/// Builds the task graph of an experiment. Each task's key is the SHA-256 of its operation, its
/// canonical parameters and its inputs' keys, so an unchanged task is found in the cache.
struct Planner {
    /// Bump when a task's output format or meaning changes: every cached result is then recomputed.
    static let formatVersion = 18

    let spec: Spec
    private(set) var graph = TaskGraph()

    init(spec: Spec) { self.spec = spec }

    /// Adds the task `task` describes. Its key derives from the descriptor's canonical encoding, its inputs' keys and
    /// the format version; its body receives the task's random seed (see `TaskDescriptor.seed`).
    /// A cached result is used only if it decodes as `Output`; one that does not is recomputed.
    mutating func add<Output: BinaryCodable & SendableMetatype>(_ task: some TaskDescriptor, _ inputs: [TaskKey], label: String, kind: String,
                                                     _ body: @escaping @Sendable (UInt64, [Data]) throws -> Output) -> TaskKey {
        let key = TaskKey(operation: task.operation, parameters: task.parameters, inputs: inputs, version: Self.formatVersion)
        let seed = task.seed(specSeed: spec.seed)
        graph.add(TaskNode(key: key, label: label, kind: kind, inputs: inputs, readable: { (try? Output(decoding: $0)) != nil }) { data in
            // The executor's idle workers, lent to the task's independent pieces (`Parallel.map`).
            let lender = IdleWorkers.current.map { idle in Parallel.Lender(borrow: idle.borrow, giveBack: idle.giveBack) }
            // What the task freed goes back to the system (glibc keeps it in its heaps otherwise): at 1M rows, the
            // peak went from 1,057 to 901 MiB.
            defer { assay_release_free_memory() }
            do { return try Parallel.lending(lender) { try body(seed, data) }.encoded() } catch let e as LearnError { throw AssayError.learn(e, task: label) }
        })
        return key
    }

    mutating func load(contentHash: String) -> TaskKey {
        let options = DataFile.loadOptions(spec)
        let path = spec.data.resolvedPath
        return add(LoadTask(options: options, contentHash: contentHash), [], label: "load \(path)", kind: "load") { _, _ in
            try DatasetLoader.load(path: path, displayName: path, options)
        }
    }

    /// The data profile: every column of the file but the target, dropped, id and fold columns included.
    mutating func profile(contentHash: String) -> TaskKey {
        var options = DataFile.loadOptions(spec)
        let roles = Dictionary(uniqueKeysWithValues: options.drop.map { ($0, TableProfile.Role.dropped) }
            + (options.id.map { [($0, .id)] } ?? []) + (options.foldColumn.map { [($0, .foldColumn)] } ?? []))
        options.drop = []; options.id = nil; options.foldColumn = nil
        let everyColumn = options, path = spec.data.resolvedPath
        return add(ProfileTask(options: everyColumn, roles: roles, contentHash: contentHash), [], label: "profile \(path)", kind: "profile") { _, _ in
            let data = try DatasetLoader.load(path: path, displayName: path, everyColumn)
            if let values = data.values { return TableProfile(data.features, values: values, roles: roles) }
            return TableProfile(data.features, target: data.target, roles: roles)
        }
    }

    mutating func schema(_ load: TaskKey) -> TaskKey {
        let decimal = spec.data.decimal, file = spec.data.resolvedPath
        return add(SchemaTask(), [load], label: "profile table", kind: "schema") { _, inputs in
            let data = try SharedTable.dataset(load, inputs[0])
            var profile = DataProfile(data)
            profile.warnings = ColumnDiagnostics.warnings(data.features, decimal: decimal, file: file)
            return profile
        }
    }

    mutating func split(_ load: TaskKey) -> TaskKey {
        let s = spec.split, horizon = spec.data.events?.label?.window.days ?? 0
        return add(SplitTask(split: s, specSeed: spec.seed), [load], label: "split rows", kind: "split") { seed, inputs in
            let data = try SharedTable.dataset(load, inputs[0])
            if let folds = data.folds { return StratifiedSplitter.predefined(folds) }
            var rng = SplitMix64(seed: seed)
            let classes = data.values != nil ? [UInt8](repeating: 0, count: data.rowCount) : data.target
            if s.holdoutLastCutoff, let cutoffOfRow = data.cutoffOfRow, let groups = data.groups {
                return CutoffSplitter.split(cutoffOfRow: cutoffOfRow, cutoffDays: data.cutoffs.map { Day(iso: $0)?.number ?? .max }, horizon: horizon,
                                            classes: classes, groups: groups, folds: s.forwardChaining ? nil : s.folds, repeats: s.repeats, using: &rng)
            }
            if let groups = data.groups {
                return GroupSplitter.split(classes: classes, groups: groups, testSize: s.testSize, folds: s.folds, repeats: s.repeats, using: &rng)
            }
            if data.values != nil {
                return ShuffleSplitter.split(rows: data.rowCount, testSize: s.testSize, folds: s.folds, repeats: s.repeats, using: &rng)
            }
            return StratifiedSplitter.split(labels: data.target, testSize: s.testSize, folds: s.folds, repeats: s.repeats, using: &rng)
        }
    }

    /// Preprocessing fitted on `rows` (a fold's training rows, a halving round's share of them, or all training rows).
    mutating func prep(_ variant: Preprocessing, rows: TrainingRows, load: TaskKey, split: TaskKey) -> TaskKey {
        let where_ = rows.fold.map { "fold \($0 + 1)" } ?? "all training rows"
        let specSeed = spec.seed
        return add(PrepTask(variant: variant, rows: rows), [load, split],
                   label: "preprocess on \(where_)" + (rows.resources.map { " (\($0)-row round)" } ?? ""), kind: "prep") { seed, inputs in
            let data = try SharedTable.dataset(load, inputs[0]), split = try Split(decoding: inputs[1])
            let training = Self.trainingRows(split, rows, specSeed: specSeed)
            return try variant.fit(data.features, rows: training, labels: data.target, seed: seed)
        }
    }

    static func canonical(_ params: [String: ParamValue]) -> String {
        "{" + params.keys.sorted().map { JSONText.quote($0) + ":" + params[$0]!.json }.joined(separator: ",") + "}"
    }

    static func pointLabel(_ m: ModelSpec, _ point: [String: ParamValue]) -> String {
        ([m.name] + m.gridNames.map { "\($0)=\(point[$0]!.display)" }).joined(separator: " ")
    }

    /// The training matrix and labels a model is fitted on: the fitted transforms applied to the training rows,
    /// then the resampler, if any (the training rows only: validation and test rows are never resampled).
    /// With `data.weight`, the rows' sample weights come too (validation refuses resampling weighted rows).
    static func trainingSet(_ data: Dataset, _ pipeline: FittedPreprocessing, rows: [Int], resample: ResampleStep?,
                            seed: UInt64) throws -> (x: Matrix, target: FitTarget, weights: [Double]?) {
        let x = try pipeline.transform(data.features, rows: rows, training: true)
        let (target, weights) = trainingTarget(data, rows: rows)
        guard let resample, case .labels(let y) = target else { return (x, target, weights) }  // validation refuses resampling a regression
        var rng = SplitMix64(seed: Seeds.derive(seed, "resample"))
        let (rx, ry) = try Resampler.resample(x, y, resample, categoricalBlocks: pipeline.categoricalBlocks, using: &rng)
        return (rx, .labels(ry), nil)
    }

    /// The target and sample weights (with `data.weight`) of `rows`.
    static func trainingTarget(_ data: Dataset, rows: [Int]) -> (target: FitTarget, weights: [Double]?) {
        let weights = data.weights.map { w in rows.map { w[$0] } }
        if let values = data.values { return (.values(rows.map { values[$0] }), weights) }
        let y = rows.map { data.target[$0] }
        return (data.classNames.map { .classes(y, count: $0.count) } ?? .labels(y), weights)
    }

    /// The training rows `rows` names: all of them, a fold's, or the share of a fold's that a successive-halving
    /// round with `resources` rows uses (the same rows for every candidate of the round: the seed depends on the
    /// spec, the fold and the round only).
    static func trainingRows(_ split: Split, _ rows: TrainingRows, specSeed: UInt64) -> [Int] {
        guard let fold = rows.fold else { return split.train }
        let training = split.trainingRows(ofFold: fold)
        guard let resources = rows.resources else { return training }
        return SuccessiveHalving.rows(training, resources: resources, samples: split.train.count,
                                      seed: Seeds.derive(specSeed, "halving fold \(fold) resources \(resources)"))
    }

    /// The settings a fit, refit or importance task of model `m` at `point` fits.
    func settings(_ m: ModelSpec, _ point: [String: ParamValue], _ variant: Preprocessing) -> ModelSettings {
        ModelSettings(kind: spec.kind, type: m.type, point: point, params: m.modelParams(point), resample: variant.resample, calibrate: m.calibrate)
    }

    /// The fit task of `m` at `point` on fold `fold` (on a halving round's `resources` rows of it when given).
    func fitTask(_ m: ModelSpec, _ point: [String: ParamValue], fold: Int, variant: Preprocessing, resources: Int? = nil) -> FitTask {
        FitTask(model: settings(m, point, variant), fold: fold, resources: resources)
    }

    /// The model a fit task fits, on the rows it fits it on, with its seed: shared by the fit and the importance
    /// task that explains it, so both see the same model.
    static func fitModel(_ fit: FitTask, _ data: Dataset, _ split: Split, _ pipeline: FittedPreprocessing, specSeed: UInt64) throws -> FittedModel {
        let seed = fit.seed(specSeed: specSeed)
        return try fitted(fit.model, data, pipeline, rows: trainingRows(split, fit.rows, specSeed: specSeed), seed: seed)
    }

    /// `model` fitted on the training set of `rows`. A model that only bins its rows (trees, forests, boosting) gets
    /// them a column at a time, so that the whole matrix never exists; any other is handed the matrix.
    static func fitted(_ model: ModelSettings, _ data: Dataset, _ pipeline: FittedPreprocessing, rows: [Int], seed: UInt64) throws -> FittedModel {
        let estimator = try model.estimator()
        if estimator.fitsColumns && model.resample == nil {
            let (target, weights) = trainingTarget(data, rows: rows)
            return try estimator.fit(columns: pipeline.columns(data.features, rows: rows, training: true), target, weights: weights, seed: seed)
        }
        let (x, target, weights) = try trainingSet(data, pipeline, rows: rows, resample: model.resample, seed: seed)
        return try estimator.fit(consume x, target, weights: weights, seed: seed)
    }

    /// Fit on fold `fold`'s training rows, predict its validation rows.
    mutating func fit(_ m: ModelSpec, _ point: [String: ParamValue], fold: Int, variant: Preprocessing, load: TaskKey, split: TaskKey,
                      resources: Int? = nil) -> TaskKey {
        let task = fitTask(m, point, fold: fold, variant: variant, resources: resources)
        let prep = self.prep(variant, rows: task.rows, load: load, split: split), specSeed = spec.seed
        return add(task, [load, split, prep],
                   label: "fit \(Self.pointLabel(m, point)) fold \(fold + 1)" + (resources.map { " (\($0)-row round)" } ?? ""), kind: "fit") { _, inputs in
            let data = try SharedTable.dataset(load, inputs[0]), split = try Split(decoding: inputs[1])
            let pipeline = try FittedPreprocessing(decoding: inputs[2])
            let model = try Self.fitModel(task, data, split, pipeline, specSeed: specSeed)
            let valid = split.folds[fold]
            let p = try model.predict(try pipeline.transform(data.features, rows: valid))
            return Predictions(rows: valid, of: data, scores: p, note: model.convergenceNote)
        }
    }

    /// Permutation importance of a refit pipeline on the test rows, by the spec's `select` metric.
    /// How many tasks share a test-set permutation importance (it often runs alone, after every fit).
    static let importanceParts = 2

    /// Permutation importance of a model's refit pipeline on the test rows: parts over the columns, then one task
    /// that puts them together.
    mutating func importance(_ m: ModelSpec, refit: TaskKey, load: TaskKey, split: TaskKey, repeats: Int) -> TaskKey {
        let metric = spec.select, whole = TestImportanceTask(modelName: m.name, metric: metric, repeats: repeats)
        let parts = (0..<Self.importanceParts).map { part in
            let task = TestImportancePartTask(whole: whole, part: part, parts: Self.importanceParts)
            return add(task, [load, split, refit], label: "permutation importance of \(m.name) (part \(part + 1) of \(Self.importanceParts))",
                       kind: "importance") { seed, inputs in
                let data = try SharedTable.dataset(load, inputs[0]), split = try Split(decoding: inputs[1]), refit = try RefitResult(decoding: inputs[2])
                var rng = SplitMix64(seed: seed)
                return try Self.permutationImportance(data, rows: split.test, preprocessing: refit.preprocessing, model: refit.model, metric: metric,
                                                      repeats: repeats, columns: task.columns(of: data.features.columns.count), using: &rng)
            }
        }
        return add(whole, parts, label: "permutation importance of \(m.name)", kind: "importance") { _, inputs in
            let results = try inputs.map { try PermutationImportance.Result(decoding: $0) }
            guard let first = results.first, results.allSatisfy({ $0.baseline.bitPattern == first.baseline.bitPattern }) else {
                throw LearnError.badParameter("permutation importance: its parts scored the unshuffled rows differently")
            }
            return PermutationImportance.Result(baseline: first.baseline, columns: results.flatMap(\.columns))
        }
    }

    /// Without a test set: permutation importance of the model `fit` fitted, on that fold's validation rows.
    mutating func foldImportance(_ fit: FitTask, _ m: ModelSpec, variant: Preprocessing, load: TaskKey, split: TaskKey, repeats: Int) -> TaskKey {
        let prep = self.prep(variant, rows: fit.rows, load: load, split: split)
        let metric = spec.select, specSeed = spec.seed
        return add(FoldImportanceTask(fit: fit, metric: metric, repeats: repeats), [load, split, prep],
                   label: "permutation importance of \(m.name) on fold \(fit.fold + 1)", kind: "importance") { seed, inputs in
            let data = try SharedTable.dataset(load, inputs[0]), split = try Split(decoding: inputs[1])
            let pipeline = try FittedPreprocessing(decoding: inputs[2])
            let model = try Self.fitModel(fit, data, split, pipeline, specSeed: specSeed)
            var rng = SplitMix64(seed: seed)
            return try Self.permutationImportance(data, rows: split.folds[fit.fold], preprocessing: pipeline, model: model, metric: metric,
                                                  repeats: repeats, using: &rng)
        }
    }

    /// Permutation importance on `rows` against the dataset's truth (labels or values).
    static func permutationImportance(_ data: Dataset, rows: [Int], preprocessing: FittedPreprocessing, model: FittedModel, metric: Metric,
                                      repeats: Int, columns: Range<Int>? = nil, using rng: inout SplitMix64) throws -> PermutationImportance.Result {
        if let values = data.values {
            return try PermutationImportance.compute(table: data.features, values: values, rows: rows, preprocessing: preprocessing, model: model,
                                                     metric: metric, weights: data.weights, repeats: repeats, columns: columns, using: &rng)
        }
        if let classes = data.classNames {
            return try PermutationImportance.compute(table: data.features, labels: data.target, classes: classes.count, rows: rows, preprocessing: preprocessing,
                                                     model: model, metric: metric, weights: data.weights, repeats: repeats, columns: columns, using: &rng)
        }
        return try PermutationImportance.compute(table: data.features, labels: data.target, rows: rows, preprocessing: preprocessing, model: model,
                                                 metric: metric, weights: data.weights, repeats: repeats, columns: columns, using: &rng)
    }

    /// Exact SHAP values of a refit tree or linear model on the test rows: TreeSHAP with each node's cover counting the
    /// training rows (as the refit pipeline transforms them) that reach it, or linear SHAP with those rows' means.
    mutating func shap(_ m: ModelSpec, refit: TaskKey, load: TaskKey, split: TaskKey) -> TaskKey {
        add(ShapTask(modelName: m.name), [load, split, refit], label: "SHAP values of \(m.name)", kind: "importance") { _, inputs in
            let data = try SharedTable.dataset(load, inputs[0]), split = try Split(decoding: inputs[1]), refit = try RefitResult(decoding: inputs[2])
            let training = try refit.preprocessing.transform(data.features, rows: split.train, training: true)
            let rows = try refit.preprocessing.transform(data.features, rows: split.test)
            if let model = refit.model.fitted as? TreeExplainable { return ShapValues(model, training: training, rows: rows) }
            guard let model = refit.model.fitted as? LinearExplainable else { throw LearnError.badParameter("model '\(m.name)' has no exact SHAP values") }
            return ShapValues(linear: model, training: training, rows: rows)
        }
    }

    /// Partial dependence of a refit model on `columns`, over the test rows (scikit-learn's `partial_dependence` with
    /// the test rows as X): a numeric column's grid from those rows' values, a categorical column's categories present there.
    mutating func partialDependence(_ m: ModelSpec, columns: [String], refit: TaskKey, load: TaskKey, split: TaskKey) -> TaskKey {
        add(PartialDependenceTask(modelName: m.name, columns: columns), [load, split, refit], label: "partial dependence of \(m.name)", kind: "importance") { _, inputs in
            let data = try SharedTable.dataset(load, inputs[0]), split = try Split(decoding: inputs[1]), refit = try RefitResult(decoding: inputs[2])
            var grids: [[Double]] = [], labels: [[String]] = [], averages: [[Double]] = []
            for name in columns {
                guard let column = data.features.column(named: name) else { throw LearnError.badParameter("no column '\(name)'") }
                let grid: [Double]
                switch column.values {
                case .numeric(let v):
                    grid = PartialDependence.grid(split.test.map { v[$0] })
                    labels.append([])
                case .categorical(let codes, let levels):
                    let present = Set(split.test.map { codes[$0] }.filter { $0 >= 0 })
                    grid = levels.indices.filter { present.contains(Int32($0)) }.sorted { levels[$0].utf8.lexicographicallyPrecedes(levels[$1].utf8) }.map(Double.init)
                    labels.append(grid.map { levels[Int($0)] })
                }
                grids.append(grid)
                averages.append(try PartialDependence.average(data.features, rows: split.test, column: name, grid: grid) { table, rows in
                    try refit.model.predict(try refit.preprocessing.transform(table, rows: rows))
                })
            }
            return PartialDependenceCurves(columns: columns, grids: grids, labels: labels, averages: averages)
        }
    }

    /// Fit on all training rows, predict the test rows; keeps the fitted pipeline.
    mutating func refit(_ m: ModelSpec, _ point: [String: ParamValue], variant: Preprocessing, load: TaskKey, split: TaskKey) -> TaskKey {
        let prep = self.prep(variant, rows: .all, load: load, split: split)
        let task = RefitTask(model: settings(m, point, variant))
        return add(task, [load, split, prep], label: "refit \(Self.pointLabel(m, point)) on all training rows", kind: "fit") { seed, inputs in
            let data = try SharedTable.dataset(load, inputs[0]), split = try Split(decoding: inputs[1])
            let pipeline = try FittedPreprocessing(decoding: inputs[2])
            let model = try Self.fitted(task.model, data, pipeline, rows: split.train, seed: seed)
            let p = try model.predict(try pipeline.transform(data.features, rows: split.test))
            let test = Predictions(rows: split.test, of: data, scores: p, note: model.convergenceNote)
            return RefitResult(test: test, preprocessing: pipeline, model: model)
        }
    }
}

/// The loaded table, decoded once for the tasks that read it: every fit, refit and importance task of a run reads the
/// whole table, and two running at once each held a decoded copy (a 1M-row table is about 100 MB). Keeps the last
/// table decoded, by its load task's key (the same key is the same bytes), until the run ends (`release`).
enum SharedTable {
    private final class Entry: @unchecked Sendable {
        let lock = NSLock()
        var table: (key: TaskKey, data: Dataset)?
    }

    private static let entry = Entry()

    /// The table of the load task `key`, whose result is `bytes`: decoded now, or the copy decoded last for `key`.
    static func dataset(_ key: TaskKey, _ bytes: Data) throws -> Dataset {
        entry.lock.lock()
        defer { entry.lock.unlock() }
        if let table = entry.table, table.key == key { return table.data }
        let data = try Dataset(decoding: bytes)
        entry.table = (key, data)
        return data
    }

    /// Forgets the decoded table (at the end of a run).
    static func release() {
        entry.lock.lock()
        entry.table = nil
        entry.lock.unlock()
    }
}

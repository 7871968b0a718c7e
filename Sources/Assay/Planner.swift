import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import AssayReport
import AssaySpec
import Foundation

/// Builds the task graph of an experiment. Each task's key is the SHA-256 of its operation, its
/// canonical parameters and its inputs' keys, so an unchanged task is found in the cache.
struct Planner {
    /// Bump when a task's output format or meaning changes: every cached result is then recomputed.
    static let formatVersion = 6

    let spec: Spec
    private(set) var graph = TaskGraph()

    init(spec: Spec) { self.spec = spec }

    /// Adds a task. Its body receives the task's random seed: derived from the spec's seed and the task's
    /// operation and parameters only, so neither scheduling nor a cache-format change moves a random choice.
    private mutating func add(_ op: String, _ params: String, _ inputs: [TaskKey], label: String, kind: String,
                              _ body: @escaping @Sendable (UInt64, [Data]) throws -> Data) -> TaskKey {
        let key = TaskKey(operation: op, parameters: params, inputs: inputs, version: Self.formatVersion)
        let seed = Seeds.derive(spec.seed, op + "\u{0}" + params)
        graph.add(TaskNode(key: key, label: label, kind: kind, inputs: inputs) { data in
            do { return try body(seed, data) } catch let e as LearnError { throw AssayError.learn(e, task: label) }
        })
        return key
    }

    mutating func load(contentHash: String) -> TaskKey {
        let options = DataFile.loadOptions(spec)
        let path = spec.data.resolvedPath
        return add("load", DataFile.canonical(options) + ";sha256=" + contentHash, [], label: "load \(path)", kind: "load") { _, _ in
            let csv = try CSVFile(contentsOf: URL(fileURLWithPath: path), displayName: path, options: options.csv)
            return try DatasetLoader.load(csv, options).encoded()
        }
    }

    /// The data profile: every column of the file but the target, dropped, id and fold columns included.
    mutating func profile(contentHash: String) -> TaskKey {
        var options = DataFile.loadOptions(spec)
        let roles = Dictionary(uniqueKeysWithValues: options.drop.map { ($0, TableProfile.Role.dropped) }
            + (options.id.map { [($0, .id)] } ?? []) + (options.foldColumn.map { [($0, .foldColumn)] } ?? []))
        options.drop = []; options.id = nil; options.foldColumn = nil
        let everyColumn = options, path = spec.data.resolvedPath
        let rolesText = roles.keys.sorted().map { "\($0.utf8.count):\($0)=\(roles[$0]!.rawValue)" }.joined(separator: ",")
        return add("profile", DataFile.canonical(everyColumn) + ";roles=" + rolesText + ";sha256=" + contentHash, [],
                   label: "profile \(path)", kind: "profile") { _, _ in
            let csv = try CSVFile(contentsOf: URL(fileURLWithPath: path), displayName: path, options: everyColumn.csv)
            let data = try DatasetLoader.load(csv, everyColumn)
            return TableProfile(data.features, target: data.target, roles: roles).encoded()
        }
    }

    mutating func schema(_ load: TaskKey) -> TaskKey {
        add("schema", "", [load], label: "profile table", kind: "schema") { _, inputs in
            DataProfile(try Dataset(decoding: inputs[0])).encoded()
        }
    }

    mutating func split(_ load: TaskKey) -> TaskKey {
        let s = spec.split
        return add("split", s.canonical + ";seed=\(spec.seed)", [load], label: "split rows", kind: "split") { seed, inputs in
            let data = try Dataset(decoding: inputs[0])
            if let folds = data.folds { return StratifiedSplitter.predefined(folds).encoded() }
            var rng = SplitMix64(seed: seed)
            return StratifiedSplitter.split(labels: data.target, testSize: s.testSize, folds: s.folds, repeats: s.repeats, using: &rng).encoded()
        }
    }

    /// Preprocessing fitted on the training rows of fold `fold`, or of all training rows when nil.
    mutating func prep(_ variant: Preprocessing, fold: Int?, load: TaskKey, split: TaskKey, resources: Int? = nil) -> TaskKey {
        let where_ = fold.map { "fold \($0 + 1)" } ?? "all training rows"
        let specSeed = spec.seed
        return add("prep", variant.canonical + ";fold=\(fold.map(String.init) ?? "all")" + (resources.map { ";resources=\($0)" } ?? ""), [load, split],
                   label: "preprocess on \(where_)" + (resources.map { " (\($0)-row round)" } ?? ""), kind: "prep") { seed, inputs in
            let data = try Dataset(decoding: inputs[0]), split = try Split(decoding: inputs[1])
            let rows = fold.map { Self.trainingRows(split, fold: $0, resources: resources, specSeed: specSeed) } ?? split.train
            return try variant.fit(data.features, rows: rows, labels: data.target, seed: seed).encoded()
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
    static func trainingSet(_ data: Dataset, _ pipeline: FittedPreprocessing, rows: [Int], resample: ResampleStep?, seed: UInt64) throws -> (Matrix, [UInt8]) {
        let x = try pipeline.transform(data.features, rows: rows, training: true), y = rows.map { data.target[$0] }
        guard let resample else { return (x, y) }
        var rng = SplitMix64(seed: Seeds.derive(seed, "resample"))
        return try Resampler.resample(x, y, resample, categoricalBlocks: pipeline.categoricalBlocks, using: &rng)
    }

    /// Fold `fold`'s training rows, or the share a successive-halving round with `resources` rows uses: the same
    /// rows for every candidate of the round (the seed depends on the spec, the fold and the round only).
    static func trainingRows(_ split: Split, fold: Int, resources: Int?, specSeed: UInt64) -> [Int] {
        let rows = split.trainingRows(ofFold: fold)
        guard let resources else { return rows }
        return SuccessiveHalving.rows(rows, resources: resources, samples: split.train.count,
                                      seed: Seeds.derive(specSeed, "halving fold \(fold) resources \(resources)"))
    }

    /// The part of a fit's key that the resampler adds (empty without one, so older keys stay valid).
    static func resampleKey(_ variant: Preprocessing) -> String { variant.resample.map { ";" + PreprocessStep.resample($0).canonical } ?? "" }

    /// Fit on fold `fold`'s training rows, predict its validation rows.
    mutating func fit(_ m: ModelSpec, _ point: [String: ParamValue], fold: Int, variant: Preprocessing, load: TaskKey, split: TaskKey,
                      resources: Int? = nil) -> TaskKey {
        let prep = self.prep(variant, fold: fold, load: load, split: split, resources: resources)
        let type = m.type, resample = variant.resample, params = m.modelParams(point), calibrate = m.calibrate, specSeed = spec.seed
        return add("fit", "type=\(type);params=\(Self.canonical(point));fold=\(fold)" + Self.resampleKey(variant) + (m.calibrate.map { ";" + $0.canonical } ?? "")
                   + (resources.map { ";resources=\($0)" } ?? ""), [load, split, prep],
                   label: "fit \(Self.pointLabel(m, point)) fold \(fold + 1)" + (resources.map { " (\($0)-row round)" } ?? ""), kind: "fit") { seed, inputs in
            let data = try Dataset(decoding: inputs[0]), split = try Split(decoding: inputs[1])
            let pipeline = try FittedPreprocessing(decoding: inputs[2])
            let train = Self.trainingRows(split, fold: fold, resources: resources, specSeed: specSeed), valid = split.folds[fold]
            let (x, y) = try Self.trainingSet(data, pipeline, rows: train, resample: resample, seed: seed)
            let model = try ModelRegistry.standard.estimator(type: type, params: params, calibrate: calibrate).fit(x, y, seed: seed)
            let p = try model.predictProbabilities(try pipeline.transform(data.features, rows: valid))
            return Predictions(rows: valid, labels: valid.map { data.target[$0] }, probabilities: p, note: model.convergenceNote).encoded()
        }
    }

    /// Permutation importance of a refit pipeline on the test rows, by the spec's `select` metric.
    mutating func importance(_ m: ModelSpec, refit: TaskKey, load: TaskKey, split: TaskKey, repeats: Int) -> TaskKey {
        let metric = spec.select
        return add("importance", "model=\(m.name);metric=\(metric.rawValue);repeats=\(repeats)", [load, split, refit],
                   label: "permutation importance of \(m.name)", kind: "importance") { seed, inputs in
            let data = try Dataset(decoding: inputs[0]), split = try Split(decoding: inputs[1]), refit = try RefitResult(decoding: inputs[2])
            var rng = SplitMix64(seed: seed)
            return try PermutationImportance.compute(table: data.features, labels: data.target, rows: split.test, preprocessing: refit.preprocessing,
                                                     model: refit.model, metric: metric, repeats: repeats, using: &rng).encoded()
        }
    }

    /// Without a test set: permutation importance of fold `fold`'s model of a point on that fold's validation rows.
    /// The model is fitted again exactly as the fold's fit task fitted it (same rows, same seed).
    mutating func foldImportance(_ m: ModelSpec, _ point: [String: ParamValue], fold: Int, variant: Preprocessing, load: TaskKey, split: TaskKey,
                                 repeats: Int) -> TaskKey {
        let prep = self.prep(variant, fold: fold, load: load, split: split)
        let type = m.type, resample = variant.resample, params = m.modelParams(point), calibrate = m.calibrate, metric = spec.select
        let fitParams = "type=\(type);params=\(Self.canonical(point));fold=\(fold)" + Self.resampleKey(variant) + (m.calibrate.map { ";" + $0.canonical } ?? "")
        let fitSeed = Seeds.derive(spec.seed, "fit" + "\u{0}" + fitParams)
        return add("importance", fitParams + ";metric=\(metric.rawValue);repeats=\(repeats)", [load, split, prep],
                   label: "permutation importance of \(m.name) on fold \(fold + 1)", kind: "importance") { seed, inputs in
            let data = try Dataset(decoding: inputs[0]), split = try Split(decoding: inputs[1])
            let pipeline = try FittedPreprocessing(decoding: inputs[2])
            let train = split.trainingRows(ofFold: fold), valid = split.folds[fold]
            let (x, y) = try Self.trainingSet(data, pipeline, rows: train, resample: resample, seed: fitSeed)
            let model = try ModelRegistry.standard.estimator(type: type, params: params, calibrate: calibrate).fit(x, y, seed: fitSeed)
            var rng = SplitMix64(seed: seed)
            return try PermutationImportance.compute(table: data.features, labels: data.target, rows: valid, preprocessing: pipeline,
                                                     model: model, metric: metric, repeats: repeats, using: &rng).encoded()
        }
    }

    /// Fit on all training rows, predict the test rows; keeps the fitted pipeline.
    mutating func refit(_ m: ModelSpec, _ point: [String: ParamValue], variant: Preprocessing, load: TaskKey, split: TaskKey) -> TaskKey {
        let prep = self.prep(variant, fold: nil, load: load, split: split)
        let type = m.type, resample = variant.resample, params = m.modelParams(point), calibrate = m.calibrate
        return add("refit", "type=\(type);params=\(Self.canonical(point))" + Self.resampleKey(variant) + (m.calibrate.map { ";" + $0.canonical } ?? ""), [load, split, prep],
                   label: "refit \(Self.pointLabel(m, point)) on all training rows", kind: "fit") { seed, inputs in
            let data = try Dataset(decoding: inputs[0]), split = try Split(decoding: inputs[1])
            let pipeline = try FittedPreprocessing(decoding: inputs[2])
            let (x, y) = try Self.trainingSet(data, pipeline, rows: split.train, resample: resample, seed: seed)
            let model = try ModelRegistry.standard.estimator(type: type, params: params, calibrate: calibrate).fit(x, y, seed: seed)
            let p = try model.predictProbabilities(try pipeline.transform(data.features, rows: split.test))
            let test = Predictions(rows: split.test, labels: split.test.map { data.target[$0] }, probabilities: p, note: model.convergenceNote)
            return RefitResult(test: test, preprocessing: pipeline, model: model).encoded()
        }
    }
}

import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import AssayReport
import AssaySpec

/// What a task is, as typed data. Its one canonical encoding (`operation` and `parameters`) is what both the
/// cache key (with the input keys and the format version) and the task's random seed (with the spec's seed)
/// derive from, so two tasks that would compute the same thing share a key and a random stream.
protocol TaskDescriptor: Sendable {
    var operation: String { get }
    /// Canonical text of everything that decides the result besides the inputs.
    var parameters: String { get }
    /// The seed of the task's random choices (see the extension).
    func seed(specSeed: UInt64) -> UInt64
}

extension TaskDescriptor {
    /// The seed of the task's random choices: from the spec's seed and the task's identity only, so neither
    /// scheduling nor a cache-format change moves a random choice.
    func seed(specSeed: UInt64) -> UInt64 { Seeds.derive(specSeed, operation + "\u{0}" + parameters) }
}

/// Read and prepare the table (the key holds the files' content hash).
struct LoadTask: TaskDescriptor {
    let options: LoadOptions
    let contentHash: String
    var operation: String { "load" }
    var parameters: String { DataFile.canonical(options) + ";sha256=" + contentHash }
}

/// Profile every column of the file but the target, with the roles the spec gives some of them.
struct ProfileTask: TaskDescriptor {
    /// The load options with no column dropped, so that every column is profiled.
    let options: LoadOptions
    let roles: [String: TableProfile.Role]
    let contentHash: String
    var operation: String { "profile" }
    var parameters: String {
        let rolesText = roles.keys.sorted().map { "\($0.utf8.count):\($0)=\(roles[$0]!.rawValue)" }.joined(separator: ",")
        return DataFile.canonical(options) + ";roles=" + rolesText + ";sha256=" + contentHash
    }
}

/// What the plan needs to know about the loaded table.
struct SchemaTask: TaskDescriptor {
    var operation: String { "schema" }
    var parameters: String { "" }
}

/// The holdout and the folds.
struct SplitTask: TaskDescriptor {
    let split: SplitSection
    let specSeed: UInt64
    var operation: String { "split" }
    var parameters: String { split.canonical + ";seed=\(specSeed)" }
}

/// Which training rows a fit or a preprocessing fit sees: a fold's, a successive-halving round's share of a
/// fold's, or all of them (the refit).
enum TrainingRows: Sendable, Equatable {
    case fold(Int, resources: Int?)
    case all

    var fold: Int? { if case .fold(let k, _) = self { return k }; return nil }
    var resources: Int? { if case .fold(_, let r) = self { return r }; return nil }
    var foldText: String { fold.map(String.init) ?? "all" }
    var resourcesText: String { resources.map { ";resources=\($0)" } ?? "" }
}

/// Preprocessing fitted on some training rows.
struct PrepTask: TaskDescriptor {
    let variant: Preprocessing
    let rows: TrainingRows
    var operation: String { "prep" }
    var parameters: String { variant.canonical + ";fold=" + rows.foldText + rows.resourcesText }
}

/// One model at one grid point: what a fit, a refit or an importance task fits.
struct ModelSettings: Sendable {
    let kind: ExperimentKind
    let type: String
    /// The grid point as written (its canonical form is part of the key).
    let point: [String: ParamValue]
    /// The parameters the estimator receives: fixed ones and the point's, without preprocessing choices.
    let params: [String: ParamValue]
    let resample: ResampleStep?
    let calibrate: CalibrateStep?

    /// `type=…;params=…` then, after `middle`, the resampler and calibration (empty without them).
    func canonical(middle: String) -> String {
        "type=\(type);params=\(Planner.canonical(point))" + kind.taskKeySuffix + middle
            + (resample.map { ";" + PreprocessStep.resample($0).canonical } ?? "") + (calibrate.map { ";" + $0.canonical } ?? "")
    }

    func estimator() throws -> AnyEstimator { try ModelRegistry.standard.estimator(type: type, kind: kind, params: params, calibrate: calibrate) }
}

/// Fit a grid point on fold `rows`' training rows (or a halving round's share of them), predict the fold's validation rows.
struct FitTask: TaskDescriptor {
    let model: ModelSettings
    let fold: Int
    let resources: Int?
    var rows: TrainingRows { .fold(fold, resources: resources) }
    var operation: String { "fit" }
    var parameters: String { model.canonical(middle: ";fold=\(fold)") + rows.resourcesText }
}

/// Fit the selected point on all training rows, predict the test rows.
struct RefitTask: TaskDescriptor {
    let model: ModelSettings
    var operation: String { "refit" }
    var parameters: String { model.canonical(middle: "") }
}

/// Permutation importance of a refit pipeline on the test rows.
struct TestImportanceTask: TaskDescriptor {
    let modelName: String
    let metric: Metric
    let repeats: Int
    var operation: String { "importance" }
    var parameters: String { "model=\(modelName);metric=\(metric.rawValue);repeats=\(repeats)" }
}

/// A part of a model's test-set permutation importance: input columns `part·c/parts ..< (part+1)·c/parts` of the
/// table's c columns. It draws from the whole task's random stream (its seed is the whole task's), so the parts
/// together hold exactly the numbers of the whole task computed in one piece, and the executor runs them side by side.
struct TestImportancePartTask: TaskDescriptor {
    let whole: TestImportanceTask
    let part: Int
    let parts: Int
    var operation: String { "importance part" }
    var parameters: String { whole.parameters + ";part=\(part)/\(parts)" }
    func seed(specSeed: UInt64) -> UInt64 { whole.seed(specSeed: specSeed) }

    /// The columns of this part among `count`.
    func columns(of count: Int) -> Range<Int> { (part * count / parts)..<((part + 1) * count / parts) }
}

/// Permutation importance of one fold fit on that fold's validation rows: the fit it explains is embedded,
/// so the model is refitted exactly as that fit task fitted it (same rows, same seed).
struct FoldImportanceTask: TaskDescriptor {
    let fit: FitTask
    let metric: Metric
    let repeats: Int
    var operation: String { "importance" }
    var parameters: String { fit.parameters + ";metric=\(metric.rawValue);repeats=\(repeats)" }
}

/// Exact TreeSHAP values of a refit tree model on the test rows (covers from the training rows).
struct ShapTask: TaskDescriptor {
    let modelName: String
    var operation: String { "shap" }
    var parameters: String { "model=\(modelName)" }
}

/// Partial dependence of a refit model on some input columns, on the test rows.
struct PartialDependenceTask: TaskDescriptor {
    let modelName: String
    let columns: [String]
    var operation: String { "partial-dependence" }
    var parameters: String { "model=\(modelName);columns=" + columns.map(JSONText.quote).joined(separator: ",") }
}

/// Each column's grid (numbers, or a categorical column's category codes, with their names in `labels`) and the
/// average prediction at each point.
struct PartialDependenceCurves: BinaryCodable {
    var columns: [String]
    var grids: [[Double]]
    /// A categorical column's category at each grid point; empty for a numeric column.
    var labels: [[String]]
    var averages: [[Double]]

    func encode(to w: inout ByteWriter) {
        w.write(columns)
        w.write(grids.count)
        for (g, (l, a)) in zip(grids, zip(labels, averages)) { w.write(g); w.write(l); w.write(a) }
    }

    init(columns: [String], grids: [[Double]], labels: [[String]], averages: [[Double]]) {
        self.columns = columns
        self.grids = grids
        self.labels = labels
        self.averages = averages
    }

    init(from r: inout ByteReader) throws {
        let columns = try r.readStrings()
        var grids: [[Double]] = [], labels: [[String]] = [], averages: [[Double]] = []
        for _ in 0..<(try r.readCount()) { grids.append(try r.readDoubles()); labels.append(try r.readStrings()); averages.append(try r.readDoubles()) }
        guard grids.count == columns.count, zip(grids, averages).allSatisfy({ $0.count == $1.count }) else { throw BinaryFormatError.inconsistent("partial dependence") }
        self.init(columns: columns, grids: grids, labels: labels, averages: averages)
    }
}

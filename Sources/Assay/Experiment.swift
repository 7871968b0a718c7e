import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import AssayReport
import AssaySpec
import Foundation

/// How to run an experiment.
public struct RunOptions: Sendable {
    /// Fits run concurrently on up to this many threads.
    public var jobs: Int
    /// Reports go to `<outputRoot>/<name>/`.
    public var outputRoot: String
    /// The content store's folder; nil runs without a cache.
    public var cacheDirectory: String?
    /// Saved pipelines go to `<modelsDirectory>/<name>/<model>.assaymodel`; nil saves none.
    public var modelsDirectory: String?
    /// Save every model's pipeline, or only the best model's.
    public var saveOnlyBest: Bool
    /// Where to write the row-level predictions (`WriteStage.predictions`); nil writes none.
    public var predictionsFile: String? = nil
    /// Run only this slice of the CV fits and write no report (`--shard i/N`).
    public var shard: Shard? = nil
    /// Fit nothing of the search: every CV fit must be in the cache (`--assemble`).
    public var assemble = false
    /// How many shards ran the fits (`--assemble --shards N`): a missing fit then names the shard that owns it.
    public var shardCount: Int? = nil
    /// Seconds before an HTTP cache request is first retried (then twice as long).
    public var cacheRetryDelay = 0.2
    /// A remote cache (`http(s)://` or `s3://`) behind the local `cacheDirectory`: read through, written through.
    public var remoteCache: String? = nil
    /// Where an `s3://` cache finds its credentials and endpoint; nil reads the process's environment.
    public var environment: [String: String]? = nil
    public var observer: ExecutionObserver?
    /// Receives warnings (a damaged cache entry, for example).
    public var warn: @Sendable (String) -> Void

    /// Where a run's models go when not told: `.assay/models` for the default `runs/` (whose reports reviewers diff,
    /// so no binaries there), otherwise the output folder itself, so that a variant run with `--out DIR` keeps its models
    /// beside its report (`DIR/<name>/<model>.assaymodel`) and never over another run's.
    public static func defaultModelsDirectory(outputRoot: String) -> String {
        URL(fileURLWithPath: outputRoot).standardizedFileURL == URL(fileURLWithPath: "runs").standardizedFileURL ? ".assay/models" : outputRoot
    }

    public init(jobs: Int, outputRoot: String = "runs", cacheDirectory: String? = ".assay/cache",
                modelsDirectory: String? = ".assay/models", saveOnlyBest: Bool = false,
                observer: ExecutionObserver? = nil, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.jobs = jobs
        self.outputRoot = outputRoot
        self.cacheDirectory = cacheDirectory
        self.modelsDirectory = modelsDirectory
        self.saveOnlyBest = saveOnlyBest
        self.observer = observer
        self.warn = warn
    }
}

/// One slice of a run's CV fits: shard `index` of `count` (0-based here; `--shard` counts from 1).
public struct Shard: Sendable, Equatable {
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses `i/N` with 1 ≤ i ≤ N.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n else { return nil }
        self.init(index: i - 1, count: n)
    }

    /// Whether the fit at `position` in plan order is this shard's.
    func owns(_ position: Int) -> Bool { position % count == index }

    public var description: String { "\(index + 1)/\(count)" }
}

/// How far a shard got: the fits it ran, the ones it found in the cache, and whether a search round waits for
/// other shards' fits.
public struct ShardProgress: Sendable, Equatable {
    /// This shard's fits, and how many of them were in the cache already.
    public var ownFits = 0
    public var ownFitsCached = 0
    /// Rounds of the search completed (every model's rounds run together).
    public var rounds = 0
    /// Other shards' fits of a successive-halving round not in the cache yet: the race cannot go on to its next round
    /// (run this shard again once they are there); 0 when this shard has nothing more to do.
    public var waitingFor = 0
}

public struct ShardOutcome: Sendable {
    public let experiment: String
    public let shard: Shard
    public let progress: ShardProgress
    public let stats: ExecutionStats
}

/// What a run produced.
public struct RunOutcome: Sendable {
    public let experiment: String
    /// What a run that fits models reports (binary, regression); nil for the other kinds, which have their own.
    public let report: RunReport?
    /// What `task: associate` reports.
    public var baskets: BasketReport? = nil
    /// What `task: segment` reports.
    public var segments: SegmentReport? = nil
    /// The folder holding report.md and metrics.json.
    public let outputDirectory: String
    public let stats: ExecutionStats
    /// The test rows (0-based data rows) and, per model, the probabilities its refit pipeline gave them.
    public let testRows: [Int]
    public let testProbabilities: [String: [Double]]
    /// Saved pipeline files by model name.
    public let savedModels: [String: String]
}

/// The library's front door: spec → task graph → execution → report.
public enum Experiment {
    /// Everything `run` checks before its first fit, and nothing more: the spec, then the data read, joined,
    /// cleaned, profiled and split with the same code (and seed) as `run`, and the graph's inputs. Fits nothing
    /// and writes nothing.
    /// `warn` receives what deserves a look without being an error (a numeric column read as categories, for one).
    public static func validate(specPath: String, overrides: [String] = [], warn: @escaping @Sendable (String) -> Void = { _ in }) throws -> Spec {
        defer { SharedTable.release() }
        let spec = try loadSpec(specPath: specPath, overrides: overrides)
        do {
            var session = try RunSession(spec: spec, options: RunOptions(jobs: 1, cacheDirectory: nil, modelsDirectory: nil, warn: warn))
            do {
                switch spec.kind {
                case .binary, .multiclass, .regression: _ = try session.prepareData()
                case .segment: _ = try prepareSegmentation(spec, spec.segmentation ?? SegmentSection(ks: []), &session)
                case .associate: try session.execute([session.planner.baskets(contentHash: try DataFile.contentHash(spec, statCache: nil))])
                }
            } catch { try mapColumnError(error, spec) }
            return spec
        } catch { throw AssayError.wrap(error) }
    }

    /// The spec, validated, with its random searches' points drawn and the data file's columns checked against it
    /// (at the spec lines that name them).
    static func loadSpec(specPath: String, overrides: [String]) throws -> Spec {
        do {
            let catalog = ModelRegistry.standard.catalog
            let spec = try SpecLoader.load(path: specPath, overrides: overrides, catalog: catalog).drawingRandomPoints(catalog: catalog)
            // The columns the predictions file carries are checked too (they are read only when it is written).
            let options = DataFile.loadOptions(spec).keeping(spec.predictionColumns).keeping(spec.segments.map { [$0.value] } ?? [], role: "segments.value")
                .keeping(spec.threshold?.unitValues?.value.map { [$0] } ?? [], role: "threshold.profit.value")
            let url = URL(fileURLWithPath: spec.data.resolvedPath)
            if let events = options.events {
                // A purchase log: its header has the event columns (but those events.clean derives); the customer
                // table's columns exist once it is built, which run and validate do once, in the load task.
                let header = try CSVFile(contentsOf: url, displayName: spec.data.resolvedPath, options: options.csv, headerOnly: true)
                let derived = events.clean.compactMap { step -> String? in if case .derive(let name, _, _) = step { return name } else { return nil } }
                do {
                    try CustomerTable.checkColumns(header.names + derived, events, file: spec.data.resolvedPath)
                    for c in options.columns.keys.sorted() where !header.names.contains(c) {
                        throw DataError.unknownColumn(file: spec.data.resolvedPath, name: c, role: "data.events.columns", hint: Suggest.hint(c, among: header.names))
                    }
                } catch { try mapColumnError(error, spec) }
            } else if options.joins.isEmpty && options.clean.isEmpty && options.events == nil {
                let header = try CSVFile(contentsOf: url, displayName: spec.data.resolvedPath, options: options.csv, headerOnly: true)
                try checkColumns(header.names, spec, options)
            } else {
                // Joined and derived columns exist only once the files are read, joined and cleaned: do all of it (no fitting).
                do { _ = try DatasetLoader.load(path: url.path, displayName: spec.data.resolvedPath, options) } catch { try mapColumnError(error, spec) }
            }
            return spec
        } catch { throw AssayError.wrap(error) }
    }

    /// Writes the prepared table (a customer table's customer and cutoff columns first, then every feature column, then
    /// the target as written (a regression target as its number; none for task segment), then the fold column if any) as CSV to `output`;
    /// returns its row count.
    public static func prepare(specPath: String, overrides: [String] = [], output: String) throws -> Int {
        let spec = try loadSpec(specPath: specPath, overrides: overrides)
        guard spec.kind != .associate else {
            throw AssayError.input("\(specPath): task associate reads baskets, not a table: there is no table to prepare (assay run writes the itemsets and rules)")
        }
        do {
            let options = DataFile.loadOptions(spec)
            let data = try DatasetLoader.load(path: spec.data.resolvedPath, displayName: spec.data.resolvedPath, options)
            var columns = data.features.columns
            // A customer table says whose row it is and as of when: the customer and the cutoff come first.
            if let events = spec.data.events, let ids = data.ids, let cutoffOfRow = data.cutoffOfRow {
                columns.insert(contentsOf: [Column(name: events.customer, values: .categorical(codes: ids.indices.map(Int32.init), levels: ids)),
                                            Column(name: EventsOptions.cutoffColumn, values: .categorical(codes: cutoffOfRow.map(Int32.init), levels: data.cutoffs))],
                               at: 0)
            }
            if let values = data.values {
                columns.append(Column(name: spec.data.target, values: .numeric(values)))
            } else if spec.kind == .segment {
                // No target: the table is the rows to cluster.
            } else if let classes = data.classNames {
                columns.append(Column(name: spec.data.target, values: .categorical(codes: data.target.map(Int32.init), levels: classes)))
            } else {
                columns.append(Column(name: spec.data.target, values: .categorical(codes: data.target.map { $0 == 1 ? 0 : 1 },
                                                                                   levels: [data.positiveLabel, data.negativeLabel])))
            }
            if let folds = data.folds, let name = spec.split.foldColumn { columns.append(Column(name: name, values: .numeric(folds.map(Double.init)))) }
            let table = Table(columns: columns, rowCount: data.rowCount)
            try AtomicFiles.write([(output, Data(CSVWriter.text(table).utf8))])
            return data.rowCount
        } catch { throw AssayError.wrap(error) }
    }

    /// Runs the experiment at `specPath` and writes its report: prepare data → search → evaluate → assemble → write.
    public static func run(specPath: String, overrides: [String] = [], options: RunOptions) throws -> RunOutcome {
        defer { SharedTable.release() }
        let spec = try loadSpec(specPath: specPath, overrides: overrides)
        for (flag, folder) in [("--out", options.outputRoot)] + (options.modelsDirectory.map { [("--models-dir", $0)] } ?? []) {
            if let problem = AtomicFiles.problem(writingInto: folder) { throw AssayError.input("\(flag) \(folder): \(problem); nothing was run") }
        }
        if let file = options.predictionsFile {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isFolder), isFolder.boolValue {
                throw AssayError.input("--predictions \(file) is a folder; name a file; nothing was run")
            }
            if DataFile.paths(spec).contains(where: { URL(fileURLWithPath: $0).standardizedFileURL == URL(fileURLWithPath: file).standardizedFileURL }) {
                throw AssayError.input("--predictions \(file) is a data file of the experiment; name another file; nothing was run")
            }
            let folder = (file as NSString).deletingLastPathComponent
            if let problem = AtomicFiles.problem(writingInto: folder.isEmpty ? "." : folder) {
                throw AssayError.input("--predictions \(file): \(problem); nothing was run")
            }
        }
        do {
            var session = try RunSession(spec: spec, options: options)
            if !spec.kind.isSupervised && options.assemble { throw AssayError.input(shardRefusal(spec, "--assemble")) }
            if !spec.kind.isSupervised && options.predictionsFile != nil {
                throw AssayError.input("--predictions writes the models' predictions per row; task \(spec.kind.rawValue) fits no model to a target"
                                       + (spec.kind == .segment ? " (assay predict with its segments.assaymodel gives each row's segment)" : ""))
            }
            switch spec.kind {
            case .binary, .multiclass, .regression: break
            case .associate:
                let (report, dir, saved) = try runAssociate(spec, &session, specPath: specPath, overrides: overrides, options: options)
                var outcome = RunOutcome(experiment: spec.name, report: nil, outputDirectory: dir, stats: session.totals, testRows: [], testProbabilities: [:], savedModels: saved)
                outcome.baskets = report
                return outcome
            case .segment:
                let (report, dir, saved) = try runSegment(spec, &session, specPath: specPath, overrides: overrides, options: options)
                var outcome = RunOutcome(experiment: spec.name, report: nil, outputDirectory: dir, stats: session.totals, testRows: [], testProbabilities: [:], savedModels: saved)
                outcome.segments = report
                return outcome
            }
            let data = try session.prepareData()
            let searches = try session.search(data, shard: nil, assemble: options.assemble, shardCount: options.shardCount)
            let evaluation = try session.evaluate(searches, data)
            var report = session.assemble(data, evaluation)
            if let rule = spec.segments { report.segments = try segments(rule, spec, data, evaluation) }
            let dir = try WriteStage.report(report, outputRoot: options.outputRoot)
            if let file = options.predictionsFile {
                var ids: [String]? = nil, kept: [TextColumn] = []
                if spec.data.id != nil {
                    try session.execute([data.load])  // the table, from the cache: its ids
                    ids = try session.value(data.load, as: Dataset.self).ids
                }
                if !spec.predictionColumns.isEmpty {
                    // Read here, not in the cached load task: carrying a column must not change any task's key.
                    let options = DataFile.loadOptions(spec).keeping(spec.predictionColumns)
                    kept = try DatasetLoader.load(path: spec.data.resolvedPath, displayName: spec.data.resolvedPath, options).kept
                }
                try AtomicFiles.write([(file, Data(WriteStage.predictions(spec, data, ids: ids, kept: kept, evaluation).utf8))])
            }
            let saved = try options.modelsDirectory.map {
                try WriteStage.models(spec, specPath: specPath, overrides: overrides, data, evaluation, modelsDirectory: $0, onlyBest: options.saveOnlyBest)
            } ?? [:]
            return RunOutcome(experiment: spec.name, report: report, outputDirectory: dir, stats: session.totals, testRows: data.split.test,
                              testProbabilities: Dictionary(uniqueKeysWithValues: zip(spec.models.map(\.name), evaluation.refits.map(\.test.probabilities))),
                              savedModels: saved)
        } catch { throw AssayError.wrap(error) }
    }

    /// `segments:` of the run: the value column read as it is (not in any cached task: adding segments refits nothing),
    /// each row's probability from the best model (out of fold on training rows, refit on test rows).
    static func segments(_ rule: SegmentsRule, _ spec: Spec, _ data: PreparedData, _ evaluation: Evaluation) throws -> ValueSegments? {
        guard let best = evaluation.models.firstIndex(where: { $0.name == evaluation.bestModel }) else { return nil }
        let column = try numericColumn(rule.value, role: "segments.value", spec)
        var rows: [Int] = [], probabilities: [Double] = []
        for (r, p) in zip(data.split.validated, evaluation.outOfFold[best].probabilities) { rows.append(r); probabilities.append(p) }
        let test = evaluation.refits[best].test
        for (r, p) in zip(test.rows, test.probabilities) { rows.append(r); probabilities.append(p) }
        // A row without a value (a missing token) cannot be banded: it is left out, and the section says how many.
        var kept: [(row: Int, probability: Double, value: Double)] = []
        for (r, p) in zip(rows, probabilities) {
            if let v = column[r] { kept.append((r, p, v)) }
        }
        var segments = ValueSegments(model: evaluation.models[best].name, value: rule.value, probabilities: kept.map(\.probability),
                                     values: kept.map(\.value), labels: kept.map { data.profile.labels[$0.row] },
                                     probabilityCuts: rule.probability, valueCuts: rule.valueBands)
        segments.withoutValue = rows.count - kept.count
        return segments
    }

    /// A profit rule's `value` column by table row: every row needs one, since every scored row may be flagged.
    static func profitValues(column name: String, _ spec: Spec) throws -> [Double] {
        let role = "threshold.profit.value"
        return try numericColumn(name, role: role, spec).enumerated().map { r, v in
            guard let v else { throw AssayError.input("\(role): column '\(name)' has no value in row \(r + 1) of the table; every row needs one (fill or drop it with clean:)") }
            return v
        }
    }

    /// A numeric column the report needs beside the model (a value to cross with scores), read as it is, not in any
    /// cached task: naming it refits nothing. Per table row, nil where it holds a missing token.
    static func numericColumn(_ name: String, role: String, _ spec: Spec) throws -> [Double?] {
        let options = DataFile.loadOptions(spec).keeping([name], role: role)
        guard let column = try DatasetLoader.load(path: spec.data.resolvedPath, displayName: spec.data.resolvedPath, options).kept.first else {
            throw AssayError.input("\(role): column '\(name)' was not read")
        }
        return try column.values.enumerated().map { r, text in
            if spec.data.missing.contains(text) { return nil }
            guard let v = NumberParser.parse(text, decimal: spec.data.decimal), v.isFinite else {
                throw AssayError.input("\(role): column '\(name)' holds '\(text)' in row \(r + 1) of the table, not a number")
            }
            return v
        }
    }

    /// Runs shard `shard` of the spec's CV fits (`assay run --shard i/N`): the fits whose position in plan order is i
    /// modulo N, with whatever load, split and preprocessing they need, into the cache; no report. A search that races
    /// its points (successive halving) continues only as far as every fit of a round is in the cache: a later
    /// `--shard` run goes on from there.
    public static func runShard(specPath: String, overrides: [String] = [], options: RunOptions, shard: Shard) throws -> ShardOutcome {
        defer { SharedTable.release() }
        let spec = try loadSpec(specPath: specPath, overrides: overrides)
        guard spec.kind.isSupervised else { throw AssayError.input(shardRefusal(spec, "--shard")) }
        guard options.cacheDirectory != nil else { throw AssayError.input("--shard needs a cache: the shards' fits meet there") }
        do {
            var session = try RunSession(spec: spec, options: options)
            let data = try session.prepareData()
            var progress = ShardProgress()
            _ = try session.search(data, shard: (shard, { progress = $0 }), assemble: false)
            return ShardOutcome(experiment: spec.name, shard: shard, progress: progress, stats: session.totals)
        } catch { throw AssayError.wrap(error) }
    }

    /// Why `--shard` and `--assemble` do not apply to a kind without a grid of model fits.
    static func shardRefusal(_ spec: Spec, _ flag: String) -> String {
        "\(flag) splits a grid of model fits across machines; task \(spec.kind.rawValue) has none (run it whole: assay run \(spec.file))"
    }

    /// Checks that the columns the spec names exist, reporting a missing one at the spec line that names it.
    static func checkColumns(_ names: [String], _ spec: Spec, _ options: LoadOptions) throws {
        do { try DatasetLoader.checkColumns(names, options, file: spec.data.resolvedPath) } catch { try mapColumnError(error, spec) }
    }

    /// Rethrows a missing-column error at the spec line that names the column.
    static func mapColumnError(_ error: Error, _ spec: Spec) throws -> Never {
        guard case DataError.unknownColumn(let file, let name, let role, let hint) = error else { throw error }
        throw SpecError(at: spec.location(ofColumn: name, role: role), "\(role): no column '\(name)' in \(file)\(hint)")
    }
}

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
    public var observer: ExecutionObserver?
    /// Receives warnings (a damaged cache entry, for example).
    public var warn: @Sendable (String) -> Void

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

/// What a run produced.
public struct RunOutcome: Sendable {
    public let report: RunReport
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
    /// Loads and validates a spec and checks the data file's columns, running nothing.
    public static func validate(specPath: String, overrides: [String] = []) throws -> Spec {
        do {
            let spec = try SpecLoader.load(path: specPath, overrides: overrides, catalog: ModelRegistry.standard.catalog)
            let options = DataFile.loadOptions(spec)
            let url = URL(fileURLWithPath: spec.data.resolvedPath)
            if options.joins.isEmpty && options.clean.isEmpty {
                let header = try CSVFile(contentsOf: url, displayName: spec.data.resolvedPath, options: options.csv, headerOnly: true)
                try checkColumns(header.names, spec, options)
            } else {
                // Joined and derived columns exist only once the files are read, joined and cleaned: do all of it (no fitting).
                let csv = try CSVFile(contentsOf: url, displayName: spec.data.resolvedPath, options: options.csv)
                do { _ = try DatasetLoader.load(csv, options) } catch { try mapColumnError(error, spec) }
            }
            return spec
        } catch { throw AssayError.wrap(error) }
    }

    /// Writes the prepared table (every feature column, then the target as written, then the fold column if any)
    /// as CSV to `output`; returns its row count.
    public static func prepare(specPath: String, overrides: [String] = [], output: String) throws -> Int {
        let spec = try validate(specPath: specPath, overrides: overrides)
        do {
            let options = DataFile.loadOptions(spec)
            let csv = try CSVFile(contentsOf: URL(fileURLWithPath: spec.data.resolvedPath), displayName: spec.data.resolvedPath, options: options.csv)
            let data = try DatasetLoader.load(csv, options)
            var columns = data.features.columns
            let labels = data.target.map { $0 == 1 ? data.positiveLabel : data.negativeLabel }
            columns.append(Column(name: spec.data.target, values: .categorical(codes: labels.map { $0 == data.positiveLabel ? 0 : 1 },
                                                                               levels: [data.positiveLabel, data.negativeLabel])))
            if let folds = data.folds, let name = spec.split.foldColumn { columns.append(Column(name: name, values: .numeric(folds.map(Double.init)))) }
            let table = Table(columns: columns, rowCount: data.rowCount)
            try AtomicFiles.write([(output, Data(CSVWriter.text(table).utf8))])
            return data.rowCount
        } catch { throw AssayError.wrap(error) }
    }

    /// Runs the experiment at `specPath` and writes its report.
    public static func run(specPath: String, overrides: [String] = [], options: RunOptions) throws -> RunOutcome {
        let spec = try validate(specPath: specPath, overrides: overrides)
        do {
            let store: ContentStore = options.cacheDirectory.map {
                DirectoryStore(root: URL(fileURLWithPath: $0).appendingPathComponent("objects"), warn: options.warn)
            } ?? NoStore()
            let statCache = options.cacheDirectory.map { URL(fileURLWithPath: $0).appendingPathComponent("stat") }
            let executor = Executor(store: store, jobs: options.jobs, observer: options.observer)
            var planner = Planner(spec: spec)

            // Stage 1: the table's profile and the split.
            let hash = try DataFile.contentHash(spec, statCache: statCache)
            let load = planner.load(contentHash: hash)
            let schemaKey = planner.schema(load), splitKey = planner.split(load), profileKey = planner.profile(contentHash: hash)
            let stage1 = try executor.run(planner.graph, want: [schemaKey, splitKey, profileKey])
            var known = stage1.results
            var stats = stage1.stats
            let profile = try DataProfile(decoding: known[schemaKey]!)
            let split = try Split(decoding: known[splitKey]!)
            let tableProfile = try TableProfile(decoding: known[profileKey]!)
            try checkInputs(spec, profile, split)

            // Stage 2: every (model, grid point, fold) fit; a successive-halving model runs its first round here.
            let samples = split.train.count
            let schedules = spec.models.map { m in
                m.halving.map { SuccessiveHalving.schedule(samples: samples, candidates: m.points.count, folds: split.folds.count, settings: $0) }
            }
            func keys(_ m: ModelSpec, _ point: [String: ParamValue], resources: Int) -> [TaskKey] {
                let variant = Preprocessing(m.steps(for: point, default: spec.preprocess))
                return split.folds.indices.map { k in
                    planner.fit(m, point, fold: k, variant: variant, load: load, split: splitKey, resources: resources < samples ? resources : nil)
                }
            }
            // Per model and point: the fits of the last round it was scored in, and that round.
            var fitKeys: [[[TaskKey]]] = zip(spec.models, schedules).map { m, schedule in
                m.points.map { keys(m, $0, resources: schedule?.first?.resources ?? samples) }
            }
            var reached = spec.models.map { [Int](repeating: 0, count: $0.points.count) }
            var finalists = spec.models.map { Set($0.points.indices) }
            let stage2 = try executor.run(planner.graph, want: fitKeys.flatMap { $0.flatMap { $0 } }, known: known)
            known.merge(stage2.results) { a, _ in a }
            stats = stats + stage2.stats
            for (i, m) in spec.models.enumerated() {
                guard let schedule = schedules[i], let settings = m.halving else { continue }
                var alive = Array(m.points.indices)
                for round in 1..<max(schedule.count, 1) {
                    // The best ceil(n / factor) of the last round go on (a NaN score is worst; ties keep the earlier point).
                    let means = try alive.map { p in
                        try pointReport(spec, m, m.points[p], try fitKeys[i][p].map { try Predictions(decoding: known[$0]!) }).cv[spec.select]!.mean
                    }
                    let ranked = alive.indices.sorted { a, b in
                        spec.select.isBetter(means[a], than: means[b]) || (!spec.select.isBetter(means[b], than: means[a]) && alive[a] < alive[b])
                    }
                    alive = ranked.prefix((alive.count + settings.factor - 1) / settings.factor).map { alive[$0] }.sorted()
                    for p in alive {
                        fitKeys[i][p] = keys(m, m.points[p], resources: schedule[round].resources)
                        reached[i][p] = round
                    }
                    let stage = try executor.run(planner.graph, want: alive.flatMap { fitKeys[i][$0] }, known: known)
                    known.merge(stage.results) { a, _ in a }
                    stats = stats + stage.stats
                }
                finalists[i] = Set(alive)
            }

            // Aggregate folds, pick each model's point (among the last round's, for successive halving).
            var models: [ModelReport] = []
            for (i, (m, keys)) in zip(spec.models, fitKeys).enumerated() {
                let foldPredictions = try keys.map { try $0.map { try Predictions(decoding: known[$0]!) } }
                var points = try zip(m.points, foldPredictions).map { point, folds in try pointReport(spec, m, point, folds) }
                if let schedule = schedules[i] {
                    for p in points.indices {
                        let round = reached[i][p]
                        points[p].notes.append("successive halving: scored in round \(round + 1) of \(schedule.count) on \(schedule[round].resources) of \(samples) training rows"
                            + (finalists[i].contains(p) ? "" : ", then dropped"))
                    }
                }
                var best = finalists[i].min()!
                for p in points.indices where finalists[i].contains(p) && spec.select.isBetter(points[p].cv[spec.select]!.mean, than: points[best].cv[spec.select]!.mean) {
                    best = p
                }
                var report = ModelReport(name: m.name, type: m.type, fixedParams: m.params.keys.sorted().map { ($0, m.params[$0]!) },
                                         preprocess: describe(m.steps(for: m.points[best], default: spec.preprocess)), points: points, bestIndex: best, test: [:])
                report.outOfFold = outOfFold(foldPredictions[best])
                report.details = (m.searchDescription.map { ["Search: \($0)"] } ?? [])
                    + (m.calibrate.map { ["Calibration: \($0.method.rawValue), fitted on \($0.cv) inner folds of each fit's training rows (CalibratedClassifierCV, ensemble)"] } ?? [])
                models.append(report)
            }

            // Stage 3: refit each model's selected point on all training rows; score the test rows once.
            let refitKeys = zip(spec.models, models).map { m, r in
                planner.refit(m, m.points[r.bestIndex], variant: Preprocessing(m.steps(for: m.points[r.bestIndex], default: spec.preprocess)), load: load, split: splitKey)
            }
            let stage3 = try executor.run(planner.graph, want: refitKeys, known: known)
            stats = stats + stage3.stats
            let refits = try refitKeys.map { try RefitResult(decoding: stage3.results[$0]!) }
            for (i, refit) in refits.enumerated() where !split.test.isEmpty {
                models[i].testScores = ScoredRows(labels: refit.test.labels, probabilities: refit.test.probabilities)
                let threshold = models[i].best.threshold
                models[i].test = Dictionary(uniqueKeysWithValues: spec.metrics.map {
                    ($0, Scoring.score($0, labels: refit.test.labels, probabilities: refit.test.probabilities, threshold: threshold))
                })
                var rng = SplitMix64(seed: Seeds.derive(spec.seed, "bootstrap \(models[i].name)"))
                models[i].testIntervals = Bootstrap.intervals(spec.metrics, labels: refit.test.labels, probabilities: refit.test.probabilities,
                                                              threshold: threshold, using: &rng)
            }
            var bestModel: String? = nil
            var bestScore = Double.nan
            for m in models {
                let s = m.best.cv[spec.select]!.mean
                if bestModel == nil && !s.isNaN || spec.select.isBetter(s, than: bestScore) { bestModel = m.name; bestScore = s }
            }
            var importance: ImportanceReport? = nil
            // Stage 4: permutation importance of the best model on the test rows.
            if let best = models.firstIndex(where: { $0.name == bestModel }), !split.test.isEmpty {
                let repeats = 5
                let key = planner.importance(spec.models[best], refit: refitKeys[best], load: load, split: splitKey, repeats: repeats)
                let stage4 = try executor.run(planner.graph, want: [key], known: stage3.results.merging(known) { a, _ in a })
                stats = stats + stage4.stats
                let result = try PermutationImportance.Result(decoding: stage4.results[key]!)
                let columns = result.columns.map { ($0.name, summarize($0.importances), $0.importances) }
                    .sorted { $0.1.mean != $1.1.mean ? $0.1.mean > $1.1.mean : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
                importance = ImportanceReport(model: models[best].name, metric: spec.select, rows: split.test.count, repeats: repeats,
                                              baseline: result.baseline, columns: columns)
            } else if let best = models.firstIndex(where: { $0.name == bestModel }) {
                // No test set: each fold's model of the selected point on its own validation rows (out-of-fold).
                let repeats = 5, m = spec.models[best], point = m.points[models[best].bestIndex]
                let variant = Preprocessing(m.steps(for: point, default: spec.preprocess))
                // The fits the selected point was scored with: under successive halving, those of its last round.
                let resources = schedules[best].map { $0[reached[best][models[best].bestIndex]].resources }.flatMap { $0 < samples ? $0 : nil }
                let keys = split.folds.indices.map {
                    planner.foldImportance(planner.fitTask(m, point, fold: $0, variant: variant, resources: resources), m, variant: variant,
                                           load: load, split: splitKey, repeats: repeats)
                }
                let stage4 = try executor.run(planner.graph, want: keys, known: known)
                stats = stats + stage4.stats
                let results = try keys.map { try PermutationImportance.Result(decoding: stage4.results[$0]!) }
                let columns = results[0].columns.indices.map { c in
                    (results[0].columns[c].name, results.flatMap { $0.columns[c].importances })
                }.map { ($0.0, summarize($0.1), $0.1) }
                    .sorted { $0.1.mean != $1.1.mean ? $0.1.mean > $1.1.mean : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
                importance = ImportanceReport(model: models[best].name, metric: spec.select, rows: split.train.count, repeats: repeats * split.folds.count,
                                              baseline: Stats.mean(results.map(\.baseline)), columns: columns)
                importance?.outOfFold = true
            }
            stats.tasks = planner.graph.count
            stats.cached = stats.tasks - stats.executed

            var report = RunReport(
                experiment: spec.name, description: spec.description, select: spec.select, metrics: spec.metrics,
                data: DataSummary(path: spec.data.path, rows: profile.rows, trainRows: profile.rows - split.test.count,
                                  testRows: split.test.count, positiveRate: Double(profile.positives) / Double(profile.rows),
                                  target: spec.data.target, positiveLabel: spec.data.positive, numericColumns: profile.numeric,
                                  categoricalColumns: profile.categorical, split: describe(spec, split), preparation: profile.preparation),
                models: models, bestModel: bestModel, profile: tableProfile)
            report.importance = importance
            if let best = models.firstIndex(where: { $0.name == bestModel }), let (kind, values) = refits[best].model.ownImportance {
                let names = refits[best].preprocessing.outputNames
                report.impurityImportance = (models[best].name, kind, zip(names, values).map { ($0, $1) }
                    .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) })
            }
            report.threshold = spec.threshold
            let dir = options.outputRoot + "/" + spec.name
            let markdown = MarkdownReport.render(report), figures = Figures.render(report)
            let html = HTMLReport.render(markdown: markdown, title: report.experiment, figures: Dictionary(uniqueKeysWithValues: figures))
            try AtomicFiles.write([(dir + "/report.md", Data(markdown.utf8)), (dir + "/metrics.json", Data(MetricsJSON.render(report).utf8)),
                                   (dir + "/report.html", Data(html.utf8))]
                + figures.map { (dir + "/figures/" + $0.file, Data($0.svg.utf8)) })
            var saved: [String: String] = [:]
            if let modelsDir = options.modelsDirectory {
                let specText = (try? String(contentsOfFile: specPath, encoding: .utf8)) ?? ""
                let specHash = SHA256.hex(([specText] + overrides).joined(separator: "\n--set "))
                var files: [(String, Data)] = []
                for (i, m) in spec.models.enumerated() where !options.saveOnlyBest || m.name == bestModel {
                    let path = modelsDir + "/" + spec.name + "/" + m.name + ".assaymodel"
                    files.append((path, pipeline(spec, m, models[i], refits[i], profile, specHash).fileData()))
                    saved[m.name] = path
                }
                try AtomicFiles.write(files)
            }
            return RunOutcome(report: report, outputDirectory: dir, stats: stats, testRows: split.test,
                              testProbabilities: Dictionary(uniqueKeysWithValues: zip(spec.models.map(\.name), refits.map(\.test.probabilities))),
                              savedModels: saved)
        } catch { throw AssayError.wrap(error) }
    }

    /// One grid point's CV scores over its folds; a threshold rule is applied to its out-of-fold predictions.
    static func pointReport(_ spec: Spec, _ m: ModelSpec, _ point: [String: ParamValue], _ folds: [Predictions]) throws -> GridPointReport {
        let oof = outOfFold(folds)
        let threshold = spec.threshold.map { Thresholds.choose($0, labels: oof.labels, probabilities: oof.probabilities) } ?? 0.5
        let scores = Dictionary(uniqueKeysWithValues: spec.metrics.map { metric in
            (metric, folds.map { Scoring.score(metric, labels: $0.labels, probabilities: $0.probabilities, threshold: threshold) })
        })
        var report = GridPointReport(params: m.gridNames.map { ($0, point[$0]!) }, cv: scores.mapValues(summarize), notes: notes(folds), foldScores: scores)
        report.threshold = threshold
        return report
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
        for (k, fold) in split.folds.enumerated() {
            let validation = Set(fold)
            let training = split.train.filter { !validation.contains($0) }.map { profile.labels[$0] }
            guard training.contains(0), training.contains(1) else {
                throw AssayError.input("\(spec.data.resolvedPath): the training rows of fold \(k) hold only one class; use fewer folds")
            }
        }
    }

    static func summarize(_ scores: [Double]) -> FoldSummary {
        FoldSummary(mean: Stats.mean(scores), std: Stats.std(scores))
    }

    /// A point's out-of-fold predictions: every training row once, in row order (with repeated k-fold, the mean
    /// of its predictions over the repeats).
    static func outOfFold(_ folds: [Predictions]) -> ScoredRows {
        var sum: [Int: (label: UInt8, total: Double, count: Int)] = [:]
        for f in folds {
            for i in f.rows.indices {
                let r = f.rows[i]
                let old = sum[r] ?? (f.labels[i], 0, 0)
                sum[r] = (old.label, old.total + f.probabilities[i], old.count + 1)
            }
        }
        let rows = sum.keys.sorted()
        return ScoredRows(labels: rows.map { sum[$0]!.label }, probabilities: rows.map { sum[$0]!.total / Double(sum[$0]!.count) })
    }

    static func notes(_ folds: [Predictions]) -> [String] {
        let stopped = folds.compactMap(\.note)
        guard let first = stopped.first else { return [] }
        return ["\(stopped.count) of \(folds.count) fold fits \(first)"]
    }

    static func describe(_ steps: [PreprocessStep]) -> String {
        guard !steps.isEmpty else { return "none (categorical columns ordinal-encoded)" }
        func on(_ c: ColumnSelector) -> String { c.isAll ? "" : " on \(c.display)" }
        return steps.map { step -> String in
            switch step {
            case .impute(let i):
                return "impute (numeric \(i.numeric.rawValue), categorical \(i.categorical.rawValue)\(i.value == .null ? "" : ", value \(i.value.display)")"
                    + (i.addIndicator ? ", missing indicators" : "") + ")" + on(i.columns)
            case .encode(let e):
                var options: [String] = []
                if e.handleUnknown != .ignore { options.append("handle_unknown \(e.handleUnknown.rawValue)") }
                if let m = e.minFrequency { options.append("min_frequency \(NumberFormat.json(m))") }
                if let m = e.maxCategories { options.append("max_categories \(m)") }
                if !e.order.isEmpty { options.append("order given for " + e.order.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")) }
                if e.method == .target { options.append("smooth \(e.smooth.map(NumberFormat.json) ?? "auto"), \(e.cv) inner folds") }
                return "encode \(e.method.rawValue)" + (options.isEmpty ? "" : " (\(options.joined(separator: ", ")))") + on(e.columns)
            case .scale(let m, let c): return "scale \(m.rawValue)" + on(c)
            case .log1p(let c): return "log1p" + on(c)
            case .clip(let c):
                let bounds = c.quantiles.map { "quantiles \(NumberFormat.json($0[0]))–\(NumberFormat.json($0[1]))" }
                    ?? "[\(c.min.map(NumberFormat.json) ?? "-∞"), \(c.max.map(NumberFormat.json) ?? "∞")]"
                return "clip \(bounds)" + on(c.columns)
            case .resample(let r):
                return "resample \(r.method.rawValue) (training rows only\(r.method == .smote || r.method == .smoteNC ? ", k_neighbors \(r.kNeighbors)" : "")"
                    + (r.samplingStrategy.map { ", sampling_strategy \(NumberFormat.json($0))" } ?? "") + ")"
            }
        }.joined(separator: " → ")
    }

    static func describe(_ spec: Spec, _ split: Split) -> String {
        let k = split.folds.count
        if let fc = spec.split.foldColumn {
            return "predefined folds from column `\(fc)`: \(k) folds, \(split.test.count) test rows (fold -1)"
        }
        let cv = spec.split.repeats > 1 ? "stratified \(spec.split.folds)-fold CV repeated \(spec.split.repeats) times (\(k) fits per point)"
            : "stratified \(k)-fold CV"
        guard spec.split.testSize > 0 else { return "no test set; \(cv) on all rows, seed \(spec.seed)" }
        return "stratified holdout of \(NumberFormat.json(spec.split.testSize * 100))% for test, then \(cv) on the training rows, seed \(spec.seed)"
    }
}

import ArgumentParser
import Assay
import AssayCore
import AssayEngine
import AssayLearn
import AssaySpec
import Foundation

@main
struct Main {
    static func main() {
        do {
            var command = try AssayCommand.parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            // Help and version requests exit 0; every usage error exits 2, as SPEC.md says.
            if AssayCommand.exitCode(for: error) == .success {
                print(AssayCommand.fullMessage(for: error))
                exit(0)
            }
            var message = AssayCommand.fullMessage(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }  // one "error:", not two
            FileHandle.standardError.write(Data(("assay: error: " + message + "\n").utf8))
            exit(2)
        }
    }
}

struct AssayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assay",
        abstract: "Run tabular machine-learning experiments declared in YAML.",
        version: AssayVersion.current,
        subcommands: [Init.self, Run.self, Validate.self, Check.self, Diff.self, Predict.self, Prepare.self, Models.self, Schema.self])
}

/// Options shared by commands that read a spec.
struct SpecOptions: ParsableArguments {
    @Argument(help: "The experiment spec (YAML).")
    var spec: String

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a spec value: dotted.path=YAML (repeatable).", valueName: "key=value"))
    var overrides: [String] = []
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an experiment and write runs/<name>/report.md and metrics.json.",
        discussion: "Example: assay run experiments/quickstart.yaml --set 'models.logreg.grid.C=[0.1, 1]' --jobs 2")

    @OptionGroup var specOptions: SpecOptions

    @Option(parsing: .unconditional, help: "Fits to run at once (default: all cores).")
    var jobs: Int?

    @Option(help: "Folder for run reports.")
    var out: String = "runs"

    @Option(help: "Cache folder, or an http(s):// URL of a shared cache served as <URL>/ac/<key> (default: $ASSAY_CACHE_DIR or .assay/cache).")
    var cacheDir: String?

    @Option(help: "A shared cache (http(s):// or s3://) behind the local --cache-dir: read through, written through (default: $ASSAY_REMOTE_CACHE).")
    var remoteCache: String?

    @Option(help: "Write task statistics and wall time as JSON to this file.")
    var statsJson: String?

    @Option(help: "Folder for saved pipelines, <dir>/<name>/<model>.assaymodel (default: .assay/models for runs/, else the --out folder, so a variant's models stay with its report).")
    var modelsDir: String?

    @Flag(help: "Save only the best model's pipeline.")
    var saveBestOnly = false

    @Option(help: "Write every row's predictions as CSV: each training row's out-of-fold probability per model (with its fold and repeat), each test row's from the refit models.")
    var predictions: String?

    @Option(help: ArgumentHelp("Run only the CV fits at positions i-1 mod N of the plan, into the cache; write no report (see --assemble).", valueName: "i/N"))
    var shard: String?

    @Flag(help: "Write the report from the shards' fits in the cache, fitting no CV fit; exit 3 naming the missing ones.")
    var assemble = false

    @Option(help: ArgumentHelp("With --assemble: how many shards ran the fits, so that a missing fit names the shard that owns it.", valueName: "N"))
    var shards: Int?

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1, got \(jobs)") }
        if let shard, Shard(shard) == nil { throw ValidationError("--shard must be i/N with 1 ≤ i ≤ N, got '\(shard)'") }
        if shard != nil && assemble { throw ValidationError("--shard runs one slice of the fits and --assemble writes the report from all of them; use one") }
        if let shards, !assemble || shards < 1 { throw ValidationError(shards < 1 ? "--shards must be at least 1, got \(shards)" : "--shards goes with --assemble: it names the shard that owns a missing fit") }
        if shard != nil && predictions != nil { throw ValidationError("--predictions needs the report's run: pass it with --assemble, not --shard") }
        var isDir: ObjCBool = false
        if let statsJson, FileManager.default.fileExists(atPath: statsJson, isDirectory: &isDir), isDir.boolValue {
            throw ValidationError("--stats-json \(statsJson) is a folder; name a file")
        }
    }

    func run() throws {
        let start = Date()
        let cache = cacheDir ?? ProcessInfo.processInfo.environment["ASSAY_CACHE_DIR"] ?? ".assay/cache"
        let progress = Progress(terminal: isatty(2) == 1)
        var options = RunOptions(jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount, outputRoot: out,
                                 cacheDirectory: cache, modelsDirectory: modelsDir ?? RunOptions.defaultModelsDirectory(outputRoot: out), saveOnlyBest: saveBestOnly, observer: progress, warn: { Console.error("warning: \($0)") })
        options.predictionsFile = predictions
        options.assemble = assemble
        options.shardCount = shards
        options.remoteCache = remoteCache ?? ProcessInfo.processInfo.environment["ASSAY_REMOTE_CACHE"].flatMap { $0.isEmpty ? nil : $0 }
        if let shard = shard.flatMap(Shard.init) {
            let outcome = try reportingErrors {
                try Experiment.runShard(specPath: specOptions.spec, overrides: specOptions.overrides, options: options, shard: shard)
            }
            progress.clear()
            let p = outcome.progress, s = outcome.stats
            Console.error("assay: \(outcome.experiment): shard \(shard.description): \(p.ownFits) fits of its own (\(p.ownFits - p.ownFitsCached) run, \(p.ownFitsCached) cached)"
                + (p.waitingFor > 0 ? "; after \(p.rounds) complete round\(p.rounds == 1 ? "" : "s") the race's next round waits for \(p.waitingFor) fits of other shards: "
                                      + "run this shard again once they are in the cache"
                                    : "; its part is done")
                + String(format: "; %.2f s", Date().timeIntervalSince(start)))
            try writeStats(s, seconds: Date().timeIntervalSince(start))
            return
        }
        let outcome = try reportingErrors {
            try Experiment.run(specPath: specOptions.spec, overrides: specOptions.overrides, options: options)
        }
        progress.clear()
        let seconds = Date().timeIntervalSince(start)
        let s = outcome.stats
        let fits = s.executedByKind["fit", default: 0]
        Console.error("assay: \(outcome.experiment): \(s.tasks) tasks, \(s.executed) executed (\(fits) fits), \(s.cached) cached, "
            + String(format: "%.2f s", seconds) + "; wrote \(outcome.outputDirectory)/ (report.md, report.html, metrics.json, figures/)"
            + (outcome.savedModels.isEmpty ? "" : "; models in \(((outcome.savedModels.values.first ?? "") as NSString).deletingLastPathComponent)/"))
        try writeStats(s, seconds: seconds)
    }

    /// `--stats-json`: task counts, wall time, and the seconds the executed tasks of each kind took (summed over workers).
    func writeStats(_ s: ExecutionStats, seconds: Double) throws {
        guard let statsJson else { return }
        let kinds = s.secondsByKind.keys.sorted().map { "\"\($0)\": " + String(format: "%.3f", s.secondsByKind[$0]!) }.joined(separator: ", ")
        let text = "{\"cached\": \(s.cached), \"executed\": \(s.executed), \"fits_executed\": \(s.executedByKind["fit", default: 0]), \"seconds\": "
            + String(format: "%.3f", seconds) + ", \"task_seconds_by_kind\": {\(kinds)}, \"tasks\": \(s.tasks)}\n"
        guard FileManager.default.createFile(atPath: statsJson, contents: Data(text.utf8)) else {
            Console.error("assay: error: cannot write \(statsJson)")
            throw ExitCode(1)
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a spec and its data as run would before its first fit; fit nothing.",
        discussion: "Example: assay validate experiments/quickstart.yaml")

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let spec = try reportingErrors {
            try Experiment.validate(specPath: specOptions.spec, overrides: specOptions.overrides) { Console.error("warning: \($0)") }
        }
        let fits = spec.models.reduce(0) { $0 + $1.points.count }
        let what: String
        switch spec.kind {
        case .binary, .multiclass, .regression: what = "\(spec.models.count) models, \(fits) grid points"
        case .segment: what = "task segment, k in \((spec.segmentation?.ks ?? []).map(String.init).joined(separator: ", "))"
        case .associate: what = "task associate, min_support \(spec.associate.map { NumberFormat.json($0.minSupport) } ?? "")"
        }
        print("\(specOptions.spec): ok (\(what))")
    }
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a starter spec for a table: format, target, positive label, missing tokens, columns to set aside, default models.",
        discussion: "Example: assay init data/customers.csv --target churned   (writes experiments/customers.yaml)")

    @Argument(help: "The table (CSV, or semicolon-, tab- or |-separated).") var data: String
    @Option(help: "The column to predict (default: guessed among the two-valued columns).") var target: String?
    @Option(help: "The target's positive label (default: 1, yes or true, else the rarer value).") var positive: String?
    @Option(help: "The spec to write (default: experiments/<file stem>.yaml).") var output: String?
    @Flag(help: "Replace the output if it exists.") var force = false

    func run() throws {
        let stem = ((data as NSString).lastPathComponent as NSString).deletingPathExtension
        let output = self.output ?? "experiments/\(stem).yaml"
        let starter = try reportingErrors {
            try StarterSpec.write(dataPath: data, output: output, target: target, positive: positive, force: force)
        }
        print("wrote \(output)")
        for line in starter.findings { print("  \(line)") }
        print("next: assay run \(output)")
    }
}

struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every model type a spec may name, with each parameter's allowed values and default.",
        discussion: "Example: assay models | grep -A12 '^svm'")

    func run() throws { print(ModelRegistry.standard.listing, terminator: "") }
}

struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a JSON Schema of the spec format, for editors that complete and check YAML (docs/assay.schema.json is a copy).",
        discussion: "Example: assay schema > assay.schema.json")

    func run() throws { print(SpecSchema.document(catalog: ModelRegistry.standard.catalog).rendered(), terminator: "") }
}

struct Prepare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the table a spec's models see: its files read, joined and cleaned, before the split.",
        discussion: "Example: assay prepare experiments/buyer_activity.yaml --output joined.csv")

    @OptionGroup var specOptions: SpecOptions
    @Option(help: "The CSV file to write (comma-separated, numbers with '.'; a missing cell is empty).") var output: String

    func run() throws {
        let rows = try reportingErrors { try Experiment.prepare(specPath: specOptions.spec, overrides: specOptions.overrides, output: output) }
        print("\(output): \(rows) rows")
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate the spec's checks: against a run's metrics.json; run no model.",
        discussion: "Exit 0 when every check holds, 1 when one fails, 2 on bad input. With GITHUB_ACTIONS=true each failure is also an ::error annotation.\n\nExample: assay check experiments/quickstart.yaml --out .assay/pr-runs --junit checks.xml")

    @OptionGroup var specOptions: SpecOptions

    @Option(help: "Folder holding the run to check, <dir>/<name>/metrics.json.")
    var out: String = "runs"

    @Option(help: "The metrics.json (or run folder) tolerances compare against (default: checks.baseline, else runs/<name>/metrics.json).")
    var baseline: String?

    @Option(help: "Also write the results as JUnit XML to this file.")
    var junit: String?

    func run() throws {
        let outcome = try reportingErrors {
            try Gate.check(specPath: specOptions.spec, overrides: specOptions.overrides, outputRoot: out, baseline: baseline)
        }
        for o in outcome.outcomes { print((o.passed ? "ok    " : "FAIL  ") + o.message) }
        if let baseline, outcome.baselineFile == nil { Console.error("assay: note: no check has a tolerance, so --baseline \(baseline) was not read") }
        if let junit { try reportingErrors { try Gate.write(outcome.junit, to: junit) } }
        if ProcessInfo.processInfo.environment["GITHUB_ACTIONS"] == "true" {
            for line in outcome.githubAnnotations { print(line) }
        }
        let failed = outcome.failed.count
        Console.error("assay: \(outcome.experiment): \(outcome.outcomes.count) check\(outcome.outcomes.count == 1 ? "" : "s"), \(failed) failed (\(outcome.metricsFile)"
            + (outcome.baselineFile.map { " against \($0)" } ?? "") + ")")
        if failed > 0 { throw ExitCode(1) }
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the metrics that changed between two runs (run folders or metrics.json files).",
        discussion: "Example: assay diff runs/quickstart .assay/pr-runs/quickstart --format json")

    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, json }

    @Argument(help: "The earlier run.")
    var a: String

    @Argument(help: "The later run.")
    var b: String

    @Option(help: "markdown or json.")
    var format: Format = .markdown

    func run() throws {
        let diff = try reportingErrors { try Gate.diff(a, b) }
        print(format == .json ? diff.json() : diff.markdown(), terminator: "")
    }
}

struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score new rows with a saved pipeline (ranked by probability), assign them segments, or suggest items for baskets.",
        discussion: """
            Example: assay predict --model .assay/models/quickstart/logreg.assaymodel --input new.csv --output calls.csv --top 10%
            A segment model (segments.assaymodel) writes each row's segment; a rules model (rules.assaymodel) writes up to --top N (default 3) items per basket.
            """)

    @Option(help: "A saved pipeline (.assay/models/<name>/<model>.assaymodel).")
    var model: String

    @Option(help: "Rows to score, written like the run's data file.")
    var input: String

    @Option(help: "Where to write id, probability, predicted, decile, rank.")
    var output: String

    @Option(help: "Column identifying each row (default: the run's data.id, else the row number).")
    var id: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Keep only the first N rows, or the top P%.", valueName: "N|P%"))
    var top: String?

    @Option(name: .customLong("with"), help: ArgumentHelp("Carry this input column, as written, after the id (repeatable).", valueName: "column"))
    var carried: [String] = []

    @Option(help: ArgumentHelp("A numeric column with each row's value: the output adds it and the expected value (probability × value).", valueName: "column"))
    var value: String?

    @Option(help: "Rank by probability or expected_value (needs --value).")
    var rankBy: String = "probability"

    @Option(name: .customLong("class"), help: ArgumentHelp("A multiclass model: rank by this class's probability (default: the predicted class's).", valueName: "name"))
    var rankClass: String?

    func validate() throws {
        if let top, TopRule(top) == nil { throw ValidationError("--top must be a positive count or a percentage such as 10%, got '\(top)'") }
        guard let rank = RankBy(rawValue: rankBy) else {
            throw ValidationError("--rank-by must be \(RankBy.allCases.map(\.rawValue).joined(separator: " or ")), got '\(rankBy)'")
        }
        if rank == .expectedValue && value == nil { throw ValidationError("--rank-by expected_value needs --value COL: the column holding each row's value") }
    }

    func run() throws {
        let outcome = try reportingErrors {
            try Assay.Predict.run(model: model, input: input, output: output, id: id, top: top.flatMap(TopRule.init), with: carried,
                                  value: value, rankBy: RankBy(rawValue: rankBy) ?? .probability, rankClass: rankClass)
        }
        Console.error("assay: scoring with \(outcome.provenance)")
        Console.error("assay: scored \(outcome.rowsScored) \(outcome.pipeline == nil && outcome.what.hasSuffix("rules") ? "baskets" : "rows") with \(outcome.what); wrote \(outcome.rowsWritten) lines to \(output)")
    }
}

/// Runs `body`, printing an `AssayError` as one line and exiting 2 (bad input) or 1 (run failed).
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as AssayError {
        Console.error("assay: error: \(e)")
        if case .missingFits = e { throw ExitCode(3) }
        throw ExitCode(e.isBadInput ? 2 : 1)
    }
}

enum Console {
    static let lock = NSLock()
    static func error(_ line: String) {
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Progress on stderr: a live bar on a terminal, one plain line per finished task otherwise.
final class Progress: ExecutionObserver, @unchecked Sendable {
    let terminal: Bool
    private var drawn = false

    init(terminal: Bool) { self.terminal = terminal }

    func started(_ task: TaskNode, done: Int, total: Int) {
        guard terminal else { return }
        draw(done: done, total: total, label: task.label)
    }

    func finished(_ task: TaskNode, done: Int, total: Int) {
        if terminal { draw(done: done, total: total, label: task.label) } else { Console.error("[\(done)/\(total)] \(task.label)") }
    }

    private func draw(done: Int, total: Int, label: String) {
        let width = 24, filled = total == 0 ? width : width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        Console.lock.lock(); defer { Console.lock.unlock() }
        FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(done)/\(total) \(label.prefix(60))".utf8))
        drawn = true
    }

    func clear() {
        guard terminal, drawn else { return }
        Console.lock.lock(); defer { Console.lock.unlock() }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

import AssayCore
import AssayLearn
import AssayEngine
import AssayReport
import AssaySpec
import Foundation

/// What `assay check` found.
public struct CheckRunOutcome: Sendable {
    public let experiment: String
    /// The metrics.json that was checked, and the baseline tolerances compared against (nil when no rule has one).
    public let metricsFile: String
    public let baselineFile: String?
    public let outcomes: [CheckOutcome]

    public var failed: [CheckOutcome] { outcomes.filter { !$0.passed } }
    public var junit: String { Checks.junit(outcomes, experiment: experiment, metricsFile: metricsFile) }
    /// `::error` workflow commands for GitHub Actions, one per failure.
    public var githubAnnotations: [String] { Checks.githubAnnotations(outcomes) }
}

/// `assay check` and `assay diff`: the CI gate over runs already written; neither runs a model.
public enum Gate {
    /// Evaluates the spec's `checks:` against `<outputRoot>/<name>/metrics.json`. Tolerances compare against
    /// `baseline` (a metrics.json or run folder) if given, else the spec's `checks.baseline`, else `runs/<name>/metrics.json`.
    public static func check(specPath: String, overrides: [String] = [], outputRoot: String = "runs", baseline: String? = nil) throws -> CheckRunOutcome {
        do {
            let spec = try SpecLoader.load(path: specPath, overrides: overrides, catalog: ModelRegistry.standard.catalog)
            guard !spec.checks.isEmpty else { throw AssayError.input("\(specPath): the spec has no checks: section, so there is nothing to check") }
            let currentFile = outputRoot + "/" + spec.name + "/metrics.json"
            let current = try metrics(at: currentFile)
            var baselineFile: String? = nil, baselineDoc: MetricsDocument? = nil
            if spec.checks.contains(where: { $0.tolerance != nil }) {
                let path = metricsPath(baseline ?? spec.checksBaseline ?? "runs/" + spec.name + "/metrics.json")
                guard !sameFile(path, currentFile) else { throw ReportError.sameBaseline(file: currentFile) }
                baselineFile = path
                baselineDoc = try metrics(at: path)
            }
            let outcomes = try Checks.evaluate(spec.checks, current: current, baseline: baselineDoc)
            return CheckRunOutcome(experiment: spec.name, metricsFile: currentFile, baselineFile: baselineFile, outcomes: outcomes)
        } catch { throw AssayError.wrap(error) }
    }

    /// The changes between two runs; `a` and `b` are run folders or metrics.json files.
    public static func diff(_ a: String, _ b: String) throws -> MetricsDiff {
        do { return MetricsDiff(try metrics(at: metricsPath(a)), try metrics(at: metricsPath(b))) } catch { throw AssayError.wrap(error) }
    }

    /// Writes a report file (JUnit XML, for one) whole or not at all.
    public static func write(_ text: String, to path: String) throws {
        do { try AtomicFiles.write([(path, Data(text.utf8))]) } catch { throw AssayError.wrap(error) }
    }

    /// A run folder's metrics.json, or the path itself when it names a file.
    static func metricsPath(_ path: String) -> String {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return path }
        return (path.hasSuffix("/") ? String(path.dropLast()) : path) + "/metrics.json"
    }

    static func metrics(at path: String) throws -> MetricsDocument {
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file (has the experiment been run?)"
            throw ReportError.unreadable(file: path, reason: reason)
        }
        return try MetricsDocument(Array(data), file: path)
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        func canonical(_ p: String) -> String { URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path }
        return canonical(a) == canonical(b)
    }
}

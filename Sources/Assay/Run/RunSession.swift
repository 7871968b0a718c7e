import AssayCore
import AssayEngine
import AssaySpec
import Foundation

/// One run's task graph, executor and every result so far: what the stages (prepare data, search, evaluate)
/// share. Each stage adds tasks to the graph and asks for the results it needs; cached ones are read, not rerun.
struct RunSession {
    let spec: Spec
    var planner: Planner
    let executor: Executor
    /// The content store's stat cache folder (file hashes), nil without a cache.
    let statCache: URL?
    /// Receives warnings (about the data, or a damaged cache entry).
    let warn: @Sendable (String) -> Void
    private(set) var results: [TaskKey: Data] = [:]
    private var stats = ExecutionStats()

    init(spec: Spec, options: RunOptions) {
        let remote = options.cacheDirectory.flatMap(Self.remoteCache)
        let store: ContentStore
        if let remote {
            store = HTTPStore(base: remote, retryDelay: options.cacheRetryDelay, warn: options.warn)
        } else if let folder = options.cacheDirectory {
            store = DirectoryStore(root: URL(fileURLWithPath: folder).appendingPathComponent("objects"), warn: options.warn)
        } else {
            store = NoStore()
        }
        self.spec = spec
        planner = Planner(spec: spec)
        executor = Executor(store: store, jobs: options.jobs, observer: options.observer, warn: options.warn)
        // The file-hash stat cache is local; with a remote store, files are hashed on every run.
        statCache = remote == nil ? options.cacheDirectory.map { URL(fileURLWithPath: $0).appendingPathComponent("stat") } : nil
        warn = options.warn
    }

    /// An `http://` or `https://` cache location (an `HTTPStore`), else nil (a folder).
    static func remoteCache(_ location: String) -> URL? {
        guard location.hasPrefix("http://") || location.hasPrefix("https://"), let url = URL(string: location) else { return nil }
        return url
    }

    /// Computes (or reads from the cache) the results of `keys` and of whatever they need, and keeps them.
    mutating func execute(_ keys: [TaskKey]) throws {
        let out = try executor.run(planner.graph, want: keys, known: results)
        results.merge(out.results) { kept, _ in kept }
        stats = stats + out.stats
    }

    /// The decoded result of a task executed before.
    func value<T: BinaryCodable>(_ key: TaskKey, as type: T.Type = T.self) throws -> T {
        guard let data = results[key] else { throw EngineError.missingInput(task: "run", input: key.description) }
        return try T(decoding: data)
    }

    /// What the whole run executed and found cached, over every task of its graph.
    var totals: ExecutionStats {
        var s = stats
        s.tasks = planner.graph.count
        s.cached = s.tasks - s.executed
        return s
    }
}

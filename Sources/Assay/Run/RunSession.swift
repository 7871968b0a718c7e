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

    init(spec: Spec, options: RunOptions) throws {
        let environment = options.environment ?? ProcessInfo.processInfo.environment
        let remote = try options.cacheDirectory.flatMap { try Self.remoteCache($0, environment: environment) }
        func httpStore(_ r: (base: URL, signer: SigV4Signer?)) -> HTTPStore {
            HTTPStore(base: r.base, retryDelay: options.cacheRetryDelay, signer: r.signer, warn: options.warn)
        }
        var store: ContentStore
        if let remote {
            store = httpStore(remote)
        } else if let folder = options.cacheDirectory {
            store = DirectoryStore(root: URL(fileURLWithPath: folder).appendingPathComponent("objects"), warn: options.warn)
        } else {
            store = NoStore()
        }
        if let location = options.remoteCache {
            guard let behind = try Self.remoteCache(location, environment: environment) else {
                throw AssayError.input("--remote-cache \(location) must be an http://, https:// or s3:// location")
            }
            guard remote == nil, options.cacheDirectory != nil else {
                throw AssayError.input("--remote-cache goes behind a local --cache-dir folder; \(options.cacheDirectory ?? "none") is not one")
            }
            store = TieredStore(local: store, remote: httpStore(behind))
        }
        self.spec = spec
        planner = Planner(spec: spec)
        executor = Executor(store: store, jobs: options.jobs, observer: options.observer, warn: options.warn)
        // The file-hash stat cache is local; with a remote store, files are hashed on every run.
        statCache = remote == nil ? options.cacheDirectory.map { URL(fileURLWithPath: $0).appendingPathComponent("stat") } : nil
        warn = options.warn
    }

    /// A remote cache location: `http(s)://…` (an `HTTPStore`), or `s3://bucket/prefix` (signed with the environment's AWS
    /// credentials, at `AWS_ENDPOINT_URL` for an S3-compatible store, else AWS's regional endpoint); nil for a folder.
    static func remoteCache(_ location: String, environment env: [String: String]) throws -> (base: URL, signer: SigV4Signer?)? {
        if location.hasPrefix("http://") || location.hasPrefix("https://") {
            guard let url = URL(string: location) else { throw AssayError.input("cache \(location) is not a URL") }
            return (url, nil)
        }
        guard location.hasPrefix("s3://") else { return nil }
        let path = location.dropFirst("s3://".count).split(separator: "/").map(String.init)
        guard let bucket = path.first, !bucket.isEmpty else { throw AssayError.input("cache \(location) names no bucket (s3://BUCKET/PREFIX)") }
        guard let signer = SigV4Signer.fromEnvironment(env, service: "s3") else {
            throw AssayError.input("cache \(location) needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
        }
        let endpoint = env["AWS_ENDPOINT_URL_S3"] ?? env["AWS_ENDPOINT_URL"] ?? "https://s3.\(signer.region).amazonaws.com"
        guard var url = URL(string: endpoint) else { throw AssayError.input("AWS_ENDPOINT_URL \(endpoint) is not a URL") }
        for part in path { url.appendPathComponent(part) }
        return (url, signer)
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

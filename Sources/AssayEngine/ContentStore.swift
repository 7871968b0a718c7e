import Foundation

/// Where task results live between runs, addressed by task key.
///
/// A store never returns bytes it cannot vouch for: a damaged entry is a miss (and a warning).
public protocol ContentStore: Sendable {
    func get(_ key: TaskKey) -> Data?
    func put(_ key: TaskKey, _ data: Data) throws
}

/// Errors of the engine layer.
public enum EngineError: Error, Equatable, CustomStringConvertible {
    case storeUnwritable(path: String, reason: String)
    case missingInput(task: String, input: String)
    case cycle(String)
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .storeUnwritable(let p, let r): return "cannot write the cache at \(p): \(r)"
        case .missingInput(let t, let i): return "task \(t) needs \(i), which no task produces"
        case .cycle(let t): return "task graph has a cycle through \(t)"
        case .unwritable(let p, let r): return "cannot write \(p): \(r)"
        }
    }
}

/// One cache entry as stored: a magic line, the SHA-256 of the payload, the entry's own key (64 hex digits), then the
/// payload. Every store keeps entries in this form, so every store checks them the same way: an entry filed under
/// another key (copied, swapped, or served for the wrong URL) and one whose digest fails are misses.
public enum CacheEntry {
    static let magic = Array("assay-cache-2\n".utf8)

    public static func encode(_ key: TaskKey, _ payload: Data) -> Data {
        var blob = Data(magic)
        blob.append(contentsOf: SHA256.hash(payload))
        blob.append(contentsOf: Array(key.hex.utf8))
        blob.append(payload)
        return blob
    }

    /// The payload, or why the bytes are not `key`'s entry.
    public static func decode(_ key: TaskKey, _ data: Data) -> Result<Data, Problem> {
        let digestEnd = magic.count + 32, header = digestEnd + 64
        guard data.count >= header, Array(data.prefix(magic.count)) == magic else { return .failure(.damaged("bad header")) }
        guard Array(data[digestEnd..<header]) == Array(key.hex.utf8) else { return .failure(.otherKey) }
        let payload = data.subdata(in: header..<data.count)
        guard SHA256.hash(payload) == Array(data[magic.count..<digestEnd]) else { return .failure(.damaged("digest mismatch")) }
        return .success(payload)
    }

    public enum Problem: Error {
        case damaged(String)
        case otherKey

        /// The warning a store gives before recomputing the entry.
        func warning(_ key: TaskKey) -> String {
            switch self {
            case .damaged(let why): return "cache entry \(key.hex.prefix(12)) is damaged (\(why)); recomputing it"
            case .otherKey: return "cache entry \(key.hex.prefix(12)) holds another task's result (filed under the wrong key); recomputing it"
            }
        }
    }

    /// The payload of `data` read as `key`'s entry, or nil after a warning.
    static func payload(_ key: TaskKey, _ data: Data, warn: (String) -> Void) -> Data? {
        switch decode(key, data) {
        case .success(let payload): return payload
        case .failure(let problem): warn(problem.warning(key)); return nil
        }
    }
}

/// A content store in a local folder: one file per key, `<root>/<2 hex>/<key>`, each a `CacheEntry`.
///
/// Writes go to a temporary file that is renamed into place, so a reader sees a whole entry or none.
public final class DirectoryStore: ContentStore, @unchecked Sendable {
    public let root: URL
    private let warn: @Sendable (String) -> Void

    public init(root: URL, warn: @escaping @Sendable (String) -> Void) {
        self.root = root
        self.warn = warn
    }

    func url(_ key: TaskKey) -> URL {
        root.appendingPathComponent(String(key.hex.prefix(2))).appendingPathComponent(key.hex)
    }

    public func get(_ key: TaskKey) -> Data? {
        guard let data = try? Data(contentsOf: url(key)) else { return nil }
        return CacheEntry.payload(key, data, warn: warn)
    }

    public func put(_ key: TaskKey, _ data: Data) throws {
        do {
            try AtomicFiles.write([(url(key).path, CacheEntry.encode(key, data))])
        } catch EngineError.unwritable(_, let reason) {
            throw EngineError.storeUnwritable(path: root.path, reason: reason)
        }
    }
}

/// A store that keeps nothing (every lookup misses).
public struct NoStore: ContentStore {
    public init() {}
    public func get(_ key: TaskKey) -> Data? { nil }
    public func put(_ key: TaskKey, _ data: Data) throws {}
}

/// A local store in front of a remote one: reads try the local store first, then the remote (keeping a copy of what it
/// returns locally); writes go to both. A remote that fails a write fails the run, as it does alone, so that other
/// machines never wait for entries that were not shared.
public struct TieredStore: ContentStore {
    public let local: ContentStore
    public let remote: ContentStore

    public init(local: ContentStore, remote: ContentStore) {
        self.local = local
        self.remote = remote
    }

    public func get(_ key: TaskKey) -> Data? {
        if let data = local.get(key) { return data }
        guard let data = remote.get(key) else { return nil }
        try? local.put(key, data)
        return data
    }

    public func put(_ key: TaskKey, _ data: Data) throws {
        try local.put(key, data)
        try remote.put(key, data)
    }
}

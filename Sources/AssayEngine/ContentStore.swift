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

/// A content store in a local folder: one file per key, `<root>/<2 hex>/<key>`.
///
/// Each file is a magic line, the SHA-256 of the payload, the entry's own key (64 hex digits), then the payload.
/// Writes go to a temporary file that is renamed into place, so a reader sees a whole entry or none. An entry
/// proves it belongs to its key: one filed under another key (copied or swapped by hand) is a miss, as is one
/// whose digest fails.
public final class DirectoryStore: ContentStore, @unchecked Sendable {
    public let root: URL
    private let warn: @Sendable (String) -> Void
    private static let magic = Array("assay-cache-2\n".utf8)

    public init(root: URL, warn: @escaping @Sendable (String) -> Void) {
        self.root = root
        self.warn = warn
    }

    func url(_ key: TaskKey) -> URL {
        root.appendingPathComponent(String(key.hex.prefix(2))).appendingPathComponent(key.hex)
    }

    public func get(_ key: TaskKey) -> Data? {
        let u = url(key)
        guard let data = try? Data(contentsOf: u) else { return nil }
        let digestEnd = Self.magic.count + 32, header = digestEnd + 64
        guard data.count >= header, Array(data.prefix(Self.magic.count)) == Self.magic else {
            warn("cache entry \(key.hex.prefix(12)) is damaged (bad header); recomputing it")
            return nil
        }
        guard Array(data[digestEnd..<header]) == Array(key.hex.utf8) else {
            warn("cache entry \(key.hex.prefix(12)) holds another task's result (filed under the wrong key); recomputing it")
            return nil
        }
        let payload = data.subdata(in: header..<data.count)
        guard SHA256.hash(payload) == Array(data[Self.magic.count..<digestEnd]) else {
            warn("cache entry \(key.hex.prefix(12)) is damaged (digest mismatch); recomputing it")
            return nil
        }
        return payload
    }

    public func put(_ key: TaskKey, _ data: Data) throws {
        var blob = Data(Self.magic)
        blob.append(contentsOf: SHA256.hash(data))
        blob.append(contentsOf: Array(key.hex.utf8))
        blob.append(data)
        do {
            try AtomicFiles.write([(url(key).path, blob)])
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

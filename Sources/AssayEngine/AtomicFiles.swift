import Foundation

/// Writes files so that a reader never sees half of one: each goes to a uniquely named temporary file beside it,
/// then all are renamed into place. The one writer of reports, saved models, prepared tables and cache entries.
public enum AtomicFiles {
    public static func write(_ files: [(path: String, data: Data)]) throws {
        var temps: [(String, String)] = []
        defer { for (tmp, _) in temps { try? FileManager.default.removeItem(atPath: tmp) } }
        for (path, data) in files {
            let (dir, name) = split(path)
            if let dir { try makeDirectory(dir) }
            let tmp = (dir.map { $0 + "/" } ?? "") + "." + name + "." + UUID().uuidString + ".tmp"
            guard FileManager.default.createFile(atPath: tmp, contents: data) else {
                throw EngineError.unwritable(path: path, reason: "cannot create a file there")
            }
            temps.append((tmp, path))
        }
        for (tmp, path) in temps where rename(tmp, path) != 0 {
            throw EngineError.unwritable(path: path, reason: String(cString: strerror(errno)))
        }
        temps.removeAll()
    }

    /// Why files could not be written under `folder` (nil when they can): it, or the nearest part of its path that
    /// exists, is a file, or is not writable. Checked before a run starts, so that no work is lost to it.
    public static func problem(writingInto folder: String) -> String? {
        var path: String? = folder
        while let p = path {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir) {
                if !isDir.boolValue { return p == folder ? "it is a file, not a folder" : "\(p) is a file, not a folder" }
                return access(p, W_OK | X_OK) == 0 ? nil : (p == folder ? "it is not writable" : "\(p) is not writable")
            }
            path = split(p).folder
        }
        return access(".", W_OK | X_OK) == 0 ? nil : "the current folder is not writable"
    }

    /// A path's folder (nil when it has none, or is the root) and last component.
    static func split(_ path: String) -> (folder: String?, name: String) {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return (nil, String(p)) }
        let folder = p[..<slash]
        return (folder.isEmpty ? nil : String(folder), String(p[p.index(after: slash)...]))
    }

    /// `mkdir -p`, failing with the system's reason.
    static func makeDirectory(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw EngineError.unwritable(path: path, reason: "it is a file, not a folder")
        }
        if let parent = split(path).folder { try makeDirectory(parent) }
        if mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw EngineError.unwritable(path: path, reason: String(cString: strerror(errno)))
        }
    }
}

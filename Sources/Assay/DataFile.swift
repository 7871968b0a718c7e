import AssayCore
import AssayData
import AssayEngine
import AssaySpec
import Foundation

/// The data file an experiment reads, and the content hash that keys everything downstream of it.
enum DataFile {
    /// Load options from the spec's `data:` and `split:` sections.
    static func loadOptions(_ spec: Spec) -> LoadOptions {
        let d = spec.data
        let joins = d.joins.map { j in
            JoinOptions(path: j.resolvedPath, csv: CSVOptions(delimiter: j.delimiter, decimal: j.decimal, missing: j.missing, header: j.header, names: j.names),
                        columns: j.columns, on: j.on, how: j.how, clean: j.clean, pivot: j.pivot, origin: j.location.description)
        }
        var options = LoadOptions(csv: CSVOptions(delimiter: d.delimiter, decimal: d.decimal, missing: d.missing, header: d.header, names: d.names),
                                  target: d.target, positive: d.positive, id: d.id, drop: d.drop, columns: d.columns,
                                  foldColumn: spec.split.foldColumn, joins: joins, clean: d.clean)
        options.kind = spec.kind
        options.events = d.events
        options.group = spec.split.group
        options.weight = d.weight
        return options
    }

    /// Every file the experiment reads: the main one first, then each joined one.
    static func paths(_ spec: Spec) -> [String] { [spec.data.resolvedPath] + spec.data.joins.map(\.resolvedPath) }

    /// One digest over the content hashes of every file the experiment reads.
    static func contentHash(_ spec: Spec, statCache: URL?) throws -> String {
        let hashes = try paths(spec).map { try contentHash(path: $0, statCache: statCache) }
        return hashes.count == 1 ? hashes[0] : SHA256.hex(hashes.joined(separator: ","))
    }

    /// Canonical text of the load options, part of the load task's key.
    static func canonical(_ o: LoadOptions) -> String {
        func csv(_ c: CSVOptions) -> String {
            "delimiter=\(c.delimiter);decimal=\(c.decimal);missing=\(c.missing.map { "\($0.utf8.count):\($0)" }.joined(separator: ","));header=\(c.header);names=\((c.names ?? []).map { "\($0.utf8.count):\($0)" }.joined(separator: ","))"
        }
        let joins = o.joins.map { j -> String in
            "join(" + csv(j.csv) + ";columns=\(j.columns.keys.sorted().map { "\($0.utf8.count):\($0)=\(j.columns[$0]!.rawValue)" }.joined(separator: ","))"
                + ";on=\(j.on.map(JSONText.quote).joined(separator: ","));how=\(j.how.rawValue);clean=[\(j.clean.map(\.canonical).joined(separator: ","))]"
                + ";\(j.pivot?.canonical ?? "")"
                + ")"
        }
        let prepared: [String] = o.joins.isEmpty && o.clean.isEmpty ? [] : ["joins=[\(joins.joined(separator: ","))]", "clean=[\(o.clean.map(\.canonical).joined(separator: ","))]"]
        let c = o.csv
        let plain: [String] = [
            "delimiter=\(c.delimiter)", "decimal=\(c.decimal)", "missing=\(c.missing.map { "\($0.utf8.count):\($0)" }.joined(separator: ","))",
            "header=\(c.header)", "names=\((c.names ?? []).map { "\($0.utf8.count):\($0)" }.joined(separator: ","))",
            "target=\(o.target)", "positive=\(o.positive)", "id=\(o.id ?? "")",
            "drop=\(o.drop.map { "\($0.utf8.count):\($0)" }.joined(separator: ","))",
            "columns=\(o.columns.keys.sorted().map { "\($0.utf8.count):\($0)=\(o.columns[$0]!.rawValue)" }.joined(separator: ","))",
            "fold_column=\(o.foldColumn ?? "")",
        ] + (o.group.map { ["group=\($0.utf8.count):\($0)"] } ?? []) + (o.weight.map { ["weight=\($0.utf8.count):\($0)"] } ?? [])
        return (prepared + plain + (o.events.map { [$0.canonical] } ?? [])).joined(separator: ";") + o.kind.taskKeySuffix
    }

    /// SHA-256 of the file's bytes, reusing the last digest while size, modification time and inode are unchanged.
    static func contentHash(path: String, statCache: URL?) throws -> String {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw AssayError.data(.unreadable(file: path, reason: String(cString: strerror(errno))))
        }
        let stamp = "\(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ino) \(st.st_dev)"
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let entry = statCache?.appendingPathComponent(SHA256.hex(absolute))
        if let entry, let text = try? String(contentsOf: entry, encoding: .utf8) {
            let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
            if parts.count >= 2, parts[0] == stamp, parts[1].count == 64 { return String(parts[1]) }
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AssayError.data(.unreadable(file: path, reason: "cannot open"))
        }
        let digest = SHA256.hex(data)
        if let entry { try? AtomicFiles.write([(entry.path, Data((stamp + "\n" + digest + "\n").utf8))]) }
        return digest
    }
}

import AssayCore

/// A table while it is being prepared: every column read so far, and the main file's line of each row,
/// so that an error found after joins and filters still points at the line it came from.
public struct Frame: Sendable {
    public var columns: [Column]
    /// The line in `file` of each row (1-based, as an editor shows it).
    public var lines: [Int]
    /// The data row of `file` each row comes from (1-based).
    public var rows: [Int]
    /// The file the rows come from, for messages.
    public var file: String

    public var rowCount: Int { lines.count }
    public var names: [String] { columns.map(\.name) }

    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// Every column of a tokenized file; `kinds` overrides the inferred type of the columns it names.
    public static func read(_ csv: CSVFile, kinds: [String: ColumnKind], missing: [String], decimal: UInt8) throws -> Frame {
        let marks = missing.map { Array($0.utf8) }
        let columns = try csv.names.indices.map { c in
            try DatasetLoader.readColumn(csv, c, name: csv.names[c], kind: kinds[csv.names[c]], missing: marks, decimal: decimal)
        }
        return Frame(columns: columns, lines: (0..<csv.rowCount).map { csv.line(ofRow: $0) }, rows: Array(1..<(csv.rowCount + 1)), file: csv.file)
    }

    /// Keeps only the rows at `rows` (ascending), in place: a frame nothing else holds is filtered without a copy.
    public mutating func keep(ascending rows: [Int]) {
        func compact<T>(_ v: inout [T]) {
            for (k, r) in rows.enumerated() where k != r { v[k] = v[r] }
            v.removeLast(v.count - rows.count)
        }
        for i in columns.indices {
            let name = columns[i].name
            switch columns[i].values {
            case .numeric(var v):
                columns[i] = Column(name: name, values: .numeric([]))  // v is then the only reference
                compact(&v)
                columns[i] = Column(name: name, values: .numeric(v))
            case .categorical(var codes, let levels):
                columns[i] = Column(name: name, values: .numeric([]))
                compact(&codes)
                columns[i] = Column(name: name, values: .categorical(codes: codes, levels: levels))
            }
        }
        compact(&lines)
        compact(&self.rows)
    }

    /// The rows at `rows`, in that order.
    public func selecting(_ rows: [Int]) -> Frame {
        Frame(columns: columns.map { $0.selecting(rows) }, lines: rows.map { lines[$0] }, rows: rows.map { self.rows[$0] }, file: file)
    }
}

extension Column {
    /// The cells at `rows`, in that order (an index of -1 gives a missing cell).
    public func selecting(_ rows: [Int]) -> Column {
        switch values {
        case .numeric(let v): return Column(name: name, values: .numeric(rows.map { $0 < 0 ? .nan : v[$0] }))
        case .categorical(let codes, let levels): return Column(name: name, values: .categorical(codes: rows.map { $0 < 0 ? -1 : codes[$0] }, levels: levels))
        }
    }

    /// The cell at `row` as text (a number in its shortest exact form), nil when missing.
    public func text(at row: Int) -> String? {
        switch values {
        case .numeric(let v): return v[row].isNaN ? nil : Self.numberText(v[row])
        case .categorical(let codes, let levels): return codes[row] < 0 ? nil : levels[Int(codes[row])]
        }
    }

    /// 3 for 3.0, otherwise Swift's shortest round-trip form.
    static func numberText(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }

    /// A categorical column from texts (nil: missing), levels in first-seen order.
    static func categorical(name: String, _ texts: [String?]) -> Column {
        var index: [String: Int32] = [:], levels: [String] = []
        let codes = texts.map { t -> Int32 in
            guard let t else { return -1 }
            if let k = index[t] { return k }
            index[t] = Int32(levels.count); levels.append(t)
            return Int32(levels.count - 1)
        }
        return Column(name: name, values: .categorical(codes: codes, levels: levels))
    }
}

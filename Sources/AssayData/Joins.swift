import AssayCore
import Foundation

/// One `data.join` entry: a second file, how to read it, and how its rows attach to the main table's.
public struct JoinOptions: Sendable, Hashable {
    /// The file to open.
    public var path: String
    public var csv: CSVOptions
    /// Type overrides for this file's columns.
    public var columns: [String: ColumnKind]
    /// Key columns, present in both tables.
    public var on: [String]
    public var how: JoinHow
    /// Cleaning applied to this file before the pivot and the join.
    public var clean: [CleanStep]
    public var pivot: PivotSpec?
    /// Where the spec declares the join, for messages.
    public var origin: String

    public init(path: String, csv: CSVOptions = CSVOptions(), columns: [String: ColumnKind] = [:], on: [String], how: JoinHow = .inner,
                clean: [CleanStep] = [], pivot: PivotSpec? = nil, origin: String) {
        self.path = path
        self.csv = csv
        self.columns = columns
        self.on = on
        self.how = how
        self.clean = clean
        self.pivot = pivot
        self.origin = origin
    }
}

/// Joins and pivots, for tables that arrive as several files.
public enum Joins {
    /// Reads `join`'s file, cleans and pivots it, and joins it to `left`; returns the joined frame and what happened.
    public static func apply(_ join: JoinOptions, to left: Frame) throws -> (Frame, [LogLine]) {
        let csv = try CSVFile(contentsOf: URL(fileURLWithPath: join.path), displayName: join.path, options: join.csv)
        for name in join.columns.keys.sorted() where !csv.names.contains(name) {
            throw DataError.unknownColumn(file: join.path, name: name, role: "data.join columns", hint: Suggest.hint(name, among: csv.names))
        }
        var right = try Frame.read(csv, kinds: join.columns, missing: join.csv.missing, decimal: join.csv.decimal)
        var log: [LogLine] = []
        let file = URL(fileURLWithPath: join.path).lastPathComponent
        if !join.clean.isEmpty {
            let (cleaned, lines) = try Cleaning.apply(join.clean, to: right)
            right = cleaned
            log += lines.map { "\(file): \($0)" }
        }
        if let p = join.pivot {
            let before = right.rowCount
            right = try pivot(right, p, origin: join.origin)
            log.append("\(file): pivot \(before) rows to \(right.rowCount) (one per \(p.index.joined(separator: ", "))), \(right.columns.count - p.index.count) columns")
        }
        let (joined, matched) = try self.join(left, right, on: join.on, how: join.how, origin: join.origin, rightFile: join.path)
        let dropped = join.how == .inner && matched < left.rowCount ? ", \(left.rowCount - matched) dropped" : ""
        log.append("join \(file) on \(join.on.joined(separator: ", ")) (\(join.how.rawValue)): \(matched) of \(left.rowCount) rows matched\(dropped)")
        return (joined, log)
    }

    /// A row's key as text (numbers in their shortest form, so 215348 matches 215348.0); nil when a key cell is missing.
    static func key(_ frame: Frame, _ columns: [Int], _ r: Int) -> String? {
        var parts: [String] = []
        for c in columns {
            guard let t = frame.columns[c].text(at: r) else { return nil }
            parts.append(t)
        }
        return parts.joined(separator: "\u{1F}")
    }

    /// Many-to-one join: every key of `right` must be unique, so no main row is ever duplicated.
    public static func join(_ left: Frame, _ right: Frame, on: [String], how: JoinHow, origin: String, rightFile: String) throws -> (Frame, Int) {
        func keyColumns(_ f: Frame, _ which: String) throws -> [Int] {
            try on.map { name in
                guard let i = f.index(of: name) else {
                    throw DataError.step(origin: origin, message: "join: key column '\(name)' is not in \(which)\(Suggest.hint(name, among: f.names))")
                }
                return i
            }
        }
        let lk = try keyColumns(left, "the main table"), rk = try keyColumns(right, rightFile)
        var index: [String: Int] = [:]
        for r in 0..<right.rowCount {
            guard let k = key(right, rk, r) else { continue }
            if let first = index[k] {
                throw DataError.step(origin: origin, message: "join: key \(on.joined(separator: ", ")) = \(k.replacingOccurrences(of: "\u{1F}", with: ", ")) appears more than once in \(rightFile) (lines \(right.lines[first]) and \(right.lines[r])), so the join would repeat main rows; pivot or aggregate it first")
            }
            index[k] = r
        }
        let added = right.columns.indices.filter { !rk.contains($0) }
        for c in added where left.index(of: right.columns[c].name) != nil {
            throw DataError.step(origin: origin, message: "join: column '\(right.columns[c].name)' is in both the main table and \(rightFile)")
        }
        var leftRows: [Int] = [], rightRows: [Int] = []
        for r in 0..<left.rowCount {
            let match = key(left, lk, r).flatMap { index[$0] }
            if match == nil && how == .inner { continue }
            leftRows.append(r)
            rightRows.append(match ?? -1)
        }
        var out = left.selecting(leftRows)
        out.columns += added.map { right.columns[$0].selecting(rightRows) }
        return (out, rightRows.filter { $0 >= 0 }.count)
    }

    /// pandas' `pivot_table(index:, columns:, values:, aggfunc:)`: one row per index key (first-seen order),
    /// one column `VALUE_COLUMNVALUE` per value column and distinct value of `columns` (sorted).
    public static func pivot(_ f: Frame, _ p: PivotSpec, origin: String) throws -> Frame {
        func column(_ name: String, _ role: String) throws -> Int {
            guard let i = f.index(of: name) else {
                throw DataError.step(origin: origin, message: "pivot: no column '\(name)' (\(role))\(Suggest.hint(name, among: f.names))")
            }
            return i
        }
        let ix = try p.index.map { try column($0, "index") }, cx = try column(p.columns, "columns")
        let vx = try p.values.map { try column($0, "values") }
        var keys: [String: Int] = [:], firstRow: [Int] = []
        var rowGroup = [Int](repeating: -1, count: f.rowCount)
        for r in 0..<f.rowCount {
            guard let k = key(f, ix, r) else { continue }
            if let g = keys[k] { rowGroup[r] = g } else { keys[k] = firstRow.count; rowGroup[r] = firstRow.count; firstRow.append(r) }
        }
        let spread = f.columns[cx]
        var labels = Set<String>()
        for r in 0..<f.rowCount where rowGroup[r] >= 0 { if let t = spread.text(at: r) { labels.insert(t) } }
        let sortedLabels: [String]
        if case .numeric = spread.values { sortedLabels = labels.sorted { Double($0)! < Double($1)! } } else {
            sortedLabels = labels.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        }
        let labelIndex = Dictionary(uniqueKeysWithValues: sortedLabels.enumerated().map { ($1, $0) })
        var out = Frame(columns: ix.map { f.columns[$0].selecting(firstRow) }, lines: firstRow.map { f.lines[$0] }, rows: firstRow.map { f.rows[$0] }, file: f.file)
        let groups = firstRow.count
        for v in vx {
            let valueColumn = f.columns[v]
            if case .categorical = valueColumn.values, p.aggregate != .first, p.aggregate != .count {
                throw DataError.step(origin: origin, message: "pivot: values column '\(valueColumn.name)' is text; use aggregate: first or count")
            }
            // cells[label][group]: the values of that group and label, in row order.
            var cells = [[[Int]]](repeating: [[Int]](repeating: [], count: groups), count: sortedLabels.count)
            for r in 0..<f.rowCount where rowGroup[r] >= 0 {
                guard let t = spread.text(at: r) else { continue }
                cells[labelIndex[t]!][rowGroup[r]].append(r)
            }
            for (l, label) in sortedLabels.enumerated() {
                let name = valueColumn.name + "_" + label
                if out.index(of: name) != nil { throw DataError.step(origin: origin, message: "pivot: two output columns are named '\(name)'") }
                out.columns.append(aggregate(valueColumn, cells[l], p.aggregate, name: name))
            }
        }
        return out
    }

    static func aggregate(_ c: Column, _ groups: [[Int]], _ how: PivotAggregate, name: String) -> Column {
        if how == .first { return c.selecting(groups.map { rows in rows.first { c.text(at: $0) != nil } ?? -1 }).renamed(name) }
        if how == .count { return Column(name: name, values: .numeric(groups.map { rows in Double(rows.filter { c.text(at: $0) != nil }.count) })) }
        guard case .numeric(let v) = c.values else { return Column(name: name, values: .numeric([])) }
        return Column(name: name, values: .numeric(groups.map { rows in
            let x = rows.map { v[$0] }.filter { !$0.isNaN }
            guard !x.isEmpty else { return .nan }  // pandas: an empty group is NaN (sum too, in pivot_table's output)
            switch how {
            case .sum: return x.reduce(0, +)
            case .mean: return x.reduce(0, +) / Double(x.count)
            case .min: return x.min()!
            case .max: return x.max()!
            case .first, .count: return .nan
            }
        }))
    }
}

extension Column {
    func renamed(_ name: String) -> Column { Column(name: name, values: values) }
}

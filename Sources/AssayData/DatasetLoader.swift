import AssayCore
import Foundation

/// What to read from a table and how: the `data:` section of a spec, resolved.
public struct LoadOptions: Sendable, Hashable {
    public var csv: CSVOptions
    public var target: String
    /// The positive label as written in the file.
    public var positive: String
    public var id: String?
    public var drop: [String]
    /// Type overrides by column name.
    public var columns: [String: ColumnKind]
    public var foldColumn: String?

    public init(csv: CSVOptions = CSVOptions(), target: String, positive: String, id: String? = nil, drop: [String] = [],
                columns: [String: ColumnKind] = [:], foldColumn: String? = nil) {
        self.csv = csv
        self.target = target
        self.positive = positive
        self.id = id
        self.drop = drop
        self.columns = columns
        self.foldColumn = foldColumn
    }
}

/// Turns a delimited file into a `Dataset`: infers column types, reads the target as text, applies drops and overrides.
///
/// Type inference: a column is numeric when every present cell is a number (with the file's decimal mark);
/// a column whose present cells are all `TRUE`/`FALSE` (any of pandas' spellings) is read as 0/1;
/// anything else is categorical, its text kept exactly as written. A column with no present cell is numeric.
public enum DatasetLoader {
    /// Checks that every column the options name exists, without reading the rows.
    public static func checkColumns(_ names: [String], _ options: LoadOptions, file: String) throws {
        func need(_ name: String, _ role: String) throws {
            guard names.contains(name) else {
                throw DataError.unknownColumn(file: file, name: name, role: role, hint: Suggest.hint(name, among: names))
            }
        }
        try need(options.target, "data.target")
        if let id = options.id { try need(id, "data.id") }
        for d in options.drop { try need(d, "data.drop") }
        for c in options.columns.keys.sorted() { try need(c, "data.columns") }
        if let f = options.foldColumn { try need(f, "split.fold_column") }
    }

    public static func load(_ csv: CSVFile, _ options: LoadOptions) throws -> Dataset {
        let file = csv.file
        try checkColumns(csv.names, options, file: file)
        guard csv.rowCount > 0 else { throw DataError.empty(file: file) }
        let missing = Set(options.csv.missing.map { Array($0.utf8) })
        let targetIndex = csv.names.firstIndex(of: options.target)!

        // Target, as text.
        var labels: [String] = []
        var labelCodes: [Int] = []
        labelCodes.reserveCapacity(csv.rowCount)
        var labelIndex: [String: Int] = [:]
        for r in 0..<csv.rowCount {
            let text = csv.cell(row: r, column: targetIndex)
            if missing.contains(Array(text.utf8)) {
                throw DataError.targetMissing(file: file, line: csv.line(ofRow: r), row: r + 1, column: options.target)
            }
            if let k = labelIndex[text] { labelCodes.append(k) } else {
                labelIndex[text] = labels.count
                labelCodes.append(labels.count)
                labels.append(text)
            }
        }
        let sortedLabels = labels.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard labels.count == 2 else {
            throw DataError.targetClasses(file: file, column: options.target, values: sortedLabels)
        }
        guard let positiveCode = labelIndex[options.positive] else {
            throw DataError.positiveNotFound(file: file, column: options.target, positive: options.positive, values: sortedLabels)
        }
        let target = labelCodes.map { UInt8($0 == positiveCode ? 1 : 0) }

        // Folds.
        var folds: [Int]? = nil
        if let fc = options.foldColumn {
            let c = csv.names.firstIndex(of: fc)!
            var f = [Int]()
            f.reserveCapacity(csv.rowCount)
            try csv.forEachCell(column: c) { r, cell, _ in
                guard let v = NumberParser.parse(cell, decimal: options.csv.decimal), v == v.rounded(), v >= -1, v < 1e6 else {
                    throw DataError.badFold(file: file, line: csv.line(ofRow: r), row: r + 1, column: fc,
                                            value: csv.cell(row: r, column: c))
                }
                f.append(Int(v))
            }
            let present = Set(f.filter { $0 >= 0 }).sorted()
            guard present.count >= 2, present == Array(0..<present.count) else {
                throw DataError.foldsNotContiguous(file: file, column: fc, found: present)
            }
            folds = f
        }

        // Features.
        var excluded = Set(options.drop + [options.target])
        if let id = options.id { excluded.insert(id) }
        if let fc = options.foldColumn { excluded.insert(fc) }
        var columns: [Column] = []
        for (c, name) in csv.names.enumerated() where !excluded.contains(name) {
            columns.append(try readColumn(csv, c, name: name, kind: options.columns[name], missing: missing, decimal: options.csv.decimal))
        }
        return Dataset(features: Table(columns: columns, rowCount: csv.rowCount), target: target,
                       positiveLabel: options.positive, negativeLabel: labels[1 - positiveCode], folds: folds)
    }

    static let trueWords: Set<[UInt8]> = Set(["True", "TRUE", "true"].map { Array($0.utf8) })
    static let falseWords: Set<[UInt8]> = Set(["False", "FALSE", "false"].map { Array($0.utf8) })

    static func readColumn(_ csv: CSVFile, _ c: Int, name: String, kind: ColumnKind?, missing: Set<[UInt8]>, decimal: UInt8) throws -> Column {
        if kind != .categorical {
            // Try numbers (and booleans), unless the column is declared categorical.
            var values = [Double]()
            values.reserveCapacity(csv.rowCount)
            var failedRow: Int? = nil
            var bools = 0
            csv.forEachCell(column: c) { r, cell, _ in
                guard failedRow == nil else { return }
                if missing.contains(Array(cell)) { values.append(.nan); return }
                if let v = NumberParser.parse(cell, decimal: decimal) { values.append(v); return }
                if trueWords.contains(Array(cell)) { values.append(1); bools += 1; return }
                if falseWords.contains(Array(cell)) { values.append(0); bools += 1; return }
                failedRow = r
            }
            let mixedBool = bools > 0 && bools < values.filter { !$0.isNaN }.count
            if failedRow == nil && !mixedBool { return Column(name: name, values: .numeric(values)) }
            if kind == .numeric {
                let r = failedRow ?? values.firstIndex { !$0.isNaN }!
                throw DataError.notNumeric(file: csv.file, line: csv.line(ofRow: r), row: r + 1, column: name,
                                           value: csv.cell(row: r, column: c))
            }
        }
        // Categorical: intern the text of each cell.
        var codes = [Int32]()
        codes.reserveCapacity(csv.rowCount)
        var levels: [String] = []
        var index: [[UInt8]: Int32] = [:]
        csv.forEachCell(column: c) { r, cell, escaped in
            let key = Array(cell)
            if missing.contains(key) { codes.append(-1); return }
            if let k = index[key], !escaped { codes.append(k); return }
            let text = escaped ? csv.cell(row: r, column: c) : String(decoding: cell, as: UTF8.self)
            let textKey = Array(text.utf8)
            if let k = index[textKey] { codes.append(k); return }
            index[textKey] = Int32(levels.count)
            codes.append(Int32(levels.count))
            levels.append(text)
        }
        return Column(name: name, values: .categorical(codes: codes, levels: levels))
    }
}

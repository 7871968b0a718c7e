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
    /// Files joined to the main one, in order, before `clean`.
    public var joins: [JoinOptions]
    /// Row-wise cleaning after the joins, before anything is split or fitted.
    public var clean: [CleanStep]
    /// Columns whose text the dataset keeps beside the features (carried into the predictions file, or read as
    /// `segments.value`).
    public var keep: [String] = []
    /// The spec key that names each kept column, for errors (default `predictions.columns`).
    public var keepRoles: [String: String] = [:]
    /// How the target is read: as two labels (binary) or as numbers (regression).
    public var kind: ExperimentKind = .binary
    /// When set, the file is a purchase log and the table is the customer table built from it (`data.events`).
    public var events: EventsOptions? = nil
    /// `split.group`: the column whose value keeps rows together in the split.
    public var group: String? = nil
    /// `data.weight`: the column of each row's sample weight (not a feature).
    public var weight: String? = nil

    public init(csv: CSVOptions = CSVOptions(), target: String, positive: String, id: String? = nil, drop: [String] = [],
                columns: [String: ColumnKind] = [:], foldColumn: String? = nil, joins: [JoinOptions] = [], clean: [CleanStep] = []) {
        self.joins = joins
        self.clean = clean
        self.csv = csv
        self.target = target
        self.positive = positive
        self.id = id
        self.drop = drop
        self.columns = columns
        self.foldColumn = foldColumn
    }
}

extension LoadOptions {
    /// The same options, also keeping `columns` as text (`role`: the spec key that names them).
    public func keeping(_ columns: [String], role: String = "predictions.columns") -> LoadOptions {
        var o = self
        for c in columns where !o.keep.contains(c) {
            o.keep.append(c)
            o.keepRoles[c] = role
        }
        return o
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
        if !options.target.isEmpty { try need(options.target, "data.target") }  // a segmentation has none
        if let id = options.id { try need(id, "data.id") }
        for d in options.drop { try need(d, "data.drop") }
        for c in options.columns.keys.sorted() { try need(c, "data.columns") }
        if let f = options.foldColumn { try need(f, "split.fold_column") }
        for k in options.keep { try need(k, options.keepRoles[k] ?? "predictions.columns") }
        if let g = options.group { try need(g, "split.group") }
        if let w = options.weight { try need(w, "data.weight") }
    }

    /// Reads the file at `path` (a purchase log streamed into its customer table with `data.events`), joins the
    /// others, cleans, then splits off the target, id and fold columns.
    public static func load(path: String, displayName: String, _ options: LoadOptions) throws -> Dataset {
        guard let events = options.events else {
            return try load(try CSVFile(contentsOf: URL(fileURLWithPath: path), displayName: displayName, options: options.csv), options)
        }
        let (frame, log) = try CustomerTable.build(path: path, displayName: displayName, events, options: options.csv, kinds: options.columns)
        return try finish(frame, log, options, mainFile: nil)
    }

    /// Reads the main file, joins the others, cleans, then splits off the target, id and fold columns.
    public static func load(_ csv: CSVFile, _ options: LoadOptions) throws -> Dataset {
        let file = csv.file
        for c in options.columns.keys.sorted() where !csv.names.contains(c) {
            throw DataError.unknownColumn(file: file, name: c, role: "data.columns", hint: Suggest.hint(c, among: csv.names))
        }
        guard csv.rowCount > 0 else { throw DataError.empty(file: file) }
        // The target, id and fold cells are read as text, exactly as written (an id keeps its leading zeros).
        var kinds = options.columns
        for name in [options.target] + [options.foldColumn, options.id, options.weight].compactMap({ $0 }) where csv.names.contains(name) {
            kinds[name] = .categorical
        }
        if let events = options.events {
            let (frame, log) = try CustomerTable.build(csv, events, missing: options.csv.missing, decimal: options.csv.decimal, kinds: options.columns)
            return try finish(frame, log, options, mainFile: nil)
        }
        return try finish(try Frame.read(csv, kinds: kinds, missing: options.csv.missing, decimal: options.csv.decimal), [], options, mainFile: csv)
    }

    /// The rest of loading, from the main table's frame: joins, cleaning, then target, folds, groups and features.
    /// `mainFile` is the tokenized main file, whose kept columns are carried exactly as written there.
    static func finish(_ mainFrame: Frame, _ prepared: [LogLine], _ options: LoadOptions, mainFile csv: CSVFile?) throws -> Dataset {
        let file = mainFrame.file
        var frame = mainFrame
        var log = prepared
        for join in options.joins {
            let (joined, lines) = try Joins.apply(join, to: frame)
            frame = joined
            log += lines
        }
        if !options.clean.isEmpty {
            // A label computed from other columns is fine under a new name; silently replacing the file's labels is not.
            for case .derive(let name, _, let origin) in options.clean where name == options.target && frame.names.contains(name) {
                throw DataError.step(origin: origin, message: "derive '\(name)' would overwrite the target column read from \(file); "
                    + "derive the label under a new name, name it as data.target, and drop '\(name)'")
            }
            let (cleaned, lines) = try Cleaning.apply(options.clean, to: frame)
            frame = cleaned
            log += lines
        }
        var roles = options
        roles.columns = [:]
        try checkColumns(frame.names, roles, file: file)
        guard frame.rowCount > 0 else { throw DataError.step(origin: file, message: "no rows are left after data.join and data.clean") }

        var target: [UInt8] = [], values: [Double]? = nil, negativeLabel = "", classNames: [String]? = nil
        if let t = frame.index(of: options.target) {
            switch options.kind {
            case .binary: (target, negativeLabel) = try binaryTarget(frame.columns[t], frame, options, file: file)
            case .multiclass: (target, classNames) = try multiclassTarget(frame.columns[t], frame, options, file: file)
            case .regression: values = try numericTarget(frame.columns[t], frame, options, file: file)
            case .segment, .associate: break  // the target option is empty: there is no target column
            }
        }

        // Folds.
        var folds: [Int]? = nil
        if let fc = options.foldColumn {
            let column = frame.columns[frame.index(of: fc)!]
            var f = [Int]()
            f.reserveCapacity(frame.rowCount)
            for r in 0..<frame.rowCount {
                let text = column.text(at: r) ?? ""
                guard let v = NumberParser.parse(text, decimal: options.csv.decimal), v == v.rounded(), v >= -1, v < 1e6 else {
                    throw DataError.badFold(file: file, line: frame.lines[r], row: frame.rows[r], column: fc, value: text)
                }
                f.append(Int(v))
            }
            let present = Set(f.filter { $0 >= 0 }).sorted()
            guard present.count >= 2, present == Array(0..<present.count) else {
                throw DataError.foldsNotContiguous(file: file, column: fc, found: present)
            }
            folds = f
        }

        let weights = try options.weight.map { try sampleWeights(frame, column: $0, decimal: options.csv.decimal) }

        // Features.
        var excluded = Set(options.drop + [options.target])
        if let w = options.weight { excluded.insert(w) }
        if options.events != nil { excluded.insert(EventsOptions.cutoffColumn) }
        if let id = options.id { excluded.insert(id) }
        if let fc = options.foldColumn { excluded.insert(fc) }
        let columns = frame.columns.filter { !excluded.contains($0.name) }
        func texts(_ c: Int) -> [String] { (0..<frame.rowCount).map { frame.columns[c].text(at: $0) ?? "" } }
        var dataset = Dataset(features: Table(columns: columns, rowCount: frame.rowCount), target: target,
                              positiveLabel: values == nil && classNames == nil ? options.positive : "", negativeLabel: negativeLabel, folds: folds,
                              preparation: log, ids: options.id.flatMap(frame.index(of:)).map(texts))
        dataset.values = values
        dataset.classNames = classNames
        dataset.weights = weights
        if options.events != nil, let c = frame.index(of: EventsOptions.cutoffColumn), case .categorical(let codes, let levels) = frame.columns[c].values {
            dataset.cutoffs = levels
            dataset.cutoffOfRow = codes.map(Int.init)
            // A customer's rows at several cutoffs stay together in every split.
            if levels.count > 1, let c = frame.index(of: options.events?.customer ?? ""), case .categorical(let customers, _) = frame.columns[c].values {
                dataset.groups = customers.map(Int.init)
            }
        }
        if let g = options.group, let c = frame.index(of: g) {
            // Groups by the cell's text; every missing cell is one group of its own.
            var index: [String: Int] = [:]
            dataset.groups = (0..<frame.rowCount).map { r in
                guard let text = frame.columns[c].text(at: r) else { return -1 - r }
                if let k = index[text] { return k }
                index[text] = index.count
                return index.count - 1
            }
        }
        // A kept column of the main file is carried exactly as written there (frame.rows are its 1-based data rows);
        // a joined or derived one as its value reads.
        dataset.kept = options.keep.compactMap { name in
            if let csv, let c = csv.names.firstIndex(of: name) {
                return TextColumn(name: name, values: frame.rows.map { csv.cell(row: $0 - 1, column: c) })
            }
            return frame.index(of: name).map { TextColumn(name: name, values: texts($0)) }
        }
        return dataset
    }

    /// A binary target: exactly two values as text, one of them the positive label (1); returns the labels and
    /// the negative label's text.
    static func binaryTarget(_ targetColumn: Column, _ frame: Frame, _ options: LoadOptions, file: String) throws -> ([UInt8], String) {
        var labels: [String] = []
        var labelCodes: [Int] = []
        labelCodes.reserveCapacity(frame.rowCount)
        var labelIndex: [String: Int] = [:]
        for r in 0..<frame.rowCount {
            guard let text = targetColumn.text(at: r) else {
                throw DataError.targetMissing(file: file, line: frame.lines[r], row: frame.rows[r], column: options.target)
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
        return (target, labels[1 - positiveCode])
    }

    /// A multiclass target: each distinct text a class (at least 2, at most 255), in code-point order as scikit-learn
    /// sorts them; returns each row's class index and the class names.
    static func multiclassTarget(_ targetColumn: Column, _ frame: Frame, _ options: LoadOptions, file: String) throws -> ([UInt8], [String]) {
        var texts: [String] = []
        texts.reserveCapacity(frame.rowCount)
        for r in 0..<frame.rowCount {
            guard let text = targetColumn.text(at: r) else {
                throw DataError.targetMissing(file: file, line: frame.lines[r], row: frame.rows[r], column: options.target)
            }
            texts.append(text)
        }
        let names = Set(texts).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard names.count >= 2 else {
            throw DataError.step(origin: file, message: "target '\(options.target)' has \(names.count) class (\(names.joined())): task multiclass needs at least two")
        }
        guard names.count <= 255 else {
            throw DataError.step(origin: file, message: "target '\(options.target)' has \(names.count) distinct values, more than the 255 classes task multiclass takes; is it a number (task: regression)?")
        }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, UInt8($0)) })
        return (texts.map { index[$0] ?? 0 }, names)
    }

    /// A regression target: every cell a finite number (with the file's decimal mark), else an error naming the row.
    /// Fewer than three distinct values is refused: such a target is a classification.
    static func numericTarget(_ targetColumn: Column, _ frame: Frame, _ options: LoadOptions, file: String) throws -> [Double] {
        var values = [Double]()
        values.reserveCapacity(frame.rowCount)
        var distinct = Set<Double>()
        for r in 0..<frame.rowCount {
            guard let text = targetColumn.text(at: r) else {
                throw DataError.targetMissing(file: file, line: frame.lines[r], row: frame.rows[r], column: options.target)
            }
            guard let v = NumberParser.parse(text, decimal: options.csv.decimal), v.isFinite else {
                throw DataError.targetNotNumeric(file: file, line: frame.lines[r], row: frame.rows[r], column: options.target, value: text)
            }
            values.append(v)
            if distinct.count < 3 { distinct.insert(v) }
        }
        guard distinct.count >= 3 else {
            throw DataError.targetTooFewValues(file: file, column: options.target,
                                               values: distinct.sorted().map { NumberFormat.json($0) })
        }
        return values
    }

    /// `data.weight`'s column: a finite number ≥ 0 in every row (as written, with the file's decimal mark), not all 0.
    static func sampleWeights(_ frame: Frame, column name: String, decimal: UInt8) throws -> [Double] {
        guard let c = frame.index(of: name) else { return [] }  // checkColumns has named a missing column
        let column = frame.columns[c]
        var weights = [Double]()
        weights.reserveCapacity(frame.rowCount)
        for r in 0..<frame.rowCount {
            // Read as text from the main file (its decimal mark); a joined or derived column may already be numeric.
            let text = column.text(at: r) ?? ""
            let number: Double?
            if case .numeric(let v) = column.values { number = v[r] } else { number = NumberParser.parse(text, decimal: decimal) }
            guard let v = number, v.isFinite, v >= 0 else {
                throw DataError.badWeight(file: frame.file, line: frame.lines[r], row: frame.rows[r], column: name, value: text)
            }
            weights.append(v)
        }
        guard weights.contains(where: { $0 > 0 }) else { throw DataError.zeroWeights(file: frame.file, column: name) }
        return weights
    }

    static let trueWords = ["True", "TRUE", "true"].map { Array($0.utf8) }
    static let falseWords = ["False", "FALSE", "false"].map { Array($0.utf8) }

    /// Whether a cell's bytes equal one of `words`, without allocating.
    @inline(__always)
    static func matches(_ cell: UnsafeBufferPointer<UInt8>, _ words: [[UInt8]]) -> Bool {
        for w in words where w.count == cell.count && w.elementsEqual(cell) { return true }
        return false
    }

    /// Reads one column of a tokenized file: numbers when every present cell is one (or a boolean), else categories.
    public static func readColumn(_ csv: CSVFile, _ c: Int, name: String, kind: ColumnKind?, missing: [[UInt8]], decimal: UInt8) throws -> Column {
        if kind != .categorical {
            // Try numbers (and booleans), unless the column is declared categorical.
            var values = [Double]()
            values.reserveCapacity(csv.rowCount)
            var failedRow: Int? = nil, overflowRow: Int? = nil
            var bools = 0, present = 0
            csv.forEachCell(column: c) { r, cell, _ in
                guard failedRow == nil else { return }
                if matches(cell, missing) { values.append(.nan); return }
                present += 1
                if let v = NumberParser.parse(cell, decimal: decimal) {
                    if !v.isFinite && overflowRow == nil { overflowRow = r }
                    values.append(v)
                    return
                }
                if matches(cell, trueWords) { values.append(1); bools += 1; return }
                if matches(cell, falseWords) { values.append(0); bools += 1; return }
                failedRow = r
            }
            let mixedBool = bools > 0 && bools < present
            if failedRow == nil && !mixedBool {
                // A number written out of a double's range is a mistake in the file, not a value to fit on.
                if let r = overflowRow {
                    throw DataError.numberOutOfRange(file: csv.file, line: csv.line(ofRow: r), row: r + 1, column: name, value: csv.cell(row: r, column: c))
                }
                return Column(name: name, values: .numeric(values))
            }
            if kind == .numeric {
                let r = failedRow ?? values.firstIndex { !$0.isNaN }!
                throw DataError.notNumeric(file: csv.file, line: csv.line(ofRow: r), row: r + 1, column: name,
                                           value: csv.cell(row: r, column: c))
            }
        }
        // Categorical: intern the text of each cell (byte-keyed, so no string is built for a level seen before).
        var codes = [Int32]()
        codes.reserveCapacity(csv.rowCount)
        var levels: [String] = []
        var index: [CellKey: Int32] = [:]
        var byText: [String: Int32] = [:]
        csv.forEachCell(column: c) { r, cell, escaped in
            if matches(cell, missing) { codes.append(-1); return }
            let key = CellKey(cell)
            if !escaped, let k = index[key] { codes.append(k); return }
            let text = escaped ? csv.cell(row: r, column: c) : String(decoding: cell, as: UTF8.self)
            let k: Int32
            if let known = byText[text] { k = known } else {
                k = Int32(levels.count)
                byText[text] = k
                levels.append(text)
            }
            if !escaped { index[key] = k }
            codes.append(k)
        }
        return Column(name: name, values: .categorical(codes: codes, levels: levels))
    }
}

/// A cell's bytes as a dictionary key, hashed and compared by content; valid while the file's bytes are.
struct CellKey: Hashable {
    let bytes: UnsafeBufferPointer<UInt8>
    init(_ b: UnsafeBufferPointer<UInt8>) { bytes = b }
    static func == (a: CellKey, b: CellKey) -> Bool { a.bytes.count == b.bytes.count && a.bytes.elementsEqual(b.bytes) }
    func hash(into h: inout Hasher) { h.combine(bytes: UnsafeRawBufferPointer(bytes)) }
}

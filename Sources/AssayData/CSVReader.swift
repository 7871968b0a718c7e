import Foundation

/// How a delimited text file is written.
public struct CSVOptions: Sendable, Hashable {
    public var delimiter: UInt8
    public var decimal: UInt8
    /// Cells read as missing, compared byte for byte after unquoting.
    public var missing: [String]
    public var header: Bool
    /// Column names when `header` is false.
    public var names: [String]?

    public static let defaultMissing = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "#N/A"]

    /// The delimiter value that means "runs of spaces or tabs" (`delimiter: whitespace`): blanks at the start and
    /// end of a line are ignored and any run of them separates two fields, as pandas' `sep=r"\s+"` reads.
    public static let whitespace = UInt8(ascii: " ")

    public init(delimiter: UInt8 = UInt8(ascii: ","), decimal: UInt8 = UInt8(ascii: "."),
                missing: [String] = CSVOptions.defaultMissing, header: Bool = true, names: [String]? = nil) {
        self.delimiter = delimiter
        self.decimal = decimal
        self.missing = missing
        self.header = header
        self.names = names
    }
}

/// Errors reading a table; each names the file and the line, row or column at fault.
public enum DataError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case empty(file: String)
    case unterminatedQuote(file: String, line: Int)
    case textAfterQuote(file: String, line: Int)
    case raggedRow(file: String, line: Int, row: Int, found: Int, expected: Int)
    case duplicateColumn(file: String, name: String)
    case namesCount(file: String, names: Int, fields: Int)
    case unknownColumn(file: String, name: String, role: String, hint: String)
    case notNumeric(file: String, line: Int, row: Int, column: String, value: String)
    /// A number too large for a double (`1e999`), which would otherwise be read as infinity.
    case numberOutOfRange(file: String, line: Int, row: Int, column: String, value: String)
    case targetMissing(file: String, line: Int, row: Int, column: String)
    case targetClasses(file: String, column: String, values: [String])
    /// A regression target cell that is not a number.
    case targetNotNumeric(file: String, line: Int, row: Int, column: String, value: String)
    /// A regression target with fewer than three distinct values (the values, as numbers).
    case targetTooFewValues(file: String, column: String, values: [String])
    case positiveNotFound(file: String, column: String, positive: String, values: [String])
    case badFold(file: String, line: Int, row: Int, column: String, value: String)
    /// A `data.weight` cell that is missing, not a number, negative or not finite.
    case badWeight(file: String, line: Int, row: Int, column: String, value: String)
    /// A `data.weight` column whose every weight is 0.
    case zeroWeights(file: String, column: String)
    /// A purchase log's time cell that does not match `data.events.time_format`.
    case badTime(file: String, line: Int, row: Int, column: String, value: String, format: String)
    case foldsNotContiguous(file: String, column: String, found: [Int])
    /// A `data.join` or `data.clean` step that cannot be applied; `origin` is where the spec declares it.
    case step(origin: String, message: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): return "\(f): cannot read: \(r)"
        case .empty(let f): return "\(f): the file has no rows"
        case .unterminatedQuote(let f, let l): return "\(f):\(l): quoted field is never closed"
        case .textAfterQuote(let f, let l): return "\(f):\(l): unexpected text after a closing quote"
        case .raggedRow(let f, let l, let r, let found, let exp):
            return "\(f):\(l): row \(r) has \(found) fields, expected \(exp)"
        case .duplicateColumn(let f, let n): return "\(f): column '\(n)' appears more than once"
        case .namesCount(let f, let n, let fields): return "\(f): data.names lists \(n) columns but rows have \(fields) fields"
        case .unknownColumn(let f, let n, let role, let hint): return "\(f): no column '\(n)' (named in \(role))\(hint)"
        case .notNumeric(let f, let l, let r, let c, let v):
            return "\(f):\(l): row \(r), column '\(c)': '\(v)' is not a number"
        case .numberOutOfRange(let f, let l, let r, let c, let v):
            return "\(f):\(l): row \(r), column '\(c)': '\(v)' is beyond the largest number a double holds (about 1.8e308)"
        case .targetMissing(let f, let l, let r, let c): return "\(f):\(l): row \(r) has no value in target column '\(c)'"
        case .targetClasses(let f, let c, let v):
            let numeric = v.allSatisfy({ NumberParser.parse($0, decimal: UInt8(ascii: ".")) != nil || NumberParser.parse($0, decimal: UInt8(ascii: ",")) != nil })
            let advice = v.count <= 2 ? "" : numeric ? "; a numeric target is a regression: set task: regression"
                : "; several classes make a multiclass target: set task: multiclass"
            return "\(f): target '\(c)' must have exactly two distinct values, found \(v.count): \(Self.list(v))" + advice
        case .targetNotNumeric(let f, let l, let r, let c, let v):
            return "\(f):\(l): row \(r), target '\(c)': '\(v)' is not a number; task: regression needs a numeric target"
        case .targetTooFewValues(let f, let c, let v):
            return "\(f): target '\(c)' has only \(v.count) distinct value\(v.count == 1 ? "" : "s") (\(v.joined(separator: ", "))): "
                + "that is a classification target, not a regression one (task: binary)"
        case .positiveNotFound(let f, let c, let p, let v):
            return "\(f): positive label '\(p)' does not occur in target '\(c)' (values: \(Self.list(v)))"
        case .badFold(let f, let l, let r, let c, let v):
            return "\(f):\(l): row \(r), fold column '\(c)': '\(v)' is not a fold number (0..k-1, or -1 for test)"
        case .badWeight(let f, let l, let r, let c, let v):
            return "\(f):\(l): row \(r), weight column '\(c)': " + (v.isEmpty ? "the weight is missing" : "'\(v)' is not a weight")
                + " (data.weight needs a finite number ≥ 0 in every row)"
        case .zeroWeights(let f, let c):
            return "\(f): every row's weight in column '\(c)' is 0 (data.weight needs a positive weight somewhere)"
        case .badTime(let f, let l, let r, let c, let v, let format):
            return "\(f):\(l): row \(r), time column '\(c)': '\(v)' does not match time_format \(format == "iso" ? "iso (YYYY-MM-DD, optionally a time of day)" : "'\(format)'")"
        case .foldsNotContiguous(let f, let c, let found):
            return "\(f): fold column '\(c)' must number at least two folds 0..k-1, found \(found.map(String.init).joined(separator: ", "))"
        case .step(let origin, let message): return "\(origin): \(message)"
        }
    }

    static func list(_ v: [String]) -> String {
        (v.prefix(5).map { "'\($0)'" } + (v.count > 5 ? ["…"] : [])).joined(separator: ", ")
    }
}

/// A tokenized delimited file: the byte ranges of every cell, by row and column.
///
/// The reader works on bytes, not strings: RFC 4180 quoting (delimiters, doubled quotes and
/// line breaks inside quotes), a UTF-8 byte order mark, LF, CRLF or CR line ends, blank lines skipped.
public struct CSVFile {
    public let file: String
    public let names: [String]
    public let rowCount: Int
    let bytes: [UInt8]
    let starts: [Int]
    let ends: [Int]
    let escaped: [Bool]
    /// 1-based line number where each data row starts.
    let lines: [Int]

    public var columnCount: Int { names.count }

    /// Reads and tokenizes `url`; `displayName` is how errors name the file.
    /// With `headerOnly`, only the file's first mebibyte is read when the header (or first row) ends within it.
    public init(contentsOf url: URL, displayName: String, options: CSVOptions, headerOnly: Bool = false) throws {
        var data: Data
        do {
            if headerOnly, let handle = try? FileHandle(forReadingFrom: url) {
                defer { try? handle.close() }
                data = try handle.read(upToCount: 1 << 20) ?? Data()
                // A prefix whose first line break comes late (a huge or quoted multi-line header): read it all.
                if data.count == 1 << 20, (data.firstIndex(of: UInt8(ascii: "\n")) ?? data.endIndex) > data.startIndex + (1 << 19) {
                    data += try handle.readToEnd() ?? Data()
                }
            } else {
                data = try Data(contentsOf: url)
            }
        } catch {
            throw DataError.unreadable(file: displayName, reason: (error as NSError).localizedDescription)
        }
        try self.init(bytes: [UInt8](data), displayName: displayName, options: options, headerOnly: headerOnly)
    }

    public init(bytes input: [UInt8], displayName: String, options: CSVOptions, headerOnly: Bool = false) throws {
        file = displayName
        bytes = input
        var starts: [Int] = [], ends: [Int] = [], escaped: [Bool] = [], lines: [Int] = []
        var width = -1
        var headerNames: [String]? = nil
        let estimate = input.count / 8
        starts.reserveCapacity(estimate); ends.reserveCapacity(estimate); escaped.reserveCapacity(estimate)
        var tokenizer = CSVTokenizer(delimiter: options.delimiter, file: displayName)
        var cells: [CellRange] = []
        try input.withUnsafeBufferPointer { b in
            var i = (b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) ? 3 : 0
            var dataRow = 0
            while case .record(let rowLine, let hasQuote) = try tokenizer.next(b, &i, final: true, cells: &cells) {
                if CSVTokenizer.isBlank(cells, hasQuote: hasQuote) { continue }
                if headerNames == nil && options.header {
                    headerNames = cells.map { Self.text(b, $0.start, $0.end, $0.escaped) }
                    width = cells.count
                    if headerOnly { return }
                    continue
                }
                dataRow += 1
                if width < 0 { width = cells.count }
                guard cells.count == width else {
                    throw DataError.raggedRow(file: displayName, line: rowLine, row: dataRow, found: cells.count, expected: width)
                }
                for c in cells { starts.append(c.start); ends.append(c.end); escaped.append(c.escaped) }
                lines.append(rowLine)
                if headerOnly { return }
            }
        }
        if options.header {
            guard let headerNames else { throw DataError.empty(file: displayName) }
            names = headerNames
        } else {
            let given = options.names ?? []
            if width >= 0 && given.count != width {
                throw DataError.namesCount(file: displayName, names: given.count, fields: width)
            }
            names = given
        }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw DataError.duplicateColumn(file: displayName, name: name)
        }
        self.starts = starts
        self.ends = ends
        self.escaped = escaped
        self.lines = lines
        self.rowCount = lines.count
    }

    static func text(_ b: UnsafeBufferPointer<UInt8>, _ s: Int, _ e: Int, _ esc: Bool) -> String {
        let raw = UnsafeBufferPointer(rebasing: b[s..<e])
        guard esc else { return String(decoding: raw, as: UTF8.self) }
        var out = [UInt8]()
        out.reserveCapacity(e - s)
        var i = s
        while i < e {
            out.append(b[i])
            i += (b[i] == UInt8(ascii: "\"") && i + 1 < e && b[i + 1] == UInt8(ascii: "\"")) ? 2 : 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The text of a cell, unquoted and unescaped.
    public func cell(row: Int, column: Int) -> String {
        let k = row * columnCount + column
        return bytes.withUnsafeBufferPointer { Self.text($0, starts[k], ends[k], escaped[k]) }
    }

    /// 1-based line number of a data row (0-based index).
    public func line(ofRow row: Int) -> Int { lines[row] }

    /// Calls `body` with the raw bytes of each cell of a column, in row order.
    func forEachCell(column: Int, _ body: (Int, UnsafeBufferPointer<UInt8>, Bool) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { b in
            var k = column
            for r in 0..<rowCount {
                try body(r, UnsafeBufferPointer(rebasing: b[starts[k]..<ends[k]]), escaped[k])
                k += columnCount
            }
        }
    }
}

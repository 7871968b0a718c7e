import AssayCore
import Foundation

/// Reads the columns of a purchase log that a customer table needs, streaming the file in blocks: no copy of the
/// whole file and no per-cell offsets are kept, only each needed column as it will be used (numbers, or text codes
/// with their distinct values), so a log of tens of millions of rows fits in little more memory than those columns.
///
/// It tokenizes with `CSVTokenizer` and types columns as `Frame.read` does: a column declared numeric must hold
/// numbers (an error names the line and row of the first that is not); a declared categorical one keeps its text as
/// written; an undeclared one is numeric when every present value is a number (or every one `TRUE`/`FALSE`), else
/// categorical. Missing tokens are `CSVOptions.missing`.
enum EventLogReader {
    static let blockSize = 1 << 22

    /// The columns named in `wanted` (nil: every column) of the file at `path`, in the file's order.
    static func read(path: String, displayName: String, options: CSVOptions, wanted: Set<String>?, kinds: [String: ColumnKind],
                     blockSize: Int = blockSize) throws -> Frame {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError.unreadable(file: displayName, reason: String(cString: strerror(errno)))
        }
        defer { try? handle.close() }
        var tokenizer = CSVTokenizer(delimiter: options.delimiter, file: displayName)
        let missing = options.missing.map { Array($0.utf8) }
        func builders(_ header: [String]) -> [(index: Int, builder: ColumnBuilder)] {
            header.indices.filter { wanted?.contains(header[$0]) ?? true }.map {
                ($0, ColumnBuilder(name: header[$0], kind: kinds[header[$0]], missing: missing, decimal: options.decimal))
            }
        }
        // The hot loop below touches only these locals (no closure captures them, so no access is checked at run time).
        var names: [String]? = options.header ? nil : options.names
        var columns = names.map(builders) ?? []
        var lines: [Int] = []
        var cells: [CellRange] = []
        var buffer: [UInt8] = [], first = true, atEnd = false, width = -1, reserved = false
        // Rows expected, from the file's size and the first block's line length: arrays grow once, not by doubling.
        let fileSize = (try? handle.seekToEnd()).map(Int.init) ?? 0
        try? handle.seek(toOffset: 0)
        while !atEnd {
            let block: Data
            do { block = try handle.read(upToCount: blockSize) ?? Data() } catch {
                throw DataError.unreadable(file: displayName, reason: (error as NSError).localizedDescription)
            }
            atEnd = block.isEmpty
            buffer.append(contentsOf: block)
            var consumed = 0
            try buffer.withUnsafeBufferPointer { b in
                var i = 0
                if first {
                    guard b.count >= 3 || atEnd else { return }  // wait for enough bytes to see a byte order mark
                    if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { i = 3 }
                    consumed = i
                    first = false
                }
                while true {
                    let record = try tokenizer.next(b, &i, final: atEnd, cells: &cells)
                    guard case .record(let line, let hasQuote) = record else { break }
                    consumed = i
                    if CSVTokenizer.isBlank(cells, hasQuote: hasQuote) { continue }
                    if names == nil {
                        let header = cells.map { CSVFile.text(b, $0.start, $0.end, $0.escaped) }
                        names = header
                        columns = builders(header)
                        width = cells.count
                        continue
                    }
                    if width < 0 {
                        width = cells.count
                        if let names, names.count != width { throw DataError.namesCount(file: displayName, names: names.count, fields: width) }
                    }
                    guard cells.count == width else {
                        throw DataError.raggedRow(file: displayName, line: line, row: lines.count + 1, found: cells.count, expected: width)
                    }
                    lines.append(line)
                    for k in columns.indices {
                        let c = cells[columns[k].index]
                        try columns[k].builder.add(UnsafeBufferPointer(rebasing: b[c.start..<c.end]), escaped: c.escaped, line: line,
                                                   row: lines.count, file: displayName)
                    }
                }
            }
            if !reserved && lines.count > 100 && consumed > 0 {
                reserved = true
                let estimate = Int(Double(fileSize) / Double(consumed) * Double(lines.count) * 1.02) + 16
                lines.reserveCapacity(estimate)
                for k in columns.indices { columns[k].builder.reserve(estimate) }
            }
            buffer.removeFirst(consumed)
        }
        guard let names else { throw DataError.empty(file: displayName) }
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted { throw DataError.duplicateColumn(file: displayName, name: name) }
        let read = try columns.map { try $0.builder.column(file: displayName) }
        return Frame(columns: read, lines: lines, rows: Array(1..<(lines.count + 1)), file: displayName)
    }
}

/// One column being read: numbers parsed as they come, or text interned as codes.
struct ColumnBuilder {
    let name: String
    let kind: ColumnKind?
    let missing: [[UInt8]]
    let decimal: UInt8
    var numbers: [Double] = []
    var codes: [Int32] = []
    var interner = Interner()
    /// A declared numeric column's first number too large for a double (an error once the whole column is read).
    var firstOutOfRange: (line: Int, row: Int, text: String)? = nil

    init(name: String, kind: ColumnKind?, missing: [[UInt8]], decimal: UInt8) {
        self.name = name
        self.kind = kind
        self.missing = missing
        self.decimal = decimal
    }

    mutating func reserve(_ rows: Int) {
        if kind == .numeric { numbers.reserveCapacity(rows) } else { codes.reserveCapacity(rows) }
    }

    mutating func add(_ cell: UnsafeBufferPointer<UInt8>, escaped: Bool, line: Int, row: Int, file: String) throws {
        if kind == .numeric {
            if DatasetLoader.matches(cell, missing) { numbers.append(.nan); return }
            if let v = NumberParser.parse(cell, decimal: decimal) {
                if !v.isFinite && firstOutOfRange == nil { firstOutOfRange = (line, row, String(decoding: cell, as: UTF8.self)) }
                numbers.append(v); return
            }
            if DatasetLoader.matches(cell, DatasetLoader.trueWords) { numbers.append(1); return }
            if DatasetLoader.matches(cell, DatasetLoader.falseWords) { numbers.append(0); return }
            throw DataError.notNumeric(file: file, line: line, row: row, column: name, value: String(decoding: cell, as: UTF8.self))
        }
        if DatasetLoader.matches(cell, missing) { codes.append(-1); return }
        if escaped {
            var text = Array(String(decoding: cell, as: UTF8.self).replacingOccurrences(of: "\"\"", with: "\"").utf8)
            codes.append(text.withUnsafeMutableBufferPointer { interner.code(UnsafeBufferPointer($0)) })
        } else {
            codes.append(interner.code(cell))
        }
    }

    /// The finished column: numbers, or categories (an undeclared column whose every value is a number, or every
    /// one a boolean word, becomes numbers).
    func column(file: String) throws -> Column {
        if kind == .numeric {
            if let bad = firstOutOfRange { throw DataError.numberOutOfRange(file: file, line: bad.line, row: bad.row, column: name, value: bad.text) }
            return Column(name: name, values: .numeric(numbers))
        }
        let levels = interner.levels
        if kind == nil {
            let parsed = levels.map { NumberParser.parse($0, decimal: decimal) }
            let bools = levels.map { t -> Double? in
                DatasetLoader.trueWords.contains(Array(t.utf8)) ? 1 : DatasetLoader.falseWords.contains(Array(t.utf8)) ? 0 : nil
            }
            let asNumbers = parsed.allSatisfy { $0 != nil } ? parsed : bools.allSatisfy { $0 != nil } ? bools : nil
            if let asNumbers {
                let values = asNumbers.map { $0 ?? .nan }
                if values.contains(where: { !$0.isFinite }) {
                    throw DataError.step(origin: file, message: "column '\(name)' holds a number beyond the largest a double holds (about 1.8e308)")
                }
                return Column(name: name, values: .numeric(codes.map { $0 < 0 ? .nan : values[Int($0)] }))
            }
        }
        return Column(name: name, values: .categorical(codes: codes, levels: levels))
    }
}

/// Distinct byte strings numbered in order of first appearance: an open-addressing table over one byte arena.
/// A slot holds the value's first eight bytes and its length beside its code, so a short value (an id, a day, a
/// code) is found or told apart without leaving the slot; a longer one is compared in the arena.
struct Interner {
    private struct Slot {
        var word: UInt64 = 0
        var length: Int32 = 0
        var code: Int32 = -1
    }
    private var arena: [UInt8] = []
    private var offsets: [Int] = [0]
    private var slots = [Slot](repeating: Slot(), count: 1024)
    private var words: [UInt64] = []
    private var lastWord: UInt64 = 0, lastLength = -1
    private var last: Int32 = -1

    var count: Int { offsets.count - 1 }

    /// Each value's text, by code.
    var levels: [String] {
        arena.withUnsafeBufferPointer { a in (0..<count).map { String(decoding: UnsafeBufferPointer(rebasing: a[offsets[$0]..<offsets[$0 + 1]]), as: UTF8.self) } }
    }

    /// The first eight bytes, little-endian, zero-padded.
    @inline(__always) private static func word(_ cell: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var w: UInt64 = 0
        for k in 0..<min(8, cell.count) { w |= UInt64(cell[k]) << (8 * UInt64(k)) }
        return w
    }

    @inline(__always) private func tailEquals(_ k: Int32, _ cell: UnsafeBufferPointer<UInt8>) -> Bool {
        guard cell.count > 8 else { return true }
        let s = offsets[Int(k)]
        return arena.withUnsafeBufferPointer { a in
            guard let p = a.baseAddress, let q = cell.baseAddress else { return false }
            return memcmp(p + s + 8, q + 8, cell.count - 8) == 0
        }
    }

    /// The code of `cell`'s bytes, numbering them if new.
    mutating func code(_ cell: UnsafeBufferPointer<UInt8>) -> Int32 {
        let w = Self.word(cell), n = cell.count
        // A log in time order repeats the last value often (the day): check it before hashing.
        if last >= 0, w == lastWord, n == lastLength, tailEquals(last, cell) { return last }
        var h: UInt64 = 0xcbf29ce484222325 ^ UInt64(n)
        h = (h ^ w) &* 0x100000001b3
        if n > 8 { for k in 8..<n { h = (h ^ UInt64(cell[k])) &* 0x100000001b3 } }
        h ^= h >> 32
        h = h &* 0x9E3779B97F4A7C15
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: h >> 20) & mask
        while slots[slot].code >= 0 {
            let k = slots[slot].code
            if slots[slot].word == w && Int(slots[slot].length) == n && tailEquals(k, cell) {
                last = k; lastWord = w; lastLength = n
                return k
            }
            slot = (slot + 1) & mask
        }
        let k = Int32(count)
        slots[slot] = Slot(word: w, length: Int32(n), code: k)
        arena.append(contentsOf: cell)
        offsets.append(arena.count)
        words.append(h)
        if count * 2 > slots.count { grow() }
        last = k; lastWord = w; lastLength = n
        return k
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Slot(), count: slots.count * 2)
        let mask = slots.count - 1
        for s in old where s.code >= 0 {
            var slot = Int(truncatingIfNeeded: words[Int(s.code)] >> 20) & mask
            while slots[slot].code >= 0 { slot = (slot + 1) & mask }
            slots[slot] = s
        }
    }
}

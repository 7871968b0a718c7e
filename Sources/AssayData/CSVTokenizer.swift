/// One cell of a record: its bytes' range in the buffer (quotes excluded), and whether it holds doubled quotes.
struct CellRange {
    var start: Int
    var end: Int
    var escaped: Bool
}

/// Splits delimited text into records, one at a time: RFC 4180 quoting (delimiters, doubled quotes and line breaks
/// inside quotes), LF, CRLF or CR line ends, and `CSVOptions.whitespace` (runs of blanks). The one tokenizer both
/// the whole-file reader (`CSVFile`) and the streaming purchase-log reader use, so they read every file alike.
struct CSVTokenizer {
    let delimiter: UInt8
    let blanks: Bool
    let file: String
    /// The 1-based line where the next record starts.
    var line = 1

    init(delimiter: UInt8, file: String) {
        self.delimiter = delimiter
        self.blanks = delimiter == CSVOptions.whitespace
        self.file = file
    }

    enum Record {
        /// A record (its cells in `cells`), starting at `line`.
        case record(line: Int, hasQuote: Bool)
        /// The buffer ends inside the record: call again with more bytes (from the same start).
        case incomplete
        /// No bytes left.
        case end
    }

    /// Reads the record of `b` that starts at `i` into `cells` and moves `i` past its line end. With `final` false,
    /// a record that reaches the end of `b` is `.incomplete` and `i` and the line count are left as they were, so the
    /// caller can append more bytes and retry; with `final` true the end of `b` ends the record.
    mutating func next(_ b: UnsafeBufferPointer<UInt8>, _ i: inout Int, final: Bool, cells: inout [CellRange]) throws -> Record {
        let n = b.count, delim = delimiter, quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), tab = UInt8(ascii: "\t")
        cells.removeAll(keepingCapacity: true)
        let start = i, startLine = line
        guard i < n else { return final ? .end : .incomplete }
        var rowHasQuote = false
        func incomplete() -> Record { i = start; line = startLine; return .incomplete }
        if blanks { while i < n && (b[i] == delim || b[i] == tab) { i += 1 } }
        while true {
            var s = i, e = i, esc = false
            if i < n && b[i] == quote {
                rowHasQuote = true
                i += 1; s = i
                while true {
                    guard i < n else {
                        if !final { return incomplete() }
                        throw DataError.unterminatedQuote(file: file, line: startLine)
                    }
                    let c = b[i]
                    if c == quote {
                        if i + 1 < n && b[i + 1] == quote { esc = true; i += 2; continue }
                        if i + 1 >= n && !final { return incomplete() }  // a doubled quote may straddle the buffers
                        e = i; i += 1; break
                    }
                    if c == lf { line += 1 }
                    i += 1
                }
                if i < n && b[i] != delim && b[i] != cr && b[i] != lf && !(blanks && b[i] == tab) {
                    throw DataError.textAfterQuote(file: file, line: line)
                }
            } else if blanks {
                while i < n, b[i] != delim, b[i] != tab, b[i] != cr, b[i] != lf { i += 1 }
                e = i
            } else {
                while i < n, b[i] != delim, b[i] != cr, b[i] != lf { i += 1 }
                e = i
            }
            cells.append(CellRange(start: s, end: e, escaped: esc))
            if blanks {
                // A run of blanks separates fields, unless the line ends after it.
                var j = i
                while j < n && (b[j] == delim || b[j] == tab) { j += 1 }
                if j >= n && !final { return incomplete() }
                if j > i && j < n && b[j] != cr && b[j] != lf { i = j; continue }
                i = j
            } else if i < n && b[i] == delim { i += 1; continue }
            if i >= n && !final { return incomplete() }
            if i < n && b[i] == cr {
                if i + 1 >= n && !final { return incomplete() }  // its LF may be in the next buffer
                i += 1; if i < n && b[i] == lf { i += 1 }; line += 1
            } else if i < n && b[i] == lf { i += 1; line += 1 }
            return .record(line: startLine, hasQuote: rowHasQuote)
        }
    }

    /// A record that is a blank line (one empty unquoted cell), which readers skip.
    static func isBlank(_ cells: [CellRange], hasQuote: Bool) -> Bool {
        cells.count == 1 && !hasQuote && cells[0].start == cells[0].end
    }
}

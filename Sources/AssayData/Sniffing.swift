import AssayCore

/// Guesses how a delimited text file is written — its delimiter, decimal mark and whether its first row names the
/// columns — from its first lines, as `assay init` needs before it can read a table it has never seen.
public enum CSVSniffer {
    /// Delimiters tried, in order of preference when two fit equally well.
    static let delimiters: [UInt8] = [",", ";", "\t", "|"].map { UInt8(ascii: $0) }
    /// Lines looked at.
    static let sampleLines = 200

    /// The options to read `bytes` with (missing tokens left at their default).
    public static func sniff(_ bytes: [UInt8], file: String) throws -> CSVOptions {
        let lines = sample(bytes)
        guard !lines.isEmpty else { throw DataError.empty(file: file) }
        // The delimiter: the one that splits every sampled line into the same number (> 1) of fields; among those,
        // the one giving the most fields.
        var best: (delimiter: UInt8, fields: Int)? = nil
        for d in delimiters {
            let counts = Set(lines.map { fields($0, d).count })
            guard counts.count == 1, let n = counts.first, n > 1 else { continue }
            if n > (best?.fields ?? 1) { best = (d, n) }
        }
        let words = Set(lines.map { $0.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).count })
        guard let (delimiter, _) = best ?? (words.count == 1 && (words.first ?? 0) > 1 ? (CSVOptions.whitespace, words.first ?? 0) : nil) else {
            throw DataError.unreadable(file: file, reason: "no comma, semicolon, tab, | or run of spaces splits its first \(lines.count) lines into the same number of fields")
        }
        let cells = lines.map { fields($0, delimiter) }
        let body = cells.dropFirst()
        // The decimal mark: a comma when the delimiter is not one, some cells are numbers with a decimal comma and
        // none has a decimal point.
        var decimal = UInt8(ascii: ".")
        if delimiter != UInt8(ascii: ",") {
            let all = body.joined()
            let commaNumbers = all.contains { NumberParser.parse($0, decimal: UInt8(ascii: ",")) != nil && $0.contains(",") }
            let pointNumbers = all.contains { NumberParser.parse($0, decimal: UInt8(ascii: ".")) != nil && $0.contains(".") }
            if commaNumbers && !pointNumbers { decimal = UInt8(ascii: ",") }
        }
        // A header unless every cell of the first row is a number.
        let header = !cells[0].allSatisfy { NumberParser.parse($0, decimal: decimal) != nil }
        var options = CSVOptions(delimiter: delimiter, decimal: decimal, header: header)
        if !header { options.names = (1...cells[0].count).map { "column_\($0)" } }
        return options
    }

    /// The first non-empty lines, without line endings (a quoted field may not span lines here).
    static func sample(_ bytes: [UInt8]) -> [[UInt8]] {
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var lines: [[UInt8]] = []
        while start < bytes.count, lines.count < sampleLines {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var line = Array(bytes[start..<end])
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            if !line.isEmpty { lines.append(line) }
            start = end + 1
        }
        return lines
    }

    /// A line's fields split at `delimiter` outside double quotes, quotes removed (runs of blanks for `whitespace`).
    static func fields(_ line: [UInt8], _ delimiter: UInt8) -> [String] {
        if delimiter == CSVOptions.whitespace {
            return line.split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }).map { String(decoding: $0, as: UTF8.self) }
        }
        var out: [String] = [], field: [UInt8] = [], quoted = false
        let quote = UInt8(ascii: "\"")
        var i = 0
        while i < line.count {
            let b = line[i]
            if b == quote {
                if quoted, i + 1 < line.count, line[i + 1] == quote { field.append(quote); i += 1 } else { quoted.toggle() }
            } else if b == delimiter && !quoted {
                out.append(String(decoding: field, as: UTF8.self)); field = []
            } else {
                field.append(b)
            }
            i += 1
        }
        out.append(String(decoding: field, as: UTF8.self))
        return out
    }
}

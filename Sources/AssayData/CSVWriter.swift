import Foundation
import AssayCore

/// Writes a table as RFC 4180 CSV: comma-separated, LF line ends, a cell quoted when it holds a comma, a quote or
/// a line break (quotes doubled), numbers in their shortest exact form, a missing cell empty.
public enum CSVWriter {
    public static func text(_ table: Table) -> String {
        var lines = [table.names.map(field).joined(separator: ",")]
        lines.reserveCapacity(table.rowCount + 1)
        for r in 0..<table.rowCount {
            lines.append(table.columns.map { c in c.text(at: r).map(field) ?? "" }.joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One field as RFC 4180 requires: quoted (quotes doubled) when it holds a comma, a quote or a line break.
    public static func field(_ s: String) -> String {
        // Scalars, not characters: a CRLF, or a quote followed by a combining mark, is one Character.
        s.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingAll(["\"": "\"\""]) + "\"" : s
    }
}

import AssayCore

/// Warnings about how columns were read that change what a model sees without failing: a numeric column read as
/// categories because of a few stray cells, and a categorical column with about as many values as rows.
public enum ColumnDiagnostics {
    /// Categories that are numbers in at least this share of the present cells make a column "mostly numbers".
    static let mostlyNumbers = 0.9
    /// A categorical column with more distinct values than this share of the rows (and more than 50) is flagged.
    static let levelsPerRow = 0.1

    /// One line per column that deserves a look, naming the file, the column, a row and the fix.
    public static func warnings(_ table: Table, decimal: UInt8, file: String) -> [String] {
        table.columns.compactMap { column in
            guard case .categorical(let codes, let levels) = column.values else { return nil }
            var perLevel = [Int](repeating: 0, count: levels.count)
            for c in codes where c >= 0 { perLevel[Int(c)] += 1 }
            let present = perLevel.reduce(0, +)
            guard present > 0 else { return nil }
            let isNumber = levels.map { NumberParser.parse($0, decimal: decimal) != nil }
            let numeric = levels.indices.filter { isNumber[$0] }.reduce(0) { $0 + perLevel[$1] }
            if Double(numeric) >= mostlyNumbers * Double(present), numeric < present {
                let strays = levels.indices.filter { !isNumber[$0] && perLevel[$0] > 0 }.sorted { perLevel[$0] > perLevel[$1] }
                let shown = strays.prefix(3).map { JSONText.quote(levels[$0]) + " (\(perLevel[$0]) cell\(perLevel[$0] == 1 ? "" : "s"))" }
                let row = codes.firstIndex { $0 >= 0 && !isNumber[Int($0)] }.map { $0 + 1 } ?? 0
                let blank = strays.contains { levels[$0].allSatisfy(\.isWhitespace) }
                return "\(file): column '\(column.name)' is read as categories with \(levels.count) values although \(numeric) of its "
                    + "\(present) cells are numbers; the others are \(shown.joined(separator: ", "))\(strays.count > 3 ? ", …" : ""), first at row \(row). "
                    + (blank ? "Blank-looking cells are not missing unless data.missing lists them (\"\" matches only empty cells); " : "")
                    + "list such markers in data.missing, or set data.columns: {\(column.name): numeric} to make each an error naming its row"
            }
            if Double(levels.count) > levelsPerRow * Double(table.rowCount), levels.count > 50 {
                return "\(file): column '\(column.name)' has \(levels.count) distinct values in \(table.rowCount) rows: an id or free text "
                    + "gives a model one category per row; name it in data.id or data.drop unless it is meant as a feature"
            }
            return nil
        }
    }
}

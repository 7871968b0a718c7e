import AssayCore
import AssayData
import Foundation

/// What `init` works out about a purchase log (one row per order line, no column to predict): the customer, time,
/// amount and item columns, and a repeat-purchase question on them (`data.events`).
struct LogGuess {
    let dataPath: String
    let csv: CSVOptions
    let customer: String
    let time: String
    let timeFormat: String
    let amount: String?
    let nonPositiveAmounts: Int
    let item: String?
    let paddedItems: Bool
    let cutoff: Day
    let lastDay: Day
    var findings: [String] = []

    /// Time formats tried, day-first before month-first where both read every value.
    static let timeFormats = ["iso", "%Y%m%d", "%Y/%m/%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%m-%d-%Y", "%m/%d/%Y",
                              "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M"]
    /// Names that read as the customer's, compared lowercased.
    static let customerWords = ["customer", "client", "member", "user", "buyer", "account", "household", "cust"]
    /// The label window `init` proposes.
    static let horizon = 90

    /// A log guess for `file`, or nil when it does not look like a purchase log (no day column, or no column whose
    /// values repeat as a customer's do).
    init?(_ file: CSVFile, csv: CSVOptions, dataPath: String) {
        self.dataPath = dataPath
        self.csv = csv
        let rows = file.rowCount
        guard rows >= 10 else { return nil }
        let missing = Set(csv.missing)
        func cells(_ c: Int) -> [String] { (0..<rows).map { file.cell(row: $0, column: c) } }
        let columns = (0..<file.columnCount).map(cells)
        // The time column: every present value a day in one format.
        var timeColumn: (index: Int, format: String, days: [Int])? = nil
        for c in columns.indices {
            let distinct = Array(Set(columns[c].filter { !missing.contains($0) }))
            guard distinct.count >= 2, distinct.contains(where: { $0.utf8.count >= 6 }) else { continue }
            for pattern in Self.timeFormats {
                guard let format = try? TimeFormat.parse(pattern) else { continue }
                let parsed = distinct.map { format.day($0.utf8) }
                if parsed.allSatisfy({ $0 != nil }) {
                    timeColumn = (c, pattern, parsed.compactMap { $0?.number })
                    break
                }
            }
            if timeColumn != nil { break }
        }
        guard let (t, format, days) = timeColumn, let first = days.min(), let last = days.max(), last - first > 2 * Self.horizon else { return nil }
        func number(_ s: String) -> Double? { NumberParser.parse(s, decimal: csv.decimal) }
        // The customer: a column whose values repeat (fewer distinct values than 80% of the rows, more than 10), preferring a
        // customer-like name; never the time column, never one with decimal numbers.
        let repeating = columns.indices.filter { c in
            guard c != t else { return false }
            let distinct = Set(columns[c]).count
            return distinct > 10 && Double(distinct) < 0.8 * Double(rows) && !columns[c].contains { $0.contains(".") && number($0) != nil }
        }
        let named = repeating.first { c in Self.customerWords.contains { file.names[c].lowercased().contains($0) } }
        guard let customerIndex = named ?? repeating.first else { return nil }
        // The amount: a numeric column with decimals (money); the item: a text column besides the customer's.
        let amountIndex = columns.indices.first { c in
            c != t && c != customerIndex && columns[c].allSatisfy { missing.contains($0) || number($0) != nil } && columns[c].contains { $0.contains(String(UnicodeScalar(csv.decimal))) }
        }
        let itemIndex = columns.indices.first { c in
            c != t && c != customerIndex && c != amountIndex && columns[c].contains { number($0) == nil && !missing.contains($0) }
        }
        customer = file.names[customerIndex]
        time = file.names[t]
        timeFormat = format
        amount = amountIndex.map { file.names[$0] }
        nonPositiveAmounts = amountIndex.map { c in columns[c].filter { (number($0) ?? 1) <= 0 }.count } ?? 0
        item = itemIndex.map { file.names[$0] }
        paddedItems = itemIndex.map { c in columns[c].contains { $0.first == " " || $0.last == " " } } ?? false
        lastDay = Day(number: last)
        cutoff = Day(number: last + 1 - Self.horizon)
        findings = [
            "read as a purchase log: delimiter " + (csv.delimiter == CSVOptions.whitespace ? "runs of spaces" : "'\(String(UnicodeScalar(csv.delimiter)))'")
                + ", \(rows) rows, days \(Day(number: first)) to \(lastDay)",
            "customer: \(customer) (\(Set(columns[customerIndex]).count) customers); time: \(time) (\(format))"
                + (amount.map { "; amount: \($0)" } ?? "") + (item.map { "; item: \($0)" } ?? ""),
            "question: who buys within \(Self.horizon) days of \(cutoff) (the last \(Self.horizon) days of the log), from the purchases before it",
        ]
        if nonPositiveAmounts > 0 { findings.append("\(nonPositiveAmounts) rows with an amount of 0 or less are not counted as purchases") }
    }

    func spec(specFolder: String, stem: String) -> String {
        var y: [String] = []
        y += ["# Starter spec written by `assay init` from \(URL(fileURLWithPath: dataPath).lastPathComponent), read as a purchase log (one row per",
              "# order line). Every line is a guess: review it, then `assay validate` and `assay run` this file.",
              "# docs/spec-extensions.md (data.events) lists every feature, label and cutoff form."]
        y += ["assay: 1", "name: \(Guess.yaml(Guess.specName(stem)))",
              "description: \(Guess.yaml("Who buys within \(Self.horizon) days of \(cutoff)? Starter spec from assay init: say here which question the run answers."))",
              "seed: 42", "data:", "  events:", "    path: \(Guess.yaml(StarterSpec.relativePath(to: dataPath, from: specFolder)))"]
        if csv.delimiter == CSVOptions.whitespace {
            y += ["    delimiter: whitespace         # fields padded with runs of spaces"]
        } else if csv.delimiter != UInt8(ascii: ",") {
            y += ["    delimiter: \(Guess.yaml(String(UnicodeScalar(csv.delimiter))))"]
        }
        if csv.decimal != UInt8(ascii: ".") { y += ["    decimal: \(Guess.yaml(String(UnicodeScalar(csv.decimal))))"] }
        if !csv.header, let names = csv.names { y += ["    header: false", "    names: [" + names.map(Guess.yaml).joined(separator: ", ") + "]"] }
        y += ["    customer: \(Guess.yaml(customer))", "    time: \(Guess.yaml(time))", "    time_format: \(JSONText.quote(timeFormat))"]
        if let amount { y += ["    amount: \(Guess.yaml(amount))"] }
        if let item { y += ["    item: \(Guess.yaml(item))"] }
        var clean: [String] = []
        if let amount, nonPositiveAmounts > 0 {
            clean.append("      - filter: \(JSONText.quote("`\(amount)` > 0"))    # \(nonPositiveAmounts) rows of 0 or less: not purchases")
        }
        if let item, paddedItems { clean.append("      - normalize: {columns: [\(Guess.yaml(item))]}   # item names padded with spaces") }
        if !clean.isEmpty { y += ["    clean:"] + clean }
        y += ["  cutoff: \(cutoff)              # the log's last \(Self.horizon) days are the label window",
              "  label: {buys_within: \(Self.horizon)d}"]
        var features = ["recency", "frequency"] + (amount == nil ? [] : ["monetary"]) + ["tenure", "{orders: \(Self.horizon)d}"]
        if item != nil { features.append("distinct_items") }
        y += ["  features: [" + features.joined(separator: ", ") + "]"]
        y += ["split: {test_size: 0.25, folds: 5}",
              "models:",
              "  logreg:",
              "    type: logistic_regression",
              "    params: {max_iter: 1000}",
              "    preprocess:",
              "      - log1p: {}",
              "      - scale: {method: standard}",
              "  boost:",
              "    type: gradient_boosting",
              "metrics: [roc_auc, pr_auc, log_loss]",
              "select: roc_auc",
              "# checks:                      # after a first run, gate CI on it, e.g.",
              "#   cv.roc_auc: {min: 0.80, tolerance: 0.005}"]
        return y.joined(separator: "\n") + "\n"
    }
}

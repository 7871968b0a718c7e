import AssayCore
import AssayEngine
import AssayData
import AssayLearn
import Foundation

/// How many of the ranked rows `assay predict --top` keeps.
public enum TopRule: Sendable, Equatable {
    case count(Int)
    case share(Double)

    /// Parses `N` or `P%`.
    public init?(_ text: String) {
        if text.hasSuffix("%"), let p = Double(text.dropLast()), p > 0, p <= 100 { self = .share(p) }
        else if let n = Int(text), n > 0 { self = .count(n) }
        else { return nil }
    }

    func rows(of n: Int) -> Int {
        switch self {
        case .count(let k): return min(k, n)
        case .share(let p): return min(n, Int((p / 100 * Double(n)).rounded(.up)))
        }
    }
}

/// What `assay predict` ranks rows by.
public enum RankBy: String, Sendable, CaseIterable {
    /// The positive probability.
    case probability
    /// The probability times the row's value (`--value COL`): what contacting the row is expected to bring.
    case expectedValue = "expected_value"
}

/// What `assay predict` did.
public struct PredictOutcome: Sendable {
    /// The saved pipeline that scored the rows (nil for a segment or rules model).
    public let pipeline: SavedPipeline?
    /// Which run's model scored the rows, in one line.
    public let provenance: String
    /// What was scored (rows, or baskets).
    public let rowsScored: Int
    public let rowsWritten: Int
    /// What the model is, in a few words: `experiment/model (type)`, `experiment's segments`, `experiment's rules`.
    public let what: String
}

/// Scores new rows with a saved pipeline and writes a ranked target list.
public enum Predict {
    /// Reads `input` with the run's CSV options, scores every row and writes `output`: id, probability,
    /// predicted label at the saved threshold (a regression model: the predicted value, and no label), decile (1 = the top tenth; tied rows share the decile of their middle
    /// rank) and rank, highest probability first.
    /// Nothing is written unless every row scored.
    /// `with` names columns of the input carried, as written, after the id. `value` names a numeric column (a
    /// customer's value, in money): the output then gives it and the expected value (probability × value), and
    /// `rankBy: .expectedValue` ranks by the latter.
    /// A multiclass model writes every class's probability (`probability:CLASS`) and the predicted (most probable)
    /// class, ranked by `rankClass`'s probability, or by the predicted class's.
    public static func run(model: String, input: String, output: String, id: String?, top: TopRule?, with carried: [String] = [],
                           value valueColumn: String? = nil, rankBy: RankBy = .probability, rankClass: String? = nil) throws -> PredictOutcome {
        if rankBy == .expectedValue && valueColumn == nil {
            throw AssayError.input("--rank-by expected_value needs --value COL: the column holding each row's value")
        }
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path }
        for (name, path) in [("--input", input), ("--model", model)] where resolved(path) == resolved(output) {
            throw AssayError.input("\(output): --output is the \(name) file; writing the scores there would replace it")
        }
        guard let modelData = FileManager.default.contents(atPath: model) else {
            throw AssayError.input("\(model): cannot read the model file")
        }
        let other = ModelFile.has(modelData, magic: SavedSegments.magic) ? "a segment model" : ModelFile.has(modelData, magic: SavedRules.magic) ? "a rules model" : nil
        if let other {
            if valueColumn != nil { throw AssayError.input("\(model): --value weighs a binary model's probability; this is \(other)") }
            if ModelFile.has(modelData, magic: SavedSegments.magic) {
                if top != nil { throw AssayError.input("\(model): --top keeps the best-scored rows; a segment model assigns every row a segment") }
                return try segments(SavedSegments(fileData: modelData, file: model), input: input, output: output, id: id, with: carried)
            }
            guard case .count(let n)? = top ?? .count(3) else { throw AssayError.input("--top with a rules model is the number of items to suggest per basket, like 3") }
            if !carried.isEmpty { throw AssayError.input("\(model): --with carries a row's columns; a rules model writes one line per basket and suggestion") }
            return try recommend(SavedRules(fileData: modelData, file: model), input: input, output: output, top: n)
        }
        let pipeline = try SavedPipeline(fileData: modelData, file: model)
        let regression = pipeline.kind == .regression, classes = pipeline.classes
        if regression, let name = valueColumn {
            throw AssayError.input("\(model): --value \(name) weighs a binary model's probability; model '\(pipeline.model)' of experiment '\(pipeline.experiment)' is a regression and predicts the value itself")
        }
        if !classes.isEmpty, let name = valueColumn {
            throw AssayError.input("\(model): --value \(name) weighs a binary model's probability; model '\(pipeline.model)' of experiment '\(pipeline.experiment)' predicts \(classes.count) classes")
        }
        var rankIndex: Int? = nil
        if let name = rankClass {
            guard !classes.isEmpty else { throw AssayError.input("\(model): --class ranks by one class's probability; model '\(pipeline.model)' is not a multiclass model") }
            guard let c = classes.firstIndex(of: name) else {
                throw AssayError.input("\(model): --class '\(name)' is not a class of the model (\(classes.joined(separator: ", ")))\(Suggest.hint(name, among: classes))")
            }
            rankIndex = c
        }
        let csv: CSVFile
        do {
            csv = try CSVFile(contentsOf: URL(fileURLWithPath: input), displayName: input, options: pipeline.csv)
        } catch { throw AssayError.wrap(error) }
        guard csv.rowCount > 0 else { throw AssayError.data(.empty(file: input)) }
        try pipeline.checkColumns(csv)

        var idName = "row"
        var ids: [String] = (1...csv.rowCount).map(String.init)
        if let column = id ?? pipeline.idColumn {
            guard let c = csv.names.firstIndex(of: column) else {
                let whose = id == nil ? " (the run's data.id; pass --id to name another)" : ""
                throw AssayError.input("\(input): id column '\(column)' is missing\(whose)\(Suggest.hint(column, among: csv.names))")
            }
            idName = column
            ids = (0..<csv.rowCount).map { csv.cell(row: $0, column: c) }
        }
        let carriedColumns = try carried.map { name -> Int in
            guard let c = csv.names.firstIndex(of: name) else {
                throw AssayError.input("\(input): --with column '\(name)' is missing\(Suggest.hint(name, among: csv.names))")
            }
            return c
        }
        var values: [Double]? = nil
        if let name = valueColumn {
            guard let c = csv.names.firstIndex(of: name) else {
                throw AssayError.input("\(input): --value column '\(name)' is missing\(Suggest.hint(name, among: csv.names))")
            }
            values = try (0..<csv.rowCount).map { r in
                let text = csv.cell(row: r, column: c)
                guard let v = NumberParser.parse(text, decimal: pipeline.csv.decimal), v.isFinite else {
                    throw AssayError.data(.notNumeric(file: input, line: csv.line(ofRow: r), row: r + 1, column: name, value: text))
                }
                return v
            }
        }
        let probabilities: [Double]
        do { probabilities = try pipeline.probabilities(for: csv) } catch { throw AssayError.wrap(error) }
        if !classes.isEmpty {
            return try multiclass(pipeline, probabilities, csv: csv, ids: ids, idName: idName, carried: carried, carriedColumns: carriedColumns,
                                  top: top, rankIndex: rankIndex, output: output)
        }
        // The ranking key: the probability, or the expected value.
        let p = rankBy == .expectedValue ? zip(probabilities, values ?? []).map { $0 * $1 } : probabilities

        let (order, runs) = Curves.tieRuns(p)
        let n = order.count
        let keep = top?.rows(of: n) ?? n
        // Rows tied on a score share one decile, that of their middle rank, so input order does not place them.
        let decile = deciles(runs, rows: n)
        let valueHeader = values == nil ? [] : ["value", "expected_value"]
        // A regression writes its predicted value, and no predicted label.
        let scoreHeader = regression ? ["prediction"] : ["probability"], labelHeader = regression ? [] : ["predicted"]
        var text = ([idName] + carried + scoreHeader + valueHeader + labelHeader + ["decile", "rank"]).map(CSVWriter.field).joined(separator: ",") + "\n"
        for (rank, i) in order.prefix(keep).enumerated() {
            let label = regression ? [] : [CSVWriter.field(probabilities[i] > pipeline.threshold ? pipeline.positiveLabel : pipeline.negativeLabel)]
            let valueCells = values.map { ["\($0[i])", "\(probabilities[i] * $0[i])"] } ?? []
            text += ([CSVWriter.field(ids[i])] + carriedColumns.map { CSVWriter.field(csv.cell(row: i, column: $0)) }
                     + ["\(probabilities[i])"] + valueCells + label + [String(decile[rank]), String(rank + 1)]).joined(separator: ",") + "\n"
        }
        try AtomicFiles.write([(output, Data(text.utf8))])
        return PredictOutcome(pipeline: pipeline, provenance: pipeline.provenance, rowsScored: n, rowsWritten: keep,
                              what: "\(pipeline.experiment)/\(pipeline.model) (\(pipeline.type))")
    }

    /// A multiclass model's scores: every class's probability and the predicted class, ranked by one class's
    /// probability (`rankIndex`) or by the predicted class's.
    static func multiclass(_ pipeline: SavedPipeline, _ probabilities: [Double], csv: CSVFile, ids: [String], idName: String, carried: [String],
                           carriedColumns: [Int], top: TopRule?, rankIndex: Int?, output: String) throws -> PredictOutcome {
        let classes = pipeline.classes, k = classes.count, n = csv.rowCount
        let predicted = (0..<n).map { i in (0..<k).reduce(0) { probabilities[i * k + $1] > probabilities[i * k + $0] ? $1 : $0 } }
        let key = (0..<n).map { i in probabilities[i * k + (rankIndex ?? predicted[i])] }
        let (order, runs) = Curves.tieRuns(key)
        let keep = top?.rows(of: n) ?? n
        let decile = deciles(runs, rows: n)
        var text = ([idName] + carried + classes.map { "probability:\($0)" } + ["predicted", "decile", "rank"]).map(CSVWriter.field).joined(separator: ",") + "\n"
        for (rank, i) in order.prefix(keep).enumerated() {
            text += ([CSVWriter.field(ids[i])] + carriedColumns.map { CSVWriter.field(csv.cell(row: i, column: $0)) }
                     + (0..<k).map { "\(probabilities[i * k + $0])" } + [CSVWriter.field(classes[predicted[i]]), String(decile[rank]), String(rank + 1)])
                .joined(separator: ",") + "\n"
        }
        try AtomicFiles.write([(output, Data(text.utf8))])
        return PredictOutcome(pipeline: pipeline, provenance: pipeline.provenance, rowsScored: n, rowsWritten: keep,
                              what: "\(pipeline.experiment)/\(pipeline.model) (\(pipeline.type))")
    }

    /// Each rank's decile (1 = the top tenth): rows tied on a score share one, that of their middle rank, so input order
    /// does not place them.
    static func deciles(_ runs: [Range<Int>], rows n: Int) -> [Int] {
        var decile = [Int](repeating: 0, count: n)
        for run in runs { for k in run { decile[k] = (run.lowerBound + run.upperBound - 1) * 5 / n + 1 } }
        return decile
    }

    /// Reads `input` as the run read its table, or fails with one line.
    static func table(_ input: String, _ options: CSVOptions) throws -> CSVFile {
        let csv: CSVFile
        do { csv = try CSVFile(contentsOf: URL(fileURLWithPath: input), displayName: input, options: options) } catch { throw AssayError.wrap(error) }
        guard csv.rowCount > 0 else { throw AssayError.data(.empty(file: input)) }
        return csv
    }

    /// A column's index in `csv`, or one line naming what is missing.
    static func column(_ name: String, in csv: CSVFile, _ role: String) throws -> Int {
        guard let c = csv.names.firstIndex(of: name) else { throw AssayError.input("\(csv.file): \(role) column '\(name)' is missing\(Suggest.hint(name, among: csv.names))") }
        return c
    }

    /// A segment model: every row's segment (the report's numbering) and its distance to the segment's centre, in file order.
    static func segments(_ model: SavedSegments, input: String, output: String, id: String?, with carried: [String]) throws -> PredictOutcome {
        let csv = try table(input, model.input.csv)
        let idColumn = try (id ?? model.idColumn).map { try column($0, in: csv, id == nil ? "id (the run's; pass --id to name another)" : "id") }
        let carriedColumns = try carried.map { try column($0, in: csv, "--with") }
        let assigned = try model.assign(csv)
        var text = ([idColumn.map { csv.names[$0] } ?? "row"] + carried + ["segment", "distance"]).map(CSVWriter.field).joined(separator: ",") + "\n"
        for (r, a) in assigned.enumerated() {
            text += ([CSVWriter.field(idColumn.map { csv.cell(row: r, column: $0) } ?? String(r + 1))] + carriedColumns.map { CSVWriter.field(csv.cell(row: r, column: $0)) }
                     + [String(a.segment), "\(a.distance)"]).joined(separator: ",") + "\n"
        }
        try AtomicFiles.write([(output, Data(text.utf8))])
        return PredictOutcome(pipeline: nil, provenance: model.provenance, rowsScored: csv.rowCount, rowsWritten: csv.rowCount, what: "\(model.experiment)'s segments")
    }

    /// A rules model: the input's rows grouped into baskets by the run's basket column (its order, else its customer: a
    /// customer's past items), and for each basket up to `top` items to suggest, best first, with the rule behind each.
    static func recommend(_ model: SavedRules, input: String, output: String, top: Int) throws -> PredictOutcome {
        let csv = try table(input, model.csv)
        let b = try column(model.basketColumn, in: csv, "basket"), i = try column(model.itemColumn, in: csv, "item")
        var order: [String] = [], items: [String: Set<String>] = [:]
        for r in 0..<csv.rowCount {
            let key = csv.cell(row: r, column: b), item = csv.cell(row: r, column: i)
            guard !key.isEmpty, !item.isEmpty, !model.csv.missing.contains(key), !model.csv.missing.contains(item) else { continue }
            if items[key] == nil { order.append(key) }
            items[key, default: []].insert(item)
        }
        var text = [model.basketColumn, "rank", "item", "confidence", "lift", "support", "because"].map(CSVWriter.field).joined(separator: ",") + "\n"
        var written = 0
        for key in order {
            for (rank, s) in model.suggestions(for: items[key] ?? [], top: top).enumerated() {
                let rule = model.rules[s.rule]
                text += [CSVWriter.field(key), String(rank + 1), CSVWriter.field(s.item), "\(rule.confidence)", "\(rule.lift)", "\(rule.support)",
                         CSVWriter.field(rule.antecedent.joined(separator: " + ") + " → " + rule.consequent.joined(separator: " + "))].joined(separator: ",") + "\n"
                written += 1
            }
        }
        try AtomicFiles.write([(output, Data(text.utf8))])
        return PredictOutcome(pipeline: nil, provenance: model.provenance, rowsScored: order.count, rowsWritten: written, what: "\(model.experiment)'s rules")
    }
}

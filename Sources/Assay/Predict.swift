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
    public let pipeline: SavedPipeline
    public let rowsScored: Int
    public let rowsWritten: Int
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
    public static func run(model: String, input: String, output: String, id: String?, top: TopRule?, with carried: [String] = [],
                           value valueColumn: String? = nil, rankBy: RankBy = .probability) throws -> PredictOutcome {
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
        let pipeline = try SavedPipeline(fileData: modelData, file: model)
        let regression = pipeline.kind == .regression
        if regression, let name = valueColumn {
            throw AssayError.input("\(model): --value \(name) weighs a binary model's probability; model '\(pipeline.model)' of experiment '\(pipeline.experiment)' is a regression and predicts the value itself")
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
        // The ranking key: the probability, or the expected value.
        let p = rankBy == .expectedValue ? zip(probabilities, values!).map { $0 * $1 } : probabilities

        let (order, runs) = Curves.tieRuns(p)
        let n = order.count
        let keep = top?.rows(of: n) ?? n
        // Rows tied on a score share one decile, that of their middle rank, so input order does not place them.
        var decile = [Int](repeating: 0, count: n)
        for run in runs { for k in run { decile[k] = (run.lowerBound + run.upperBound - 1) * 5 / n + 1 } }
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
        return PredictOutcome(pipeline: pipeline, rowsScored: n, rowsWritten: keep)
    }
}

import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import Foundation

/// This build's version, written into saved pipelines.
public enum AssayVersion {
    public static let current = "0.1.0"
}

/// A model refit on all training rows with every fitted transform: what `assay predict` applies to new rows.
///
/// File layout: the line `assay-model\n`, a format version (UInt32), the SHA-256 of the body, then the body.
/// A file with a newer format version is refused with a message naming both versions.
public struct SavedPipeline: Sendable {
    public static let formatVersion: UInt32 = 3
    public static let magic = Array("assay-model\n".utf8)

    public var assayVersion: String
    /// SHA-256 of the spec text and its `--set` overrides.
    public var specHash: String
    public var experiment: String
    public var model: String
    public var type: String
    /// The model's parameters at the selected point (fixed and grid), as canonical JSON.
    public var params: String
    /// Probability above which a row is predicted positive.
    public var threshold: Double
    /// How the training file was written; new files are read the same way.
    public var csv: CSVOptions
    public var positiveLabel: String
    public var negativeLabel: String
    /// The spec's `data.id` column, if any.
    public var idColumn: String?
    /// Feature columns in training order, with their kinds.
    public var features: [(name: String, kind: ColumnKind)]
    public var preprocessing: FittedPreprocessing
    public var fitted: FittedModel
    /// The spec's row-wise `data.clean` steps (replace, normalize, derive), applied to new rows before scoring;
    /// `filter` and `drop_duplicates` are not: every input row gets a score.
    public var rowSteps: [CleanStep] = []
    /// A multiclass model's class names, in the order of its probabilities; empty for the other kinds.
    public var classes: [String] = []

    /// Which run's model this is, in one line: experiment, model, type, selected settings, threshold, the spec's hash
    /// and the Assay that saved it (`predict` prints it, so a score can always be traced to its run).
    public var provenance: String {
        "model '\(model)' (\(type), \(params)) of experiment '\(experiment)', "
            + (kind == .binary ? "threshold \(NumberFormat.json(threshold)), " : kind == .multiclass ? "\(classes.count) classes, " : "a regression, ")
            + "spec \(specHash.prefix(12)), saved by Assay \(assayVersion)"
    }

    /// What the model predicts: a binary probability, every class's probability, or a regression value (read from the
    /// fitted model's kind).
    public var kind: ExperimentKind {
        fitted.fitted is any FittedRegressor ? .regression : fitted.fitted is any FittedMulticlassClassifier ? .multiclass : .binary
    }

    /// Keeps the steps that transform a row without removing any.
    public static func rowWise(_ steps: [CleanStep]) -> [CleanStep] {
        steps.filter { if case .filter = $0 { return false }; if case .dropDuplicates = $0 { return false }; return true }
    }

    /// Encoded file bytes.
    public func fileData() -> Data {
        var w = ByteWriter()
        w.write(assayVersion); w.write(specHash); w.write(experiment); w.write(model); w.write(type); w.write(params)
        w.write(threshold)
        w.write(csv.delimiter); w.write(csv.decimal); w.write(csv.missing); w.write(csv.header); w.write(csv.names ?? [])
        w.write(positiveLabel); w.write(negativeLabel); w.write(idColumn ?? "")
        w.write(features.map(\.name)); w.write(features.map(\.kind.rawValue))
        w.write(preprocessing); w.write(fitted)
        Self.write(rowSteps, to: &w)
        w.write(classes)
        return ModelFile.framed(w.data, magic: Self.magic, version: Self.formatVersion)
    }

    /// Reads a saved pipeline; `file` names it in errors.
    public init(fileData data: Data, file: String) throws {
        let (version, body) = try ModelFile.body(data, magic: Self.magic, maxVersion: Self.formatVersion, file: file)
        do {
            var r = ByteReader(body)
            assayVersion = try r.readString(); specHash = try r.readString(); experiment = try r.readString()
            model = try r.readString(); type = try r.readString(); params = try r.readString()
            threshold = try r.readDouble()
            let delimiter = try r.readUInt8(), decimal = try r.readUInt8(), missing = try r.readStrings()
            let header = try r.readBool(), names = try r.readStrings()
            csv = CSVOptions(delimiter: delimiter, decimal: decimal, missing: missing, header: header, names: header ? nil : names)
            positiveLabel = try r.readString(); negativeLabel = try r.readString()
            let id = try r.readString()
            idColumn = id.isEmpty ? nil : id
            let names2 = try r.readStrings(), kinds = try r.readStrings()
            features = try zip(names2, kinds).map { name, k in
                guard let kind = ColumnKind(rawValue: k) else { throw BinaryFormatError.badTag("column kind", 0) }
                return (name, kind)
            }
            preprocessing = try r.read(); fitted = try r.read()
            if version >= 2 {
                rowSteps = try (0..<r.readCount()).map { _ in try Self.rowStep(try r.readStrings()) }
            }
            if version >= 3 { classes = try r.readStrings() }
            guard r.isAtEnd else { throw BinaryFormatError.trailingBytes }
            // The parts must fit together: the features are the columns the preprocessing was fitted on, and its
            // output is what the model reads.
            try BinaryFormatError.require(features.map(\.name) == preprocessing.inputColumns, "feature columns")
            try BinaryFormatError.require(preprocessing.outputWidth == fitted.fitted.inputWidth, "model width")
            try BinaryFormatError.require((0...1).contains(threshold), "threshold")
            try BinaryFormatError.require(classes.count == ((fitted.fitted as? any FittedMulticlassClassifier)?.classCount ?? 0), "class names")
        } catch let e as BinaryFormatError {
            throw AssayError.input("\(file): damaged model file (\(e))")
        }
    }

    public init(assayVersion: String, specHash: String, experiment: String, model: String, type: String, params: String,
                threshold: Double, csv: CSVOptions, positiveLabel: String, negativeLabel: String, idColumn: String?,
                features: [(name: String, kind: ColumnKind)], preprocessing: FittedPreprocessing, fitted: FittedModel, rowSteps: [CleanStep] = [],
                classes: [String] = []) {
        self.rowSteps = rowSteps
        self.classes = classes
        self.assayVersion = assayVersion
        self.specHash = specHash
        self.experiment = experiment
        self.model = model
        self.type = type
        self.params = params
        self.threshold = threshold
        self.csv = csv
        self.positiveLabel = positiveLabel
        self.negativeLabel = negativeLabel
        self.idColumn = idColumn
        self.features = features
        self.preprocessing = preprocessing
        self.fitted = fitted
    }

    /// The row-wise steps, each as a list of strings (read back by `rowStep`).
    static func write(_ rowSteps: [CleanStep], to w: inout ByteWriter) {
        w.write(rowSteps.count)
        for step in rowSteps {
            switch step {
            case .replace(let c, let pairs, let o): w.write(["replace", c, o] + pairs.flatMap { [$0.old, Self.tagged($0.new)] })
            case .normalize(let c, let lower, let o): w.write(["normalize", lower ? "lower" : "", o] + (c ?? ["\u{0}all"]))
            case .derive(let n, let e, let o): w.write(["derive", n, o, e.display])
            case .filter, .dropDuplicates: continue
            }
        }
    }

    /// A replacement value as text: `n` (null), `s:TEXT`, `i:INT`, `d:DOUBLE`.
    static func tagged(_ v: ParamValue) -> String {
        switch v {
        case .int(let i): return "i:\(i)"
        case .double(let d): return "d:\(d)"
        case .string(let t): return "s:" + t
        default: return "n"
        }
    }

    static func untagged(_ t: String) throws -> ParamValue {
        if t == "n" { return .null }
        let body = String(t.dropFirst(2))
        switch t.prefix(2) {
        case "s:": return .string(body)
        case "i:": if let i = Int(body) { return .int(i) }
        case "d:": if let d = Double(body) { return .double(d) }
        default: break
        }
        throw BinaryFormatError.badTag("replacement value", 0)
    }

    static func rowStep(_ f: [String]) throws -> CleanStep {
        let bad = BinaryFormatError.badTag("clean step", 0)
        guard f.count >= 3 else { throw bad }
        switch f[0] {
        case "replace":
            guard f.count % 2 == 1 else { throw bad }
            let pairs = try stride(from: 3, to: f.count, by: 2).map { i -> CleanStep.Replacement in
                return CleanStep.Replacement(old: f[i], new: try untagged(f[i + 1]))
            }
            return .replace(column: f[1], pairs: pairs, origin: f[2])
        case "normalize":
            return .normalize(columns: f.count == 4 && f[3] == "\u{0}all" ? nil : Array(f[3...]), lowercase: f[1] == "lower", origin: f[2])
        case "derive":
            guard f.count == 4, let e = try? RowExpression.parse(f[3]) else { throw bad }
            return .derive(name: f[1], e, origin: f[2])
        default: throw bad
        }
    }

    /// How new files are read: the CSV options, the feature columns and the row-wise cleaning.
    var input: ModelInput { ModelInput(csv: csv, features: features, rowSteps: rowSteps) }

    /// Checks that a file has every feature column (or what derives it); extra columns are ignored.
    public func checkColumns(_ csv: CSVFile) throws { try input.checkColumns(csv) }

    /// Probabilities (a regression: predicted values; a multiclass model: every class's, row after row) for every row of a
    /// tokenized file, in file order, scored in blocks of `blockRows`.
    public func probabilities(for csv: CSVFile, blockRows: Int = 4096) throws -> [Double] {
        let table = try input.table(of: csv)
        var out: [Double] = []
        out.reserveCapacity(csv.rowCount)
        var start = 0
        while start < csv.rowCount {
            let rows = Array(start..<min(start + blockRows, csv.rowCount))
            out += try Self.scoring(csv, rows, preprocessing) { try fitted.predict(try preprocessing.transform(table, rows: rows)) }
            start += blockRows
        }
        return out
    }

    /// Runs `body` (which transforms `rows` of `csv` and scores them), turning what it throws into one line about the file.
    static func scoring<T>(_ csv: CSVFile, _ rows: [Int], _ preprocessing: FittedPreprocessing, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch LearnError.nonFinite(let row, let column) {
            // A present value the fitted steps cannot carry (log1p of a number below -1, a scale that overflows):
            // the input, or the model file, is wrong.
            let name = preprocessing.outputNames.indices.contains(column) ? preprocessing.outputNames[column] : "\(column)"
            throw AssayError.input("\(csv.file): row \(rows[row] + 1): the model's preprocessing makes '\(name)' missing or infinite")
        } catch let e as LearnError {
            throw AssayError.learn(e, task: "scoring \(csv.file)")
        }
    }

}

/// What a saved model needs to read new rows as its run read them: the file's CSV options, the feature columns with
/// their kinds, and the run's row-wise cleaning (`data.clean`'s replace, normalize and derive).
struct ModelInput {
    var csv: CSVOptions
    var features: [(name: String, kind: ColumnKind)]
    var rowSteps: [CleanStep]

    /// Names the `rowSteps` create (derived columns), which new files need not have.
    var derivedNames: Set<String> {
        Set(rowSteps.compactMap { if case .derive(let n, _, _) = $0 { return n }; return nil })
    }

    /// Checks that a file has every feature column (or what derives it); extra columns are ignored.
    func checkColumns(_ csv: CSVFile) throws {
        for f in features where !csv.names.contains(f.name) && !derivedNames.contains(f.name) {
            var hint = Suggest.hint(f.name, among: csv.names)
            if csv.names.count == 1, let d = [";", ",", "\t", "|"].first(where: { csv.names[0].contains($0) }) {
                hint = " (the header has one column; is the delimiter '\(d)'?)"
            }
            throw AssayError.input("\(csv.file): feature column '\(f.name)' is missing\(hint)")
        }
    }

    /// The feature columns of a tokenized file, as the run read them (after its row-wise cleaning).
    func table(of csv: CSVFile) throws -> Table {
        try checkColumns(csv)
        let missing = self.csv.missing.map { Array($0.utf8) }
        let columns: [Column]
        if rowSteps.isEmpty {
            columns = try features.map { f in
                try DatasetLoader.readColumn(csv, csv.names.firstIndex(of: f.name)!, name: f.name, kind: f.kind, missing: missing, decimal: self.csv.decimal)
            }
        } else {
            // Read every column, apply the run's row-wise cleaning, then take the features.
            let kinds = Dictionary(uniqueKeysWithValues: features.filter { csv.names.contains($0.name) }.map { ($0.name, $0.kind) })
            let (frame, _) = try Cleaning.apply(rowSteps, to: try Frame.read(csv, kinds: kinds, missing: self.csv.missing, decimal: self.csv.decimal))
            columns = try features.map { f in
                guard let i = frame.index(of: f.name) else { throw AssayError.input("\(csv.file): feature column '\(f.name)' is missing") }
                let c = frame.columns[i]
                guard c.kind == f.kind else {
                    throw AssayError.input("\(csv.file): column '\(f.name)' is \(c.kind.rawValue) here but was \(f.kind.rawValue) in training")
                }
                return c
            }
        }
        return Table(columns: columns, rowCount: csv.rowCount)
    }
}

/// The framing every saved model file shares: a magic line, a format version, the SHA-256 of the body, the body.
enum ModelFile {
    static func framed(_ body: Data, magic: [UInt8], version: UInt32) -> Data {
        var out = Data(magic)
        withUnsafeBytes(of: version.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: SHA256.hash(body))
        out.append(body)
        return out
    }

    /// Whether `data` starts with `magic`.
    static func has(_ data: Data, magic: [UInt8]) -> Bool { data.count >= magic.count && Array(data.prefix(magic.count)) == magic }

    /// The version and the checked body of a framed file; `file` names it in errors.
    static func body(_ data: Data, magic: [UInt8], maxVersion: UInt32, file: String) throws -> (UInt32, Data) {
        let bytes = [UInt8](data)
        let head = magic.count
        guard bytes.count >= head + 36, Array(bytes[0..<head]) == magic else {
            throw AssayError.input("\(file): not an Assay model file")
        }
        let version = bytes[head..<(head + 4)].reversed().reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        guard version <= maxVersion else {
            throw AssayError.input("\(file): model format version \(version) is newer than this Assay \(AssayVersion.current) reads (up to \(maxVersion)); use a newer Assay or re-run the experiment")
        }
        let body = Data(bytes[(head + 36)...])
        guard SHA256.hash(body) == Array(bytes[(head + 4)..<(head + 36)]) else {
            throw AssayError.input("\(file): the model file is damaged (checksum mismatch)")
        }
        return (version, body)
    }
}

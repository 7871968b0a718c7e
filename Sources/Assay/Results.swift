import AssayCore
import AssayLearn

/// Probabilities a fitted model gave to some rows, with those rows' labels: the output of a fit task.
struct Predictions: BinaryCodable, Sendable {
    var rows: [Int]
    var labels: [UInt8]
    var probabilities: [Double]
    /// A note on the fit, such as non-convergence.
    var note: String?

    static let version: UInt32 = 1

    func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.version)
        w.write(rows); w.write(labels); w.write(probabilities)
        w.write(note ?? "")
    }

    init(rows: [Int], labels: [UInt8], probabilities: [Double], note: String?) {
        self.rows = rows
        self.labels = labels
        self.probabilities = probabilities
        self.note = note
    }

    init(from r: inout ByteReader) throws {
        try r.readHeader("predictions", version: Self.version)
        rows = try r.readInts(); labels = try r.readBytes(); probabilities = try r.readDoubles()
        let n = try r.readString()
        note = n.isEmpty ? nil : n
        guard rows.count == labels.count, rows.count == probabilities.count else { throw BinaryFormatError.truncated }
    }
}

/// Rows a model scored: their labels (1 = positive) and probabilities, in row order.
struct ScoredRows: Sendable {
    var labels: [UInt8]
    var probabilities: [Double]

    init(labels: [UInt8], probabilities: [Double]) {
        self.labels = labels
        self.probabilities = probabilities
    }
}

/// The refit of a model's selected point: its test predictions and the fitted pipeline.
struct RefitResult: BinaryCodable, Sendable {
    var test: Predictions
    var preprocessing: FittedPreprocessing
    var model: FittedModel

    static let version: UInt32 = 1

    func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.version)
        w.write(test); w.write(preprocessing); w.write(model)
    }

    init(test: Predictions, preprocessing: FittedPreprocessing, model: FittedModel) {
        self.test = test
        self.preprocessing = preprocessing
        self.model = model
    }

    init(from r: inout ByteReader) throws {
        try r.readHeader("refit result", version: Self.version)
        test = try r.read(); preprocessing = try r.read(); model = try r.read()
    }
}

/// What the report needs to know about the table, computed once by the schema task.
struct DataProfile: BinaryCodable, Sendable {
    var rows: Int
    var positives: Int
    var numeric: [String]
    var categorical: [String]
    /// Numeric columns with missing cells.
    var numericWithMissing: [String]
    /// The target, 1 for the positive label.
    var labels: [UInt8]
    var negativeLabel: String
    /// What the joins and cleaning steps did.
    var preparation: [LogLine]
    /// How some columns were read, worth a look (see `ColumnDiagnostics`).
    var warnings: [String] = []

    func encode(to w: inout ByteWriter) {
        w.write(rows); w.write(positives); w.write(numeric); w.write(categorical); w.write(numericWithMissing); w.write(labels); w.write(negativeLabel)
        w.write(preparation); w.write(warnings)
    }

    init(_ d: Dataset) {
        rows = d.rowCount
        positives = d.positiveCount
        numeric = d.features.columns.filter { $0.kind == .numeric }.map(\.name)
        categorical = d.features.columns.filter { $0.kind == .categorical }.map(\.name)
        numericWithMissing = d.features.columns.filter { $0.kind == .numeric && $0.missingCount > 0 }.map(\.name)
        labels = d.target
        negativeLabel = d.negativeLabel
        preparation = d.preparation
    }

    init(from r: inout ByteReader) throws {
        rows = try r.readInt(); positives = try r.readInt(); numeric = try r.readStrings()
        categorical = try r.readStrings(); numericWithMissing = try r.readStrings(); labels = try r.readBytes(); negativeLabel = try r.readString()
        preparation = try r.readList(LogLine.self); warnings = try r.readStrings()
    }
}

extension PermutationImportance.Result: BinaryCodable {
    static let version: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.version)
        w.write(baseline)
        w.write(columns.map(\.name))
        for c in columns { w.write(c.importances) }
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("permutation importance", version: Self.version)
        let baseline = try r.readDouble()
        let names = try r.readStrings()
        self.init(baseline: baseline, columns: try names.map { ($0, try r.readDoubles()) })
    }
}

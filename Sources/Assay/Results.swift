import AssayCore
import AssayLearn

/// What a fitted model gave some rows, with those rows' truth: the output of a fit task. For a binary model the
/// truth is `labels` (1 = positive) and `probabilities` its positive-class probabilities; for a regressor the truth
/// is `values` and `probabilities` holds its predicted values (`labels` is empty).
struct Predictions: BinaryCodable, Sendable {
    var rows: [Int]
    var labels: [UInt8]
    var probabilities: [Double]
    /// A regression target's values of the rows; nil for a binary model.
    var values: [Double]? = nil
    /// A note on the fit, such as non-convergence.
    var note: String?
    /// A multiclass model's number of classes: `labels` are class indices and `probabilities` holds each row's
    /// probability of every class, row after row; 0 for the other kinds.
    var classCount = 0
    /// The rows' sample weights (`data.weight`), which every metric applies; nil without them.
    var weights: [Double]? = nil

    static let version: UInt32 = 4

    func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.version)
        w.write(rows); w.write(labels); w.write(probabilities)
        w.write(values != nil)
        if let values { w.write(values) }
        w.write(note ?? "")
        w.write(classCount)
        w.write(weights != nil)
        if let weights { w.write(weights) }
    }

    init(rows: [Int], labels: [UInt8], probabilities: [Double], note: String?) {
        self.rows = rows
        self.labels = labels
        self.probabilities = probabilities
        self.note = note
    }

    /// `data`'s truth for `rows` (labels or values, by the dataset's kind) with the model's `scores` for them.
    init(rows: [Int], of data: Dataset, scores: [Double], note: String?) {
        self.init(rows: rows, labels: data.values == nil ? rows.map { data.target[$0] } : [], probabilities: scores, note: note)
        values = data.values.map { v in rows.map { v[$0] } }
        classCount = data.classNames?.count ?? 0
        weights = data.weights.map { w in rows.map { w[$0] } }
    }

    init(from r: inout ByteReader) throws {
        try r.readHeader("predictions", version: Self.version)
        rows = try r.readInts(); labels = try r.readBytes(); probabilities = try r.readDoubles()
        values = try r.readBool() ? try r.readDoubles() : nil
        let n = try r.readString()
        note = n.isEmpty ? nil : n
        classCount = try r.readInt()
        weights = try r.readBool() ? try r.readDoubles() : nil
        guard (0...255).contains(classCount), rows.count == (values?.count ?? labels.count), rows.count * max(classCount, 1) == probabilities.count,
              values == nil || labels.isEmpty, weights.map({ $0.count == rows.count }) ?? true,
              classCount == 0 || (classCount >= 2 && labels.allSatisfy { Int($0) < classCount }) else {
            throw BinaryFormatError.truncated
        }
    }

    /// `metric` on these rows (a threshold metric calls a probability above `threshold` positive).
    func score(_ metric: Metric, threshold: Double) -> Double { scored.score(metric, threshold: threshold) }

    var scored: ScoredRows {
        var s = ScoredRows(labels: labels, probabilities: probabilities, values: values, rows: rows)
        s.classCount = classCount
        s.weights = weights
        return s
    }
}

/// Rows a model scored, in row order: their truth (labels, 1 = positive, or a regression target's values) and the
/// model's probabilities (or predicted values).
struct ScoredRows: Sendable {
    var labels: [UInt8]
    var probabilities: [Double]
    var values: [Double]? = nil
    /// The table's row of each (empty where the rows are not known).
    var rows: [Int] = []
    /// A multiclass model's number of classes (`probabilities` then holds every class's, row after row); 0 otherwise.
    var classCount = 0
    /// The rows' sample weights (`data.weight`): every metric and its bootstrap interval weighs the rows by them.
    var weights: [Double]? = nil

    init(labels: [UInt8], probabilities: [Double], values: [Double]? = nil, rows: [Int] = []) {
        self.labels = labels
        self.probabilities = probabilities
        self.values = values
        self.rows = rows
    }

    /// A profit rule's row values (indexed by table row) for these rows, in their order; nil without them.
    func rowValues(_ byTableRow: [Double]?) -> [Double]? { byTableRow.map { v in rows.map { v[$0] } } }

    var count: Int { probabilities.count / max(classCount, 1) }

    /// `metric` on these rows, by the kind of truth they hold.
    func score(_ metric: Metric, threshold: Double) -> Double {
        if let values { return RegressionScoring.score(metric, values: values, predictions: probabilities, weights: weights) }
        if classCount > 0 {
            let rows = MulticlassScoring.Rows(labels: labels, probabilities: probabilities, classes: classCount, ranked: metric == .rocAUCOvr)
            return MulticlassScoring.score(metric, rows, weights: weights)
        }
        return Scoring.score(metric, labels: labels, probabilities: probabilities, threshold: threshold, weights: weights)
    }

    /// 95% bootstrap intervals of `metrics` (1,000 resamples; a drawn row counts its sample weight each time).
    func intervals(_ metrics: [Metric], threshold: Double, using rng: inout SplitMix64) -> [Metric: (low: Double, high: Double)] {
        if let values { return Bootstrap.intervals(metrics, values: values, predictions: probabilities, weights: weights, using: &rng) }
        if classCount > 0 {
            let rows = MulticlassScoring.Rows(labels: labels, probabilities: probabilities, classes: classCount, ranked: metrics.contains(.rocAUCOvr))
            return MulticlassScoring.intervals(metrics, rows, weights: weights, using: &rng)
        }
        return Bootstrap.intervals(metrics, labels: labels, probabilities: probabilities, threshold: threshold, weights: weights, using: &rng)
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
    /// The target, 1 for the positive label (empty for a regression target).
    var labels: [UInt8]
    /// A regression target's values; nil for a binary target.
    var values: [Double]? = nil
    var negativeLabel: String
    /// What the joins and cleaning steps did.
    var preparation: [LogLine]
    /// How some columns were read, worth a look (see `ColumnDiagnostics`).
    var warnings: [String] = []
    /// A customer table's cutoffs, and each row's (see `Dataset.cutoffOfRow`).
    var cutoffs: [String] = []
    var cutoffOfRow: [Int]? = nil
    /// A multiclass target's class names (`labels` are indices into them); nil for the other kinds.
    var classNames: [String]? = nil
    /// `data.weight`'s total over all rows and the rows that weigh 0; nil without sample weights.
    var weight: (total: Double, zeroRows: Int)? = nil

    func encode(to w: inout ByteWriter) {
        w.write(rows); w.write(positives); w.write(numeric); w.write(categorical); w.write(numericWithMissing); w.write(labels); w.write(negativeLabel)
        w.write(preparation); w.write(warnings)
        w.write(values != nil)
        if let values { w.write(values) }
        w.write(cutoffOfRow != nil)
        if let cutoffOfRow { w.write(cutoffs); w.write(cutoffOfRow) }
        w.write(classNames != nil)
        if let classNames { w.write(classNames) }
        w.write(weight != nil)
        if let weight { w.write(weight.total); w.write(weight.zeroRows) }
    }

    init(_ d: Dataset) {
        rows = d.rowCount
        positives = d.positiveCount
        numeric = d.features.columns.filter { $0.kind == .numeric }.map(\.name)
        categorical = d.features.columns.filter { $0.kind == .categorical }.map(\.name)
        numericWithMissing = d.features.columns.filter { $0.kind == .numeric && $0.missingCount > 0 }.map(\.name)
        labels = d.target
        values = d.values
        negativeLabel = d.negativeLabel
        preparation = d.preparation
        cutoffs = d.cutoffs
        cutoffOfRow = d.cutoffOfRow
        classNames = d.classNames
        weight = d.weights.map { w in (w.reduce(0, +), w.filter { $0 == 0 }.count) }
    }

    init(from r: inout ByteReader) throws {
        rows = try r.readInt(); positives = try r.readInt(); numeric = try r.readStrings()
        categorical = try r.readStrings(); numericWithMissing = try r.readStrings(); labels = try r.readBytes(); negativeLabel = try r.readString()
        preparation = try r.readList(LogLine.self); warnings = try r.readStrings()
        values = try r.readBool() ? try r.readDoubles() : nil
        if try r.readBool() {
            cutoffs = try r.readStrings()
            let rows = try r.readInts()
            guard rows.count == self.rows, rows.allSatisfy(cutoffs.indices.contains) else { throw BinaryFormatError.truncated }
            cutoffOfRow = rows
        }
        if try r.readBool() {
            let names = try r.readStrings()
            guard names.count >= 2, labels.allSatisfy({ Int($0) < names.count }) else { throw BinaryFormatError.truncated }
            classNames = names
        }
        if try r.readBool() { weight = (try r.readDouble(), try r.readInt()) }
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

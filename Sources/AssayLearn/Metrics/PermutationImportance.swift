import AssayCore

/// Permutation importance, as scikit-learn's `sklearn.inspection.permutation_importance` defines it: for each
/// input column, its values are shuffled among the scored rows `repeats` times, the whole pipeline predicts
/// again, and the importance of each repeat is the baseline score minus the shuffled score (for a loss such as
/// log loss, the shuffled score minus the baseline), so that a positive number means the column helps.
/// The columns are the table's raw columns, before preprocessing, as with a scikit-learn `Pipeline`.
/// Shuffles come from the generator passed in (scikit-learn uses NumPy's; the numbers differ, the definition does not).
public enum PermutationImportance {
    public struct Result: Sendable, Equatable {
        public var baseline: Double
        /// Per input column, in table order: the importance of each repeat.
        public var columns: [(name: String, importances: [Double])]

        public init(baseline: Double, columns: [(name: String, importances: [Double])]) {
            self.baseline = baseline
            self.columns = columns
        }

        public static func == (a: Result, b: Result) -> Bool {
            a.baseline.bitPattern == b.baseline.bitPattern && a.columns.map(\.name) == b.columns.map(\.name)
                && a.columns.map { $0.importances.map(\.bitPattern) } == b.columns.map { $0.importances.map(\.bitPattern) }
        }
    }

    /// A binary model's importance by `metric` on `rows`, whose labels are `labels[row]`.
    public static func compute<G: RandomNumberGenerator>(
        table: Table, labels: [UInt8], rows: [Int], preprocessing: FittedPreprocessing, model: FittedModel,
        metric: Metric, weights: [Double]? = nil, repeats: Int, columns: Range<Int>? = nil, using rng: inout G
    ) throws -> Result {
        let y = rows.map { labels[$0] }, w = weights.map { w in rows.map { w[$0] } }
        return try compute(table: table, rows: rows, preprocessing: preprocessing, model: model, higherIsBetter: metric.higherIsBetter,
                           repeats: repeats, columns: columns, using: &rng) { Scoring.score(metric, labels: y, probabilities: $0, weights: w) }
    }

    /// A multiclass model's importance by `metric` on `rows`, whose class indices are `labels[row]` (of `classes`).
    public static func compute<G: RandomNumberGenerator>(
        table: Table, labels: [UInt8], classes: Int, rows: [Int], preprocessing: FittedPreprocessing, model: FittedModel,
        metric: Metric, weights: [Double]? = nil, repeats: Int, columns: Range<Int>? = nil, using rng: inout G
    ) throws -> Result {
        let y = rows.map { labels[$0] }, w = weights.map { w in rows.map { w[$0] } }
        return try compute(table: table, rows: rows, preprocessing: preprocessing, model: model, higherIsBetter: metric.higherIsBetter,
                           repeats: repeats, columns: columns, using: &rng) {
            MulticlassScoring.score(metric, MulticlassScoring.Rows(labels: y, probabilities: $0, classes: classes, ranked: metric == .rocAUCOvr), weights: w)
        }
    }

    /// A regression model's importance by `metric` on `rows`, whose target values are `values[row]`.
    public static func compute<G: RandomNumberGenerator>(
        table: Table, values: [Double], rows: [Int], preprocessing: FittedPreprocessing, model: FittedModel,
        metric: Metric, weights: [Double]? = nil, repeats: Int, columns: Range<Int>? = nil, using rng: inout G
    ) throws -> Result {
        let y = rows.map { values[$0] }, w = weights.map { w in rows.map { w[$0] } }
        return try compute(table: table, rows: rows, preprocessing: preprocessing, model: model, higherIsBetter: metric.higherIsBetter,
                           repeats: repeats, columns: columns, using: &rng) { RegressionScoring.score(metric, values: y, predictions: $0, weights: w) }
    }

    /// The shuffling loop: `scoring` scores the model's predictions for `rows`, in that order. With `columns`, only
    /// those input columns are scored, with the numbers the whole loop gives them: the shuffles of the columns before
    /// are drawn (and not scored) so that the generator is where the whole loop would have it.
    static func compute<G: RandomNumberGenerator>(
        table: Table, rows: [Int], preprocessing: FittedPreprocessing, model: FittedModel, higherIsBetter: Bool,
        repeats: Int, columns: Range<Int>? = nil, using rng: inout G, scoring: ([Double]) -> Double
    ) throws -> Result {
        let scored = (columns ?? table.columns.indices).clamped(to: table.columns.indices)
        precondition(repeats >= 1, "repeats must be at least 1")
        // One design matrix; a shuffle rewrites only the output columns of the shuffled input column, and the
        // column's own values put them back before the next one.
        var x = try preprocessing.transform(table, rows: rows)
        let baseline = scoring(try model.predict(x))
        // A model that predicts changed copies of the rows in one batch (k-NN by brute force) gets every shuffle at once.
        let batch = (model.fitted as? PerturbedPredicting).flatMap { $0.predictsPerturbationsInBatch ? $0 : nil }
        let sources = preprocessing.outputSources
        var perturbations: [ColumnPerturbation] = []
        var importances = [[Double]](repeating: [], count: table.columns.count)
        for _ in 0..<(scored.lowerBound * repeats) {
            var order = rows
            order.seededShuffle(using: &rng)
        }
        for j in scored {
            let column = table.columns[j]
            let outputs = sources.indices.filter { sources[$0] == j }
            for _ in 0..<repeats {
                var order = rows
                order.seededShuffle(using: &rng)
                let shuffled: Column
                switch column.values {
                case .numeric(let v):
                    var w = v
                    for (r, s) in zip(rows, order) { w[r] = v[s] }
                    shuffled = Column(name: column.name, values: .numeric(w))
                case .categorical(let codes, let levels):
                    var w = codes
                    for (r, s) in zip(rows, order) { w[r] = codes[s] }
                    shuffled = Column(name: column.name, values: .categorical(codes: w, levels: levels))
                }
                try preprocessing.rewrite(input: j, shuffled, rows: rows, in: &x)
                if batch != nil {
                    perturbations.append(ColumnPerturbation(columns: outputs, values: x.columns(outputs)))
                } else {
                    let score = scoring(try model.predict(x))
                    importances[j].append(higherIsBetter ? baseline - score : score - baseline)
                }
            }
            try preprocessing.rewrite(input: j, column, rows: rows, in: &x)
        }
        if let batch {
            let predictions = try batch.predictScores(x, perturbations: perturbations)
            for (i, p) in predictions.enumerated() {
                let score = scoring(p)
                importances[scored.lowerBound + i / repeats].append(higherIsBetter ? baseline - score : score - baseline)
            }
        }
        let out = scored.map { (name: table.columns[$0].name, importances: importances[$0]) }
        return Result(baseline: baseline, columns: out)
    }
}

/// A copy of a batch of rows with some columns replaced: `values` holds, per row, the new values of `columns` in order.
public struct ColumnPerturbation: Sendable {
    public let columns: [Int]
    public let values: Matrix

    public init(columns: [Int], values: Matrix) {
        precondition(values.cols == columns.count, "a perturbation holds one value per row and column")
        self.columns = columns
        self.values = values
    }

    /// `x` with this perturbation's columns replaced.
    public func applied(to x: Matrix) -> Matrix {
        var out = x
        for r in 0..<x.rows { for (i, c) in columns.enumerated() { out[r, c] = values[r, i] } }
        return out
    }
}

/// A fitted model that predicts many copies of one batch of rows, each with a few columns changed, faster than each
/// copy from scratch (k-NN reuses the distances of the unchanged columns). Its scores are those of `predictScores` on
/// each copy, bit for bit.
public protocol PerturbedPredicting: FittedEstimator {
    /// Whether the batch pays for this fitted model (else each copy is predicted on its own).
    var predictsPerturbationsInBatch: Bool { get }
    /// `predictScores` of `x` with each perturbation applied, in order.
    func predictScores(_ x: Matrix, perturbations: [ColumnPerturbation]) throws -> [[Double]]
}

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
        metric: Metric, repeats: Int, using rng: inout G
    ) throws -> Result {
        let y = rows.map { labels[$0] }
        return try compute(table: table, rows: rows, preprocessing: preprocessing, model: model, higherIsBetter: metric.higherIsBetter,
                           repeats: repeats, using: &rng) { Scoring.score(metric, labels: y, probabilities: $0) }
    }

    /// A multiclass model's importance by `metric` on `rows`, whose class indices are `labels[row]` (of `classes`).
    public static func compute<G: RandomNumberGenerator>(
        table: Table, labels: [UInt8], classes: Int, rows: [Int], preprocessing: FittedPreprocessing, model: FittedModel,
        metric: Metric, repeats: Int, using rng: inout G
    ) throws -> Result {
        let y = rows.map { labels[$0] }
        return try compute(table: table, rows: rows, preprocessing: preprocessing, model: model, higherIsBetter: metric.higherIsBetter,
                           repeats: repeats, using: &rng) { MulticlassScoring.score(metric, labels: y, probabilities: $0, classes: classes) }
    }

    /// A regression model's importance by `metric` on `rows`, whose target values are `values[row]`.
    public static func compute<G: RandomNumberGenerator>(
        table: Table, values: [Double], rows: [Int], preprocessing: FittedPreprocessing, model: FittedModel,
        metric: Metric, repeats: Int, using rng: inout G
    ) throws -> Result {
        let y = rows.map { values[$0] }
        return try compute(table: table, rows: rows, preprocessing: preprocessing, model: model, higherIsBetter: metric.higherIsBetter,
                           repeats: repeats, using: &rng) { RegressionScoring.score(metric, values: y, predictions: $0) }
    }

    /// The shuffling loop: `scoring` scores the model's predictions for `rows`, in that order.
    static func compute<G: RandomNumberGenerator>(
        table: Table, rows: [Int], preprocessing: FittedPreprocessing, model: FittedModel, higherIsBetter: Bool,
        repeats: Int, using rng: inout G, scoring: ([Double]) -> Double
    ) throws -> Result {
        precondition(repeats >= 1, "repeats must be at least 1")
        // One design matrix; a shuffle rewrites only the output columns of the shuffled input column, and the
        // column's own values put them back before the next one.
        var x = try preprocessing.transform(table, rows: rows)
        let baseline = scoring(try model.predict(x))
        var out: [(name: String, importances: [Double])] = []
        for (j, column) in table.columns.enumerated() {
            var importances: [Double] = []
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
                let score = scoring(try model.predict(x))
                importances.append(higherIsBetter ? baseline - score : score - baseline)
            }
            try preprocessing.rewrite(input: j, column, rows: rows, in: &x)
            out.append((column.name, importances))
        }
        return Result(baseline: baseline, columns: out)
    }
}

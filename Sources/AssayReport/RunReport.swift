import AssayCore

/// Everything a run found, in the order a reader wants it; the input of every renderer.
/// A customer table's scores cutoff by cutoff: each model's selected point out of fold on the rows of every
/// training cutoff, and on the test rows for the test cutoff, so a reader sees whether the score holds over time.
public struct ScoresOverTime: Sendable {
    public struct Cutoff: Sendable {
        public var cutoff: String
        /// `cv`, `test`, or `left_out` (an earlier cutoff whose label window reaches past the test cutoff).
        public var role: String
        public var rows: Int
        /// The positive rate (binary) or the mean target (regression) of the cutoff's rows.
        public var rate: Double
        /// The select metric per model, in the report's model order; nil where it is undefined (one class) or the
        /// cutoff's rows were not scored.
        public var scores: [Double?]

        public init(cutoff: String, role: String, rows: Int, rate: Double, scores: [Double?]) {
            self.cutoff = cutoff
            self.role = role
            self.rows = rows
            self.rate = rate
            self.scores = scores
        }
    }

    public var metric: Metric
    public var models: [String]
    public var cutoffs: [Cutoff]

    public init(metric: Metric, models: [String], cutoffs: [Cutoff]) {
        self.metric = metric
        self.models = models
        self.cutoffs = cutoffs
    }
}

public struct RunReport: Sendable {
    /// What the experiment predicts: it decides which sections and figures the report has.
    public var kind: ExperimentKind = .binary
    public var experiment: String
    public var description: String?
    public var select: Metric
    public var metrics: [Metric]
    public var data: DataSummary
    public var models: [ModelReport]
    /// The model whose selected point has the best mean CV `select` score.
    public var bestModel: String?
    /// The table's profile (all columns but the target), when it was computed.
    public var profile: TableProfile?
    /// Permutation importance of the best model on the test rows, when there is a test set.
    public var importance: ImportanceReport? = nil
    /// Permutation importance of the other models the spec asks for (`importance: {models: …}`), in spec order.
    public var otherImportance: [ImportanceReport] = []
    /// `importance.shap`: exact TreeSHAP values of the tree models explained, best model first.
    public var shap: [ShapReport] = []
    /// `importance.partial_dependence`: the best model's partial dependence on its most important columns.
    public var partialDependence: PartialDependenceReport? = nil
    /// The best model's own importance, by output column, largest first: `impurity` for trees and forests
    /// (scikit-learn's `feature_importances_`), `gain` for boosting (LightGBM's gain importance).
    public var impurityImportance: (model: String, kind: String, columns: [(name: String, value: Double)])? = nil
    /// The spec's `threshold:` (nil: 0.5).
    public var threshold: ThresholdRule? = nil
    /// Whether the models' curves are on the test rows (else out of fold on the training rows: there is no test set).
    public var curvesOnTest = false
    /// The best model's CV lead over the runner-up, fold by fold; nil with a single usable model.
    public var lead: ModelLead? = nil
    /// What the positive rows are called in figures ("buyers"), from the spec's `labels:`.
    public var positiveName = "positives"
    /// A customer table with several cutoffs: the scores cutoff by cutoff.
    public var overTime: ScoresOverTime? = nil
    /// `segments:`: rows by the best model's probability × a value column.
    public var segments: ValueSegments? = nil

    public init(experiment: String, description: String?, select: Metric, metrics: [Metric], data: DataSummary,
                models: [ModelReport], bestModel: String?, profile: TableProfile? = nil) {
        self.experiment = experiment
        self.description = description
        self.select = select
        self.metrics = metrics
        self.data = data
        self.models = models
        self.bestModel = bestModel
        self.profile = profile
    }
}

/// How far the best model is ahead of the next one on the `select` metric, from their paired fold scores (both
/// models are scored on the same folds): the mean of the fold-by-fold differences (positive: the best is better),
/// and their sample standard deviation. A lead smaller than that spread is not a lead this data can show.
public struct ModelLead: Sendable, Equatable {
    public var runnerUp: String
    public var lead: Double
    public var spread: Double
    public var folds: Int

    public init(runnerUp: String, lead: Double, spread: Double, folds: Int) {
        self.runnerUp = runnerUp
        self.lead = lead
        self.spread = spread
        self.folds = folds
    }

    public var distinguishable: Bool { lead > spread }

    /// The lead of `best` over the model with the next best mean of `metric`, from the selected points' fold scores;
    /// nil when there is no runner-up or the two were not scored on the same number of folds.
    public static func of(_ best: ModelReport, among models: [ModelReport], metric: Metric) -> ModelLead? {
        let others = models.filter { $0.name != best.name && !($0.best.cv[metric]?.mean.isNaN ?? true) }
        guard let runner = others.min(by: { metric.isBetter($0.best.cv[metric]!.mean, than: $1.best.cv[metric]!.mean) }),
              let a = best.best.foldScores[metric], let b = runner.best.foldScores[metric], a.count == b.count, a.count >= 2 else { return nil }
        let d = zip(a, b).map { metric.higherIsBetter ? $0 - $1 : $1 - $0 }
        guard d.allSatisfy(\.isFinite) else { return nil }
        let mean = d.reduce(0, +) / Double(d.count)
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d.count - 1)
        return ModelLead(runnerUp: runner.name, lead: mean, spread: variance.squareRoot(), folds: d.count)
    }
}

public struct DataSummary: Sendable {
    /// The data path as written in the spec.
    public var path: String
    public var rows: Int
    public var trainRows: Int
    public var testRows: Int
    public var positiveRate: Double
    public var target: String
    public var positiveLabel: String
    public var numericColumns: [String]
    public var categoricalColumns: [String]
    /// How rows were split.
    public var split: SplitSummary
    /// What `data.join` and `data.clean` did, one line per step.
    public var preparation: [LogLine] = []
    /// A regression target's mean, spread and range over all rows; nil for a binary target.
    public var targetSummary: TargetSummary? = nil
    /// A multiclass target's classes with their rows (all rows), in class order; nil for other kinds.
    public var classes: [(name: String, rows: Int)]? = nil
    /// `data.weight`: the weight column, the total weight of all rows and how many rows weigh 0; nil without weights.
    public var weight: (column: String, total: Double, zeroRows: Int)? = nil

    public init(path: String, rows: Int, trainRows: Int, testRows: Int, positiveRate: Double, target: String,
                positiveLabel: String, numericColumns: [String], categoricalColumns: [String], split: SplitSummary, preparation: [LogLine] = []) {
        self.preparation = preparation
        self.path = path
        self.rows = rows
        self.trainRows = trainRows
        self.testRows = testRows
        self.positiveRate = positiveRate
        self.target = target
        self.positiveLabel = positiveLabel
        self.numericColumns = numericColumns
        self.categoricalColumns = categoricalColumns
        self.split = split
    }
}

/// How the rows were split, as the report describes it.
public struct SplitSummary: Sendable, Equatable {
    /// The spec's `fold_column`, when the folds are predefined.
    public var foldColumn: String?
    /// Folds per repeat, repeats, and the fits each point gets (folds × repeats, or the predefined folds).
    public var folds: Int
    public var repeats: Int
    public var fits: Int
    public var testRows: Int
    /// The spec's `test_size` (0: no test set).
    public var testSize: Double
    public var seed: UInt64
    /// Whether the holdout and folds keep the class shares (binary), or are plain shuffles (regression).
    public var stratified = true
    /// What keeps rows together in the holdout and the folds (`split.group`, or a customer table's customer).
    public var group: String? = nil
    /// With `holdout: last_cutoff`: the last cutoff (the test rows' one), and how many rows of earlier cutoffs were
    /// left out because their label windows reach past it.
    public var lastCutoff: String? = nil
    public var leftOut = 0
    /// `folds: forward`: each fold validates one cutoff and trains on the earlier ones.
    public var forward = false

    public init(foldColumn: String?, folds: Int, repeats: Int, fits: Int, testRows: Int, testSize: Double, seed: UInt64) {
        self.foldColumn = foldColumn
        self.folds = folds
        self.repeats = repeats
        self.fits = fits
        self.testRows = testRows
        self.testSize = testSize
        self.seed = seed
    }
}

/// How a model's grid was searched when not whole.
public enum SearchSummary: Sendable, Equatable {
    case halving(factor: Int, gridPoints: Int)
    case random(drawn: Int, gridPoints: Int, fromDistributions: Bool)
}

/// Mean and population standard deviation over folds.
public struct FoldSummary: Sendable, Equatable {
    public var mean: Double
    public var std: Double

    public init(mean: Double, std: Double) {
        self.mean = mean
        self.std = std
    }
}

public struct GridPointReport: Sendable {
    /// The grid's parameters at this point, by name (sorted).
    public var params: [(name: String, value: ParamValue)]
    public var cv: [Metric: FoldSummary]
    /// Notes about the fits of this point (for example, convergence).
    public var notes: [String]
    /// Each fold's score, in fold order.
    public var foldScores: [Metric: [Double]]
    /// The threshold its threshold metrics use: 0.5, the spec's number, or its rule applied to this point's out-of-fold predictions.
    public var threshold: Double = 0.5

    public init(params: [(name: String, value: ParamValue)], cv: [Metric: FoldSummary], notes: [String], foldScores: [Metric: [Double]] = [:]) {
        self.params = params
        self.cv = cv
        self.notes = notes
        self.foldScores = foldScores
    }
}

public struct ModelReport: Sendable {
    public var name: String
    public var type: String
    /// Fixed parameters as written (not part of the grid).
    public var fixedParams: [(name: String, value: ParamValue)]
    /// The preprocessing of the selected point, in order.
    public var preprocess: [PreprocessStep]
    public var points: [GridPointReport]
    /// Index of the selected point.
    public var bestIndex: Int
    /// The selected point refit on all training rows and scored on the test rows; empty without a test set.
    public var test: [Metric: Double]
    /// 95% bootstrap intervals of the test metrics (1,000 seeded resamples of the test rows).
    public var testIntervals: [Metric: (low: Double, high: Double)] = [:]
    /// How its grid was searched, when not whole.
    public var search: SearchSummary? = nil
    /// The spec's `calibrate:`, if any.
    public var calibration: CalibrateStep? = nil
    /// The selected point's threshold table, lift and calibration (on the test rows, or out of fold without them).
    public var evaluation: ModelEvaluation? = nil
    /// The selected point's curves on the rows the figures show; nil when it scored none.
    public var curves: ModelCurves? = nil
    /// A regression model's ranking tables and figure data; nil for a binary model.
    public var regression: RegressionEvaluation? = nil
    /// A multiclass model's confusion matrix, per-class scores and one-vs-rest curves; nil for other kinds.
    public var multiclass: MulticlassEvaluation? = nil

    public init(name: String, type: String, fixedParams: [(name: String, value: ParamValue)], preprocess: [PreprocessStep],
                points: [GridPointReport], bestIndex: Int, test: [Metric: Double]) {
        self.name = name
        self.type = type
        self.fixedParams = fixedParams
        self.preprocess = preprocess
        self.points = points
        self.bestIndex = bestIndex
        self.test = test
    }

    public var best: GridPointReport { points[bestIndex] }
}

/// Permutation importance of one model's refit pipeline (scikit-learn's definition; see `PermutationImportance`).
public struct ImportanceReport: Sendable {
    /// Computed out of fold (no test set): each fold's model on its validation rows; `repeats` counts all folds' shuffles.
    public var outOfFold = false
    public var model: String
    public var metric: Metric
    /// How many rows were scored, and how often each column was shuffled.
    public var rows: Int
    public var repeats: Int
    /// The score before shuffling.
    public var baseline: Double
    /// Per input column: mean and std over repeats, and each repeat's importance; most important first.
    public var columns: [(name: String, summary: FoldSummary, values: [Double])]

    public init(model: String, metric: Metric, rows: Int, repeats: Int, baseline: Double,
                columns: [(name: String, summary: FoldSummary, values: [Double])]) {
        self.model = model
        self.metric = metric
        self.rows = rows
        self.repeats = repeats
        self.baseline = baseline
        self.columns = columns
    }
}

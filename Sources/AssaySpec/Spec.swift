import AssayCore
import Foundation

/// An experiment, as declared in a spec file and validated (SPEC.md, version 1).
public struct Spec: Sendable {
    /// How the spec file is named in messages (the path as given).
    public var file: String
    public var name: String
    public var description: String?
    /// What the experiment predicts (binary classification until the spec names another kind).
    public var kind: ExperimentKind = .binary
    public var seed: UInt64
    public var data: DataSection
    public var split: SplitSection
    public var preprocess: [PreprocessStep]
    public var models: [ModelSpec]
    /// Metrics to compute, in spec order; `select` is included.
    public var metrics: [Metric]
    public var select: Metric
    /// The rules `assay check` evaluates, in spec order.
    public var checks: [MetricCheck] = []
    /// `checks.baseline`: the metrics.json that tolerances compare against, resolved like `data.path`.
    public var checksBaseline: String? = nil
    /// `threshold:`; nil is 0.5.
    public var threshold: ThresholdRule? = nil
    /// What the positive rows are called in figures and tables (`labels: {positive: buyers}`); default "positives".
    public var positiveName: String? = nil
    /// Columns carried, as written, into the row-level predictions file (`predictions: {columns: […]}`).
    public var predictionColumns: [String] = []
    /// Models whose permutation importance is computed besides the best model's (`importance: {models: all | […]}`).
    public var importanceModels: [String] = []
    /// `importance.shap`: exact TreeSHAP values on the test rows for the tree models (decision_tree, random_forest,
    /// gradient_boosting) among the best model and `importanceModels`.
    public var shap = false
    /// `importance.partial_dependence`: partial dependence of the best model on its this many most important columns
    /// (by permutation importance), on the test rows; 0 for none.
    public var partialDependence = 0
    /// `segments:`: rows crossed by the best model's probability and a value column's band.
    public var segments: SegmentsRule? = nil
    /// `segment:` (task segment): how the table's rows are clustered.
    public var segmentation: SegmentSection? = nil
    /// `associate:` (task associate): thresholds of the basket analysis.
    public var associate: AssociateSection? = nil
}

/// `segment:` of a `task: segment` spec: k-means over the preprocessed feature columns for each k, one k chosen.
public struct SegmentSection: Sendable, Hashable {
    /// How the k reported is chosen among `ks`.
    public enum Choice: String, Sendable, Hashable, CaseIterable {
        /// The highest mean silhouette.
        case silhouette
        /// The elbow of inertia against k: the k farthest below the straight line from the first k's inertia to the
        /// last's, both axes scaled to [0, 1] (the "kneedle" rule).
        case elbow
    }

    public var ks: [Int]
    /// Where `k` is written.
    public var kAt: SourceLocation? = nil
    public var choose: Choice = .silhouette
    public var nInit = 10
    public var maxIter = 300
    public var tol = 1e-4
    /// A numeric column whose total each segment's share is reported of (a customer's spend, say).
    public var value: String? = nil
    /// RFM quintile scores and named segments from these three columns (`rfm: {recency, frequency, monetary}`).
    public var rfm: RFMColumns? = nil
    /// Further seeds the chosen k is fitted with, to report how stable its clusters are (0: none).
    public var stabilitySeeds = 5

    public init(ks: [Int]) { self.ks = ks }
}

/// The recency, frequency and monetary columns RFM scores read.
public struct RFMColumns: Sendable, Hashable {
    public var recency: String
    public var frequency: String
    public var monetary: String

    public init(recency: String, frequency: String, monetary: String) {
        self.recency = recency
        self.frequency = frequency
        self.monetary = monetary
    }
}

/// `associate:` of a `task: associate` spec: FP-growth and association-rule thresholds.
public struct AssociateSection: Sendable, Hashable {
    /// An itemset is frequent in at least ceil(min_support × baskets) baskets.
    public var minSupport: Double
    /// Where `min_support` is written (not part of the canonical text).
    public var supportAt: SourceLocation? = nil
    public var minConfidence: Double
    public var minLift: Double? = nil
    public var maxLength: Int? = nil
    /// More frequent itemsets than this stops the run with the count (before memory runs out).
    public var maxItemsets = 1_000_000
    /// Rules listed in the report.
    public var top = 20

    public init(minSupport: Double, minConfidence: Double) {
        self.minSupport = minSupport
        self.minConfidence = minConfidence
    }

    /// Canonical text of what decides the itemsets and rules (part of a task key; `top` only shapes the report).
    public var canonical: String {
        "associate(min_support=\(NumberFormat.json(minSupport)),min_confidence=\(NumberFormat.json(minConfidence)),min_lift=\(minLift.map(NumberFormat.json) ?? "null"),"
            + "max_len=\(maxLength.map(String.init) ?? "null"),max_itemsets=\(maxItemsets))"
    }
}

/// `segments: {value: COLUMN, probability: CUTS, value_bands: CUTS}` (binary runs): who to target, by predicted
/// probability × value.
public struct SegmentsRule: Sendable, Hashable {
    public var value: String
    public var probability: BandCuts
    public var valueBands: BandCuts

    public init(value: String, probability: BandCuts, valueBands: BandCuts) {
        self.value = value
        self.probability = probability
        self.valueBands = valueBands
    }
}

/// The `data:` section.
public struct DataSection: Sendable, Hashable {
    /// The path as written in the spec.
    public var path: String
    /// The path to open: relative paths are resolved against the spec file's folder.
    public var resolvedPath: String
    public var delimiter: UInt8
    public var decimal: UInt8
    public var missing: [String]
    public var header: Bool
    public var names: [String]?
    public var target: String
    public var positive: String
    public var id: String?
    /// `data.weight`: the column holding each row's sample weight (fitting and metrics), never a feature.
    public var weight: String? = nil
    public var drop: [String]
    public var columns: [String: ColumnKind]
    /// Where each column name of this section was written ("data.target", "data.drop", …), for errors about it.
    public var columnReferences: [ColumnReference]
    /// `data.join`: files joined to the main one, in order.
    public var joins: [JoinSection] = []
    /// `data.clean`: row-wise cleaning after the joins.
    public var clean: [CleanStep] = []
    /// `data.events` (with `cutoff`, `features`, `label`, `customers`): the file is a purchase log and the table is
    /// the customer table built from it; `path` and the format keys above are the log's.
    public var events: EventsOptions? = nil
}

/// One entry of `data.join`.
public struct JoinSection: Sendable, Hashable {
    public var path: String
    public var resolvedPath: String
    public var delimiter: UInt8
    public var decimal: UInt8
    public var missing: [String]
    public var header: Bool
    public var names: [String]?
    public var columns: [String: ColumnKind]
    public var on: [String]
    public var how: JoinHow
    public var clean: [CleanStep]
    public var pivot: PivotSpec?
    /// Where the entry is written.
    public var location: SourceLocation
}

/// A column name a spec mentions, with the key that mentions it and where.
public struct ColumnReference: Sendable, Hashable {
    public var role: String
    public var name: String
    public var location: SourceLocation
}

extension Spec {
    /// Where the spec names `column` in the role `role`, if it does.
    public func location(ofColumn column: String, role: String) -> SourceLocation? {
        (data.columnReferences + (split.foldColumnReference.map { [$0] } ?? []) + (split.groupReference.map { [$0] } ?? [])).first { $0.role == role && $0.name == column }?.location
    }
}

/// The `split:` section.
public struct SplitSection: Sendable, Hashable {
    public var testSize: Double
    public var folds: Int
    public var foldColumn: String?
    /// `repeats`: repeated stratified k-fold, each repeat a new shuffle (scikit-learn's RepeatedStratifiedKFold).
    public var repeats: Int = 1
    /// Where `fold_column` was written.
    public var foldColumnReference: ColumnReference? = nil
    /// `holdout: last_cutoff`: a customer table's last cutoff is the test set (time-aware validation).
    public var holdoutLastCutoff = false
    /// `folds: forward` (with `holdout: last_cutoff`): fold k validates on the k+1-th cutoff and trains on the earlier ones.
    public var forwardChaining = false
    /// `group`: rows with the same value of this column are never on both sides of the holdout or of a fold.
    public var group: String? = nil
    public var groupReference: ColumnReference? = nil

    /// Canonical text, part of cache keys (a key that is not set adds nothing, so older keys stay valid).
    public var canonical: String {
        "split(test_size=\(NumberFormat.json(testSize)),folds=\(folds),fold_column=\(foldColumn.map(JSONText.quote) ?? "null")"
            + (repeats > 1 ? ",repeats=\(repeats)" : "") + (holdoutLastCutoff ? ",holdout=last_cutoff" : "") + (forwardChaining ? ",forward" : "")
            + (group.map { ",group=\(JSONText.quote($0))" } ?? "") + ")"
    }
}

/// One entry of `models:`.
public struct ModelSpec: Sendable {
    public var name: String
    public var type: String
    /// Fixed parameters.
    public var params: [String: ParamValue]
    /// Grid values per parameter, keys sorted (scikit-learn's ParameterGrid order).
    public var grid: [(name: String, values: [ParamValue])]
    /// This model's own preprocessing, replacing the top-level list.
    public var preprocess: [PreprocessStep]?
    /// `calibrate:`: probability calibration inside every fit.
    public var calibrate: CalibrateStep? = nil
    /// With grid keys `preprocess.STEP.OPTION`: the preprocessing list of each combination of their values.
    public var variants: [String: [PreprocessStep]] = [:]

    /// Grid keys with this prefix set an option of a preprocessing step, not a model parameter.
    public static let preprocessPrefix = "preprocess."

    /// The key of `variants` for some preprocess grid values.
    public static func variantKey(_ values: [(String, ParamValue)]) -> String {
        values.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1.json)" }.joined(separator: ";")
    }

    /// A grid point's model parameters (its preprocess keys removed).
    public func modelParams(_ point: [String: ParamValue]) -> [String: ParamValue] {
        point.filter { !$0.key.hasPrefix(Self.preprocessPrefix) }
    }

    /// The preprocessing list of a grid point: its variant, this model's own list, or the spec's.
    public func steps(for point: [String: ParamValue], default top: [PreprocessStep]) -> [PreprocessStep] {
        if !variants.isEmpty {
            let key = Self.variantKey(point.filter { $0.key.hasPrefix(Self.preprocessPrefix) }.map { ($0.key, $0.value) })
            if let v = variants[key] { return v }
        }
        return preprocess ?? top
    }

    /// `search: {method: halving}`: the grid's points race in rounds on growing shares of the training rows.
    public var halving: HalvingSettings? = nil
    /// `search: {method: random}`: how many points to draw (`n_iter`).
    public var randomIterations: Int? = nil
    /// A random search's drawn points, which replace the grid's: drawn by the search (`RandomSearch`) when the
    /// experiment is validated, before anything runs.
    public var sampledPoints: [[String: ParamValue]]? = nil
    /// Where the model is named in the spec.
    public var location: SourceLocation? = nil

    /// The points tried: the drawn ones of a random search, else every grid point (fixed parameters merged in),
    /// in scikit-learn's ParameterGrid order: keys sorted, the last key varying fastest.
    public var points: [[String: ParamValue]] { sampledPoints ?? gridPoints }

    /// Every point of the grid.
    public var gridPoints: [[String: ParamValue]] {
        var out: [[String: ParamValue]] = [params]
        for (name, values) in grid {
            out = out.flatMap { base in values.map { v in base.merging([name: v]) { $1 } } }
        }
        return out
    }

    /// Parameters a random search draws from a distribution, with where the spec gives each.
    public var distributions: [(name: String, distribution: Distribution, at: SourceLocation?)] = []

    /// The names of the parameters that vary (grid lists and distributions), sorted.
    public var gridNames: [String] { (grid.map(\.name) + distributions.map(\.name)).sorted() }
}


import Foundation

/// Evaluation metrics named in a spec's `metrics:` and `select:`.
public enum Metric: String, Sendable, CaseIterable, Codable {
    case rocAUC = "roc_auc"
    case prAUC = "pr_auc"
    case f1
    case precision
    case recall
    case accuracy
    case balancedAccuracy = "balanced_accuracy"
    case mcc
    case logLoss = "log_loss"
    case brier
    // Multiclass (scikit-learn's scorers: macro averages over the classes, a class never predicted has precision 0).
    case f1Macro = "f1_macro"
    case f1Weighted = "f1_weighted"
    case precisionMacro = "precision_macro"
    case recallMacro = "recall_macro"
    /// One-vs-rest ROC-AUC of each class's probability, averaged over the classes (`roc_auc_score(multi_class="ovr")`).
    case rocAUCOvr = "roc_auc_ovr"
    // Regression (scikit-learn's definitions; losses are reported as positive numbers).
    case rmse
    case mae
    case r2
    /// Mean absolute percentage error as a fraction, each row's error divided by max(|y|, machine epsilon).
    case mape
    case medianAE = "median_ae"
    case explainedVariance = "explained_variance"
    /// Mean Poisson deviance: needs every target ≥ 0 and every prediction > 0 (else undefined, NaN).
    case poissonDeviance = "poisson_deviance"
    // Segmentation, at the chosen k (scikit-learn's `sklearn.metrics` and `KMeans.inertia_`).
    case silhouette
    case calinskiHarabasz = "calinski_harabasz"
    case daviesBouldin = "davies_bouldin"
    case inertia
    // Baskets: how many frequent itemsets and rules the thresholds give.
    case itemsets
    case rules

    /// Whether a larger value is better (false for losses and errors).
    public var higherIsBetter: Bool {
        switch self {
        case .logLoss, .brier, .rmse, .mae, .mape, .medianAE, .poissonDeviance, .daviesBouldin, .inertia: return false
        default: return true
        }
    }

    /// The kinds of experiment whose predictions this metric scores (accuracy, balanced accuracy, MCC and log loss
    /// score binary and multiclass predictions alike, in scikit-learn's multiclass forms).
    public var kinds: [ExperimentKind] {
        switch self {
        case .accuracy, .balancedAccuracy, .mcc, .logLoss: return [.binary, .multiclass]
        case .rocAUC, .prAUC, .f1, .precision, .recall, .brier: return [.binary]
        case .f1Macro, .f1Weighted, .precisionMacro, .recallMacro, .rocAUCOvr: return [.multiclass]
        case .rmse, .mae, .r2, .mape, .medianAE, .explainedVariance, .poissonDeviance: return [.regression]
        case .silhouette, .calinskiHarabasz, .daviesBouldin, .inertia: return [.segment]
        case .itemsets, .rules: return [.associate]
        }
    }

    /// Whether this metric scores experiments of `kind`.
    public func scores(_ kind: ExperimentKind) -> Bool { kinds.contains(kind) }

    /// Whether `a` is strictly better than `b` for this metric; NaN is never better.
    public func isBetter(_ a: Double, than b: Double) -> Bool {
        if a.isNaN { return false }
        if b.isNaN { return true }
        return higherIsBetter ? a > b : a < b
    }
}

/// How an imputer fills missing cells (scikit-learn's SimpleImputer strategies).
public enum ImputeStrategy: String, Sendable, CaseIterable, Hashable {
    case mean, median
    case mostFrequent = "most_frequent"
    case constant
}

/// How categorical columns become numbers.
public enum EncodeMethod: String, Sendable, CaseIterable, Hashable {
    case onehot, ordinal
    /// scikit-learn's TargetEncoder: the smoothed positive rate of the category, cross-fitted on the training rows.
    case target
}

/// How numeric columns are rescaled.
public enum ScaleMethod: String, Sendable, CaseIterable, Hashable {
    case standard, minmax, robust
}

/// Which columns a preprocessing step applies to: by name, by a regular expression on the name, by type.
/// Names and pattern add up (a column named or matching is chosen); `type` then narrows the choice.
public struct ColumnSelector: Sendable, Hashable {
    public var names: [String]?
    public var pattern: String?
    public var kind: ColumnKind?

    public init(names: [String]? = nil, pattern: String? = nil, kind: ColumnKind? = nil) {
        self.names = names
        self.pattern = pattern
        self.kind = kind
    }

    /// Every column.
    public static let all = ColumnSelector()

    public var isAll: Bool { names == nil && pattern == nil && kind == nil }

    public func matches(_ name: String, _ columnKind: ColumnKind) -> Bool {
        if let kind, kind != columnKind { return false }
        if names == nil && pattern == nil { return true }
        if names?.contains(name) == true { return true }
        if let pattern, let re = try? NSRegularExpression(pattern: pattern) {
            return re.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
        }
        return false
    }

    public var canonical: String {
        "columns(names=\(names.map { "[" + $0.map(JSONText.quote).joined(separator: ",") + "]" } ?? "null"),pattern=\(pattern.map(JSONText.quote) ?? "null"),type=\(kind?.rawValue ?? "null"))"
    }

    /// How the report names the selection ("" for every column).
    public var display: String {
        var parts: [String] = []
        if let names { parts.append(names.map { "`\($0)`" }.joined(separator: ", ")) }
        if let pattern { parts.append("names matching `\(pattern)`") }
        if let kind { parts.append("\(kind.rawValue) columns") }
        return parts.joined(separator: " or ")
    }
}

/// `impute`: fill missing cells (scikit-learn's SimpleImputer, one per column type).
public struct ImputeStep: Sendable, Hashable {
    public var numeric: ImputeStrategy
    public var categorical: ImputeStrategy
    /// The `constant` fill value.
    public var value: ParamValue
    /// Add a 0/1 column per numeric column that had missing cells in the training rows (`add_indicator`).
    public var addIndicator: Bool
    public var columns: ColumnSelector

    public init(numeric: ImputeStrategy = .median, categorical: ImputeStrategy = .mostFrequent, value: ParamValue = .null,
                addIndicator: Bool = false, columns: ColumnSelector = .all) {
        self.numeric = numeric
        self.categorical = categorical
        self.value = value
        self.addIndicator = addIndicator
        self.columns = columns
    }
}

/// What a one-hot encoder does with a category it did not see in training (scikit-learn's `handle_unknown`).
public enum HandleUnknown: String, Sendable, CaseIterable, Hashable {
    case ignore, error
    case infrequentIfExist = "infrequent_if_exist"
}

/// `encode`: turn categorical columns into numbers.
public struct EncodeStep: Sendable, Hashable {
    public var method: EncodeMethod
    public var handleUnknown: HandleUnknown
    /// One-hot: categories seen fewer times (an integer) or in a smaller share of rows (a fraction) go to one "infrequent" column.
    public var minFrequency: Double?
    /// One-hot: at most this many output columns per feature, the infrequent one included.
    public var maxCategories: Int?
    /// Ordinal: the categories of a column in the order to number them, by column name.
    public var order: [String: [String]]
    /// Target: `smooth` (nil is `auto`, scikit-learn's empirical-Bayes shrinkage) and the inner folds of cross fitting.
    public var smooth: Double?
    public var cv: Int = 5
    public var columns: ColumnSelector

    public init(method: EncodeMethod, handleUnknown: HandleUnknown = .ignore, minFrequency: Double? = nil, maxCategories: Int? = nil,
                order: [String: [String]] = [:], columns: ColumnSelector = .all) {
        self.method = method
        self.handleUnknown = handleUnknown
        self.minFrequency = minFrequency
        self.maxCategories = maxCategories
        self.order = order
        self.columns = columns
    }
}

/// `clip`: bound numeric values, by fixed limits or by quantiles of the training rows.
public struct ClipStep: Sendable, Hashable {
    public var min: Double?
    public var max: Double?
    /// Lower and upper quantile (0–1), fitted on the training rows; used where `min`/`max` are not given.
    public var quantiles: [Double]?
    public var columns: ColumnSelector

    public init(min: Double? = nil, max: Double? = nil, quantiles: [Double]? = nil, columns: ColumnSelector = .all) {
        self.min = min
        self.max = max
        self.quantiles = quantiles
        self.columns = columns
    }
}

/// How a resampler balances the classes of the training rows.
public enum ResampleMethod: String, Sendable, CaseIterable, Hashable {
    case smote
    case smoteNC = "smote_nc"
    case undersample, oversample
}

/// `resample`: applied to the training rows of a fold only (never validation or test rows), after the transforms.
public struct ResampleStep: Sendable, Hashable {
    public var method: ResampleMethod
    /// SMOTE's neighbours.
    public var kNeighbors: Int
    /// imbalanced-learn's float `sampling_strategy`: the minority/majority ratio after resampling; nil is `auto` (1).
    public var samplingStrategy: Double?

    public init(method: ResampleMethod, kNeighbors: Int = 5, samplingStrategy: Double? = nil) {
        self.method = method
        self.kNeighbors = kNeighbors
        self.samplingStrategy = samplingStrategy
    }
}

/// One step of a preprocessing list, in spec order; each is fitted on a fold's training rows only.
public enum PreprocessStep: Sendable, Hashable {
    case impute(ImputeStep)
    case encode(EncodeStep)
    case scale(ScaleMethod, columns: ColumnSelector)
    case log1p(columns: ColumnSelector)
    case clip(ClipStep)
    case resample(ResampleStep)

    /// The step's resampling settings, when it is `resample`.
    public var resample: ResampleStep? { if case .resample(let r) = self { return r }; return nil }

    /// Canonical text, part of cache keys; a step written without the newer options keeps its older text.
    public var canonical: String {
        func sel(_ c: ColumnSelector) -> String { c.isAll ? "" : "," + c.canonical }
        switch self {
        case .impute(let i):
            return "impute(numeric=\(i.numeric.rawValue),categorical=\(i.categorical.rawValue),value=\(i.value.json)"
                + (i.addIndicator ? ",add_indicator=true" : "") + sel(i.columns) + ")"
        case .encode(let e):
            var extra = ""
            if e.handleUnknown != .ignore { extra += ",handle_unknown=\(e.handleUnknown.rawValue)" }
            if let m = e.minFrequency { extra += ",min_frequency=\(NumberFormat.json(m))" }
            if let m = e.maxCategories { extra += ",max_categories=\(m)" }
            if e.method == .target { extra += ",smooth=\(e.smooth.map(NumberFormat.json) ?? "auto"),cv=\(e.cv)" }
            if !e.order.isEmpty {
                extra += ",order={" + e.order.keys.sorted().map { JSONText.quote($0) + ":[" + e.order[$0]!.map(JSONText.quote).joined(separator: ",") + "]" }.joined(separator: ",") + "}"
            }
            return "encode(\(e.method.rawValue)\(extra)\(sel(e.columns)))"
        case .scale(let m, let c): return "scale(\(m.rawValue)\(sel(c)))"
        case .log1p(let c): return "log1p(\(sel(c).dropFirst()))"
        case .clip(let c):
            return "clip(min=\(c.min.map(NumberFormat.json) ?? "null"),max=\(c.max.map(NumberFormat.json) ?? "null"),quantiles=\(c.quantiles.map { $0.map(NumberFormat.json).joined(separator: ",") } ?? "null")\(sel(c.columns)))"
        case .resample(let r):
            return "resample(\(r.method.rawValue),k_neighbors=\(r.kNeighbors),sampling_strategy=\(r.samplingStrategy.map(NumberFormat.json) ?? "auto"))"
        }
    }
}

/// `threshold:` — where a probability becomes a "yes": a number, or a rule chosen on out-of-fold predictions.
public enum ThresholdRule: Sendable, Hashable {
    case fixed(Double)
    /// The threshold with the highest F1.
    case maxF1
    /// The highest threshold whose recall reaches this (the fewest rows flagged).
    case recall(Double)
    /// Flag this share of rows, highest scores first (a contact budget).
    case top(Double)
    /// The threshold with the highest total value, each outcome worth its unit value (a decision in money).
    case profit(UnitValues)

    public var display: String {
        switch self {
        case .fixed(let t): return NumberFormat.json(t)
        case .maxF1: return "max_f1"
        case .recall(let r): return "recall ≥ \(NumberFormat.json(r))"
        case .top(let s): return "top \(NumberFormat.json(s * 100))%"
        case .profit(let v):
            return "profit {" + (v.value.map { "value: \($0), " } ?? "")
                + "tp: \(NumberFormat.json(v.tp)), fp: \(NumberFormat.json(v.fp)), fn: \(NumberFormat.json(v.fn)), tn: \(NumberFormat.json(v.tn))}"
        }
    }

    /// The unit values of a profit rule, if it is one.
    public var unitValues: UnitValues? {
        if case .profit(let v) = self { return v }
        return nil
    }
}

/// What each outcome of a decision is worth, per row: a flagged positive (`tp`, say the margin of a sale less the
/// cost of the contact), a flagged negative (`fp`, the cost of a wasted contact, negative), a missed positive
/// (`fn`) and a rightly ignored negative (`tn`), in the spec's unit of money. With a `value` column, a flagged positive
/// is worth its own row's value plus `tp` (then `tp` is typically the cost of the contact, negative).
public struct UnitValues: Sendable, Hashable {
    public var tp: Double, fp: Double, fn: Double, tn: Double
    /// The column holding each row's own value (a customer's expected order, say), added to `tp`; nil for unit values alone.
    public var value: String?

    public init(tp: Double, fp: Double, fn: Double = 0, tn: Double = 0, value: String? = nil) {
        self.tp = tp; self.fp = fp; self.fn = fn; self.tn = tn; self.value = value
    }

    /// The total value of a confusion matrix, plus `positiveValue`: the row values of its flagged positives.
    public func total(tp a: Double, fp b: Double, fn c: Double, tn d: Double, positiveValue: Double = 0) -> Double {
        tp * a + fp * b + fn * c + tn * d + positiveValue
    }
}

/// `calibrate:` of a model: how its probabilities are recalibrated, fitted inside each fit on held-out rows.
public enum CalibrationMethod: String, Sendable, CaseIterable, Hashable {
    case sigmoid, isotonic
}

public struct CalibrateStep: Sendable, Hashable {
    public var method: CalibrationMethod
    /// Inner folds (scikit-learn's `cv`).
    public var cv: Int

    public init(method: CalibrationMethod, cv: Int = 5) {
        self.method = method
        self.cv = cv
    }

    public var canonical: String { "calibrate(\(method.rawValue),cv=\(cv))" }
}

/// `search: {method: halving}`: successive halving over the training rows, as HalvingGridSearchCV.
public struct HalvingSettings: Sendable, Hashable {
    public enum MinResources: Sendable, Hashable {
        /// Start as large as still lets the last round use (almost) all training rows.
        case exhaust
        /// Start at 2 rows per fold and class.
        case smallest
        case count(Int)
    }

    public var factor: Int
    public var minResources: MinResources

    public init(factor: Int = 3, minResources: MinResources = .exhaust) {
        self.factor = factor
        self.minResources = minResources
    }
}

/// A distribution a random search draws a parameter from (scipy's meaning).
public enum Distribution: Sendable, Hashable {
    case uniform(Double, Double)
    case logUniform(Double, Double)
    /// Integers in [low, high).
    case randint(Int, Int)

    public func draw<G: RandomNumberGenerator>(using rng: inout G) -> ParamValue {
        switch self {
        case .uniform(let lo, let hi): return .double(Double.random(in: lo..<hi, using: &rng))
        case .logUniform(let lo, let hi): return .double(exp(Double.random(in: log(lo)..<log(hi), using: &rng)))
        case .randint(let lo, let hi): return .int(Int.random(in: lo..<hi, using: &rng))
        }
    }
}

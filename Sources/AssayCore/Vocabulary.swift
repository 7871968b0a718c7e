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

    /// Whether a larger value is better (false for losses).
    public var higherIsBetter: Bool { self != .logLoss && self != .brier }

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
}

/// How numeric columns are rescaled.
public enum ScaleMethod: String, Sendable, CaseIterable, Hashable {
    case standard, minmax, robust
}

/// One step of a preprocessing list, in spec order; each is fitted on a fold's training rows only.
public enum PreprocessStep: Sendable, Hashable {
    /// Fill missing numeric and categorical cells; `value` is used by `constant`.
    case impute(numeric: ImputeStrategy, categorical: ImputeStrategy, value: ParamValue)
    case encode(EncodeMethod)
    case scale(ScaleMethod)

    /// Canonical text, part of cache keys.
    public var canonical: String {
        switch self {
        case .impute(let n, let c, let v): return "impute(numeric=\(n.rawValue),categorical=\(c.rawValue),value=\(v.json))"
        case .encode(let m): return "encode(\(m.rawValue))"
        case .scale(let m): return "scale(\(m.rawValue))"
        }
    }
}

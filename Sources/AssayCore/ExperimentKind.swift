/// The kind of question an experiment answers. It decides the target's form, the metrics, what a model predicts
/// and the report's sections; the plan carries it from the spec to the renderers. Each switch that reads the kind
/// says what it means for every case; multiclass, segments and baskets are added as new cases.
public enum ExperimentKind: String, Sendable, Hashable, CaseIterable {
    /// A target with two values, one of them the positive label; models predict its probability.
    case binary
    /// A target with several values (classes); models predict each class's probability.
    case multiclass
    /// A numeric target; models predict its value.
    case regression
    /// No target: rows (customers) grouped by k-means, scored by cluster quality (`segment:`).
    case segment
    /// No table: a purchase log's baskets mined for frequent itemsets and association rules (`associate:`).
    case associate

    /// Whether the experiment fits the spec's models to a target (binary, regression), rather than describing the
    /// data (segment, associate).
    public var isSupervised: Bool { self == .binary || self == .multiclass || self == .regression }

    /// What a task's canonical encoding adds for this kind: nothing for binary, so that binary experiments keep
    /// their cache keys and random streams.
    public var taskKeySuffix: String {
        switch self {
        case .binary: return ""
        case .multiclass: return ";task=multiclass"
        case .regression: return ";task=regression"
        case .segment: return ";task=segment"
        case .associate: return ";task=associate"
        }
    }

    /// The metric `select:` and `metrics:` default to (scikit-learn peer's defaults).
    public var defaultMetric: Metric {
        switch self {
        case .binary: return .rocAUC
        case .multiclass: return .rocAUCOvr
        case .regression: return .rmse
        case .segment: return .silhouette
        case .associate: return .rules
        }
    }
}

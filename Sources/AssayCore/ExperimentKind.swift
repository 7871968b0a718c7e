/// The kind of question an experiment answers. It decides the target's form, the metrics, what a model predicts
/// and the report's sections; the plan carries it from the spec to the renderers. Binary classification is the
/// only kind so far: regression, multiclass, segments and baskets are added as new cases, each switch that reads
/// the kind then says what it means for them.
public enum ExperimentKind: String, Sendable, Hashable, CaseIterable {
    /// A target with two values, one of them the positive label; models predict its probability.
    case binary

    /// What a task's canonical encoding adds for this kind: nothing for binary, so that binary experiments keep
    /// their cache keys and random streams.
    public var taskKeySuffix: String {
        switch self {
        case .binary: return ""
        }
    }
}

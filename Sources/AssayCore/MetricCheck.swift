/// A number in `metrics.json` named as in SPEC.md: `cv.X` and `test.X` (the best model), `MODEL.cv.X`, `MODEL.test.X`;
/// `segmentation.X` (task segment, at the chosen k) and `baskets.X` (task associate).
public struct MetricPath: Sendable, Hashable, CustomStringConvertible {
    public enum Part: String, Sendable, Hashable, CaseIterable {
        /// The mean over folds of the selected grid point.
        case cv
        /// The selected point refit on all training rows and scored on the test rows.
        case test
        /// A segmentation's scores at the chosen k (no model name).
        case segmentation
        /// A basket analysis's counts (no model name).
        case baskets

        /// The part that holds the metrics of a kind of experiment that has no models.
        public static func summary(of kind: ExperimentKind) -> Part? {
            switch kind {
            case .binary, .multiclass, .regression: return nil
            case .segment: return .segmentation
            case .associate: return .baskets
            }
        }
    }

    /// The model, or nil for the best one.
    public var model: String?
    public var part: Part
    public var metric: Metric

    public init(model: String?, part: Part, metric: Metric) {
        self.model = model
        self.part = part
        self.metric = metric
    }

    /// Parses `[MODEL.]cv|test.METRIC`, `segmentation.METRIC` or `baskets.METRIC`; a model name may itself contain dots.
    public init?(_ text: String) {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard pieces.count >= 2, let metric = Metric(rawValue: pieces[pieces.count - 1]),
              let part = Part(rawValue: pieces[pieces.count - 2]) else { return nil }
        let model = pieces.dropLast(2).joined(separator: ".")
        if pieces.count > 2 && (model.isEmpty || part == .segmentation || part == .baskets) { return nil }
        self.init(model: pieces.count > 2 ? model : nil, part: part, metric: metric)
    }

    public var description: String { (model.map { $0 + "." } ?? "") + part.rawValue + "." + metric.rawValue }
}

/// One rule of a spec's `checks:`: bounds on a metric, and how far it may fall behind a baseline run.
public struct MetricCheck: Sendable, Hashable {
    /// How much worse than the baseline a metric may be, in the metric's own direction.
    public enum Tolerance: Sendable, Hashable, CustomStringConvertible {
        /// In the metric's units: AUC may drop by at most this much, log loss may rise by at most this much.
        case absolute(Double)
        /// A fraction of the baseline's value (written `5%` in a spec: 0.05).
        case relative(Double)

        public var description: String {
            switch self {
            case .absolute(let d): return NumberFormat.json(d)
            case .relative(let f): return NumberFormat.json(f * 100) + "%"
            }
        }
    }

    public var path: MetricPath
    public var min: Double?
    public var max: Double?
    public var tolerance: Tolerance?
    /// Where the rule is written (`file`, 1-based `line` and `column`), for messages and CI annotations.
    public var file: String
    public var line: Int
    public var column: Int

    public init(path: MetricPath, min: Double? = nil, max: Double? = nil, tolerance: Tolerance? = nil,
                file: String = "", line: Int = 0, column: Int = 0) {
        self.path = path
        self.min = min
        self.max = max
        self.tolerance = tolerance
        self.file = file
        self.line = line
        self.column = column
    }
}

import AssayCore

/// A `metrics.json` read back (SPEC.md, version 1): what `assay check` and `assay diff` compare.
public struct MetricsDocument: Sendable {
    public struct Model: Sendable {
        public var type: String
        /// The selected grid point's parameters, as written.
        public var bestParams: [String: JSONValue]
        /// Mean and std over folds, by metric name.
        public var cv: [String: FoldSummary]
        /// Test scores by metric name; empty without a test set.
        public var test: [String: Double]
        /// 95% bootstrap intervals of the test scores, by metric name (`test_ci`).
        public var testIntervals: [String: (low: Double, high: Double)] = [:]
    }

    /// How the file is named in messages.
    public var file: String
    public var experiment: String
    public var bestModel: String?
    public var models: [String: Model]
    /// `data`'s numbers (rows, train_rows, test_rows, positive_rate).
    public var data: [String: Double]
    /// The numbers of a run without models, by part: `segmentation` (task segment) or `baskets` (task associate).
    public var summaries: [String: [String: Double]] = [:]

    /// Reads a metrics.json's bytes; `file` names it in errors.
    public init(_ bytes: [UInt8], file: String) throws {
        let root: JSONValue
        do { root = try JSONValue.parse(bytes) } catch { throw ReportError.malformed(file: file, reason: "not JSON: \(error)") }
        guard root["assay"]?.double == 1 else {
            throw ReportError.malformed(file: file, reason: "not an Assay metrics.json of version 1 (no \"assay\": 1)")
        }
        self.file = file
        experiment = root["experiment"]?.string ?? ""
        bestModel = root["best_model"]?.string
        data = (root["data"]?.fields ?? [:]).compactMapValues(\.double)
        for part in [MetricPath.Part.segmentation, .baskets] {
            if let fields = root[part.rawValue]?.fields { summaries[part.rawValue] = fields.compactMapValues(\.double) }
        }
        // A segmentation or a basket analysis fits no model: its numbers are under its own part.
        guard let models = root["models"]?.fields ?? (summaries.isEmpty ? nil : [:]) else {
            throw ReportError.malformed(file: file, reason: "no \"models\" object")
        }
        self.models = try models.mapValues { m in
            guard let type = m["type"]?.string else { throw ReportError.malformed(file: file, reason: "a model without a \"type\"") }
            let cv = (m["cv"]?.fields ?? [:]).compactMapValues { s -> FoldSummary? in
                guard let mean = s["mean"]?.double, let std = s["std"]?.double else { return nil }
                return FoldSummary(mean: mean, std: std)
            }
            var model = Model(type: type, bestParams: m["best_params"]?.fields ?? [:], cv: cv, test: (m["test"]?.fields ?? [:]).compactMapValues(\.double))
            model.testIntervals = (m["test_ci"]?.fields ?? [:]).compactMapValues { i -> (low: Double, high: Double)? in
                guard let low = i["low"]?.double, let high = i["high"]?.double else { return nil }
                return (low, high)
            }
            return model
        }
    }

    /// The number a metric path names: the best model's (or the named model's) CV mean or test score.
    public func value(_ path: MetricPath) throws -> Double {
        if path.part == .segmentation || path.part == .baskets {
            guard let numbers = summaries[path.part.rawValue] else {
                throw ReportError.missingMetric(file: file, path: path.description, reason: "the run has no \(path.part.rawValue) (it is not a task \(path.part == .segmentation ? "segment" : "associate") run)")
            }
            guard let v = numbers[path.metric.rawValue] else { throw ReportError.missingMetric(file: file, path: path.description, reason: "no \(path.metric.rawValue) under \(path.part.rawValue)") }
            return v
        }
        guard let name = path.model ?? bestModel else {
            throw ReportError.missingMetric(file: file, path: path.description, reason: "the run has no best model")
        }
        guard let model = models[name] else {
            throw ReportError.missingMetric(file: file, path: path.description, reason: "no model '\(name)'")
        }
        let value = path.part == .cv ? model.cv[path.metric.rawValue]?.mean : model.test[path.metric.rawValue]
        guard let value else {
            let reason = path.part == .test && model.test.isEmpty ? "model '\(name)' has no test scores" : "model '\(name)' has no \(path.part.rawValue) \(path.metric.rawValue)"
            throw ReportError.missingMetric(file: file, path: path.description, reason: reason)
        }
        return value
    }
}

/// Errors reading or comparing reports; each is the user's input at fault (exit 2).
public enum ReportError: Error, Equatable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    case missingMetric(file: String, path: String, reason: String)
    case sameBaseline(file: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): return "\(f): \(r)"
        case .malformed(let f, let r): return "\(f): \(r)"
        case .missingMetric(let f, let p, let r): return "\(f): cannot read \(p): \(r)"
        case .sameBaseline(let f):
            return "checks with a tolerance compare two runs, but the baseline is the metrics being checked (\(f)); run into another --out or pass --baseline FILE"
        }
    }
}

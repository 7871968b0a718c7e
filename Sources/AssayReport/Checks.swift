import AssayCore

/// One bound of a spec's `checks:` evaluated against a run's metrics: a rule with `min`, `max` and
/// `tolerance` is three outcomes, each one JUnit test case.
public struct CheckOutcome: Sendable, Equatable {
    public enum Bound: String, Sendable, Equatable { case min, max, tolerance }

    public var check: MetricCheck
    public var bound: Bound
    /// The metric's value in the run being checked (NaN when the run could not compute it).
    public var value: Double
    /// The baseline's value, for a tolerance.
    public var baseline: Double?
    public var passed: Bool

    /// A stable name for the test case, such as `test.roc_auc >= 0.85`.
    public var name: String {
        let p = check.path.description
        switch bound {
        case .min: return "\(p) >= \(NumberFormat.json(check.min ?? .nan))"
        case .max: return "\(p) <= \(NumberFormat.json(check.max ?? .nan))"
        case .tolerance: return "\(p) within \(check.tolerance?.description ?? "") of the baseline"
        }
    }

    /// One line saying what was found, such as `test.roc_auc = 0.7483, below the minimum 0.85`.
    public var message: String {
        let p = check.path.description, v = NumberFormat.json(value)
        if value.isNaN { return "\(p) is not a number in this run (the metric could not be computed)" }
        switch (bound, passed) {
        case (.min, true): return "\(p) = \(v), at least \(NumberFormat.json(check.min ?? .nan))"
        case (.min, false): return "\(p) = \(v), below the minimum \(NumberFormat.json(check.min ?? .nan))"
        case (.max, true): return "\(p) = \(v), at most \(NumberFormat.json(check.max ?? .nan))"
        case (.max, false): return "\(p) = \(v), above the maximum \(NumberFormat.json(check.max ?? .nan))"
        case (.tolerance, _):
            let b = baseline ?? .nan, tol = check.tolerance?.description ?? ""
            if b.isNaN { return "\(p) = \(v); the baseline has no number for it" }
            let worse = check.path.metric.higherIsBetter ? b - value : value - b
            if worse <= 0 { return "\(p) = \(v), no worse than the baseline \(NumberFormat.json(b))" }
            return "\(p) = \(v), worse than the baseline \(NumberFormat.json(b)) by \(NumberFormat.json(worse)) (tolerance \(tol))"
        }
    }
}

/// `assay check`: a spec's rules against a run's metrics.json and, for tolerances, a baseline's.
public enum Checks {
    /// Evaluates every rule; a metric missing from a file is an error (the file does not belong to the spec).
    public static func evaluate(_ checks: [MetricCheck], current: MetricsDocument, baseline: MetricsDocument?) throws -> [CheckOutcome] {
        var out: [CheckOutcome] = []
        for c in checks {
            let v = try current.value(c.path)
            if let min = c.min { out.append(CheckOutcome(check: c, bound: .min, value: v, baseline: nil, passed: v >= min)) }
            if let max = c.max { out.append(CheckOutcome(check: c, bound: .max, value: v, baseline: nil, passed: v <= max)) }
            if let tol = c.tolerance {
                guard let baseline else { throw ReportError.sameBaseline(file: current.file) }
                let b = try baseline.value(c.path)
                out.append(CheckOutcome(check: c, bound: .tolerance, value: v, baseline: b, passed: within(v, b, tol, c.path.metric)))
            }
        }
        return out
    }

    /// Whether `value` is no worse than `baseline` by more than the tolerance, in the metric's direction.
    static func within(_ value: Double, _ baseline: Double, _ tolerance: MetricCheck.Tolerance, _ metric: Metric) -> Bool {
        if value.isNaN { return false }
        if baseline.isNaN { return true }
        let slack: Double
        switch tolerance {
        case .absolute(let a): slack = a
        case .relative(let f): slack = abs(baseline) * f
        }
        // A hair of slack for numbers that went through six significant digits.
        let eps = 1e-12 * max(1, abs(baseline))
        return metric.higherIsBetter ? value >= baseline - slack - eps : value <= baseline + slack + eps
    }

    /// JUnit XML: one `testsuite` named after the experiment, one `testcase` per outcome.
    public static func junit(_ outcomes: [CheckOutcome], experiment: String, metricsFile: String) -> String {
        let failures = outcomes.filter { !$0.passed }.count
        var out = ["<?xml version=\"1.0\" encoding=\"UTF-8\"?>"]
        out.append("<testsuites name=\"assay check\" tests=\"\(outcomes.count)\" failures=\"\(failures)\" errors=\"0\">")
        out.append("  <testsuite name=\"\(Markup.escape(experiment))\" tests=\"\(outcomes.count)\" failures=\"\(failures)\" errors=\"0\" skipped=\"0\">")
        for o in outcomes {
            let c = o.check
            let attrs = "name=\"\(Markup.escape(o.name))\" classname=\"\(Markup.escape(experiment))\"" + (c.line > 0 ? " file=\"\(Markup.escape(c.file))\" line=\"\(c.line)\"" : "")
            if o.passed {
                out.append("    <testcase \(attrs)/>")
            } else {
                out.append("    <testcase \(attrs)>")
                out.append("      <failure type=\"\(o.bound.rawValue)\" message=\"\(Markup.escape(o.message))\">\(Markup.escape(o.message)) (\(Markup.escape(metricsFile)))</failure>")
                out.append("    </testcase>")
            }
        }
        out += ["  </testsuite>", "</testsuites>", ""]
        return out.joined(separator: "\n")
    }

    /// GitHub Actions workflow commands (`::error file=…,line=…::message`), one per failed outcome.
    public static func githubAnnotations(_ outcomes: [CheckOutcome]) -> [String] {
        outcomes.filter { !$0.passed }.map { o in
            let c = o.check
            var props = ["title=\(property("assay check: " + o.name))"]
            if c.line > 0 { props = ["file=\(property(c.file))", "line=\(c.line)", "col=\(c.column)"] + props }
            return "::error \(props.joined(separator: ","))::\(data(o.message))"
        }
    }

    /// Escapes a workflow command's message.
    static func data(_ s: String) -> String {
        s.replacingAll(["%": "%25", "\r": "%0D", "\n": "%0A"])
    }

    /// Escapes a workflow command's property value.
    static func property(_ s: String) -> String {
        s.replacingAll(["%": "%25", "\r": "%0D", "\n": "%0A", ":": "%3A", ",": "%2C"])
    }
}

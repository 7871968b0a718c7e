import AssayCore

/// A model's curves, computed once on the rows the figures show: ROC (false and true positive rates from (0, 0),
/// nil when a class is absent), precision–recall (nil without positives), calibration bins and cumulative gains.
public struct ModelCurves: Sendable {
    public var roc: (auc: Double, points: [(x: Double, y: Double)])?
    public var precisionRecall: (averagePrecision: Double, points: [(x: Double, y: Double)])?
    public var calibration: [CalibrationBin]
    public var gains: [(x: Double, y: Double)]
    /// The positive rate of the rows.
    public var positiveRate: Double
    /// Total value against the share contacted, under a profit rule; nil without one.
    public var profit: [(x: Double, y: Double)]? = nil

    public init(roc: (auc: Double, points: [(x: Double, y: Double)])?, precisionRecall: (averagePrecision: Double, points: [(x: Double, y: Double)])?,
                calibration: [CalibrationBin], gains: [(x: Double, y: Double)], positiveRate: Double) {
        self.roc = roc
        self.precisionRecall = precisionRecall
        self.calibration = calibration
        self.gains = gains
        self.positiveRate = positiveRate
    }
}

/// What a campaign is planned with, for one model's selected point: a threshold table, lift by decile and
/// calibration bins, on the test rows (the refit's predictions), or on the out-of-fold predictions when
/// there is no test set.
public struct ModelEvaluation: Sendable {
    /// "test" or "cv" (out-of-fold).
    public var source: String
    public var rows: Int
    public var threshold: Double
    public var cuts: [ThresholdCut]
    public var lift: [LiftDecile]
    public var calibration: [CalibrationBin]
    public var brier: Double

    public init(source: String, rows: Int, threshold: Double, cuts: [ThresholdCut], lift: [LiftDecile], calibration: [CalibrationBin], brier: Double) {
        self.source = source
        self.rows = rows
        self.threshold = threshold
        self.cuts = cuts
        self.lift = lift
        self.calibration = calibration
        self.brier = brier
    }

    /// For metrics.json.
    var json: JSONValue {
        .object([
            "rows": .string(source),
            "threshold": .number(threshold),
            "thresholds": .array(cuts.map {
                var fields: [String: JSONValue] = ["label": .string($0.label), "threshold": .number($0.threshold), "flagged": .number($0.flagged),
                                                   "precision": .number($0.precision), "recall": .number($0.recall), "f1": .number($0.f1), "lift": .number($0.lift)]
                if let profit = $0.profit { fields["profit"] = .number(profit) }
                return .object(fields)
            }),
            "lift": .array(lift.map {
                .object(["decile": .integer($0.decile), "rows": .integer($0.rows), "positives": .number($0.positives),
                         "captured": .number($0.captured), "lift": .number($0.lift), "cumulative_lift": .number($0.cumulativeLift)])
            }),
            "calibration": .object([
                "brier": .number(brier),
                "bins": .array(calibration.map { .object(["mean_predicted": .number($0.meanPredicted), "observed": .number($0.observed), "count": .integer($0.count)]) }),
            ]),
        ])
    }

    /// For report.md.
    func markdown(model: String, rule: ThresholdRule?) -> [String] {
        let on = source == "test" ? "the \(rows) test rows (the selected point refit on all training rows)" : "the \(rows) training rows' out-of-fold predictions (no test set)"
        let ruleText = rule.map { r -> String in
            if case .fixed = r { return "the spec's threshold" }
            return "`\(r.display)` applied to its out-of-fold predictions"
        } ?? "the default 0.5"
        var out = ["## Evaluation of \(model)", ""]
        out += ["On \(on). Threshold \(NumberFormat.fixed(threshold)): \(ruleText); the CV and test threshold metrics above use it"
            + (rule.map { if case .fixed = $0 { return "" }; return " (CV ones are optimistic: the threshold was chosen on those rows)" } ?? "") + ".", ""]
        let profit = cuts.contains { $0.profit != nil }
        out += ["| cut | threshold | flagged | precision | recall | F1 | lift |" + (profit ? " profit |" : ""), "|---|---:|---:|---:|---:|---:|---:|" + (profit ? "---:|" : "")]
        out += cuts.map { c in
            "| \(c.label) | \(NumberFormat.fixed(c.threshold)) | \(NumberFormat.fixed(c.flagged * 100, decimals: 1))% | \(NumberFormat.fixed(c.precision)) | "
                + "\(NumberFormat.fixed(c.recall)) | \(NumberFormat.fixed(c.f1)) | \(NumberFormat.fixed(c.lift, decimals: 2)) |"
                + (c.profit.map { " \(NumberFormat.fixed($0, decimals: 0)) |" } ?? (profit ? " |" : ""))
        }
        if let rule, case .profit(let v) = rule {
            let positive = v.value.map { "its own `\($0)`" + (v.tp == 0 ? "" : " \(v.tp < 0 ? "−" : "+") \(NumberFormat.json(abs(v.tp)))") } ?? NumberFormat.json(v.tp)
            out += ["", "Profit: the total over these \(rows) rows with each flagged positive worth \(positive), each flagged negative "
                    + "\(NumberFormat.json(v.fp)), each missed positive \(NumberFormat.json(v.fn)) and each ignored negative \(NumberFormat.json(v.tn))."]
        }
        let shared = lift.contains { $0.positives != $0.positives.rounded() }
        out += ["", "Lift by decile of score (1 = the highest-scored tenth): positives captured so far, and how many times the positive rate beats random."
            + (shared ? " Rows tied on a score that span two deciles share their positives evenly, whatever their order in the file." : ""), ""]
        out += ["| decile | rows | positives | captured | lift | cumulative lift |", "|---:|---:|---:|---:|---:|---:|"]
        out += lift.map { d in
            "| \(d.decile) | \(d.rows) | \(d.positives == d.positives.rounded() ? String(Int(d.positives)) : NumberFormat.fixed(d.positives, decimals: 1)) | \(NumberFormat.fixed(d.captured * 100, decimals: 1))% | \(NumberFormat.fixed(d.lift, decimals: 2)) | \(NumberFormat.fixed(d.cumulativeLift, decimals: 2)) |"
        }
        out += ["", "Calibration: ten equal-width bins of predicted probability (scikit-learn's `calibration_curve`); Brier score \(NumberFormat.fixed(brier)).", ""]
        out += ["| mean predicted | observed rate | rows |", "|---:|---:|---:|"]
        out += calibration.map { "| \(NumberFormat.fixed($0.meanPredicted)) | \(NumberFormat.fixed($0.observed)) | \($0.count) |" }
        return out + [""]
    }
}

/// What a regression model's selected point gives when rows are ranked by its prediction, on the test rows (the
/// refit's predictions) or out of fold without them: error and actual value by decile of prediction, the share
/// of the total target the top rows hold, and (actual, predicted) pairs for the figures.
public struct RegressionEvaluation: Sendable {
    /// "test" or "cv" (out-of-fold).
    public var source: String
    public var rows: Int
    public var deciles: [ValueDecile]
    /// Share of the total target held by the top share of rows by prediction (x: share of rows).
    public var capture: [(x: Double, y: Double)]
    /// Each scored row's actual and predicted value, in row order.
    public var pairs: [(actual: Double, predicted: Double)]

    public init(source: String, rows: Int, deciles: [ValueDecile], capture: [(x: Double, y: Double)], pairs: [(actual: Double, predicted: Double)]) {
        self.source = source
        self.rows = rows
        self.deciles = deciles
        self.capture = capture
        self.pairs = pairs
    }

    /// The share of the total target held by the top-predicted tenth of rows (the first decile), when defined.
    public var topDecileShare: Double? { deciles.first.map(\.captured).flatMap { $0.isNaN ? nil : $0 } }

    /// For metrics.json.
    var json: JSONValue {
        .object([
            "rows": .string(source),
            "deciles": .array(deciles.map {
                .object(["decile": .integer($0.decile), "rows": .integer($0.rows), "mean_predicted": .number($0.meanPredicted),
                         "mean_actual": .number($0.meanActual), "mae": .number($0.meanAbsoluteError), "share": .number($0.share),
                         "captured": .number($0.captured)])
            }),
        ])
    }

    /// For report.md.
    func markdown(model: String, target: String) -> [String] {
        let on = source == "test" ? "the \(rows) test rows (the selected point refit on all training rows)" : "the \(rows) training rows' out-of-fold predictions (no test set)"
        var out = ["## Evaluation of \(model)", ""]
        if let top = topDecileShare {
            out += ["On \(on). The tenth of rows with the highest predicted `\(Markup.code(target))` (decile 1) holds \(NumberFormat.fixed(top * 100, decimals: 1))% of its total.", ""]
        } else {
            out += ["On \(on).", ""]
        }
        out += ["By decile of prediction (1 = the highest-predicted tenth): mean predicted and actual value, mean absolute error, and the decile's "
            + "share of the total, alone and with the deciles above it. Rows tied on a prediction that span two deciles share their values evenly.", ""]
        out += ["| decile | rows | mean predicted | mean actual | MAE | share | captured |", "|---:|---:|---:|---:|---:|---:|---:|"]
        out += deciles.map { d in
            "| \(d.decile) | \(d.rows) | \(NumberFormat.fixed(d.meanPredicted)) | \(NumberFormat.fixed(d.meanActual)) | \(NumberFormat.fixed(d.meanAbsoluteError)) | "
                + "\(d.share.isNaN ? "–" : NumberFormat.fixed(d.share * 100, decimals: 1) + "%") | \(d.captured.isNaN ? "–" : NumberFormat.fixed(d.captured * 100, decimals: 1) + "%") |"
        }
        return out + [""]
    }
}

/// A numeric target over all rows: what the report's data section says instead of a positive rate.
public struct TargetSummary: Sendable, Equatable {
    public var mean: Double
    public var std: Double
    public var min: Double
    public var max: Double
    /// Share of rows whose target is exactly 0.
    public var zeroShare: Double

    public init(_ y: [Double]) {
        let n = Double(Swift.max(y.count, 1))
        let m = y.reduce(0, +) / n
        mean = m
        std = (y.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
        min = y.min() ?? .nan
        max = y.max() ?? .nan
        zeroShare = Double(y.filter { $0 == 0 }.count) / n
    }
}

import AssayCore

/// The report's sentences about a run's choices, written from the report's data: preprocessing, split, search
/// and calibration.
public enum Describe {
    /// A model's preprocessing steps in order.
    public static func steps(_ steps: [PreprocessStep]) -> String {
        guard !steps.isEmpty else { return "none (categorical columns ordinal-encoded)" }
        func on(_ c: ColumnSelector) -> String { c.isAll ? "" : " on \(c.display)" }
        return steps.map { step -> String in
            switch step {
            case .impute(let i):
                return "impute (numeric \(i.numeric.rawValue), categorical \(i.categorical.rawValue)\(i.value == .null ? "" : ", value \(i.value.display)")"
                    + (i.addIndicator ? ", missing indicators" : "") + ")" + on(i.columns)
            case .encode(let e):
                var options: [String] = []
                if e.handleUnknown != .ignore { options.append("handle_unknown \(e.handleUnknown.rawValue)") }
                if let m = e.minFrequency { options.append("min_frequency \(NumberFormat.json(m))") }
                if let m = e.maxCategories { options.append("max_categories \(m)") }
                if !e.order.isEmpty { options.append("order given for " + e.order.keys.sorted().map { "`\($0)`" }.joined(separator: ", ")) }
                if e.method == .target { options.append("smooth \(e.smooth.map(NumberFormat.json) ?? "auto"), \(e.cv) inner folds") }
                return "encode \(e.method.rawValue)" + (options.isEmpty ? "" : " (\(options.joined(separator: ", ")))") + on(e.columns)
            case .scale(let m, let c): return "scale \(m.rawValue)" + on(c)
            case .log1p(let c): return "log1p" + on(c)
            case .clip(let c):
                let bounds = c.quantiles.map { "quantiles \(NumberFormat.json($0[0]))–\(NumberFormat.json($0[1]))" }
                    ?? "[\(c.min.map(NumberFormat.json) ?? "-∞"), \(c.max.map(NumberFormat.json) ?? "∞")]"
                return "clip \(bounds)" + on(c.columns)
            case .resample(let r):
                return "resample \(r.method.rawValue) (training rows only\(r.method == .smote || r.method == .smoteNC ? ", k_neighbors \(r.kNeighbors)" : "")"
                    + (r.samplingStrategy.map { ", sampling_strategy \(NumberFormat.json($0))" } ?? "") + ")"
            }
        }.joined(separator: " → ")
    }

    static func split(_ s: SplitSummary) -> String {
        if let fc = s.foldColumn {
            return "predefined folds from column `\(fc)`: \(s.fits) folds, \(s.testRows) test rows (fold -1)"
        }
        let how = (s.stratified ? "stratified" : "shuffled") + (s.group.map { " \(s.stratified ? "" : "and ")grouped by `\($0)`" } ?? "")
        let cv = s.repeats > 1 ? "\(how) \(s.folds)-fold CV repeated \(s.repeats) times (\(s.fits) fits per point)"
            : "\(how) \(s.fits)-fold CV"
        if let last = s.lastCutoff, s.forward {
            let left = s.leftOut == 0 ? "" : " (\(s.leftOut) rows of earlier cutoffs left out: their label windows reach past \(last))"
            return "time-aware: the \(s.testRows) rows of the last cutoff (\(last)) for test, then \(s.fits) forward-chaining folds on the earlier cutoffs\(left): "
                + "fold k validates on the (k + 1)-th cutoff and trains on the cutoffs before it whose label windows end by then"
        }
        if let last = s.lastCutoff {
            let left = s.leftOut == 0 ? "" : " (\(s.leftOut) rows of earlier cutoffs left out: their label windows reach past \(last))"
            return "time-aware: the \(s.testRows) rows of the last cutoff (\(last)) for test, then \(cv) on the rows of the earlier cutoffs\(left), seed \(s.seed)"
        }
        guard s.testSize > 0 else { return "no test set; \(cv) on all rows, seed \(s.seed)" }
        return "\(how) holdout of \(NumberFormat.json(s.testSize * 100))% for test, then \(cv) on the training rows, seed \(s.seed)"
    }

    static func search(_ s: SearchSummary) -> String {
        switch s {
        case .halving(let factor, let gridPoints):
            return "successive halving (factor \(factor)) over the \(gridPoints) grid points: each round scores the survivors on a larger share of the training rows"
        case .random(let drawn, let gridPoints, let fromDistributions):
            return "random search, \(drawn) point\(drawn == 1 ? "" : "s") drawn (seeded)"
                + (fromDistributions ? " from lists and distributions" : " from the \(gridPoints)-point grid")
        }
    }

    static func calibration(_ c: CalibrateStep) -> String {
        "\(c.method.rawValue), fitted on \(c.cv) inner folds of each fit's training rows (CalibratedClassifierCV, ensemble)"
    }
}

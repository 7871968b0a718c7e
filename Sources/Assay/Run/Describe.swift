import AssayCore
import AssayLearn
import AssaySpec

/// The report's sentences about a run's choices: its preprocessing and its split, in words.
enum Describe {
    static func steps(_ steps: [PreprocessStep]) -> String {
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

    static func split(_ spec: Spec, _ split: Split) -> String {
        let k = split.folds.count
        if let fc = spec.split.foldColumn {
            return "predefined folds from column `\(fc)`: \(k) folds, \(split.test.count) test rows (fold -1)"
        }
        let cv = spec.split.repeats > 1 ? "stratified \(spec.split.folds)-fold CV repeated \(spec.split.repeats) times (\(k) fits per point)"
            : "stratified \(k)-fold CV"
        guard spec.split.testSize > 0 else { return "no test set; \(cv) on all rows, seed \(spec.seed)" }
        return "stratified holdout of \(NumberFormat.json(spec.split.testSize * 100))% for test, then \(cv) on the training rows, seed \(spec.seed)"
    }
}

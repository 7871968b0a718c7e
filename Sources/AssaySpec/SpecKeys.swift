/// The keys each part of a spec may have, in one place: the loader accepts exactly these, and `assay schema`
/// lists exactly these.
public enum SpecKeys {
    public static let top = ["assay", "name", "description", "seed", "task", "data", "split", "preprocess", "models", "metrics", "select", "checks", "threshold", "labels", "predictions", "importance", "segments", "segment", "associate"]
    /// The top-level keys of a spec that fits models to a target: refused by task segment and task associate.
    public static let supervisedOnly = ["split", "models", "metrics", "select", "threshold", "labels", "predictions", "importance", "segments"]
    public static let segment = ["k", "choose", "n_init", "max_iter", "tol", "value", "rfm", "stability"]
    public static let rfm = ["recency", "frequency", "monetary"]
    public static let associate = ["min_support", "min_confidence", "min_lift", "max_len", "max_itemsets", "top"]
    public static let segments = ["value", "probability", "value_bands"]
    public static let importance = ["models", "shap", "partial_dependence"]
    public static let predictions = ["columns"]
    public static let labels = ["positive"]
    /// How a delimited file is written: shared by `data` and each `data.join` entry.
    public static let format = ["path", "delimiter", "decimal", "missing", "header", "names", "columns"]
    public static let data = format + ["target", "positive", "id", "weight", "drop", "join", "clean", "events", "cutoff", "features", "label", "customers"]
    /// `data.events`: a purchase log (its file format, then the columns that play each role).
    public static let events = format + ["customer", "time", "time_format", "amount", "order", "item", "category", "clean"]
    /// The keys of `data` that only a customer table built from `data.events` has.
    public static let customerTable = ["cutoff", "features", "label", "customers"]
    public static let cutoffRange = ["from", "to", "every"]
    public static let labelRules = ["buys_within", "spend_within"]
    public static let customers = ["active_within"]
    public static let join = format + ["on", "how", "clean", "pivot"]
    public static let pivot = ["index", "columns", "values", "aggregate"]
    public static let cleanSteps = ["replace", "filter", "drop_duplicates", "normalize", "derive"]
    public static let dropDuplicates = ["subset", "ignore"]
    public static let normalize = ["columns", "lowercase"]
    public static let split = ["test_size", "folds", "fold_column", "repeats", "holdout", "group"]
    public static let check = ["min", "max", "tolerance"]
    public static let steps = ["impute", "encode", "scale", "log1p", "clip", "resample"]
    public static let impute = ["numeric", "categorical", "value", "add_indicator", "columns"]
    public static let encode = ["method", "handle_unknown", "min_frequency", "max_categories", "order", "smooth", "cv", "columns"]
    public static let scale = ["method", "columns"]
    public static let log1p = ["columns"]
    public static let clip = ["min", "max", "quantiles", "columns"]
    public static let resample = ["method", "k_neighbors", "sampling_strategy"]
    public static let columnSelector = ["names", "pattern", "type"]
    public static let model = ["type", "params", "grid", "preprocess", "search", "calibrate"]
    public static let search = ["method", "n_iter", "factor", "min_resources"]
    public static let searchMethods = ["grid", "random", "halving"]
    public static let calibrate = ["method", "cv"]
    public static let distributions = ["uniform", "loguniform", "randint"]
    public static let thresholdRules = ["recall", "top", "profit"]
    public static let profit = ["tp", "fp", "fn", "tn", "value"]

    /// The options of each preprocessing step kind.
    public static func options(ofStep kind: String) -> [String] {
        switch kind {
        case "impute": return impute
        case "encode": return encode
        case "scale": return scale
        case "log1p": return log1p
        case "clip": return clip
        default: return resample
        }
    }
}

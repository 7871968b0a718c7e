import AssayCore

/// A preprocessing step that transforms numeric columns. Fitted on one column's training values (as the steps
/// before it left them), it gives the fitted operation (`FittedPreprocessing.NumericOp`) that transforms any
/// value of that column; the settings are never changed.
public protocol NumericTransformer: Sendable {
    /// Whether the step applies to the numeric column `name`.
    func selects(numericColumn name: String) -> Bool
    /// The fitted operation, from the column's training values (NaN: missing).
    func fit(_ values: [Double]) -> FittedPreprocessing.NumericOp
}

extension PreprocessStep {
    /// The step as a numeric transformer; nil for steps that never transform a numeric column (encode, resample).
    public var numericTransformer: (any NumericTransformer)? {
        switch self {
        case .impute(let i): return i
        case .scale(let method, let columns): return ScaleTransformer(method: method, columns: columns)
        case .log1p(let columns): return Log1pTransformer(columns: columns)
        case .clip(let c): return c
        case .encode, .resample: return nil
        }
    }
}

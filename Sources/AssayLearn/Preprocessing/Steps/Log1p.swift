import AssayCore

/// `log1p`: `log(1 + x)` on the selected numeric columns (scikit-learn's `FunctionTransformer(np.log1p)`); it learns nothing.
public struct Log1pTransformer: NumericTransformer {
    public let columns: ColumnSelector

    public func selects(numericColumn name: String) -> Bool { columns.matches(name, .numeric) }

    public func fit(_ values: [Double]) -> FittedPreprocessing.NumericOp { .log1p }
}

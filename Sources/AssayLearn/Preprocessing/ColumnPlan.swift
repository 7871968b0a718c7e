import AssayCore

/// Which steps transform a column, composed from the spec's list as the scikit-learn pipeline the peer builds:
/// a numeric column goes through every impute, log1p, clip and scale step that selects it, in spec order; a
/// categorical column is imputed by the last impute step that selects it and encoded by the last encode step
/// that selects it (ordinal when none does). Resampling is not a column step (see `Resampler`).
enum ColumnPlan {
    static func numeric(_ name: String, _ steps: [PreprocessStep]) -> [any NumericTransformer] {
        steps.compactMap(\.numericTransformer).filter { $0.selects(numericColumn: name) }
    }

    static func categorical(_ name: String, _ steps: [PreprocessStep]) -> (impute: ImputeStep?, encode: EncodeStep) {
        var impute: ImputeStep? = nil, encode: EncodeStep? = nil
        for step in steps {
            if case .impute(let i) = step, i.columns.matches(name, .categorical) { impute = i }
            if case .encode(let e) = step, e.columns.matches(name, .categorical) { encode = e }
        }
        return (impute, encode ?? EncodeStep(method: .ordinal))
    }
}

import AssayCore
import Foundation

/// A list of preprocessing steps, fitted on training rows and applied to any rows.
///
/// Mirrors the scikit-learn pipeline the peer builds: numeric columns go through the impute, log1p, clip and
/// scale steps that select them, in spec order; categorical columns are imputed (with the constant "missing"
/// when no impute step selects them), then encoded by the last encode step that selects them (ordinal when
/// none does). The output holds the numeric columns first, then the missing-value indicators, then the
/// encoded categorical columns, each group in table order. A `resample` step is not a transform: the fit
/// task applies it to the transformed training rows (see `Resampler`).
public struct Preprocessing: Sendable, Hashable {
    public let steps: [PreprocessStep]

    public init(_ steps: [PreprocessStep]) { self.steps = steps }

    /// Canonical text of the transforms, part of the prep task's key (the resampler is part of the fit's).
    public var canonical: String { "[" + steps.filter { $0.resample == nil }.map(\.canonical).joined(separator: ",") + "]" }

    /// The resampling step, if the list has one.
    public var resample: ResampleStep? { steps.lazy.compactMap(\.resample).first }

    /// Whether some impute step fills the numeric column `name`.
    public func imputes(numericColumn name: String) -> Bool {
        steps.contains { if case .impute(let i) = $0 { return i.columns.matches(name, .numeric) }; return false }
    }

    /// Numeric columns of `table` that have missing cells while no step imputes them; fitting would fail on them.
    public func unimputedColumns(_ table: Table) -> [String] {
        table.columns.filter { $0.kind == .numeric && $0.missingCount > 0 && !imputes(numericColumn: $0.name) }.map(\.name)
    }

    /// Fits every step on the given rows of `table` (the training rows of one fold) and nothing else.
    /// `labels` (one per table row) are read only at `rows`, and only by target encoding; `seed` orders its inner folds.
    public func fit(_ table: Table, rows: [Int], labels: [UInt8] = [], seed: UInt64 = 0) throws -> FittedPreprocessing {
        var numeric: [FittedPreprocessing.NumericColumn] = []
        var categorical: [FittedPreprocessing.CategoricalColumn] = []
        var targetFolds: [[Int]]? = nil
        for (index, column) in table.columns.enumerated() {
            switch column.values {
            case .numeric(let all):
                numeric.append(Self.fitNumeric(ColumnPlan.numeric(column.name, steps), index: index, values: rows.map { all[$0] }))
            case .categorical(let codes, let levels):
                let (impute, encode) = ColumnPlan.categorical(column.name, steps)
                let fill = impute?.categoricalFill(codes: codes, levels: levels, rows: rows) ?? "missing"
                if encode.method == .target && targetFolds == nil && labels.count == table.rowCount {
                    var rng = SplitMix64(seed: seed)
                    targetFolds = StratifiedSplitter.kFold(rows.map { labels[$0] }, rows: Array(rows.indices), k: encode.cv, using: &rng)
                }
                let learned = try encode.fit(column: column.name, codes: codes, levels: levels, rows: rows, fill: fill, labels: labels,
                                             targetFolds: targetFolds ?? [])
                categorical.append(.init(index: index, fill: fill, categories: learned.categories, method: encode.method, handleUnknown: encode.handleUnknown,
                                         infrequent: learned.infrequent, encodings: learned.encodings, crossFitted: learned.crossFitted))
            }
        }
        return FittedPreprocessing(numeric: numeric, categorical: categorical, inputColumns: table.names,
                                   trainingRows: categorical.contains { $0.method == .target } ? rows : [])
    }

    /// Fits a numeric column's transformers in order, each on the values the ones before it left; a missing-value
    /// indicator is added when an impute step asks for one and the column has missing values before its first fill.
    static func fitNumeric(_ transformers: [any NumericTransformer], index: Int, values: [Double]) -> FittedPreprocessing.NumericColumn {
        var values = values
        var ops: [FittedPreprocessing.NumericOp] = []
        var indicator = false
        for t in transformers {
            if let i = t as? ImputeStep, i.addIndicator, values.contains(where: \.isNaN), !ops.contains(where: \.isFill) { indicator = true }
            let op = t.fit(values)
            for i in values.indices { values[i] = op.apply(values[i]) }
            ops.append(op)
        }
        return .init(index: index, ops: ops, indicator: indicator)
    }

    /// Text in code-point order (Python's sort order for str).
    static func textOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Categories sorted numerically when all are numbers, else by code point (as numpy sorts them).
    static func sortedCategories(_ c: [String]) -> [String] {
        let numbers = c.map { Double($0) }
        if numbers.allSatisfy({ $0 != nil }) {
            return zip(c, numbers).sorted { ($0.1!, $0.0.utf8.count) < ($1.1!, $1.0.utf8.count) }.map(\.0)
        }
        return c.sorted(by: textOrder)
    }
}


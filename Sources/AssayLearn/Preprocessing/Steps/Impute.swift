import AssayCore
import Foundation

/// `impute`: scikit-learn's `SimpleImputer` (mean, median, most frequent or a constant), fitted on the training
/// rows' present values; categorical columns get their fill here too (see `categoricalFill`).
extension ImputeStep: NumericTransformer {
    public func selects(numericColumn name: String) -> Bool { columns.matches(name, .numeric) }

    public func fit(_ values: [Double]) -> FittedPreprocessing.NumericOp { .fill(Self.fillValue(values, numeric, value)) }

    /// The text that fills a categorical column's missing cells: its most frequent category among `rows` (the
    /// first in code-point order among ties; "missing" when every cell is missing), or the constant.
    public func categoricalFill(codes: [Int32], levels: [String], rows: [Int]) -> String {
        switch categorical {
        case .mostFrequent:
            var counts = [Int](repeating: 0, count: levels.count)
            for r in rows where codes[r] >= 0 { counts[Int(codes[r])] += 1 }
            let top = counts.max() ?? 0
            let tied = levels.indices.filter { counts[$0] == top && top > 0 }.map { levels[$0] }
            return tied.min(by: Preprocessing.textOrder) ?? "missing"
        default:
            return value == .null ? "missing" : value.display
        }
    }

    static func fillValue(_ values: [Double], _ strategy: ImputeStrategy, _ constant: ParamValue) -> Double {
        let present = values.filter { !$0.isNaN }
        guard !present.isEmpty else { return strategy == .constant ? (constant.number ?? 0) : 0 }
        switch strategy {
        case .mean: return Stats.mean(present)
        case .median: return Stats.percentile(present.sorted(), 50)
        case .mostFrequent:
            var counts: [Double: Int] = [:]
            for v in present { counts[v, default: 0] += 1 }
            let top = counts.values.max()!
            return counts.filter { $0.value == top }.keys.min()!
        case .constant: return constant.number ?? 0
        }
    }

}

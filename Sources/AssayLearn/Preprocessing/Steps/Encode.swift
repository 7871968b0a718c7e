import AssayCore

/// `encode`: a categorical column to numbers, as scikit-learn's `OneHotEncoder` (with `min_frequency`,
/// `max_categories` and `handle_unknown`), `OrdinalEncoder` (with a given order) or `TargetEncoder` (cross-fitted
/// on the training rows). Fitted on the training rows' categories after imputation.
extension EncodeStep {
    /// What an encoder learns: its categories (one-hot: the frequent ones), the infrequent ones, and for target
    /// encoding each category's encoding (then the prior) and each training row's cross-fitted value.
    typealias Learned = (categories: [String], infrequent: [String], encodings: [Double], crossFitted: [Double])

    /// The fitted encoding of column `name` (`codes` into `levels`, -1 missing) from `rows`, missing cells read as
    /// `fill`. Target encoding reads `labels` (one per table row) at `rows` and cross-fits over `targetFolds`
    /// (positions into `rows`).
    func fit(column name: String, codes: [Int32], levels: [String], rows: [Int], fill: String, labels: [UInt8],
             targetFolds: [[Int]]) throws -> Learned {
        // Training rows' categories after imputation, with their counts.
        var counts: [String: Int] = [:]
        for r in rows { counts[codes[r] >= 0 ? levels[Int(codes[r])] : fill, default: 0] += 1 }
        var categories = Preprocessing.sortedCategories(Array(counts.keys))
        var infrequent: [String] = []
        var encodings: [Double] = [], crossFitted: [Double] = []
        switch method {
        case .onehot:
            infrequent = Self.infrequent(categories, counts, rows: rows.count, self)
            categories.removeAll { infrequent.contains($0) }
        case .ordinal:
            if let given = order[name] {
                if let unknown = categories.first(where: { !given.contains($0) }) {
                    throw LearnError.badParameter("encode: column '\(name)' has category '\(unknown)' in the training rows, which its order does not list")
                }
                categories = given
            }
        case .target:
            guard labels.count == codes.count else {
                throw LearnError.badParameter("encode: target encoding of '\(name)' needs the labels of the training rows")
            }
            let cell = rows.map { codes[$0] >= 0 ? levels[Int(codes[$0])] : fill }
            let position = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
            let x = cell.map { position[$0]! }, y = rows.map { Double(labels[$0]) }
            encodings = TargetEncoding.encodings(x, y, categories: categories.count, smooth: smooth).values
            crossFitted = TargetEncoding.crossFitted(x, y, categories: categories.count, smooth: smooth, folds: targetFolds)
        }
        return (categories, infrequent, encodings, crossFitted)
    }

    /// scikit-learn's OneHotEncoder `_identify_infrequent`: below `min_frequency`, then beyond `max_categories - 1`
    /// by count (a stable sort, so among equal counts the later categories go first).
    static func infrequent(_ categories: [String], _ counts: [String: Int], rows: Int, _ e: EncodeStep) -> [String] {
        let count = categories.map { counts[$0] ?? 0 }
        var mask = [Bool](repeating: false, count: categories.count)
        if let m = e.minFrequency {
            let limit = m >= 1 ? m : m * Double(rows)  // an integer count, or a share of the rows
            for i in count.indices where Double(count[i]) < limit { mask[i] = true }
        }
        if let maxCategories = e.maxCategories, maxCategories < categories.count - mask.filter({ $0 }).count + 1 {
            let frequent = maxCategories - 1
            if frequent == 0 { mask = mask.map { _ in true } } else {
                let ascending = count.indices.sorted { count[$0] != count[$1] ? count[$0] < count[$1] : $0 < $1 }
                for i in ascending.dropLast(frequent) { mask[i] = true }
            }
        }
        return categories.indices.filter { mask[$0] }.map { categories[$0] }
    }
}

/// Per-row weights of `class_weight: balanced` over `classes` classes (scikit-learn's `compute_class_weight`): each row
/// counts `count × n / (K · n_class)`, where `count` is how often the row is drawn (a bootstrap sample; 1 without one)
/// and n and n_class are counted over the drawn rows; without `enabled`, each row counts `count`.
enum ClassWeights {
    static func balanced(_ y: [UInt8], classes k: Int, counts: [Double]? = nil, enabled: Bool) -> [Double] {
        let counts = counts ?? [Double](repeating: 1, count: y.count)
        guard enabled else { return counts }
        var n = [Double](repeating: 0, count: k)
        for (label, c) in zip(y, counts) { n[Int(label)] += c }
        let total = n.reduce(0, +)
        return zip(y, counts).map { label, c in n[Int(label)] > 0 ? c * total / (Double(k) * n[Int(label)]) : 0 }
    }

    /// Per-row weights times the rows' sample weights, when there are any.
    static func times(_ w: [Double], _ sample: [Double]?) -> [Double] {
        guard let sample else { return w }
        return zip(w, sample).map { $0 * $1 }
    }

    /// The rows a tree is grown on: those of `rows` with a positive sample weight (scikit-learn's splitter skips rows of
    /// weight 0); all of them without sample weights.
    static func weighted(_ rows: [Int], _ sample: [Double]?) -> [Int] {
        guard let sample else { return rows }
        return rows.filter { sample[$0] > 0 }
    }
}

import AssayCore

/// Partial dependence by brute force, as scikit-learn's `partial_dependence(method="brute")` computes it for a
/// pipeline: for each value of a grid, every row of the table gets that value in one input column, the rows go through
/// the fitted preprocessing and the model, and the predictions (a classifier's positive probability, a regressor's
/// value) are averaged.
public enum PartialDependence {
    /// scikit-learn's `_grid_from_X` for one numeric column: its distinct values when fewer than `resolution`, else
    /// `resolution` evenly spaced points between its 5th and 95th percentiles as `scipy.stats.mstats.mquantiles`
    /// computes them (alphap = betap = 0.4). Missing values are left out.
    public static func grid(_ values: [Double], resolution: Int = 100, percentiles: (Double, Double) = (0.05, 0.95)) -> [Double] {
        let sorted = values.filter { !$0.isNaN }.sorted()
        var distinct: [Double] = []
        for v in sorted where distinct.last != v { distinct.append(v) }
        guard distinct.count >= resolution else { return distinct }
        let lo = mquantile(sorted, percentiles.0), hi = mquantile(sorted, percentiles.1)
        // numpy's linspace: start + i × step, the last point exactly `hi`.
        let step = (hi - lo) / Double(resolution - 1)
        return (0..<resolution).map { $0 == resolution - 1 ? hi : lo + Double($0) * step }
    }

    /// `mquantiles(x, prob=p)` with scipy's default plotting positions (alphap = betap = 0.4), on sorted values.
    static func mquantile(_ x: [Double], _ p: Double, alphap: Double = 0.4, betap: Double = 0.4) -> Double {
        let n = Double(x.count)
        let m = alphap + p * (1 - alphap - betap)
        let aleph = n * p + m
        let k = Int(min(max(aleph, 1), n - 1).rounded(.down))
        let gamma = min(max(aleph - Double(k), 0), 1)
        return (1 - gamma) * x[k - 1] + gamma * x[k]
    }

    /// The average prediction over `rows` of `table` with column `column` set to each grid value in turn (a numeric
    /// column), or to each category (a categorical column's `grid` holds category codes).
    public static func average(_ table: Table, rows: [Int], column: String, grid: [Double],
                               predict: (Table, [Int]) throws -> [Double]) rethrows -> [Double] {
        guard let c = table.columns.firstIndex(where: { $0.name == column }) else { return [] }
        var out: [Double] = []
        for g in grid {
            var columns = table.columns
            switch table.columns[c].values {
            case .numeric(var v):
                for r in rows { v[r] = g }
                columns[c] = Column(name: column, values: .numeric(v))
            case .categorical(var codes, let levels):
                for r in rows { codes[r] = Int32(g) }
                columns[c] = Column(name: column, values: .categorical(codes: codes, levels: levels))
            }
            let p = try predict(Table(columns: columns, rowCount: table.rowCount), rows)
            out.append(p.reduce(0, +) / Double(max(p.count, 1)))
        }
        return out
    }
}

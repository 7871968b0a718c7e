import AssayCore

/// What ranking rows by a regression model's prediction gives: the actual value by decile of prediction, and the
/// share of the total actual value held by the top-ranked rows. Rows tied on a prediction count as the mean of the
/// tied rows (what random ordering of the ties gives on average), so the file's row order never moves a number.
public enum ValueRanking {
    /// Per rank (highest prediction first): the row's actual value and absolute error, each averaged over the
    /// rows tied with it.
    static func ranked(values y: [Double], predictions p: [Double]) -> (predicted: [Double], actual: [Double], error: [Double]) {
        let (order, runs) = Curves.tieRuns(p)
        var actual = [Double](repeating: 0, count: p.count), error = actual
        for run in runs {
            let rows = order[run], n = Double(run.count)
            let meanY = rows.reduce(0) { $0 + y[$1] } / n, meanE = rows.reduce(0) { $0 + abs(y[$1] - p[$1]) } / n
            for k in run { actual[k] = meanY; error[k] = meanE }
        }
        return (order.map { p[$0] }, actual, error)
    }

    /// Ten deciles of rows by prediction (empty with fewer than 10 rows); shares are of the total actual value
    /// (nan when that total is 0).
    public static func deciles(values y: [Double], predictions p: [Double]) -> [ValueDecile] {
        let n = y.count
        guard n >= 10 else { return [] }
        let r = ranked(values: y, predictions: p)
        let total = r.actual.reduce(0, +)
        var out: [ValueDecile] = [], seen = 0, running = 0.0
        for d in 0..<10 {
            let end = (d + 1) * n / 10, range = seen..<end, rows = Double(end - seen)
            let sum = r.actual[range].reduce(0, +)
            running += sum
            out.append(ValueDecile(decile: d + 1, rows: end - seen, meanPredicted: r.predicted[range].reduce(0, +) / rows, meanActual: sum / rows,
                                   meanAbsoluteError: r.error[range].reduce(0, +) / rows,
                                   share: total == 0 ? .nan : sum / total, captured: total == 0 ? .nan : running / total))
            seen = end
        }
        return out
    }

    /// The share of the total actual value held by the top k rows by prediction, against k/n, for k = 0…n (empty
    /// when the total is 0).
    public static func capture(values y: [Double], predictions p: [Double]) -> [(x: Double, y: Double)] {
        let n = y.count
        let actual = ranked(values: y, predictions: p).actual
        let total = actual.reduce(0, +)
        guard n > 0, total != 0 else { return [] }
        var out: [(x: Double, y: Double)] = [(0, 0)], running = 0.0
        for (k, a) in actual.enumerated() {
            running += a
            out.append((Double(k + 1) / Double(n), running / total))
        }
        return out
    }
}

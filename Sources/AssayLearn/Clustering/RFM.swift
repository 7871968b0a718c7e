import AssayCore

/// Recency, frequency and monetary scores as practitioners use them: each a quintile score 1–5, and a named segment
/// from the recency and frequency scores (the widely used RFM segment map; docs/spec-extensions.md lists it).
///
/// A score is ⌈5 × average rank / n⌉ of the value among all rows (ranks from 1, ties sharing their average rank), so
/// equal values always share a score and the scores do not depend on row order; recency is scored so that 5 is the
/// most recent (smallest).
public enum RFM {
    /// Quintile scores 1–5: 5 for the largest values, or for the smallest when `largestBest` is false.
    public static func scores(_ values: [Double], largestBest: Bool = true) -> [Int] {
        let n = values.count
        guard n > 0 else { return [] }
        let order = values.indices.sorted { values[$0] < values[$1] }
        var rank = [Double](repeating: 0, count: n)
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && values[order[j + 1]] == values[order[i]] { j += 1 }
            let average = Double(i + j + 2) / 2  // ranks i+1 … j+1
            for k in i...j { rank[order[k]] = average }
            i = j + 1
        }
        return rank.map { r in
            let s = min(5, max(1, Int((5 * r / Double(n)).rounded(.up))))
            return largestBest ? s : 6 - s
        }
    }

    /// The named segments, from the best customers down.
    public static let names = ["champions", "loyal customers", "potential loyalists", "new customers", "promising", "need attention",
                               "about to sleep", "at risk", "can't lose them", "hibernating"]

    /// The named segment of a recency score and a frequency score (each 1–5).
    public static func name(recency r: Int, frequency f: Int) -> String {
        switch (r, f) {
        case (5, 4...5): return "champions"
        case (3...4, 4...5): return "loyal customers"
        case (4...5, 2...3): return "potential loyalists"
        case (5, 1): return "new customers"
        case (4, 1): return "promising"
        case (3, 3): return "need attention"
        case (3, 1...2): return "about to sleep"
        case (1...2, 3...4): return "at risk"
        case (1...2, 5): return "can't lose them"
        default: return "hibernating"  // recency 1–2, frequency 1–2
        }
    }
}

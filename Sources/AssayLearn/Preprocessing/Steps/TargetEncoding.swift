import Foundation

/// scikit-learn's TargetEncoder for a binary target.
enum TargetEncoding {
    /// Per category (by position), then the prior last: with `smooth` nil, the empirical-Bayes blend
    /// λ·mean_c + (1-λ)·mean, λ = n_c·var(y) / (n_c·var(y) + var_c(y)); with a number m, (Σy_c + m·mean) / (n_c + m).
    static func encodings(_ x: [Int], _ y: [Double], categories: Int, smooth: Double?) -> (values: [Double], prior: Double) {
        let n = Double(y.count)
        let mean = y.reduce(0, +) / n
        let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        var sum = [Double](repeating: 0, count: categories), sumSq = sum, count = sum
        for (c, v) in zip(x, y) { sum[c] += v; sumSq[c] += v * v; count[c] += 1 }
        var out = (0..<categories).map { c -> Double in
            guard count[c] > 0 else { return mean }
            if let m = smooth { return (sum[c] + m * mean) / (count[c] + m) }
            let mc = sum[c] / count[c], vc = sumSq[c] / count[c] - mc * mc
            let lambda = variance * count[c] / (variance * count[c] + vc)
            return lambda.isNaN ? mean : lambda * mc + (1 - lambda) * mean
        }
        out.append(mean)
        return (out, mean)
    }

    /// Each row's encoding from the other folds' rows (`folds` hold positions into x and y).
    static func crossFitted(_ x: [Int], _ y: [Double], categories: Int, smooth: Double?, folds: [[Int]]) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        for fold in folds {
            let held = Set(fold)
            let train = x.indices.filter { !held.contains($0) }
            let (enc, prior) = encodings(train.map { x[$0] }, train.map { y[$0] }, categories: categories, smooth: smooth)
            let seen = Set(train.map { x[$0] })
            for i in fold { out[i] = seen.contains(x[i]) ? enc[x[i]] : prior }
        }
        return out
    }
}

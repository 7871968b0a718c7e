import AssayCore
import Foundation

/// Cluster-quality scores with scikit-learn's definitions (`sklearn.metrics`), Euclidean distances, every row.
public enum ClusterScores {
    /// Mean silhouette over all rows: s = (b − a) / max(a, b), a the mean distance to the other rows of its cluster, b
    /// the smallest mean distance to another cluster's rows; 0 for a row alone in its cluster (`silhouette_score`).
    /// Exact, over every pair of rows (n²/2 distances).
    public static func silhouette(_ x: Matrix, labels: [Int32], clusters k: Int) -> Double {
        let n = x.rows, d = x.cols
        guard k >= 2, n > k else { return .nan }
        var sums = [Double](repeating: 0, count: n * k), sizes = [Int](repeating: 0, count: k)
        for l in labels { sizes[Int(l)] += 1 }
        x.values.withUnsafeBufferPointer { xs in
            sums.withUnsafeMutableBufferPointer { s in
                for i in 0..<n {
                    let li = Int(labels[i]), base = i * d
                    for j in (i + 1)..<max(n, i + 1) {
                        var q = 0.0
                        for t in 0..<d { let u = xs[base + t] - xs[j * d + t]; q += u * u }
                        let dist = q.squareRoot()
                        s[i * k + Int(labels[j])] += dist
                        s[j * k + li] += dist
                    }
                }
            }
        }
        var total = 0.0
        for i in 0..<n {
            let li = Int(labels[i])
            guard sizes[li] > 1 else { continue }
            let a = sums[i * k + li] / Double(sizes[li] - 1)
            var b = Double.infinity
            for c in 0..<k where c != li && sizes[c] > 0 { b = min(b, sums[i * k + c] / Double(sizes[c])) }
            let m = max(a, b)
            if m > 0 { total += (b - a) / m }
        }
        return total / Double(n)
    }

    /// Each cluster's mean row.
    static func means(_ x: Matrix, _ labels: [Int32], _ k: Int) -> (Matrix, [Int]) {
        var m = Matrix(rows: k, cols: x.cols), sizes = [Int](repeating: 0, count: k)
        for r in 0..<x.rows {
            let c = Int(labels[r])
            sizes[c] += 1
            for j in 0..<x.cols { m[c, j] += x[r, j] }
        }
        for c in 0..<k where sizes[c] > 0 { for j in 0..<x.cols { m[c, j] /= Double(sizes[c]) } }
        return (m, sizes)
    }

    /// Between-cluster dispersion over within-cluster dispersion, each by its degrees of freedom
    /// (`calinski_harabasz_score`): 1 when the within-cluster dispersion is 0.
    public static func calinskiHarabasz(_ x: Matrix, labels: [Int32], clusters k: Int) -> Double {
        let n = x.rows
        guard k >= 2, n > k else { return .nan }
        let (centres, sizes) = means(x, labels, k)
        var overall = [Double](repeating: 0, count: x.cols)
        for r in 0..<n { for j in 0..<x.cols { overall[j] += x[r, j] } }
        for j in overall.indices { overall[j] /= Double(n) }
        var between = 0.0, within = 0.0
        for c in 0..<k { for j in 0..<x.cols { between += Double(sizes[c]) * (centres[c, j] - overall[j]) * (centres[c, j] - overall[j]) } }
        for r in 0..<n { for j in 0..<x.cols { let u = x[r, j] - centres[Int(labels[r]), j]; within += u * u } }
        return within == 0 ? 1 : between * Double(n - k) / (within * Double(k - 1))
    }

    /// The mean over clusters of the worst ratio (sᵢ + sⱼ) / dᵢⱼ, s the mean distance of a cluster's rows to its mean and
    /// d the distance between means (`davies_bouldin_score`; lower is better).
    public static func daviesBouldin(_ x: Matrix, labels: [Int32], clusters k: Int) -> Double {
        guard k >= 2, x.rows > k else { return .nan }
        let (centres, sizes) = means(x, labels, k)
        var spread = [Double](repeating: 0, count: k)
        for r in 0..<x.rows {
            let c = Int(labels[r])
            var q = 0.0
            for j in 0..<x.cols { let u = x[r, j] - centres[c, j]; q += u * u }
            spread[c] += q.squareRoot()
        }
        for c in 0..<k where sizes[c] > 0 { spread[c] /= Double(sizes[c]) }
        var total = 0.0
        for a in 0..<k {
            var worst = 0.0
            for b in 0..<k where b != a {
                var q = 0.0
                for j in 0..<x.cols { let u = centres[a, j] - centres[b, j]; q += u * u }
                let distance = q.squareRoot()
                worst = max(worst, distance > 0 ? (spread[a] + spread[b]) / distance : 0)
            }
            total += worst
        }
        return total / Double(k)
    }

    /// The adjusted Rand index of two labelings of the same rows (`adjusted_rand_score`): 1 for the same partition,
    /// about 0 for independent ones.
    public static func adjustedRand(_ a: [Int32], _ b: [Int32]) -> Double {
        let n = a.count
        guard n > 1 else { return 1 }
        var table: [Int: Int] = [:], rows: [Int32: Int] = [:], cols: [Int32: Int] = [:]
        for (x, y) in zip(a, b) { table[Int(x) << 32 | Int(y), default: 0] += 1; rows[x, default: 0] += 1; cols[y, default: 0] += 1 }
        func pairs(_ m: Int) -> Double { Double(m) * Double(m - 1) / 2 }
        let index = table.values.reduce(0) { $0 + pairs($1) }
        let sumA = rows.values.reduce(0) { $0 + pairs($1) }, sumB = cols.values.reduce(0) { $0 + pairs($1) }
        let expected = sumA * sumB / pairs(n), maximum = (sumA + sumB) / 2
        return maximum == expected ? 1 : (index - expected) / (maximum - expected)
    }
}

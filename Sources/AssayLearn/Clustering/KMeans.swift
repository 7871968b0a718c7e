import AssayCore
import Foundation

/// k-means settings, as scikit-learn's `KMeans(algorithm="lloyd")` reads them: k-means++ seeding (greedy, with
/// 2 + ⌊ln k⌋ candidates per centre), `n_init` seedings of which the lowest inertia wins, Lloyd iterations until the
/// labels stop changing or the centres move less than `tol` × the mean of the columns' variances (squared shift summed
/// over centres), at most `max_iter` of them. As scikit-learn does, the data are centred (column means subtracted)
/// before seeding and iterating, and a cluster left empty takes the point farthest from its centre.
///
/// Differs from scikit-learn in its random stream only: seeds come from Assay's SplitMix64, so the chosen initial
/// centres differ from NumPy's for the same seed; given the same initial centres, labels and inertia agree.
public struct KMeans: Sendable, Hashable {
    public var clusters: Int
    public var nInit: Int
    public var maxIter: Int
    public var tol: Double

    public init(clusters: Int, nInit: Int = 10, maxIter: Int = 300, tol: Double = 1e-4) {
        self.clusters = clusters
        self.nInit = nInit
        self.maxIter = maxIter
        self.tol = tol
    }

    /// Canonical text (a task key's part).
    public var canonical: String { "kmeans(k=\(clusters),n_init=\(nInit),max_iter=\(maxIter),tol=\(NumberFormat.json(tol)))" }

    func validate(_ x: Matrix) throws {
        guard x.rows > 0, x.cols > 0 else { throw LearnError.empty }
        guard clusters >= 1 else { throw LearnError.badParameter("k must be at least 1, got \(clusters)") }
        guard nInit >= 1, maxIter >= 1, tol >= 0 else { throw LearnError.badParameter("n_init and max_iter must be at least 1 and tol at least 0") }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) { throw LearnError.nonFinite(row: bad / x.cols, column: bad % x.cols) }
        var distinct = Set<[Double]>()
        for r in 0..<x.rows where distinct.count < clusters { distinct.insert(Array(x.values[(r * x.cols)..<((r + 1) * x.cols)])) }
        guard distinct.count >= clusters else {
            throw LearnError.badParameter("k = \(clusters) is more than the \(distinct.count) distinct rows of the table: at most \(distinct.count) clusters can be told apart")
        }
    }

    /// The best of `nInit` k-means++ seedings, each followed by Lloyd iterations.
    public func fit(_ x: Matrix, using rng: inout some RandomNumberGenerator) throws -> FittedKMeans {
        try validate(x)
        let (centred, mean) = Self.centred(x)
        let tolerance = Self.tolerance(centred, tol)
        var best = Self.lloyd(centred, Self.plusPlus(centred, clusters, using: &rng), maxIter: maxIter, tolerance: tolerance)
        for _ in 1..<nInit {
            let run = Self.lloyd(centred, Self.plusPlus(centred, clusters, using: &rng), maxIter: maxIter, tolerance: tolerance)
            if run.inertia < best.inertia && !Self.sameClustering(run.labels, best.labels, clusters) { best = run }
        }
        return best.shifted(by: mean)
    }

    /// Lloyd iterations from the given initial centres (scikit-learn's `init=array`, `n_init=1`).
    public func fit(_ x: Matrix, initialCenters: Matrix) throws -> FittedKMeans {
        try validate(x)
        guard initialCenters.rows == clusters, initialCenters.cols == x.cols else {
            throw LearnError.badParameter("initial centres are \(initialCenters.rows) × \(initialCenters.cols), expected \(clusters) × \(x.cols)")
        }
        let (centred, mean) = Self.centred(x)
        var initial = initialCenters
        for c in 0..<clusters { for j in 0..<x.cols { initial[c, j] -= mean[j] } }
        return Self.lloyd(centred, initial, maxIter: maxIter, tolerance: Self.tolerance(centred, tol)).shifted(by: mean)
    }

    static func centred(_ x: Matrix) -> (Matrix, [Double]) {
        var mean = [Double](repeating: 0, count: x.cols)
        for r in 0..<x.rows { for j in 0..<x.cols { mean[j] += x[r, j] } }
        for j in mean.indices { mean[j] /= Double(x.rows) }
        var c = x
        for r in 0..<x.rows { for j in 0..<x.cols { c[r, j] -= mean[j] } }
        return (c, mean)
    }

    /// `tol` × the mean over columns of their (population) variance: scikit-learn's `_tolerance`.
    static func tolerance(_ x: Matrix, _ tol: Double) -> Double {
        guard tol > 0 else { return 0 }
        var total = 0.0
        for j in 0..<x.cols {
            var m = 0.0
            for r in 0..<x.rows { m += x[r, j] }
            m /= Double(x.rows)
            var v = 0.0
            for r in 0..<x.rows { v += (x[r, j] - m) * (x[r, j] - m) }
            total += v / Double(x.rows)
        }
        return total / Double(x.cols) * tol
    }

    @inline(__always) static func distance2(_ a: UnsafeBufferPointer<Double>, _ i: Int, _ b: UnsafeBufferPointer<Double>, _ j: Int, _ d: Int) -> Double {
        var s = 0.0
        for t in 0..<d { let u = a[i * d + t] - b[j * d + t]; s += u * u }
        return s
    }

    /// Greedy k-means++ (scikit-learn's `_kmeans_plusplus`): the first centre uniformly at random; each next one the
    /// best, by the potential it leaves, of 2 + ⌊ln k⌋ candidates drawn with probability proportional to the squared
    /// distance to the nearest centre so far.
    static func plusPlus(_ x: Matrix, _ k: Int, using rng: inout some RandomNumberGenerator) -> Matrix {
        let n = x.rows, d = x.cols, trials = 2 + Int(log(Double(k)))
        var centers = Matrix(rows: k, cols: d)
        let first = Int.random(in: 0..<n, using: &rng)
        for t in 0..<d { centers[0, t] = x[first, t] }
        var closest = [Double](repeating: 0, count: n), cumulative = [Double](repeating: 0, count: n)
        x.values.withUnsafeBufferPointer { xs in
            centers.values.withUnsafeBufferPointer { cs in for r in 0..<n { closest[r] = distance2(xs, r, cs, 0, d) } }
        }
        var potential = closest.reduce(0, +)
        var candidateDistances = [[Double]](repeating: [Double](repeating: 0, count: n), count: trials)
        for c in 1..<max(k, 1) {
            var s = 0.0
            for r in 0..<n { s += closest[r]; cumulative[r] = s }
            var candidates: [Int] = []
            for _ in 0..<trials {
                let v = Double.random(in: 0..<1, using: &rng) * potential
                // numpy's searchsorted (left): the first index whose cumulative sum reaches v.
                var lo = 0, hi = n
                while lo < hi { let mid = (lo + hi) / 2; if cumulative[mid] < v { lo = mid + 1 } else { hi = mid } }
                candidates.append(min(lo, n - 1))
            }
            var bestTrial = 0, bestPotential = Double.infinity
            x.values.withUnsafeBufferPointer { xs in
                for (t, id) in candidates.enumerated() {
                    var pot = 0.0
                    for r in 0..<n {
                        let v = min(closest[r], distance2(xs, r, xs, id, d))
                        candidateDistances[t][r] = v
                        pot += v
                    }
                    if pot < bestPotential { bestPotential = pot; bestTrial = t }
                }
            }
            potential = bestPotential
            swap(&closest, &candidateDistances[bestTrial])
            for t in 0..<d { centers[c, t] = x[candidates[bestTrial], t] }
        }
        return centers
    }

    /// Lloyd's iterations (scikit-learn's `_kmeans_single_lloyd`).
    static func lloyd(_ x: Matrix, _ initial: Matrix, maxIter: Int, tolerance: Double) -> FittedKMeans {
        let n = x.rows, d = x.cols, k = initial.rows, xt = Columns(x)
        var centers = initial, labels = [Int32](repeating: -1, count: n), previous = labels
        var iterations = 0, strict = false
        var sums = [Double](repeating: 0, count: k * d), counts = [Int](repeating: 0, count: k)
        for i in 0..<maxIter {
            iterations = i + 1
            assign(xt, centers, &labels)
            for t in sums.indices { sums[t] = 0 }
            for c in counts.indices { counts[c] = 0 }
            for r in 0..<n { counts[Int(labels[r])] += 1 }
            sums.withUnsafeMutableBufferPointer { s in
                labels.withUnsafeBufferPointer { l in
                    for t in 0..<d { xt.columns[t].withUnsafeBufferPointer { v in for r in 0..<n { s[Int(l[r]) * d + t] += v[r] } } }
                }
            }
            relocateEmpty(x, centers, labels: labels, sums: &sums, counts: &counts)
            var shift = 0.0
            for c in 0..<k {
                for t in 0..<d {
                    let v = counts[c] > 0 ? sums[c * d + t] / Double(counts[c]) : centers[c, t]
                    shift += (v - centers[c, t]) * (v - centers[c, t])
                    centers[c, t] = v
                }
            }
            if labels == previous { strict = true; break }
            if shift <= tolerance { break }
            previous = labels
        }
        // The labels of the final centres (unless the last iteration left them unchanged).
        if !strict { assign(xt, centers, &labels) }
        var inertia = 0.0
        x.values.withUnsafeBufferPointer { xs in
            centers.values.withUnsafeBufferPointer { cs in for r in 0..<n { inertia += distance2(xs, r, cs, Int(labels[r]), d) } }
        }
        return FittedKMeans(centers: centers, labels: labels, inertia: inertia, iterations: iterations)
    }

    /// Each row's nearest centre (the lowest index among equals). Distances are computed centre by centre over the
    /// column-major copy of the rows (`Columns`), a loop the compiler vectorizes; each is summed over the columns in order,
    /// as a row-by-row loop would sum it.
    static func assign(_ x: Columns, _ centers: Matrix, _ labels: inout [Int32]) {
        let n = x.rows
        // The nearest centre so far as a Double, so that the selection below is one branch-free, vectorized loop.
        var best = [Double](repeating: .infinity, count: n), nearest = [Double](repeating: 0, count: n), distance = [Double](repeating: 0, count: n)
        let last = x.count - 1
        for c in 0..<centers.rows {
            // Every column but the last summed into `distance`; the last one added in the selection loop.
            let point = (0..<x.count).map { centers[c, $0] }, p = point[last]
            x.distances2(to: point, columns: last, into: &distance)
            let code = Double(c)
            best.withUnsafeMutableBufferPointer { b in
                nearest.withUnsafeMutableBufferPointer { l in
                    distance.withUnsafeBufferPointer { v in
                        x.columns[last].withUnsafeBufferPointer { col in
                            guard let bp = b.baseAddress, let lp = l.baseAddress, let vp = v.baseAddress, let cp = col.baseAddress else { return }
                            // Four rows at a time in SIMD registers, then the rest one by one.
                            typealias V = SIMD4<Double>
                            let pv = V(repeating: p), cv = V(repeating: code)
                            var r = 0
                            while r + 4 <= n {
                                let u = UnsafeRawPointer(cp + r).loadUnaligned(as: V.self) - pv
                                let q = UnsafeRawPointer(vp + r).loadUnaligned(as: V.self) + u * u
                                var bv = UnsafeRawPointer(bp + r).loadUnaligned(as: V.self), lv = UnsafeRawPointer(lp + r).loadUnaligned(as: V.self)
                                let closer = q .< bv
                                bv.replace(with: q, where: closer)
                                lv.replace(with: cv, where: closer)
                                UnsafeMutableRawPointer(bp + r).storeBytes(of: bv, as: V.self)
                                UnsafeMutableRawPointer(lp + r).storeBytes(of: lv, as: V.self)
                                r += 4
                            }
                            while r < n {
                                let u = cp[r] - p, q = vp[r] + u * u
                                if q < bp[r] { bp[r] = q; lp[r] = code }
                                r += 1
                            }
                        }
                    }
                }
            }
        }
        for r in 0..<n { labels[r] = Int32(nearest[r]) }
    }

    /// scikit-learn's `_relocate_empty_clusters_dense`: each empty cluster takes one of the points farthest from their
    /// (old) centre, farthest first.
    static func relocateEmpty(_ x: Matrix, _ centers: Matrix, labels: [Int32], sums: inout [Double], counts: inout [Int]) {
        let empty = counts.indices.filter { counts[$0] == 0 }
        guard !empty.isEmpty else { return }
        let d = x.cols
        let distances = x.values.withUnsafeBufferPointer { xs in
            centers.values.withUnsafeBufferPointer { cs in (0..<x.rows).map { distance2(xs, $0, cs, Int(labels[$0]), d) } }
        }
        let far = distances.indices.sorted { distances[$0] != distances[$1] ? distances[$0] > distances[$1] : $0 < $1 }
        for (c, r) in zip(empty, far) {
            let old = Int(labels[r])
            for t in 0..<d { sums[old * d + t] -= x[r, t]; sums[c * d + t] = x[r, t] }
            counts[old] -= 1
            counts[c] = 1
        }
    }

    /// Whether two labelings are the same partition under a renaming of the clusters (scikit-learn's `_is_same_clustering`).
    static func sameClustering(_ a: [Int32], _ b: [Int32], _ k: Int) -> Bool {
        var map = [Int32](repeating: -1, count: k)
        for (x, y) in zip(a, b) {
            if map[Int(x)] == -1 { map[Int(x)] = y } else if map[Int(x)] != y { return false }
        }
        return true
    }
}

/// A fitted k-means: centres in the data's units, each training row's cluster, the inertia (sum of squared distances
/// to the assigned centres) and the Lloyd iterations of the winning seeding.
public struct FittedKMeans: Sendable, Equatable {
    public var centers: Matrix
    public var labels: [Int32]
    public var inertia: Double
    public var iterations: Int

    public init(centers: Matrix, labels: [Int32], inertia: Double, iterations: Int) {
        self.centers = centers
        self.labels = labels
        self.inertia = inertia
        self.iterations = iterations
    }

    func shifted(by mean: [Double]) -> FittedKMeans {
        var out = self
        for c in 0..<centers.rows { for j in 0..<centers.cols { out.centers[c, j] += mean[j] } }
        return out
    }

    /// The nearest centre of each row (the lowest index among equals).
    public func predict(_ x: Matrix) throws -> [Int] {
        guard x.cols == centers.cols else { throw LearnError.wrongWidth(expected: centers.cols, got: x.cols) }
        if let bad = x.values.firstIndex(where: { !$0.isFinite }) { throw LearnError.nonFinite(row: bad / x.cols, column: bad % x.cols) }
        var labels = [Int32](repeating: 0, count: x.rows)
        KMeans.assign(Columns(x), centers, &labels)
        return labels.map(Int.init)
    }
}

extension FittedKMeans: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.write(centers.rows); w.write(centers.cols); w.write(centers.values); w.write(labels); w.write(inertia); w.write(iterations)
    }

    public init(from r: inout ByteReader) throws {
        let rows = try r.readInt(), cols = try r.readInt(), values = try r.readDoubles()
        guard rows >= 0, cols >= 0, values.count == rows * cols else { throw BinaryFormatError.inconsistent("k-means centres") }
        let labels = try r.readInt32s()
        guard labels.allSatisfy({ $0 >= 0 && Int($0) < rows }) else { throw BinaryFormatError.inconsistent("k-means labels") }
        self.init(centers: Matrix(rows: rows, cols: cols, values: values), labels: labels, inertia: try r.readDouble(), iterations: try r.readInt())
    }
}

/// Rows stored column by column (one contiguous array per column): the layout in which a distance from every row to
/// one point is a vectorizable loop.
struct Columns {
    var columns: [[Double]]
    let rows: Int
    var count: Int { columns.count }

    init(_ x: Matrix) {
        rows = x.rows
        columns = (0..<x.cols).map { j in (0..<x.rows).map { x[$0, j] } }
    }

    /// Squared Euclidean distance of every row to `point` over its first `columns` columns (default: all), summed
    /// over the columns in order.
    func distances2(to point: [Double], columns used: Int? = nil, into out: inout [Double]) {
        out.withUnsafeMutableBufferPointer { o in
            if used == 0 { for r in 0..<rows { o[r] = 0 } }
            for (j, column) in columns.prefix(used ?? columns.count).enumerated() {
                let p = point[j]
                column.withUnsafeBufferPointer { v in
                    if j == 0 {
                        for r in 0..<rows { let u = v[r] - p; o[r] = u * u }
                    } else {
                        for r in 0..<rows { let u = v[r] - p; o[r] += u * u }
                    }
                }
            }
        }
    }
}

import AssayCore
import AssayKernels
import Foundation

/// k-nearest neighbours: exact search by scikit-learn's k-d tree or by brute force over contiguous rows.
///
/// Matches scikit-learn's `KNeighborsClassifier` with the Minkowski metric (`p` 1 or 2): the positive
/// probability is the (weighted) share of positive rows among the `n_neighbors` nearest training rows.
/// With `weights: distance`, a neighbour weighs 1/distance; when some neighbours are at distance 0,
/// they alone count, equally. `algorithm: auto` chooses as scikit-learn does: brute force above 15
/// columns or when `n_neighbors` is at least half the training rows, otherwise the k-d tree
/// (`leaf_size`, default 30). The tree is scikit-learn's, so where rows tie on distance the same ones are
/// taken; brute force takes the earlier training rows among ties, where scikit-learn's chunked search
/// may take others (it computes distances as ‖a‖² − 2a·b + ‖b‖², so its near-ties also break differently).
/// `ball_tree` is not offered.
public struct KNearestNeighbors: Classifier, Equatable {
    public enum Weights: String, Sendable { case uniform, distance }
    public enum Algorithm: String, Sendable { case auto, kdTree = "kd_tree", brute }

    public var neighbors = 5
    public var weights = Weights.uniform
    public var p = 2
    public var algorithm = Algorithm.auto
    public var leafSize = 30

    public init(neighbors: Int = 5, weights: Weights = .uniform, p: Int = 2) {
        self.neighbors = neighbors
        self.weights = weights
        self.p = p
    }

    /// The spec's `knn`.
    public static let definition = ModelDefinition.classifier("knn", tag: 2, defaults: KNearestNeighbors(), parameters: parameters)

    /// The parameters of `knn`, shared by the classifier and the regressor.
    static let parameters: [Parameter<KNearestNeighbors>] = [
        Parameter(.integer("n_neighbors", atLeast: 1), default: .int(5), accepts: [.int(1)], rejects: [.int(0), .double(2.5)]) { $0.neighbors = $1.intValue! },
        Parameter(.choice("weights", ["uniform", "distance"]), default: .string("uniform"), accepts: [.string("distance")], rejects: [.string("closest")]) {
            $0.weights = Weights(rawValue: $1.stringValue!)!
        },
        Parameter(ParameterRule("p", summary: "1 | 2", schema: ["enum": [1, 2]]) { v in
            if case .int(let p) = v, p == 1 || p == 2 { return nil }
            return "must be 1 (Manhattan) or 2 (Euclidean), got \(v.json)"
        }, default: .int(2), accepts: [.int(1)], rejects: [.int(3), .double(1.5)]) { $0.p = $1.intValue! },
        Parameter(ParameterRule("algorithm", summary: "auto | kd_tree | brute", schema: ["enum": ["auto", "kd_tree", "brute"]]) { v in
            if case .string("ball_tree") = v { return "ball_tree is not available: kd_tree and brute search exactly, as auto does" }
            return ParameterRule.choice("algorithm", ["auto", "kd_tree", "brute"]).check(v)
        }, default: .string("auto"), accepts: [.string("kd_tree"), .string("brute")], rejects: [.string("ball_tree"), .string("fast")]) {
            $0.algorithm = Algorithm(rawValue: $1.stringValue!)!
        },
        Parameter(.integer("leaf_size", atLeast: 1), default: .int(30), rejects: [.int(0)]) { $0.leafSize = $1.intValue! },
    ]

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], using rng: inout G) throws -> FittedKNearestNeighbors {
        try InputCheck.fitting(x, y)
        guard neighbors <= x.rows else {
            throw LearnError.badParameter("knn: n_neighbors (\(neighbors)) is larger than the \(x.rows) training rows")
        }
        return FittedKNearestNeighbors(settings: self, x: x, targets: y.map(Double.init))
    }

    /// Whether a fit on `rows × cols` searches by k-d tree (scikit-learn's `auto` rule).
    func searchesByTree(rows: Int, cols: Int) -> Bool {
        switch algorithm {
        case .kdTree: return true
        case .brute: return false
        case .auto: return !(cols > 15 || neighbors >= rows / 2)
        }
    }
}

/// A fitted kNN model: the training rows themselves with their targets (0/1 labels for a classifier), and the k-d
/// tree over them when it searches by one.
public struct FittedKNearestNeighbors: FittedClassifier, PerturbedPredicting, Equatable {
    public let settings: KNearestNeighbors
    public let x: Matrix
    public let targets: [Double]
    let tree: KDTree?

    public var inputWidth: Int { x.cols }

    public func predictProbabilities(_ q: Matrix) throws -> [Double] { try predictMeans(q) }

    public var predictsPerturbationsInBatch: Bool { tree == nil }

    public func predictScores(_ q: Matrix, perturbations: [ColumnPerturbation]) throws -> [[Double]] {
        try predictScores(q, perturbations: perturbations, width: 1) { [vote($0, $1)] }
    }

    /// Each query row's (weighted) mean target over its nearest training rows: the positive share of a classifier.
    func predictMeans(_ q: Matrix) throws -> [Double] {
        var out = [Double](repeating: 0, count: q.rows)
        try forEachNearest(q) { i, d, idx in out[i] = vote(d, idx) }
        return out
    }

    /// Calls `visit` with each query row's index and its k nearest training rows (distances as the search keeps them:
    /// squared for p = 2), nearest first, ties to the earlier row.
    func forEachNearest(_ q: Matrix, _ visit: (Int, [Double], [Int]) -> Void) throws {
        try InputCheck.predicting(q, width: x.cols)
        if let tree { return searchTree(tree, q, visit) }
        if let products = products(q) { return searchByProducts(q, products, visit) }
        scan(q, visit)
    }

    /// Brute force by scanning every training row for each query row, dropping a row once its partial distance
    /// exceeds the k-th best.
    private func scan(_ q: Matrix, _ visit: (Int, [Double], [Int]) -> Void) {
        let k = settings.neighbors, p = x.cols, n = x.rows
        var bestD = [Double](repeating: 0, count: k), bestI = [Int](repeating: 0, count: k)
        x.values.withUnsafeBufferPointer { train in
            q.values.withUnsafeBufferPointer { query in
                for i in 0..<q.rows {
                    let a = query.baseAddress! + i * p
                    var count = 0
                    for t in 0..<n {
                        let b = train.baseAddress! + t * p
                        // Four columns at a time; every 16 columns, a row already farther than the k-th best is dropped.
                        let bound = count < k ? Double.infinity : bestD[k - 1]
                        let d = Self.distance(a, b, p, squared: settings.p == 2, bound: bound)
                        if d > bound { continue }
                        // Keep the k smallest, ties to the earlier row: insert after equal distances.
                        if count < k || d < bestD[count - 1] {
                            var pos = count < k ? count : k - 1
                            while pos > 0 && bestD[pos - 1] > d {
                                if pos < k { bestD[pos] = bestD[pos - 1]; bestI[pos] = bestI[pos - 1] }
                                pos -= 1
                            }
                            bestD[pos] = d; bestI[pos] = t
                            if count < k { count += 1 }
                        }
                    }
                    visit(i, bestD, bestI)
                }
            }
        }
    }

    /// Euclidean brute force narrows its search by matrix products from this many columns on.
    static let productColumns = 16

    /// The products the Euclidean brute force narrows its search with: from `productColumns` columns on, and unless a
    /// norm is too large to be formed.
    private func products(_ q: Matrix) -> DistanceProducts? {
        guard settings.p == 2, x.cols >= Self.productColumns else { return nil }
        return DistanceProducts(train: x, query: q)
    }

    /// Euclidean brute force narrowed by the distances' products (`DistanceProducts`), in one pass over blocks of 288
    /// query rows by 1,024 training rows (a block of products stays in cache): a training row whose lower bound
    /// (‖a‖² + ‖b‖² − 2a·b less a margin of 8(p + 8)·2⁻⁵³ times ‖a‖² + ‖b‖² + |approximation|, which also covers the
    /// exact distance's own p·2⁻⁵³ rounding and the products' shift) exceeds the k-th smallest upper bound seen so far
    /// cannot be among the k nearest. The others are kept as candidates; at the end those within the final bound have
    /// their distances computed exactly as the scan computes them and are ranked the same way (ties to the earlier
    /// row), so the neighbours and distances are the scan's, bit for bit, on any CPU.
    private func searchByProducts(_ q: Matrix, _ products: DistanceProducts, _ visit: (Int, [Double], [Int]) -> Void) {
        // Blocks of query rows are independent: a wave of them is searched on the idle workers the executor lends
        // (`Parallel`), and visited in order.
        let blockRows = 288, wave = 8 * blockRows
        var start = 0
        while start < q.rows {
            let end = Swift.min(q.rows, start + wave), blocks = (end - start + blockRows - 1) / blockRows
            let found = Parallel.map(blocks) { b in
                nearest(q, products, rows: (start + b * blockRows)..<Swift.min(end, start + (b + 1) * blockRows))
            }
            for (b, block) in found.enumerated() {
                for (r, row) in block.enumerated() { visit(start + b * blockRows + r, row.d, row.t) }
            }
            start = end
        }
    }

    /// The k nearest training rows of query rows `rows` (at most 288, so that a block of products by 1,024 training
    /// rows stays in cache), as `searchByProducts` describes.
    private func nearest(_ q: Matrix, _ products: DistanceProducts, rows block: Range<Int>) -> [(d: [Double], t: [Int])] {
        let k = settings.neighbors, p = x.cols, n = x.rows, rows = block.count, start = block.lowerBound
        var dotsBuffer = [Double](repeating: 0, count: rows * Swift.min(n, DistanceProducts.chunk))
        var bounds = (0..<rows).map { _ in SmallestBounds(k) }
        var candidates = [[(lower: Double, t: Int)]](repeating: [], count: rows), exact: [(d: Double, t: Int)] = []
        var out: [(d: [Double], t: [Int])] = []
        out.reserveCapacity(rows)
        let factor = 8 * Double(p + 8) * 0x1p-53, floor = Double(p + 8) * Double.leastNormalMagnitude
        let sparse = products.sparseColumns > 0
        x.values.withUnsafeBufferPointer { train in
            q.values.withUnsafeBufferPointer { query in
                dotsBuffer.withUnsafeMutableBufferPointer { dotsBuffer in
                    products.trainNorms.withUnsafeBufferPointer { trainNorms in
                        bounds.withUnsafeMutableBufferPointer { bounds in
                            candidates.withUnsafeMutableBufferPointer { candidates in
                                guard let train = train.baseAddress, let query = query.baseAddress, let dots = dotsBuffer.baseAddress,
                                      let trainNorms = trainNorms.baseAddress else { return }
                                for chunkIndex in 0..<products.chunks {
                                    let span = products.chunkRows(chunkIndex), cols = span.count, t0 = span.lowerBound
                                    products.dots(queryRows: start, rows, chunk: chunkIndex, into: dots, ldc: cols)
                                    for r in 0..<rows {
                                        let qn = products.queryNorms[start + r], row = dots + r * cols
                                        var limit = bounds[r].limit
                                        // Most rows are dropped by their lower bound: skip to the next one that is not.
                                        var c = Int(assay_first_within(row, trainNorms + t0, Int64(cols), qn, factor, floor, limit))
                                        while c < cols {
                                            let sum = qn + trainNorms[t0 + c], d = sum - 2 * row[c]
                                            let margin = factor * (sum + Swift.abs(d)) + floor
                                            candidates[r].append((d - margin, t0 + c))
                                            bounds[r].insert(d + margin)
                                            limit = bounds[r].limit
                                            c += 1
                                            c += Int(assay_first_within(row + c, trainNorms + t0 + c, Int64(cols - c), qn, factor, floor, limit))
                                        }
                                    }
                                }
                                for r in 0..<rows {
                                    let i = start + r, a = query + i * p, limit = bounds[r].limit
                                    exact.removeAll(keepingCapacity: true)
                                    for (lower, t) in candidates[r] where lower <= limit {
                                        let d = sparse ? products.exactDistance(query: i, a, train: t)
                                            : Self.distance(a, train + t * p, p, squared: true, bound: .infinity)
                                        exact.append((d, t))
                                    }
                                    exact.sort { $0.d != $1.d ? $0.d < $1.d : $0.t < $1.t }
                                    let nearest = exact.prefix(k)
                                    out.append((nearest.map(\.d), nearest.map(\.t)))
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Like `forEachNearest` for each perturbation's copy of the rows of `q` (brute force only): `visit` gets the
    /// perturbation's index, the row and its k nearest training rows, exactly as `forEachNearest` gives them for that
    /// copy. Each row's distances to every training row are computed once; a copy's are those less the changed
    /// columns' terms plus their new ones. That sum carries rounding error, so it only picks candidates: every
    /// training row that could be among the k nearest within a rigorous error bound, whose distances are then computed
    /// as `forEachNearest` computes them and ranked the same way (ties to the earlier row).
    func forEachNearest(_ q: Matrix, perturbations: [ColumnPerturbation], _ visit: (Int, Int, [Double], [Int]) -> Void) throws {
        try InputCheck.predicting(q, width: x.cols)
        precondition(tree == nil, "perturbed predictions search by brute force")
        for pert in perturbations {
            precondition(pert.values.rows == q.rows && pert.columns.allSatisfy { (0..<x.cols).contains($0) }, "a perturbation of other rows or columns")
            try InputCheck.finite(pert.values)
        }
        let k = settings.neighbors, p = x.cols, n = x.rows, squared = settings.p == 2
        let blockRows = Swift.max(1, Swift.min(q.rows, (1 << 21) / Swift.max(n, 1)))
        var base = [Double](repeating: 0, count: blockRows * n)
        var lower = [Double](repeating: 0, count: n)
        var kth = SmallestBounds(k)
        var row = [Double](repeating: 0, count: p)
        // Each row's distances to every training row, by matrix products (Euclidean) or exactly (Manhattan).
        let products = products(q)
        // Zero without the product (the margin's norm term vanishes), so the inner loop need not ask.
        let trainNorms = products?.trainNorms ?? [Double](repeating: 0, count: n)
        // Rounding: each distance is a sum of at most p + 2w terms, each formed with one rounding; 2^-53 per operation.
        // A base distance from the products also carries (p + 4)·2⁻⁵³ times the two rows' squared norms (shifted), and
        // the shift about 4·2⁻⁵³ times them (`DistanceProducts`).
        let unit = 0x1p-53
        x.values.withUnsafeBufferPointer { train in
            q.values.withUnsafeBufferPointer { query in
                var start = 0
                while start < q.rows {
                    let end = Swift.min(q.rows, start + blockRows)
                    if let products {
                        base.withUnsafeMutableBufferPointer { out in
                            guard let outBase = out.baseAddress else { return }
                            for chunkIndex in 0..<products.chunks {
                                products.dots(queryRows: start, end - start, chunk: chunkIndex, into: outBase + products.chunkRows(chunkIndex).lowerBound, ldc: n)
                            }
                            for r in 0..<(end - start) {
                                let qn = products.queryNorms[start + r]
                                for t in 0..<n { out[r * n + t] = qn + products.trainNorms[t] - 2 * out[r * n + t] }
                            }
                        }
                    } else {
                        for i in start..<end {
                            let a = query.baseAddress! + i * p
                            for t in 0..<n { base[(i - start) * n + t] = Self.distance(a, train.baseAddress! + t * p, p, squared: squared, bound: .infinity) }
                        }
                    }
                    // A row no perturbation changes keeps its own nearest rows: found once per row.
                    var unchanged = [(d: [Double], t: [Int])?](repeating: nil, count: end - start)
                    for (index, pert) in perturbations.enumerated() {
                        let w = pert.columns.count
                        for i in start..<end {
                            let a = query.baseAddress! + i * p
                            // Only the columns whose value changes in this row count (a one-hot block changes at most two).
                            var changed: [(column: Int, value: Double)] = []
                            for (c, column) in pert.columns.enumerated() where pert.values.values[i * w + c] != a[column] {
                                changed.append((column, pert.values.values[i * w + c]))
                            }
                            if changed.isEmpty, let own = unchanged[i - start] {
                                visit(index, i, own.d, own.t)
                                continue
                            }
                            let factor = 8 * Double(p + 2 * changed.count + 8) * unit, qn = products?.queryNorms[i] ?? 0
                            // The k-th smallest upper bound.
                            kth.removeAll()
                            for t in 0..<n {
                                let b = train.baseAddress! + t * p
                                var removed = 0.0, added = 0.0
                                for (column, value) in changed {
                                    let before = a[column] - b[column], after = value - b[column]
                                    removed += squared ? before * before : Swift.abs(before)
                                    added += squared ? after * after : Swift.abs(after)
                                }
                                let d0 = base[(i - start) * n + t], approx = d0 - removed + added, norm = qn + trainNorms[t]
                                let margin = factor * (norm + Swift.abs(d0) + removed + added + Swift.abs(approx)) + Double(p + 8) * Double.leastNormalMagnitude
                                lower[t] = approx - margin
                                kth.insert(approx + margin)
                            }
                            let kthUpper = kth.largest
                            // The copy's own row, for the exact distances of the candidates.
                            for j in 0..<p { row[j] = a[j] }
                            for (column, value) in changed { row[column] = value }
                            var candidates: [(d: Double, t: Int)] = []
                            row.withUnsafeBufferPointer { r in
                                for t in 0..<n where lower[t] <= kthUpper {
                                    candidates.append((Self.distance(r.baseAddress!, train.baseAddress! + t * p, p, squared: squared, bound: .infinity), t))
                                }
                            }
                            candidates.sort { $0.d != $1.d ? $0.d < $1.d : $0.t < $1.t }
                            let nearest = candidates.prefix(k)
                            if changed.isEmpty { unchanged[i - start] = (nearest.map(\.d), nearest.map(\.t)) }
                            visit(index, i, nearest.map(\.d), nearest.map(\.t))
                        }
                    }
                    start = end
                }
            }
        }
    }

    /// Scores of each perturbation's copy of `q`, `width` numbers per row, from each row's nearest training rows.
    func predictScores(_ q: Matrix, perturbations: [ColumnPerturbation], width: Int, scores: ([Double], [Int]) -> [Double]) throws -> [[Double]] {
        var out = [[Double]](repeating: [Double](repeating: 0, count: q.rows * width), count: perturbations.count)
        try forEachNearest(q, perturbations: perturbations) { index, i, d, idx in
            for (c, v) in scores(d, idx).enumerated() { out[index][i * width + c] = v }
        }
        return out
    }

    private func searchTree(_ tree: KDTree, _ q: Matrix, _ visit: (Int, [Double], [Int]) -> Void) {
        let k = settings.neighbors, p = x.cols
        var heapD = [Double](repeating: 0, count: k), heapI = [Int](repeating: 0, count: k)
        x.values.withUnsafeBufferPointer { train in
            q.values.withUnsafeBufferPointer { query in
                for i in 0..<q.rows {
                    heapD.withUnsafeMutableBufferPointer { d in
                        heapI.withUnsafeMutableBufferPointer { r in
                            tree.search(query.baseAddress! + i * p, in: train.baseAddress!, cols: p, manhattan: settings.p == 1,
                                        distances: d.baseAddress!, rows: r.baseAddress!, k: k)
                        }
                    }
                    let nearest = (0..<k).sorted { heapD[$0] < heapD[$1] }
                    visit(i, nearest.map { heapD[$0] }, nearest.map { heapI[$0] })
                }
            }
        }
    }

    /// Σ (a−b)² (or Σ |a−b|), stopping early once it exceeds `bound`; SIMD lanes summed in a fixed order.
    @inline(__always)
    static func distance(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ p: Int, squared: Bool, bound: Double) -> Double {
        var acc = SIMD4<Double>(repeating: 0)
        var j = 0
        while j + 4 <= p {
            let va = UnsafeRawPointer(a + j).loadUnaligned(as: SIMD4<Double>.self)
            let vb = UnsafeRawPointer(b + j).loadUnaligned(as: SIMD4<Double>.self)
            let diff = va - vb
            if squared { acc += diff * diff } else { acc += diff.replacing(with: -diff, where: diff .< 0) }
            j += 4
            if j & 15 == 0, acc.sum() > bound { return acc.sum() }
        }
        var d = acc.sum()
        while j < p {
            let diff = a[j] - b[j]
            d += squared ? diff * diff : Swift.abs(diff)
            j += 1
        }
        return d
    }

    private func vote(_ d: [Double], _ idx: [Int]) -> Double {
        switch settings.weights {
        case .uniform:
            return idx.reduce(0.0) { $0 + targets[$1] } / Double(idx.count)
        case .distance:
            let distance = settings.p == 2 ? d.map { $0.squareRoot() } : d
            if distance.contains(0) {
                let zero = idx.indices.filter { distance[$0] == 0 }
                return zero.reduce(0.0) { $0 + targets[idx[$1]] } / Double(zero.count)
            }
            var total = 0.0, weighted = 0.0
            for (dist, i) in zip(distance, idx) {
                total += 1 / dist
                weighted += targets[i] / dist
            }
            return weighted / total
        }
    }

    static let formatVersion: UInt32 = 3

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(settings.neighbors); w.write(settings.weights.rawValue); w.write(settings.p)
        w.write(settings.algorithm.rawValue); w.write(settings.leafSize)
        w.write(x.rows); w.write(x.cols); w.write(x.values); w.write(targets)
    }

    init(settings: KNearestNeighbors, x: Matrix, targets: [Double]) {
        self.settings = settings
        self.x = x
        self.targets = targets
        tree = settings.searchesByTree(rows: x.rows, cols: x.cols) ? KDTree(x, leafSize: settings.leafSize) : nil
    }

    public init(from r: inout ByteReader) throws {
        try self.init(from: &r, targets: { $0 == 0 || $0 == 1 })
    }

    /// Reads a fitted model whose every target passes `valid` (a 0/1 label, or any finite regression value).
    init(from r: inout ByteReader, targets valid: (Double) -> Bool) throws {
        try r.readHeader("k-nearest neighbours", version: Self.formatVersion)
        let k = try r.readInt()
        guard let w = KNearestNeighbors.Weights(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("knn weights", 0) }
        let p = try r.readInt()
        guard let algorithm = KNearestNeighbors.Algorithm(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("knn algorithm", 0) }
        let leafSize = try r.readInt()
        let rows = try r.readInt(), cols = try r.readInt(), values = try r.readDoubles(), y = try r.readDoubles()
        try BinaryFormatError.require(values.count == (try BinaryFormatError.product(rows, cols, "knn: training rows")) && y.count == rows
                                      && (1...max(rows, 1)).contains(k) && rows >= 1 && (p == 1 || p == 2) && leafSize >= 1
                                      && y.allSatisfy(valid) && values.allSatisfy(\.isFinite), "knn: training rows, targets or settings")
        var settings = KNearestNeighbors(neighbors: k, weights: w, p: p)
        settings.algorithm = algorithm
        settings.leafSize = leafSize
        self.init(settings: settings, x: Matrix(rows: rows, cols: cols, values: values), targets: y)
    }
}

/// k-nearest neighbours regression: scikit-learn's `KNeighborsRegressor`, the (weighted) mean target of the
/// `n_neighbors` nearest training rows, with the search, weights and differences of `KNearestNeighbors`.
public struct KNeighborsRegressor: Regressor, Equatable {
    public var settings = KNearestNeighbors()

    public init() {}

    /// The spec's `knn` (task regression); its parameters are the classifier's.
    public static let definition = ModelDefinition.regressor("knn", tag: 13, defaults: KNeighborsRegressor(),
                                                             parameters: KNearestNeighbors.parameters.map { p in p.lifted(\.settings) })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [Double], using rng: inout G) throws -> FittedKNeighborsRegressor {
        try InputCheck.fitting(x, y)
        guard settings.neighbors <= x.rows else {
            throw LearnError.badParameter("knn: n_neighbors (\(settings.neighbors)) is larger than the \(x.rows) training rows")
        }
        return FittedKNeighborsRegressor(neighbors: FittedKNearestNeighbors(settings: settings, x: x, targets: y))
    }
}

public struct FittedKNeighborsRegressor: FittedRegressor, PerturbedPredicting, Equatable {
    public let neighbors: FittedKNearestNeighbors

    public var inputWidth: Int { neighbors.inputWidth }

    public func predict(_ x: Matrix) throws -> [Double] { try neighbors.predictMeans(x) }

    public var predictsPerturbationsInBatch: Bool { neighbors.predictsPerturbationsInBatch }

    public func predictScores(_ x: Matrix, perturbations: [ColumnPerturbation]) throws -> [[Double]] {
        try neighbors.predictScores(x, perturbations: perturbations)
    }

    public func encode(to w: inout ByteWriter) { neighbors.encode(to: &w) }

    init(neighbors: FittedKNearestNeighbors) { self.neighbors = neighbors }

    public init(from r: inout ByteReader) throws {
        neighbors = try FittedKNearestNeighbors(from: &r, targets: \.isFinite)
    }
}

/// k-nearest neighbours for task multiclass: scikit-learn's `KNeighborsClassifier`, each class's (weighted) share of
/// the `n_neighbors` nearest training rows, with the search, weights and differences of `KNearestNeighbors`.
public struct MulticlassKNearestNeighbors: MulticlassClassifier, Equatable {
    public var settings = KNearestNeighbors()

    public init() {}

    /// The spec's `knn` (task multiclass); its parameters are the binary classifier's.
    public static let definition = ModelDefinition.multiclass("knn", tag: 21, defaults: MulticlassKNearestNeighbors(),
                                                              parameters: KNearestNeighbors.parameters.map { p in p.lifted(\.settings) })

    public func fit<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedMulticlassKNearestNeighbors {
        try InputCheck.fitting(x, y, classes: k)
        guard settings.neighbors <= x.rows else {
            throw LearnError.badParameter("knn: n_neighbors (\(settings.neighbors)) is larger than the \(x.rows) training rows")
        }
        return FittedMulticlassKNearestNeighbors(classCount: k, neighbors: FittedKNearestNeighbors(settings: settings, x: x, targets: y.map(Double.init)))
    }
}

public struct FittedMulticlassKNearestNeighbors: FittedMulticlassClassifier, PerturbedPredicting, Equatable {
    public let classCount: Int
    /// The training rows, each with its class index as its target.
    public let neighbors: FittedKNearestNeighbors

    public var inputWidth: Int { neighbors.inputWidth }

    init(classCount: Int, neighbors: FittedKNearestNeighbors) {
        self.classCount = classCount
        self.neighbors = neighbors
    }

    /// Each class's share of the vote: uniform, or by inverse distance (rows at distance 0 share it alone).
    public func predictClassProbabilities(_ q: Matrix) throws -> Matrix {
        var out = Matrix(rows: q.rows, cols: classCount)
        try neighbors.forEachNearest(q) { i, d, idx in
            for (c, share) in shares(d, idx).enumerated() { out[i, c] = share }
        }
        return out
    }

    public var predictsPerturbationsInBatch: Bool { neighbors.predictsPerturbationsInBatch }

    public func predictScores(_ x: Matrix, perturbations: [ColumnPerturbation]) throws -> [[Double]] {
        try neighbors.predictScores(x, perturbations: perturbations, width: classCount, scores: shares)
    }

    /// Each class's share of the vote of the nearest rows `idx` at distances `d`.
    private func shares(_ d: [Double], _ idx: [Int]) -> [Double] {
        let settings = neighbors.settings, targets = neighbors.targets
        var weights = [Double](repeating: 1, count: idx.count)
        if settings.weights == .distance {
            let distance = settings.p == 2 ? d.map { $0.squareRoot() } : d
            weights = distance.contains(0) ? distance.map { $0 == 0 ? 1 : 0 } : distance.map { 1 / $0 }
        }
        let total = weights.reduce(0, +)
        var out = [Double](repeating: 0, count: classCount)
        for (w, r) in zip(weights, idx) { out[Int(targets[r])] += w }
        for c in 0..<classCount { out[c] /= total }
        return out
    }

    public func encode(to w: inout ByteWriter) {
        w.write(classCount)
        neighbors.encode(to: &w)
    }

    public init(from r: inout ByteReader) throws {
        let k = try r.readInt()
        try BinaryFormatError.require((2...255).contains(k), "knn: class count")
        classCount = k
        neighbors = try FittedKNearestNeighbors(from: &r, targets: { $0 >= 0 && $0 < Double(k) && $0 == $0.rounded() })
    }
}

/// The `k` smallest of a stream of numbers, as a max-heap: `largest` is the k-th smallest seen (the largest seen while
/// fewer than `k` came).
struct SmallestBounds {
    private var heap: [Double]
    private var count = 0
    let k: Int

    init(_ k: Int) {
        precondition(k >= 1, "k smallest: k")
        self.k = k
        heap = [Double](repeating: 0, count: k)
    }

    mutating func removeAll() { count = 0 }

    var largest: Double { heap[0] }

    /// The k-th smallest seen, or infinity while fewer than `k` came.
    var limit: Double { count < k ? .infinity : heap[0] }

    @inline(__always)
    mutating func insert(_ v: Double) {
        guard count < k || v < heap[0] else { return }
        let k = k, filling = count < k, size = filling ? count + 1 : k
        heap.withUnsafeMutableBufferPointer { heap in
            if filling {
                // Up from the new last place: larger parents move down into the hole.
                var c = size - 1
                while c > 0 && heap[(c - 1) / 2] < v { heap[c] = heap[(c - 1) / 2]; c = (c - 1) / 2 }
                heap[c] = v
            } else {
                // Down from the root, replacing the largest: larger children move up into the hole.
                var c = 0
                while true {
                    let l = 2 * c + 1, r = l + 1
                    guard l < k else { break }
                    let m = r < k && heap[r] > heap[l] ? r : l
                    guard heap[m] > v else { break }
                    heap[c] = heap[m]
                    c = m
                }
                heap[c] = v
            }
        }
        count = size
    }
}

import AssayCore

/// The dot products k-NN's Euclidean brute force narrows its search with (‖a‖² + ‖b‖² − 2a·b), taken on the rows less
/// a reference value per column. Distances do not change when a column is shifted, and after one-hot encoding (and
/// scaling) most of a table's columns hold one value in nearly every row: shifted by that value they are zero there.
/// Such a column is kept as a list of its other training rows and adds to a product only where a query row differs
/// from the reference too; the remaining columns are multiplied as dense matrices (`MatrixProduct`), unshifted. Of the
/// student table's 177 columns after one-hot encoding and scaling (as `bench/knn.sh` prepares it), 173 are such lists
/// (170 of its 172 country columns and three exam columns that are mostly zero) and 4 are dense.
///
/// The products only narrow a search whose kept distances are computed exactly, so their rounding is the search's
/// margin: ‖a′‖² + ‖b′‖² − 2a′·b′ errs by at most (p + 4)·2⁻⁵³·(‖a′‖² + ‖b′‖²) from ‖a′ − b′‖² (each norm's and the dot
/// product's (p + 2)·2⁻⁵³ times its size, in any order of summation, |a′·b′| ≤ (‖a′‖² + ‖b′‖²)/2, and two more
/// roundings), and a shifted value `fl(v − r)` errs by at most 2⁻⁵³ times itself, so ‖a′ − b′‖² is within about
/// 4·2⁻⁵³·(‖a′‖² + ‖b′‖²) of the unshifted distance: (p + 8)·2⁻⁵³ in all, which the search's margin covers eight
/// times over.
struct DistanceProducts {
    /// Training rows are taken this many at a time (`dots`' chunks).
    static let chunk = 1024

    let trainRows: Int
    /// Each training and query row's squared norm, shifted.
    let trainNorms: [Double], queryNorms: [Double]
    /// The dense columns of the training and query rows, unshifted (the matrices themselves when no column is sparse).
    private let trainDense: Matrix, queryDense: Matrix
    /// Sparse column `s`'s training rows other than its reference, ascending: positions `listStart[s]..<listStart[s + 1]`
    /// of `listRows` and their shifted values in `listValues`; `chunkStart[s * (chunks + 1) + c]` is the first position
    /// at or after chunk `c`'s first row.
    private let listStart: [Int], listRows: [Int32], listValues: [Double], chunkStart: [Int]
    /// How many chunks the training rows make.
    let chunks: Int
    /// The dense columns, the sparse ones and each sparse column's reference value.
    private let denseColumns: [Int], sparse: [Int], reference: [Double]
    /// Training row `t`'s sparse columns other than their reference (indices into the sparse columns, ascending) with
    /// their values as the row holds them: positions `rowStart[t]..<rowStart[t + 1]`.
    private let rowStart: [Int], rowColumns: [Int32], rowValues: [Double]
    /// Query row `i`'s sparse columns (indices into the sparse columns) other than their reference, with their shifted
    /// values: positions `queryStart[i]..<queryStart[i + 1]`.
    private let queryStart: [Int], queryColumns: [Int], queryValues: [Double]

    /// How many columns are kept as lists (0: every column is multiplied as a matrix).
    var sparseColumns: Int { listStart.count - 1 }

    /// A column is kept as a list when at most 1/`sparseShare` of the training rows differ from its most common value.
    static let sparseShare = 8

    /// nil when a shifted row's squared norm is too large to form ‖a′‖² + ‖b′‖² − 2a′·b′ without overflow.
    init?(train x: Matrix, query q: Matrix) {
        let n = x.rows, p = x.cols
        precondition(q.cols == p, "distance products: widths")
        // Each column's majority value, if it has one (Boyer–Moore), then how many rows hold it.
        var majority = [Double](repeating: 0, count: p), votes = [Int](repeating: 0, count: p)
        var holding = [Int](repeating: 0, count: p)
        x.values.withUnsafeBufferPointer { values in
            majority.withUnsafeMutableBufferPointer { majority in
                votes.withUnsafeMutableBufferPointer { votes in
                    holding.withUnsafeMutableBufferPointer { holding in
                        for t in 0..<n {
                            for j in 0..<p {
                                let v = values[t * p + j]
                                if votes[j] == 0 { majority[j] = v; votes[j] = 1 } else if v == majority[j] { votes[j] += 1 } else { votes[j] -= 1 }
                            }
                        }
                        for t in 0..<n { for j in 0..<p where values[t * p + j] == majority[j] { holding[j] += 1 } }
                    }
                }
            }
        }
        var sparse = (0..<p).filter { (n - holding[$0]) * Self.sparseShare <= n }
        // A few sparse columns would not pay for the lists: the plain product.
        if sparse.count * 4 < p { sparse = [] }
        let isSparse = Set(sparse)
        let dense = (0..<p).filter { !isSparse.contains($0) }
        let reference = sparse.map { majority[$0] }
        denseColumns = dense
        self.sparse = sparse
        self.reference = reference
        trainRows = n
        trainDense = sparse.isEmpty ? x : x.columns(dense)
        queryDense = sparse.isEmpty ? q : q.columns(dense)
        chunks = (n + Self.chunk - 1) / Self.chunk

        func norms(_ m: Matrix) -> [Double]? {
            var out = [Double](repeating: 0, count: m.rows)
            for i in 0..<m.rows {
                var s = 0.0
                for j in dense { let v = m.values[i * p + j]; s += v * v }
                for (s0, j) in sparse.enumerated() { let v = m.values[i * p + j] - reference[s0]; s += v * v }
                guard s < 0x1p1000 else { return nil }
                out[i] = s
            }
            return out
        }
        guard let trainNorms = norms(x), let queryNorms = norms(q) else { return nil }
        self.trainNorms = trainNorms
        self.queryNorms = queryNorms

        // The training lists: counts, then positions, then rows in ascending order.
        var start = [Int](repeating: 0, count: sparse.count + 1)
        for (s, j) in sparse.enumerated() { start[s + 1] = start[s] + (n - holding[j]) }
        var rows = [Int32](repeating: 0, count: start[sparse.count]), values = [Double](repeating: 0, count: rows.count)
        var next = start, trainStart = [0], trainColumns: [Int32] = [], trainValues: [Double] = []
        trainColumns.reserveCapacity(rows.count)
        trainValues.reserveCapacity(rows.count)
        for t in 0..<n {
            for (s, j) in sparse.enumerated() where x.values[t * p + j] != reference[s] {
                rows[next[s]] = Int32(t)
                values[next[s]] = x.values[t * p + j] - reference[s]
                next[s] += 1
                trainColumns.append(Int32(s))
                trainValues.append(x.values[t * p + j])
            }
            trainStart.append(trainColumns.count)
        }
        rowStart = trainStart
        rowColumns = trainColumns
        rowValues = trainValues
        var chunkStart = [Int](repeating: 0, count: sparse.count * (chunks + 1))
        for s in sparse.indices {
            var e = start[s]
            for c in 0...chunks {
                while e < start[s + 1] && Int(rows[e]) < c * Self.chunk { e += 1 }
                chunkStart[s * (chunks + 1) + c] = e
            }
        }
        listStart = start
        listRows = rows
        listValues = values
        self.chunkStart = chunkStart

        var qStart = [0], qColumns: [Int] = [], qValues: [Double] = []
        for i in 0..<q.rows {
            for (s, j) in sparse.enumerated() where q.values[i * p + j] != reference[s] {
                qColumns.append(s)
                qValues.append(q.values[i * p + j] - reference[s])
            }
            qStart.append(qColumns.count)
        }
        queryStart = qStart
        queryColumns = qColumns
        queryValues = qValues
    }

    /// The training rows of chunk `c`.
    func chunkRows(_ c: Int) -> Range<Int> { (c * Self.chunk)..<Swift.min(trainRows, (c + 1) * Self.chunk) }

    /// `out[r · ldc + (t − first)] = a′·b′` for query rows `a` = `start + r` (`r < rows`) and the training rows `b` of
    /// chunk `c` (`first` its first row): the dense columns' matrix product, then each sparse column the query row
    /// differs from its reference in, in column order.
    func dots(queryRows start: Int, _ rows: Int, chunk c: Int, into out: UnsafeMutablePointer<Double>, ldc: Int) {
        let span = chunkRows(c), d = trainDense.cols
        if d == 0 {
            for r in 0..<rows { (out + r * ldc).update(repeating: 0, count: span.count) }
        } else {
            trainDense.values.withUnsafeBufferPointer { train in
                queryDense.values.withUnsafeBufferPointer { query in
                    guard let train = train.baseAddress, let query = query.baseAddress else { return }
                    MatrixProduct.multiply(.init(query + start * d, rows: rows, cols: d, rowStride: d),
                                           MatrixProduct.Operand(train + span.lowerBound * d, rows: span.count, cols: d, rowStride: d).transposed,
                                           into: out, ldc: ldc)
                }
            }
        }
        guard sparseColumns > 0 else { return }
        listRows.withUnsafeBufferPointer { listRows in
            listValues.withUnsafeBufferPointer { listValues in
                for r in 0..<rows {
                    let row = out + r * ldc - span.lowerBound
                    for e in queryStart[start + r]..<queryStart[start + r + 1] {
                        let s = queryColumns[e], v = queryValues[e], at = s * (chunks + 1) + c
                        for f in chunkStart[at]..<chunkStart[at + 1] { row[Int(listRows[f])] += v * listValues[f] }
                    }
                }
            }
        }
    }

    /// The squared distance between query row `i` (whose values `a` points at) and training row `t`, bit for bit as
    /// `FittedKNearestNeighbors.distance` computes it (four lanes of columns `j ≡ lane mod 4` summed in column order,
    /// the lanes' sum, then the columns past the last multiple of four in order), reading only the columns where the
    /// two rows can differ: the dense ones and the sparse ones either row holds another value than the reference in.
    /// The columns left out add exact zeros to sums of squares, which leaves them as they are.
    func exactDistance(query i: Int, _ a: UnsafePointer<Double>, train t: Int) -> Double {
        let body = (trainDense.cols + sparse.count) & ~3, width = trainDense.cols
        var lanes = SIMD4<Double>(repeating: 0), total = 0.0, summed = false
        var di = 0, ai = queryStart[i], bi = rowStart[t]
        let aEnd = queryStart[i + 1], bEnd = rowStart[t + 1], end = Int.max
        return trainDense.values.withUnsafeBufferPointer { dense in
            while true {
                let dc = di < width ? denseColumns[di] : end
                let asp = ai < aEnd ? queryColumns[ai] : Int.max, bsp = bi < bEnd ? Int(rowColumns[bi]) : Int.max
                let s = Swift.min(asp, bsp), sc = s == Int.max ? end : sparse[s]
                let j = Swift.min(dc, sc)
                if j == end { break }
                let diff: Double
                if j == dc {
                    diff = a[j] - dense[t * width + di]
                    di += 1
                } else {
                    let b = bsp == s ? rowValues[bi] : reference[s]
                    diff = a[j] - b
                    if asp == s { ai += 1 }
                    if bsp == s { bi += 1 }
                }
                if j < body {
                    lanes[j & 3] += diff * diff
                } else {
                    if !summed { total = lanes.sum(); summed = true }
                    total += diff * diff
                }
            }
            return summed ? total : lanes.sum()
        }
    }
}

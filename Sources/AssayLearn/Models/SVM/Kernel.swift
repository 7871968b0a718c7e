import AssayCore
import Foundation

/// A support vector machine's kernel, as libsvm defines them:
/// linear `x·z`, rbf `exp(−γ‖x − z‖²)`, poly `(γ x·z + coef0)^degree`, sigmoid `tanh(γ x·z + coef0)`.
public struct Kernel: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case linear, rbf, poly, sigmoid }

    public let kind: Kind
    public let gamma: Double
    public let coef0: Double
    public let degree: Int

    public init(kind: Kind, gamma: Double, coef0: Double = 0, degree: Int = 3) {
        self.kind = kind
        self.gamma = gamma
        self.coef0 = coef0
        self.degree = degree
    }

    /// The kernel of two rows given their dot product and squared norms (the norms are used by rbf only).
    @inline(__always)
    func value(dot: Double, squaredNormA: Double, squaredNormB: Double) -> Double {
        switch kind {
        case .linear: return dot
        case .rbf: return exp(-gamma * (squaredNormA + squaredNormB - 2 * dot))
        case .poly: return Self.power(gamma * dot + coef0, degree)
        case .sigmoid: return tanh(gamma * dot + coef0)
        }
    }

    /// `base^n` by repeated squaring, as libsvm's `powi`.
    static func power(_ base: Double, _ n: Int) -> Double {
        var result = 1.0, b = base, k = n
        while k > 0 {
            if k & 1 == 1 { result *= b }
            b *= b
            k >>= 1
        }
        return result
    }

    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ p: Int) -> Double {
        var s = 0.0
        for k in 0..<p { s += a[k] * b[k] }
        return s
    }

    /// `dot(a, b[t], p)` for four rows at once, each summed in column order as `dot` sums it (bit-identical), the
    /// four sums independent so that their additions overlap.
    @inline(__always)
    static func dots(_ a: UnsafePointer<Double>, _ b0: UnsafePointer<Double>, _ b1: UnsafePointer<Double>, _ b2: UnsafePointer<Double>,
                     _ b3: UnsafePointer<Double>, _ p: Int) -> SIMD4<Double> {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        for k in 0..<p {
            let ak = a[k]
            s0 += ak * b0[k]; s1 += ak * b1[k]; s2 += ak * b2[k]; s3 += ak * b3[k]
        }
        return SIMD4(s0, s1, s2, s3)
    }

    /// `Σ (a − b[t])²` for four rows at once, each summed in column order (as a one-row loop sums it).
    @inline(__always)
    static func squaredDistances(_ a: UnsafePointer<Double>, _ b0: UnsafePointer<Double>, _ b1: UnsafePointer<Double>, _ b2: UnsafePointer<Double>,
                                 _ b3: UnsafePointer<Double>, _ p: Int) -> SIMD4<Double> {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        for k in 0..<p {
            let ak = a[k]
            let d0 = ak - b0[k], d1 = ak - b1[k], d2 = ak - b2[k], d3 = ak - b3[k]
            s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3
        }
        return SIMD4(s0, s1, s2, s3)
    }

    static func squaredNorms(_ x: Matrix) -> [Double] {
        x.values.withUnsafeBufferPointer { xb in
            (0..<x.rows).map { i in let r = xb.baseAddress! + i * x.cols; return dot(r, r, x.cols) }
        }
    }
}

/// The matrix `Q[i][j] = yᵢ yⱼ K(xᵢ, xⱼ)` of a training set, indexed by the solver's positions, as libsvm's
/// `SVC_Q` and `Cache`: a row is computed only as far as it is asked for (the active variables come first),
/// kept as `Float`, and rows are dropped least recently used first once `bytes` would be exceeded. When the
/// solver swaps two positions, the rows, the data behind them and every cached entry follow.
final class KernelRowCache: QMatrix {
    let l: Int
    private let x: Matrix
    private let kernel: Kernel
    // The per-position state lives in buffers the class owns (constant pointers): reading and writing them needs no
    // run-time exclusivity check, which a `var` array property of a class costs on every element access.
    /// By position: the training row there, its sign, its squared norm.
    private let rowAt: UnsafeMutableBufferPointer<Int>
    private let signs: UnsafeMutableBufferPointer<Double>
    private let norms: UnsafeMutableBufferPointer<Double>
    /// `Q[i][i]` by position, in full precision.
    private(set) var diagonal: [Double]
    /// By position: the cached row's storage and how many leading entries it holds.
    private let data: UnsafeMutableBufferPointer<UnsafeMutablePointer<Float>?>
    private let length: UnsafeMutableBufferPointer<Int>
    /// A circular least-recently-used list over positions; index `l` is its head (oldest next).
    private let previous: UnsafeMutableBufferPointer<Int>, next: UnsafeMutableBufferPointer<Int>
    /// Floats that may still be allocated.
    private var budget: Int

    init(x: Matrix, signs: [Double], kernel: Kernel, bytes: Int) {
        self.x = x
        self.kernel = kernel
        l = x.rows
        rowAt = .allocate(capacity: x.rows); _ = rowAt.initialize(from: 0..<x.rows)
        self.signs = .allocate(capacity: x.rows); _ = self.signs.initialize(from: signs)
        let norms = Kernel.squaredNorms(x)
        self.norms = .allocate(capacity: x.rows); _ = self.norms.initialize(from: norms)
        diagonal = (0..<x.rows).map { kernel.value(dot: norms[$0], squaredNormA: norms[$0], squaredNormB: norms[$0]) }
        data = .allocate(capacity: x.rows); data.initialize(repeating: nil)
        length = .allocate(capacity: x.rows); length.initialize(repeating: 0)
        previous = .allocate(capacity: x.rows + 1); previous.initialize(repeating: x.rows)
        next = .allocate(capacity: x.rows + 1); next.initialize(repeating: x.rows)
        // libsvm: the bytes as floats, less 32 bytes of bookkeeping per row, and never under two full rows.
        budget = Swift.max(bytes / 4 - x.rows * 8, 2 * x.rows)
    }

    deinit {
        for d in data { d?.deallocate() }
        for b in [rowAt, length, previous, next] { b.deallocate() }
        signs.deallocate(); norms.deallocate(); data.deallocate()
    }

    /// Row `i` of Q, right for the first `count` positions (libsvm's `get_Q(i, len)`). The pointer stays valid
    /// until another row is fetched with more entries than the cache can add without dropping this one
    /// (never for the two rows of one step: the cache holds at least two full rows).
    func row(_ i: Int, count: Int) -> UnsafePointer<Float> {
        if length[i] > 0 { unlink(i) }
        let have = length[i]
        if count > have {
            let more = count - have
            while budget < more {
                let old = next[l]
                unlink(old)
                data[old]?.deallocate(); data[old] = nil
                budget += length[old]; length[old] = 0
            }
            let grown = UnsafeMutablePointer<Float>.allocate(capacity: count)
            if let old = data[i] { grown.update(from: old, count: have); old.deallocate() }
            data[i] = grown
            budget -= more
            length[i] = count
            fill(grown, row: i, from: have, to: count)
        }
        append(i)
        return UnsafePointer(data[i]!)
    }

    private func fill(_ out: UnsafeMutablePointer<Float>, row i: Int, from: Int, to: Int) {
        let p = x.cols, yi = signs[i], ni = norms[i]
        x.values.withUnsafeBufferPointer { xb in
            let base = xb.baseAddress!, xi = base + rowAt[i] * p
            var j = from
            while j + 4 <= to {
                let dots = Kernel.dots(xi, base + rowAt[j] * p, base + rowAt[j + 1] * p, base + rowAt[j + 2] * p, base + rowAt[j + 3] * p, p)
                for t in 0..<4 {
                    let k = kernel.value(dot: dots[t], squaredNormA: ni, squaredNormB: norms[j + t])
                    out[j + t] = Float(yi * signs[j + t] * k)
                }
                j += 4
            }
            while j < to {
                let k = kernel.value(dot: Kernel.dot(xi, base + rowAt[j] * p, p), squaredNormA: ni, squaredNormB: norms[j])
                out[j] = Float(yi * signs[j] * k)
                j += 1
            }
        }
    }

    /// Exchanges positions `i` and `j` (libsvm's `SVC_Q::swap_index` with `Cache::swap_index`).
    func swapAt(_ i: Int, _ j: Int) {
        guard i != j else { return }
        if length[i] > 0 { unlink(i) }
        if length[j] > 0 { unlink(j) }
        data.swapAt(i, j); length.swapAt(i, j)
        if length[i] > 0 { append(i) }
        if length[j] > 0 { append(j) }
        rowAt.swapAt(i, j); signs.swapAt(i, j); norms.swapAt(i, j); diagonal.swapAt(i, j)
        let (lo, hi) = i < j ? (i, j) : (j, i)
        var h = next[l]
        while h != l {
            let following = next[h]
            if length[h] > lo {
                if length[h] > hi {
                    data[h]!.swapAt(lo, hi)
                } else {
                    unlink(h)
                    data[h]!.deallocate(); data[h] = nil
                    budget += length[h]; length[h] = 0
                }
            }
            h = following
        }
    }

    private func unlink(_ h: Int) {
        next[previous[h]] = next[h]
        previous[next[h]] = previous[h]
    }

    /// Inserts `h` as the most recently used.
    private func append(_ h: Int) {
        next[h] = l
        previous[h] = previous[l]
        next[previous[h]] = h
        previous[l] = h
    }
}

private extension UnsafeMutablePointer where Pointee == Float {
    func swapAt(_ i: Int, _ j: Int) { let t = self[i]; self[i] = self[j]; self[j] = t }
}

/// What the SMO solver reads: rows of Q by position (right for their first `count` entries), its diagonal, and
/// position swaps.
protocol QMatrix: AnyObject {
    var diagonal: [Double] { get }
    func row(_ i: Int, count: Int) -> UnsafePointer<Float>
    func swapAt(_ i: Int, _ j: Int)
}

/// The ε-SVR matrix over 2l variables, as libsvm's `SVR_Q`: variable k < l is row k with sign +1 and k ≥ l row k − l
/// with sign −1, `Q[i][j] = sᵢ sⱼ K(row(i), row(j))`. Kernel rows of the l training rows are cached (never swapped)
/// and a Q row is assembled from one into one of two alternating buffers, so the two rows of one step stay valid.
final class SVRKernelMatrix: QMatrix {
    private let kernelRows: KernelRowCache
    private let l: Int
    /// By position: the training row and the sign of the variable there.
    private var index: [Int]
    private var signs: [Float]
    private(set) var diagonal: [Double]
    private var buffers: [UnsafeMutablePointer<Float>]
    private var nextBuffer = 0

    init(x: Matrix, kernel: Kernel, bytes: Int) {
        l = x.rows
        kernelRows = KernelRowCache(x: x, signs: [Double](repeating: 1, count: x.rows), kernel: kernel, bytes: bytes)
        index = Array(0..<l) + Array(0..<l)
        signs = [Float](repeating: 1, count: l) + [Float](repeating: -1, count: l)
        diagonal = kernelRows.diagonal + kernelRows.diagonal
        buffers = [UnsafeMutablePointer<Float>.allocate(capacity: 2 * l), UnsafeMutablePointer<Float>.allocate(capacity: 2 * l)]
    }

    deinit { for b in buffers { b.deallocate() } }

    func row(_ i: Int, count: Int) -> UnsafePointer<Float> {
        let data = kernelRows.row(index[i], count: l)
        let out = buffers[nextBuffer]
        nextBuffer = 1 - nextBuffer
        let si = signs[i]
        // Through buffers: a `var` array property of a class pays a run-time exclusivity check per element access.
        signs.withUnsafeBufferPointer { signs in
            index.withUnsafeBufferPointer { index in
                for j in 0..<count { out[j] = si * signs[j] * data[index[j]] }
            }
        }
        return UnsafePointer(out)
    }

    func swapAt(_ i: Int, _ j: Int) {
        signs.swapAt(i, j); index.swapAt(i, j); diagonal.swapAt(i, j)
    }
}

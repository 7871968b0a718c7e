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

    static func squaredNorms(_ x: Matrix) -> [Double] {
        x.values.withUnsafeBufferPointer { xb in
            (0..<x.rows).map { i in let r = xb.baseAddress! + i * x.cols; return dot(r, r, x.cols) }
        }
    }
}

/// The matrix `Q[i][j] = yᵢ yⱼ K(xᵢ, xⱼ)` of a training set, computed one row at a time and kept in a
/// least-recently-used cache of a fixed number of bytes, rows stored as `Float` as libsvm does.
final class KernelRowCache {
    let x: Matrix
    let signs: [Double]
    let kernel: Kernel
    let norms: [Double]
    /// `Q[i][i]`, kept in full precision.
    let diagonal: [Double]
    /// `capacity` rows of `l` values, allocated once (pointers into it are handed out).
    private let storage: UnsafeMutablePointer<Float>
    private var slotOf: [Int32]
    private var ownerOf: [Int32]
    private var previous: [Int32], next: [Int32]
    private var used = 0
    private var head: Int32 = -1, tail: Int32 = -1   // head: most recently used slot

    init(x: Matrix, signs: [Double], kernel: Kernel, bytes: Int) {
        self.x = x
        self.signs = signs
        self.kernel = kernel
        let norms = Kernel.squaredNorms(x)
        self.norms = norms
        diagonal = (0..<x.rows).map { kernel.value(dot: norms[$0], squaredNormA: norms[$0], squaredNormB: norms[$0]) }
        let l = x.rows
        let capacity = max(2, min(l, bytes / max(1, l * MemoryLayout<Float>.size)))
        storage = .allocate(capacity: capacity * l)
        slotOf = [Int32](repeating: -1, count: l)
        ownerOf = [Int32](repeating: -1, count: capacity)
        previous = [Int32](repeating: -1, count: capacity)
        next = [Int32](repeating: -1, count: capacity)
    }

    deinit { storage.deallocate() }

    var capacity: Int { ownerOf.count }

    /// Row `i` of Q over all training rows. The pointer stays valid until two more rows are fetched.
    func row(_ i: Int) -> UnsafePointer<Float> {
        let l = x.rows
        var slot = slotOf[i]
        if slot >= 0 {
            touch(slot)
        } else {
            if used < capacity {
                slot = Int32(used)
                used += 1
            } else {
                slot = tail
                unlink(slot)
                slotOf[Int(ownerOf[Int(slot)])] = -1
            }
            ownerOf[Int(slot)] = Int32(i)
            slotOf[i] = slot
            pushFront(slot)
            fill(slot: Int(slot), row: i)
        }
        return UnsafePointer(storage + Int(slot) * l)
    }

    private func fill(slot: Int, row i: Int) {
        let l = x.rows, p = x.cols
        let yi = signs[i], ni = norms[i]
        let out = storage + slot * l
        x.values.withUnsafeBufferPointer { xb in
            let xi = xb.baseAddress! + i * p
            for j in 0..<l {
                let k = kernel.value(dot: Kernel.dot(xi, xb.baseAddress! + j * p, p), squaredNormA: ni, squaredNormB: norms[j])
                out[j] = Float(yi * signs[j] * k)
            }
        }
    }

    private func unlink(_ s: Int32) {
        let a = previous[Int(s)], b = next[Int(s)]
        if a >= 0 { next[Int(a)] = b } else { head = b }
        if b >= 0 { previous[Int(b)] = a } else { tail = a }
    }

    private func pushFront(_ s: Int32) {
        previous[Int(s)] = -1
        next[Int(s)] = head
        if head >= 0 { previous[Int(head)] = s }
        head = s
        if tail < 0 { tail = s }
    }

    private func touch(_ s: Int32) {
        guard head != s else { return }
        unlink(s)
        pushFront(s)
    }
}

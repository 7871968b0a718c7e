import AssayCore
import AssayKernels

/// Dense matrix products, packed and blocked for the caches around one register tile (`assay_gemm_tile`: 6 × 8, AVX2 +
/// FMA where the CPU has them), single-threaded.
///
/// Each entry of a product is `Σ_p a[i, p] · b[p, j]` summed in order of `p` within blocks of `depth` 256, the blocks'
/// sums added in order: it depends only on row `i` of `a`, column `j` of `b` and the inner dimension, never on the
/// shapes around them or on `--jobs`. With FMA each step rounds once, without it twice, so the last bits differ
/// between CPUs with and without FMA; callers that need machine-independent results use a product only to narrow a
/// search and compute what they keep exactly (k-NN's distances).
public enum MatrixProduct {
    /// A matrix read in place: entry (i, j) at `base[i * rowStride + j * colStride]` (a transpose is a swap of strides).
    public struct Operand {
        public let base: UnsafePointer<Double>
        public let rows: Int, cols: Int, rowStride: Int, colStride: Int

        public init(_ base: UnsafePointer<Double>, rows: Int, cols: Int, rowStride: Int, colStride: Int = 1) {
            self.base = base; self.rows = rows; self.cols = cols; self.rowStride = rowStride; self.colStride = colStride
        }

        /// The transpose, without copying.
        public var transposed: Operand { Operand(base, rows: cols, cols: rows, rowStride: colStride, colStride: rowStride) }
    }

    static let tileRows = Int(ASSAY_TILE_ROWS), tileCols = Int(ASSAY_TILE_COLS)
    /// Rows of `a` packed at once (a multiple of the tile's rows), the inner dimension packed at once, columns of `b`
    /// packed at once (a multiple of the tile's columns): a block of `a` stays in L2, a panel of `b` in L3.
    static let blockRows = 96, blockDepth = 256, blockCols = 2048

    /// Whether the register tile multiplies and adds with FMA on this CPU.
    public static var usesFMA: Bool { assay_gemm_uses_fma() != 0 }

    /// `c = a · b`, `c` row-major with `ldc` doubles between rows (`ldc ≥ b.cols`).
    public static func multiply(_ a: Operand, _ b: Operand, into c: UnsafeMutablePointer<Double>, ldc: Int) {
        precondition(a.cols == b.rows && ldc >= b.cols, "matrix product: shapes")
        let m = a.rows, n = b.cols, depth = a.cols
        guard m > 0, n > 0 else { return }
        guard depth > 0 else {
            for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) }
            return
        }
        let packedA = UnsafeMutablePointer<Double>.allocate(capacity: blockRows * blockDepth)
        let packedB = UnsafeMutablePointer<Double>.allocate(capacity: blockDepth * blockCols)
        var edge = [Double](repeating: 0, count: tileRows * tileCols)
        defer { packedA.deallocate(); packedB.deallocate() }
        edge.withUnsafeMutableBufferPointer { edgeBuffer in
            guard let scratch = edgeBuffer.baseAddress else { return }
            for jc in stride(from: 0, to: n, by: blockCols) {
                let nc = min(blockCols, n - jc)
                for pc in stride(from: 0, to: depth, by: blockDepth) {
                    let kc = min(blockDepth, depth - pc)
                    pack(b.transposed, rows: jc, count: nc, depth: pc, kc, width: tileCols, into: packedB)
                    for ic in stride(from: 0, to: m, by: blockRows) {
                        let mc = min(blockRows, m - ic)
                        pack(a, rows: ic, count: mc, depth: pc, kc, width: tileRows, into: packedA)
                        for jr in stride(from: 0, to: nc, by: tileCols) {
                            let nr = min(tileCols, nc - jr)
                            for ir in stride(from: 0, to: mc, by: tileRows) {
                                let mr = min(tileRows, mc - ir)
                                let panelA = packedA + ir * kc, panelB = packedB + jr * kc
                                let target = c + (ic + ir) * ldc + jc + jr
                                if mr == tileRows && nr == tileCols {
                                    assay_gemm_tile(Int64(kc), panelA, panelB, target, Int64(ldc), pc > 0 ? 1 : 0)
                                } else {
                                    // A partial tile: the full tile into scratch, then its valid part, added as the tile adds.
                                    assay_gemm_tile(Int64(kc), panelA, panelB, scratch, Int64(tileCols), 0)
                                    for i in 0..<mr {
                                        for j in 0..<nr {
                                            let v = scratch[i * tileCols + j]
                                            target[i * ldc + j] = pc > 0 ? target[i * ldc + j] + v : v
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Packs rows `first..<first+count` of `x`, inner positions `p0..<p0+kc`, into micro-panels of `width` rows: panel
    /// `r` holds, for each inner position in turn, its `width` rows' values (zero past the last row).
    private static func pack(_ x: Operand, rows first: Int, count: Int, depth p0: Int, _ kc: Int, width: Int,
                             into out: UnsafeMutablePointer<Double>) {
        var o = out
        for r in stride(from: 0, to: count, by: width) {
            let live = min(width, count - r)
            for p in 0..<kc {
                let column = x.base + (p0 + p) * x.colStride + (first + r) * x.rowStride
                for i in 0..<live { o[i] = column[i * x.rowStride] }
                for i in live..<width { o[i] = 0 }
                o += width
            }
        }
    }

    /// `a · b` of two row-major matrices, or `a · bᵀ` when `transposingB` (`b`'s rows are then the product's columns).
    public static func multiply(_ a: Matrix, _ b: Matrix, transposingB: Bool = false) -> Matrix {
        let n = transposingB ? b.rows : b.cols
        precondition(a.cols == (transposingB ? b.cols : b.rows), "matrix product: shapes")
        var out = Matrix(rows: a.rows, cols: n)
        a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
                out.values.withUnsafeMutableBufferPointer { cv in
                    guard let ab = av.baseAddress, let bb = bv.baseAddress, let cb = cv.baseAddress else { return }
                    let right = Operand(bb, rows: b.rows, cols: b.cols, rowStride: b.cols)
                    multiply(Operand(ab, rows: a.rows, cols: a.cols, rowStride: a.cols), transposingB ? right.transposed : right,
                             into: cb, ldc: n)
                }
            }
        }
        return out
    }
}

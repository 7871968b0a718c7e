import AssayCore
import AssayKernels
@testable import AssayLearn
import XCTest

final class MatrixProductTests: XCTestCase {
    private func random(_ rows: Int, _ cols: Int, _ rng: inout SplitMix64, integers: Bool = false) -> Matrix {
        Matrix(rows: rows, cols: cols, values: (0..<rows * cols).map { _ in
            integers ? Double(Int.random(in: -9...9, using: &rng)) : Double.random(in: -1...1, using: &rng)
        })
    }

    /// The textbook triple loop, `a · b` (or `a · bᵀ`).
    private func naive(_ a: Matrix, _ b: Matrix, transposingB: Bool) -> Matrix {
        let n = transposingB ? b.rows : b.cols
        var out = Matrix(rows: a.rows, cols: n)
        for i in 0..<a.rows {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<a.cols { s += a[i, p] * (transposingB ? b[j, p] : b[p, j]) }
                out[i, j] = s
            }
        }
        return out
    }

    /// Every shape around the tile (6 × 8) and block (96 rows, depth 256) edges, both orientations of `b`: integer
    /// entries give the exact product (every partial sum is an integer well below 2^53), real ones agree to rounding.
    func testProductsMatchTheTripleLoopAcrossTileAndBlockEdges() {
        var rng = SplitMix64(seed: 7)
        for (m, n, k) in [(1, 1, 1), (6, 8, 5), (7, 9, 3), (5, 7, 256), (13, 17, 257), (97, 23, 40), (100, 2050, 7),
                          (2, 3, 600), (0, 4, 3), (4, 0, 3), (4, 5, 0)] {
            for transposed in [false, true] {
                let a = random(m, k, &rng, integers: true)
                let b = transposed ? random(n, k, &rng, integers: true) : random(k, n, &rng, integers: true)
                XCTAssertEqual(MatrixProduct.multiply(a, b, transposingB: transposed), naive(a, b, transposingB: transposed),
                               "\(m) × \(k) · \(k) × \(n), b transposed: \(transposed)")
                let ra = random(m, k, &rng), rb = transposed ? random(n, k, &rng) : random(k, n, &rng)
                let got = MatrixProduct.multiply(ra, rb, transposingB: transposed), want = naive(ra, rb, transposingB: transposed)
                for (g, w) in zip(got.values, want.values) { XCTAssertEqual(g, w, accuracy: 1e-12 * Double(max(k, 1))) }
            }
        }
    }

    /// An entry depends only on its row of `a`, its column of `b` and the inner dimension: a row multiplied alone, or a
    /// column alone, gives the same bits as inside the whole product (so blocking cannot change a result).
    func testAnEntryIsTheSameBitsWhateverTheShapeAroundIt() {
        var rng = SplitMix64(seed: 11)
        let a = random(101, 300, &rng), b = random(300, 45, &rng)
        let whole = MatrixProduct.multiply(a, b)
        for i in [0, 5, 6, 50, 100] {
            let row = MatrixProduct.multiply(a.rows([i]), b)
            XCTAssertEqual(row.values, Array(whole.values[i * 45..<(i + 1) * 45]), "row \(i)")
        }
        let column = MatrixProduct.multiply(a, b.columns([44]))
        XCTAssertEqual(column.values, (0..<101).map { whole[$0, 44] })
        XCTAssertEqual(MatrixProduct.multiply(a, Matrix(rows: 45, cols: 300, values: (0..<45 * 300).map { b[$0 % 300, $0 / 300] }),
                                              transposingB: true), whole, "b given transposed")
    }

    /// The strided operand reads in place: a product into a wider row-major output leaves the padding alone.
    func testOutputWithALeadingDimensionWiderThanTheProduct() {
        var rng = SplitMix64(seed: 3)
        let a = random(9, 4, &rng, integers: true), b = random(4, 10, &rng, integers: true)
        var out = [Double](repeating: -7, count: 9 * 12)
        a.values.withUnsafeBufferPointer { av in
            b.values.withUnsafeBufferPointer { bv in
                out.withUnsafeMutableBufferPointer { o in
                    MatrixProduct.multiply(.init(av.baseAddress!, rows: 9, cols: 4, rowStride: 4), .init(bv.baseAddress!, rows: 4, cols: 10, rowStride: 10),
                                           into: o.baseAddress!, ldc: 12)
                }
            }
        }
        let want = naive(a, b, transposingB: false)
        for i in 0..<9 {
            XCTAssertEqual(Array(out[i * 12..<i * 12 + 10]), Array(want.values[i * 10..<(i + 1) * 10]))
            XCTAssertEqual(Array(out[i * 12 + 10..<(i + 1) * 12]), [-7, -7])
        }
    }

    /// The portable tile (CPUs without AVX2 + FMA) sums each entry as the textbook loop does, bit for bit; the AVX2 tile
    /// rounds once per step and agrees to rounding.
    func testThePortableTileIsTheTextbookLoopBitForBit() {
        var rng = SplitMix64(seed: 5)
        let depth = 37
        let a = (0..<depth * 6).map { _ in Double.random(in: -1...1, using: &rng) }, b = (0..<depth * 8).map { _ in Double.random(in: -1...1, using: &rng) }
        var want = [Double](repeating: 0, count: 48)
        for i in 0..<6 {
            for j in 0..<8 {
                var s = 0.0
                for p in 0..<depth { s += a[p * 6 + i] * b[p * 8 + j] }
                want[i * 8 + j] = 0.5 + s
            }
        }
        var portable = [Double](repeating: 0.5, count: 48), dispatched = portable
        assay_gemm_tile_portable(Int64(depth), a, b, &portable, 8, 1)
        XCTAssertEqual(portable, want)
        assay_gemm_tile(Int64(depth), a, b, &dispatched, 8, 1)
        for (d, w) in zip(dispatched, want) { XCTAssertEqual(d, w, accuracy: 1e-13) }
        if !MatrixProduct.usesFMA { XCTAssertEqual(dispatched, want) }
    }
}

/// Matrix–vector products over row-major rows, each row's sum taken in column order exactly as a plain loop
/// `s = start; for j in 0..<p { s += row[j] * w[j] }` takes it (so results are bit-identical to that loop), but four
/// rows at a time: their four sums are independent, so the additions overlap instead of each waiting on the last.
enum RowDots {
    /// `out[i] = start + Σⱼ x[i·p + j] · w[j]`, summed in `j` order, for `i < n`.
    static func compute(_ x: UnsafePointer<Double>, rows n: Int, cols p: Int, _ w: UnsafePointer<Double>, start: Double,
                        into out: UnsafeMutablePointer<Double>) {
        var i = 0
        while i + 4 <= n {
            let r0 = x + i * p, r1 = r0 + p, r2 = r1 + p, r3 = r2 + p
            var s0 = start, s1 = start, s2 = start, s3 = start
            for j in 0..<p {
                let wj = w[j]
                s0 += r0[j] * wj; s1 += r1[j] * wj; s2 += r2[j] * wj; s3 += r3[j] * wj
            }
            out[i] = s0; out[i + 1] = s1; out[i + 2] = s2; out[i + 3] = s3
            i += 4
        }
        while i < n {
            let row = x + i * p
            var s = start
            for j in 0..<p { s += row[j] * w[j] }
            out[i] = s
            i += 1
        }
    }

    /// The same for a matrix and an array of weights.
    static func compute(_ x: [Double], rows n: Int, cols p: Int, _ w: [Double], start: Double) -> [Double] {
        precondition(x.count == n * p && w.count >= p, "row dots: shapes")
        var out = [Double](repeating: start, count: n)
        guard p > 0 else { return out }
        x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                out.withUnsafeMutableBufferPointer { o in
                    guard let xs = xb.baseAddress, let ws = wb.baseAddress, let os = o.baseAddress else { return }
                    compute(xs, rows: n, cols: p, ws, start: start, into: os)
                }
            }
        }
        return out
    }
}

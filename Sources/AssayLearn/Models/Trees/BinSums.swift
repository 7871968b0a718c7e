/// Per-bin sums over a node's rows, the inner loop of every tree grower (CART, forest, boosting).
///
/// A feature's histogram is 3-wide and interleaved: for each bin, Σa, Σb and the row count side by side, so one
/// update touches one cache line instead of three. Forests pass the class weights (negative, positive) as a and
/// b; boosting passes gradients and hessians.
enum BinSums {
    /// The most features one pass fills.
    static let width = 4

    /// For each position `k < m` of a node (row `rows[k]`, or `k` when `rows` is nil) and each feature
    /// `t < count` (at most `width`), adds `(a[k], b[k], 1)` to bin `columns[t][row]` of `bins[t]`; when `lo` and
    /// `hi` are given, widens `lo[t]...hi[t]` to the bins touched.
    ///
    /// `a` and `b` are ordered like `rows`, so every pass reads them sequentially. Four features share one pass:
    /// their bins are independent, so the additions overlap instead of waiting on each other, and each bin still
    /// receives its additions in row order (the sums are the same as one feature at a time).
    static func add(rows: UnsafePointer<Int>?, count m: Int, a: UnsafePointer<Double>, b: UnsafePointer<Double>,
                    columns: UnsafePointer<UnsafePointer<UInt8>>, bins: UnsafePointer<UnsafeMutablePointer<Double>>,
                    features count: Int, lo: UnsafeMutablePointer<Int>? = nil, hi: UnsafeMutablePointer<Int>? = nil) {
        precondition(count >= 1 && count <= width)
        // Each combination gets its own specialized loop; the checks below are constants inside it.
        switch (rows, lo, hi) {
        case (let r?, let lo?, let hi?):
            pass(SomeRows(rows: r), Tracked.self, m, a, b, columns, bins, count, lo, hi)
        case (let r?, _, _):
            var unusedLo = [Int](repeating: 0, count: width), unusedHi = unusedLo
            pass(SomeRows(rows: r), Untracked.self, m, a, b, columns, bins, count, &unusedLo, &unusedHi)
        case (nil, let lo?, let hi?):
            pass(AllRows(), Tracked.self, m, a, b, columns, bins, count, lo, hi)
        case (nil, _, _):
            var unusedLo = [Int](repeating: 0, count: width), unusedHi = unusedLo
            pass(AllRows(), Untracked.self, m, a, b, columns, bins, count, &unusedLo, &unusedHi)
        }
    }

    private protocol RowOrder { func row(_ k: Int) -> Int }
    private struct AllRows: RowOrder { @inline(__always) func row(_ k: Int) -> Int { k } }
    private struct SomeRows: RowOrder {
        let rows: UnsafePointer<Int>
        @inline(__always) func row(_ k: Int) -> Int { rows[k] }
    }
    private protocol RangeMode { static var tracked: Bool { get } }
    private enum Tracked: RangeMode { static var tracked: Bool { true } }
    private enum Untracked: RangeMode { static var tracked: Bool { false } }

    @inline(__always)
    private static func pass<R: RowOrder, T: RangeMode>(
        _ order: R, _ mode: T.Type, _ m: Int, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
        _ columns: UnsafePointer<UnsafePointer<UInt8>>, _ bins: UnsafePointer<UnsafeMutablePointer<Double>>,
        _ count: Int, _ lo: UnsafeMutablePointer<Int>, _ hi: UnsafeMutablePointer<Int>
    ) {
        if count == 4 {
            let (c0, c1, c2, c3) = (columns[0], columns[1], columns[2], columns[3])
            let (b0, b1, b2, b3) = (bins[0], bins[1], bins[2], bins[3])
            var (lo0, lo1, lo2, lo3) = (lo[0], lo[1], lo[2], lo[3])
            var (hi0, hi1, hi2, hi3) = (hi[0], hi[1], hi[2], hi[3])
            for k in 0..<m {
                let i = order.row(k), ak = a[k], bk = b[k]
                let x0 = Int(c0[i]), x1 = Int(c1[i]), x2 = Int(c2[i]), x3 = Int(c3[i])
                b0[3 * x0] += ak; b0[3 * x0 + 1] += bk; b0[3 * x0 + 2] += 1
                b1[3 * x1] += ak; b1[3 * x1 + 1] += bk; b1[3 * x1 + 2] += 1
                b2[3 * x2] += ak; b2[3 * x2 + 1] += bk; b2[3 * x2 + 2] += 1
                b3[3 * x3] += ak; b3[3 * x3 + 1] += bk; b3[3 * x3 + 2] += 1
                if T.tracked {
                    lo0 = min(lo0, x0); lo1 = min(lo1, x1); lo2 = min(lo2, x2); lo3 = min(lo3, x3)
                    hi0 = max(hi0, x0); hi1 = max(hi1, x1); hi2 = max(hi2, x2); hi3 = max(hi3, x3)
                }
            }
            (lo[0], lo[1], lo[2], lo[3]) = (lo0, lo1, lo2, lo3)
            (hi[0], hi[1], hi[2], hi[3]) = (hi0, hi1, hi2, hi3)
            return
        }
        if count == 3 {
            let (c0, c1, c2) = (columns[0], columns[1], columns[2])
            let (b0, b1, b2) = (bins[0], bins[1], bins[2])
            var (lo0, lo1, lo2) = (lo[0], lo[1], lo[2])
            var (hi0, hi1, hi2) = (hi[0], hi[1], hi[2])
            for k in 0..<m {
                let i = order.row(k), ak = a[k], bk = b[k]
                let x0 = Int(c0[i]), x1 = Int(c1[i]), x2 = Int(c2[i])
                b0[3 * x0] += ak; b0[3 * x0 + 1] += bk; b0[3 * x0 + 2] += 1
                b1[3 * x1] += ak; b1[3 * x1 + 1] += bk; b1[3 * x1 + 2] += 1
                b2[3 * x2] += ak; b2[3 * x2 + 1] += bk; b2[3 * x2 + 2] += 1
                if T.tracked {
                    lo0 = min(lo0, x0); lo1 = min(lo1, x1); lo2 = min(lo2, x2)
                    hi0 = max(hi0, x0); hi1 = max(hi1, x1); hi2 = max(hi2, x2)
                }
            }
            (lo[0], lo[1], lo[2]) = (lo0, lo1, lo2)
            (hi[0], hi[1], hi[2]) = (hi0, hi1, hi2)
            return
        }
        if count == 2 {
            let (c0, c1) = (columns[0], columns[1])
            let (b0, b1) = (bins[0], bins[1])
            var (lo0, lo1) = (lo[0], lo[1])
            var (hi0, hi1) = (hi[0], hi[1])
            for k in 0..<m {
                let i = order.row(k), ak = a[k], bk = b[k]
                let x0 = Int(c0[i]), x1 = Int(c1[i])
                b0[3 * x0] += ak; b0[3 * x0 + 1] += bk; b0[3 * x0 + 2] += 1
                b1[3 * x1] += ak; b1[3 * x1 + 1] += bk; b1[3 * x1 + 2] += 1
                if T.tracked {
                    lo0 = min(lo0, x0); lo1 = min(lo1, x1)
                    hi0 = max(hi0, x0); hi1 = max(hi1, x1)
                }
            }
            (lo[0], lo[1]) = (lo0, lo1)
            (hi[0], hi[1]) = (hi0, hi1)
            return
        }
        for t in 0..<count {
            let column = columns[t], bt = bins[t]
            var l = lo[t], h = hi[t]
            for k in 0..<m {
                let x = Int(column[order.row(k)])
                bt[3 * x] += a[k]; bt[3 * x + 1] += b[k]; bt[3 * x + 2] += 1
                if T.tracked { l = min(l, x); h = max(h, x) }
            }
            lo[t] = l; hi[t] = h
        }
    }
}

import AssayCore
import Foundation

/// A k-d tree over training rows, built and searched as scikit-learn's `KDTree` is, so that the neighbours
/// it returns are the same rows even where several lie at exactly the same distance.
///
/// Built like scikit-learn's: `n_levels = 1 + ⌊log2(max(1, (n − 1) / leaf_size))⌋` levels of a complete
/// binary tree; a node splits on the column of largest spread (the first such) at its middle point, with
/// the row order left by libstdc++'s `std::nth_element` under scikit-learn's comparator (value, then row
/// index). A query walks depth first, the child with the smaller lower bound first, and keeps its `k` best
/// in scikit-learn's max-heap (`sklearn/utils/_heap.pyx`): a row enters only if strictly closer than the
/// current worst, which it then replaces. Distances are reduced ones: Σ (a − b)² for `p = 2`, Σ |a − b|
/// for `p = 1`, summed column by column.
struct KDTree: Sendable, Equatable {
    let leafSize: Int
    /// Training row indices, arranged so every node's rows are `order[start[node]..<end[node]]`.
    let order: [Int]
    let start: [Int], end: [Int]
    let isLeaf: [Bool]
    /// Per node, the smallest and largest value of each column over its rows (`nodes × cols`).
    let lower: [Double], upper: [Double]

    init(_ x: Matrix, leafSize: Int) {
        let n = x.rows, p = x.cols
        self.leafSize = leafSize
        let levels = Int(log2(Swift.max(1, Double(n - 1) / Double(leafSize)))) + 1
        let nodes = (1 << levels) - 1
        var order = Array(0..<n)
        var start = [Int](repeating: 0, count: nodes), end = [Int](repeating: 0, count: nodes)
        var isLeaf = [Bool](repeating: false, count: nodes)
        var lower = [Double](repeating: .infinity, count: nodes * p), upper = [Double](repeating: -.infinity, count: nodes * p)
        x.values.withUnsafeBufferPointer { data in
            order.withUnsafeMutableBufferPointer { idx in
                func build(_ node: Int, _ from: Int, _ to: Int) {
                    start[node] = from; end[node] = to
                    for r in from..<to {
                        let row = data.baseAddress! + idx[r] * p
                        for j in 0..<p {
                            lower[node * p + j] = Swift.min(lower[node * p + j], row[j])
                            upper[node * p + j] = Swift.max(upper[node * p + j], row[j])
                        }
                    }
                    if 2 * node + 1 >= nodes || to - from < 2 {
                        isLeaf[node] = true
                        return
                    }
                    var splitColumn = 0, widest = 0.0
                    for j in 0..<p where upper[node * p + j] - lower[node * p + j] > widest {
                        widest = upper[node * p + j] - lower[node * p + j]; splitColumn = j
                    }
                    let middle = (to - from) / 2
                    NthElement.select(idx.baseAddress! + from, count: to - from, nth: middle) { a, b in
                        let u = data[a * p + splitColumn], v = data[b * p + splitColumn]
                        return u == v ? a < b : u < v
                    }
                    build(2 * node + 1, from, from + middle)
                    build(2 * node + 2, from + middle, to)
                }
                build(0, 0, n)
            }
        }
        self.order = order
        self.start = start; self.end = end; self.isLeaf = isLeaf
        self.lower = lower; self.upper = upper
    }

    /// The `k` nearest training rows of `point` by reduced distance, in scikit-learn's heap, written to
    /// `distances` and `rows` (each of length k), unsorted.
    func search(_ point: UnsafePointer<Double>, in data: UnsafePointer<Double>, cols p: Int, manhattan: Bool,
                distances: UnsafeMutablePointer<Double>, rows: UnsafeMutablePointer<Int>, k: Int) {
        for s in 0..<k { distances[s] = .infinity; rows[s] = 0 }
        func bound(_ node: Int) -> Double {
            var r = 0.0
            for j in 0..<p {
                let below = lower[node * p + j] - point[j], above = point[j] - upper[node * p + j]
                let d = 0.5 * ((below + Swift.abs(below)) + (above + Swift.abs(above)))
                r += manhattan ? d : d * d
            }
            return r
        }
        func visit(_ node: Int, _ lowerBound: Double) {
            if lowerBound > distances[0] { return }
            if isLeaf[node] {
                for r in start[node]..<end[node] {
                    let t = order[r], row = data + t * p
                    var d = 0.0
                    for j in 0..<p { let diff = point[j] - row[j]; d += manhattan ? Swift.abs(diff) : diff * diff }
                    Self.push(d, t, distances, rows, k)
                }
                return
            }
            let left = 2 * node + 1, right = left + 1
            let boundLeft = bound(left), boundRight = bound(right)
            if boundLeft <= boundRight {
                visit(left, boundLeft); visit(right, boundRight)
            } else {
                visit(right, boundRight); visit(left, boundLeft)
            }
        }
        visit(0, bound(0))
    }

    /// scikit-learn's `heap_push`: a max-heap of fixed size whose root is the current worst.
    @inline(__always)
    static func push(_ value: Double, _ index: Int, _ values: UnsafeMutablePointer<Double>, _ indices: UnsafeMutablePointer<Int>, _ size: Int) {
        guard value < values[0] else { return }
        var current = 0
        while true {
            let left = 2 * current + 1, right = left + 1
            let next: Int
            if left >= size {
                break
            } else if right >= size {
                if values[left] > value { next = left } else { break }
            } else if values[left] >= values[right] {
                if value < values[left] { next = left } else { break }
            } else {
                if value < values[right] { next = right } else { break }
            }
            values[current] = values[next]; indices[current] = indices[next]
            current = next
        }
        values[current] = value; indices[current] = index
    }
}

/// `std::nth_element` exactly as libstdc++ implements it (introselect: median-of-three pivots, Hoare
/// partitions, heap select past the depth limit, insertion sort below four elements), so the order it
/// leaves, and not only the partition, matches a C++ caller's.
enum NthElement {
    static func select(_ a: UnsafeMutablePointer<Int>, count: Int, nth: Int, _ less: (Int, Int) -> Bool) {
        guard count > 0, nth < count else { return }
        var first = 0, last = count
        var depth = 2 * (Int.bitWidth - 1 - count.leadingZeroBitCount)
        while last - first > 3 {
            if depth == 0 {
                heapSelect(a, first, nth + 1, last, less)
                a.swapAt(first, nth)
                return
            }
            depth -= 1
            let cut = partitionAroundPivot(a, first, last, less)
            if cut <= nth { first = cut } else { last = cut }
        }
        insertionSort(a, first, last, less)
    }

    private static func partitionAroundPivot(_ a: UnsafeMutablePointer<Int>, _ first: Int, _ last: Int, _ less: (Int, Int) -> Bool) -> Int {
        let x = first + 1, y = first + (last - first) / 2, z = last - 1
        if less(a[x], a[y]) {
            if less(a[y], a[z]) { a.swapAt(first, y) } else if less(a[x], a[z]) { a.swapAt(first, z) } else { a.swapAt(first, x) }
        } else if less(a[x], a[z]) {
            a.swapAt(first, x)
        } else if less(a[y], a[z]) {
            a.swapAt(first, z)
        } else {
            a.swapAt(first, y)
        }
        var lo = first + 1, hi = last
        while true {
            while less(a[lo], a[first]) { lo += 1 }
            hi -= 1
            while less(a[first], a[hi]) { hi -= 1 }
            if !(lo < hi) { return lo }
            a.swapAt(lo, hi)
            lo += 1
        }
    }

    private static func insertionSort(_ a: UnsafeMutablePointer<Int>, _ first: Int, _ last: Int, _ less: (Int, Int) -> Bool) {
        guard last - first > 1 else { return }
        for i in (first + 1)..<last {
            let value = a[i]
            if less(value, a[first]) {
                var j = i
                while j > first { a[j] = a[j - 1]; j -= 1 }
                a[first] = value
            } else {
                var j = i
                while less(value, a[j - 1]) { a[j] = a[j - 1]; j -= 1 }
                a[j] = value
            }
        }
    }

    private static func heapSelect(_ a: UnsafeMutablePointer<Int>, _ first: Int, _ middle: Int, _ last: Int, _ less: (Int, Int) -> Bool) {
        let len = middle - first
        if len >= 2 {
            var parent = (len - 2) / 2
            while true {
                adjustHeap(a + first, parent, len, a[first + parent], less)
                if parent == 0 { break }
                parent -= 1
            }
        }
        var i = middle
        while i < last {
            if less(a[i], a[first]) {
                let value = a[i]
                a[i] = a[first]
                adjustHeap(a + first, 0, len, value, less)
            }
            i += 1
        }
    }

    private static func adjustHeap(_ h: UnsafeMutablePointer<Int>, _ hole: Int, _ len: Int, _ value: Int, _ less: (Int, Int) -> Bool) {
        let top = hole
        var hole = hole, child = hole
        while child < (len - 1) / 2 {
            child = 2 * (child + 1)
            if less(h[child], h[child - 1]) { child -= 1 }
            h[hole] = h[child]
            hole = child
        }
        if len & 1 == 0 && child == (len - 2) / 2 {
            child = 2 * (child + 1)
            h[hole] = h[child - 1]
            hole = child - 1
        }
        var parent = (hole - 1) / 2
        while hole > top && less(h[parent], value) {
            h[hole] = h[parent]
            hole = parent
            parent = (hole - 1) / 2
        }
        h[hole] = value
    }
}

private extension UnsafeMutablePointer where Pointee == Int {
    func swapAt(_ i: Int, _ j: Int) { let t = self[i]; self[i] = self[j]; self[j] = t }
}

/// LightGBM's exclusive feature bundling, for the boosting's histograms: features that sit in their most common bin
/// in most rows and are never out of it in the same row (the columns of one one-hot encoded category) share one column
/// of codes, so one pass over a node's rows fills all their histograms instead of one pass each.
///
/// A bundled feature's other bins are read from its bundle's histogram; its most common bin holds what the node's
/// totals leave after them (the node's sums less those bins', the way the larger child's histogram is its parent's
/// less its sibling's). Features that find no partner are histogrammed alone; constant ones (no edges) in neither way,
/// having nothing to split.
struct FeatureBundles {
    struct Bundle {
        /// Code `c ≥ 1` stands for feature `slots[c - 1].feature` in bin `slots[c - 1].bin`; a feature's slots are
        /// adjacent and in bin order.
        let slots: [(feature: Int, bin: Int)]
        /// The bundle's features and each one's common bin.
        let features: [(feature: Int, common: Int)]
    }

    /// Features histogrammed one pass each.
    let single: [Int]
    let bundles: [Bundle]
    /// Column-major bundle codes, bundle `k`'s at `codes[k * rows + i]`: 0 where every feature of the bundle is in its
    /// common bin in row `i`, else 1 + the index into its `slots` of the one feature out of it, and its bin.
    let codes: [UInt8]
    /// Bundle `k`'s bins in a node's scratch histogram start at `bundleStart[k]`, code 0 first.
    let bundleStart: [Int]

    /// A feature joins a bundle only when at most 1/`sparseShare` of the rows are out of its common bin.
    static let sparseShare = 4

    /// Bundles from the binned training rows: each feature (in order) joins the first bundle none of whose rows it is
    /// out of its common bin in, while the bundle has codes left (255); a bundle of one feature is no bundle. Without
    /// `bundling`, every feature is single (tests compare the two).
    init(_ b: Binned, bundling: Bool = true) {
        let n = b.rows
        var single: [Int] = []
        var open: [(codes: [UInt8], slots: [(feature: Int, bin: Int)], features: [(feature: Int, common: Int)])] = []
        b.codes.withUnsafeBufferPointer { codes in
            guard let codes = codes.baseAddress else { return }
            for j in b.edges.indices where !b.edges[j].isEmpty {
                let column = codes + j * n
                var counts = [Int](repeating: 0, count: b.edges[j].count + 1)
                for i in 0..<n { counts[Int(column[i])] += 1 }
                var common = 0
                for bin in counts.indices where counts[bin] > counts[common] { common = bin }
                let others = counts.indices.filter { $0 != common && counts[$0] > 0 }
                guard bundling, (n - counts[common]) * Self.sparseShare <= n, !others.isEmpty else { single.append(j); continue }
                var slot = [Int](repeating: 0, count: counts.count)
                var placed = false
                for k in open.indices where open[k].slots.count + others.count <= 255 {
                    guard !(0..<n).contains(where: { column[$0] != common && open[k].codes[$0] != 0 }) else { continue }
                    for (s, bin) in others.enumerated() { slot[bin] = open[k].slots.count + s + 1 }
                    for i in 0..<n where Int(column[i]) != common { open[k].codes[i] = UInt8(slot[Int(column[i])]) }
                    open[k].slots += others.map { (j, $0) }
                    open[k].features.append((j, common))
                    placed = true
                    break
                }
                if !placed {
                    var bundle = [UInt8](repeating: 0, count: n)
                    for (s, bin) in others.enumerated() { slot[bin] = s + 1 }
                    for i in 0..<n where Int(column[i]) != common { bundle[i] = UInt8(slot[Int(column[i])]) }
                    open.append((bundle, others.map { (j, $0) }, [(j, common)]))
                }
            }
        }
        let kept = open.filter { $0.features.count > 1 }
        bundles = kept.map { Bundle(slots: $0.slots, features: $0.features) }
        codes = kept.flatMap(\.codes)
        var start = [0]
        for bundle in bundles { start.append(start[start.count - 1] + bundle.slots.count + 1) }
        bundleStart = start
        self.single = (single + open.filter { $0.features.count == 1 }.map { $0.features[0].feature }).sorted()
    }

    /// The histogram of a node's rows (`GradientBoosting.Histogram`: feature `j`'s bins from `offsets[j]`): each single
    /// feature and each bundle one column of a pass over the rows (`BinSums`, four columns a pass), then each bundled
    /// feature's bins from its bundle's, its common bin the node's sums less its other bins'. `orderedG` and `orderedH`
    /// (one per training row) take the node's gradients and hessians in the order of its rows, so that each pass reads
    /// them sequentially (scikit-learn's "ordered gradients").
    func histogram(_ b: Binned, offsets: [Int], rows: [Int], g: [Double], h: [Double],
                   orderedG: inout [Double], orderedH: inout [Double]) -> GradientBoosting.Histogram {
        var hist = GradientBoosting.Histogram(bins: offsets[offsets.count - 1])
        var scratch = [Double](repeating: 0, count: 3 * bundleStart[bundleStart.count - 1])
        let m = rows.count
        guard m > 0 else { return hist }
        rows.withUnsafeBufferPointer { r in
            orderedG.withUnsafeMutableBufferPointer { og in
                orderedH.withUnsafeMutableBufferPointer { oh in
                    for k in 0..<m { og[k] = g[r[k]]; oh[k] = h[r[k]] }
                    b.codes.withUnsafeBufferPointer { codes in
                        self.codes.withUnsafeBufferPointer { bundleCodes in
                            hist.v.withUnsafeMutableBufferPointer { hv in
                                scratch.withUnsafeMutableBufferPointer { sv in
                                    guard let codes = codes.baseAddress, let hv = hv.baseAddress, let rowList = r.baseAddress,
                                          let og = og.baseAddress, let oh = oh.baseAddress else { return }
                                    // Columns and their histograms, up to `BinSums.width` per pass over the rows.
                                    var columns = [UnsafePointer<UInt8>](repeating: codes, count: BinSums.width)
                                    var bins = [UnsafeMutablePointer<Double>](repeating: hv, count: BinSums.width)
                                    var group = 0
                                    func add(_ column: UnsafePointer<UInt8>, _ histogram: UnsafeMutablePointer<Double>, last: Bool) {
                                        columns[group] = column; bins[group] = histogram; group += 1
                                        guard group == BinSums.width || last else { return }
                                        BinSums.add(rows: m == b.rows ? nil : rowList, count: m, a: og, b: oh,
                                                    columns: columns, bins: bins, features: group)
                                        group = 0
                                    }
                                    let passes = single.count + bundles.count
                                    for (t, j) in single.enumerated() { add(codes + j * b.rows, hv + 3 * offsets[j], last: t + 1 == passes) }
                                    guard !bundles.isEmpty, let bundleCodes = bundleCodes.baseAddress, let sv = sv.baseAddress else { return }
                                    for k in bundles.indices {
                                        add(bundleCodes + k * b.rows, sv + 3 * bundleStart[k], last: single.count + k + 1 == passes)
                                    }
                                    // Each bundled feature's bins; its common bin holds the node's sums less the others'.
                                    var total = (g: 0.0, h: 0.0)
                                    for k in 0..<m { total.g += og[k]; total.h += oh[k] }
                                    for (k, bundle) in bundles.enumerated() {
                                        var s = 0
                                        for (j, common) in bundle.features {
                                            var rest = (g: 0.0, h: 0.0, n: 0.0)
                                            while s < bundle.slots.count && bundle.slots[s].feature == j {
                                                let from = sv + 3 * (bundleStart[k] + s + 1), to = hv + 3 * (offsets[j] + bundle.slots[s].bin)
                                                to[0] = from[0]; to[1] = from[1]; to[2] = from[2]
                                                rest.g += from[0]; rest.h += from[1]; rest.n += from[2]
                                                s += 1
                                            }
                                            let to = hv + 3 * (offsets[j] + common)
                                            to[0] = total.g - rest.g; to[1] = total.h - rest.h; to[2] = Double(m) - rest.n
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return hist
    }
}

import AssayCore

/// Computing the data profile from a table: column summaries, the target rate per value or bin, each column's
/// AUC alone, and the flags (constant, ID-like, likely leak).
extension TableProfile {
    /// Thresholds of the flags.
    static let leakAUC = 0.95
    static let strongAUC = 0.8
    static let strongMargin = 0.1
    static let segmentShare = 0.25
    static let segmentPurity = 0.9

    /// Profiles every column of `table` (the file's columns but the target), given the target and each column's role.
    public init(_ table: Table, target: [UInt8], roles: [String: Role]) {
        let positives = target.reduce(0) { $0 + Int($1) }
        let minority: UInt8 = positives * 2 <= table.rowCount ? 1 : 0
        let minorityCount = minority == 1 ? positives : table.rowCount - positives
        let summarized = table.columns.map { Self.summarize($0, role: roles[$0.name] ?? .feature, target: target, minorityCount: minorityCount) }
        var summaries = summarized.map(\.summary)

        // Flags, now that every column's AUC is known.
        let n = table.rowCount, all = summaries
        let idLikeColumns = summaries.indices.map { Self.isIDLike(all[$0], table.columns[$0], n) }
        let scored = Self.flag(&summaries, idLike: idLikeColumns, measure: "AUC")
        for i in summaries.indices where !scored[i] {
            let idLike = idLikeColumns[i]
            if !idLike, minorityCount > 0, let g = Self.pureGroup(summarized[i].values, minority: minority, minorityCount: minorityCount) {
                let whose = minority == 1 ? "positives" : "negatives"
                let share = Double(minority == 1 ? g.positives : g.count - g.positives) / Double(minorityCount)
                let purity = minority == 1 ? g.positiveRate : 1 - g.positiveRate
                summaries[i].flags.append("likely leak: the value \(g.label) holds \(NumberFormat.fixed(share * 100, decimals: 0))% of the \(whose), "
                    + "and \(NumberFormat.fixed(purity * 100, decimals: 0))% of its rows are \(whose)")
            }
        }
        self.init(rows: table.rowCount, positives: positives,
                  duplicateRows: Self.duplicates(table.columns.filter { roles[$0.name] != .id }, targetKeys: target.map(UInt64.init)),
                  idColumn: table.columns.first { roles[$0.name] == .id }?.name, columns: summaries)
    }

    /// The flags every profile shares: constant, ID-like, and a likely leak when the column alone scores `leakAUC`, or
    /// (with `margin`) `strongAUC` and `strongMargin` above every other column (`measure` names the score: AUC or
    /// concordance). Returns per column whether it is done (constant or flagged as a leak), so that a caller adds its own
    /// flags to the others.
    @discardableResult
    static func flag(_ summaries: inout [ColumnSummary], idLike idLikeColumns: [Bool], measure: String, margin: Bool = true) -> [Bool] {
        let all = summaries
        // The two best scores of columns that are not ID-like (NaN skipped): each column's runner-up is the best other one.
        var best = (index: -1, auc: -Double.infinity), second = -Double.infinity
        for i in all.indices where !idLikeColumns[i] && !all[i].auc.isNaN {
            if all[i].auc > best.auc { second = best.auc; best = (i, all[i].auc) } else if all[i].auc > second { second = all[i].auc }
        }
        var done = [Bool](repeating: false, count: all.count)
        for i in summaries.indices {
            let c = summaries[i]
            if c.distinct <= 1 { summaries[i].flags.append("constant"); done[i] = true; continue }
            let idLike = idLikeColumns[i]
            if idLike { summaries[i].flags.append("ID-like: every value distinct") }
            let other = i == best.index ? second : best.auc
            let runnerUp = other == -Double.infinity ? 0.5 : other
            if c.auc >= Self.leakAUC {
                summaries[i].flags.append("likely leak: predicts the target alone (\(measure) \(NumberFormat.fixed(c.auc, decimals: 3)))"
                    + (idLike ? "; the rows may be ordered by the outcome" : ""))
                done[i] = true
            } else if margin, c.auc >= Self.strongAUC, c.auc >= runnerUp + Self.strongMargin {
                summaries[i].flags.append("likely leak: predicts the target alone (\(measure) \(NumberFormat.fixed(c.auc, decimals: 3))) far better than any other column (next \(NumberFormat.fixed(runnerUp, decimals: 3)))")
                done[i] = true
            }
        }
        return done
    }

    static func integral(_ c: Column) -> Bool {
        guard case .numeric(let v) = c.values else { return false }
        return v.allSatisfy { $0.isNaN || $0 == $0.rounded() }
    }

    static func isIDLike(_ s: ColumnSummary, _ c: Column, _ rows: Int) -> Bool {
        s.distinct == rows && (s.kind == .categorical || integral(c))
    }

    /// Groups smaller than this are pooled when a category's positive rate scores the column.
    static func minGroup(_ rows: Int) -> Int { Swift.max(10, rows / 1000) }

    /// A column's summary, and a group for each of its distinct values (in value order, or level order for categories)
    /// that could be a segment of the minority class (`pureGroup`): numeric values holding fewer rows than
    /// `segmentShare` of the `minorityCount` minority rows are left out (their labels are not worth writing).
    static func summarize(_ column: Column, role: Role, target: [UInt8], minorityCount: Int) -> (summary: ColumnSummary, values: [Group]) {
        var s = ColumnSummary(name: column.name, role: role, kind: column.kind, missing: column.missingCount, distinct: 0,
                              min: .nan, median: .nan, max: .nan, groups: [], auc: .nan, flags: [])
        let n = target.count
        var missingPositives = 0
        var values: [Group] = []
        switch column.values {
        case .numeric(let v):
            let present = v.indices.filter { !v[$0].isNaN }.sorted { v[$0] < v[$1] }
            for r in v.indices where v[r].isNaN { missingPositives += Int(target[r]) }
            if !present.isEmpty {
                s.min = v[present[0]]
                s.max = v[present[present.count - 1]]
                let m = present.count / 2
                s.median = present.count % 2 == 1 ? v[present[m]] : (v[present[m - 1]] + v[present[m]]) / 2
            }
            let runs = valueRuns(present.map { v[$0] }, present.map { target[$0] })
            s.distinct = runs.count
            if runs.count <= 10 {
                values = runs.map { Group(label: NumberFormat.json($0.value), count: $0.count, positives: $0.positives) }
                s.groups = values
            } else {
                values = runs.filter { minorityCount > 0 && Double($0.count) >= segmentShare * Double(minorityCount) }
                    .map { Group(label: NumberFormat.json($0.value), count: $0.count, positives: $0.positives) }
                let (edges, bins) = Self.decileBins(present.map { v[$0] })
                var groups = bins
                var k = 0
                for run in runs {
                    while k < groups.count - 1 && run.value >= edges[k + 1] { k += 1 }
                    groups[k].count += run.count
                    groups[k].positives += run.positives
                }
                s.groups = groups
            }
            s.auc = undirected(RankStatistics.rocAUC(target, v.map { $0.isNaN ? -Double.infinity : $0 }))
        case .categorical(let codes, let levels):
            var counts = [Int](repeating: 0, count: levels.count), pos = [Int](repeating: 0, count: levels.count)
            for r in codes.indices {
                if codes[r] < 0 { missingPositives += Int(target[r]); continue }
                counts[Int(codes[r])] += 1
                pos[Int(codes[r])] += Int(target[r])
            }
            s.distinct = counts.filter { $0 > 0 }.count
            values = levels.indices.map { Group(label: levels[$0], count: counts[$0], positives: pos[$0]) }
            let order = levels.indices.filter { counts[$0] > 0 }
                .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : levels[$0].utf8.lexicographicallyPrecedes(levels[$1].utf8) }
            s.groups = order.prefix(10).map { values[$0] }
            // Score by positive rate; small categories share one pooled rate.
            let small = levels.indices.filter { counts[$0] < minGroup(n) }
            let pooledCount = small.reduce(0) { $0 + counts[$1] }, pooledPos = small.reduce(0) { $0 + pos[$1] }
            let pooledRate = pooledCount == 0 ? 0 : Double(pooledPos) / Double(pooledCount)
            let rate = levels.indices.map { counts[$0] < minGroup(n) ? pooledRate : Double(pos[$0]) / Double(counts[$0]) }
            let missingRate = s.missing == 0 ? 0 : Double(missingPositives) / Double(s.missing)
            s.auc = undirected(RankStatistics.rocAUC(target, codes.map { $0 < 0 ? missingRate : rate[Int($0)] }))
        }
        if s.missing > 0 { s.groups.append(Group(label: "missing", count: s.missing, positives: missingPositives)) }
        return (s, values)
    }

    static func undirected(_ auc: Double) -> Double { auc.isNaN ? auc : Swift.max(auc, 1 - auc) }

    /// Quantile bins of sorted present values: edges at the deciles, merged where they coincide, and an empty group per bin.
    static func decileBins(_ sorted: [Double]) -> (edges: [Double], groups: [Group]) {
        var edges: [Double] = []
        for k in 0...10 {
            let e = sorted[(k * (sorted.count - 1)) / 10]
            if edges.last != e { edges.append(e) }
        }
        let groups = (0..<edges.count - 1).map { k in
            Group(label: "[\(NumberFormat.json(edges[k])), \(NumberFormat.json(edges[k + 1]))\(k == edges.count - 2 ? "]" : ")")", count: 0, positives: 0)
        }
        return (edges, groups)
    }

    /// The profile of a numeric target (task regression): each column's summary, the target mean per value or decile
    /// bin, its concordance index alone (numbers as they are, categories by their mean target, small ones pooled) in
    /// place of the AUC, and the flags constant, ID-like and likely leak (concordance ≥ `leakAUC`).
    public init(_ table: Table, values: [Double], roles: [String: Role]) {
        var summaries = table.columns.map { Self.summarize($0, role: roles[$0.name] ?? .feature, values: values) }
        let idLike = summaries.indices.map { Self.isIDLike(summaries[$0], table.columns[$0], table.rowCount) }
        // Only the near-perfect rule: a numeric target often has one strong honest predictor (last month's spend for this
        // month's), which the margin rule would call a leak.
        Self.flag(&summaries, idLike: idLike, measure: "concordance", margin: false)
        self.init(rows: table.rowCount, positives: 0,
                  duplicateRows: Self.duplicates(table.columns.filter { roles[$0.name] != .id }, targetKeys: values.map { ($0 + 0).bitPattern }),
                  idColumn: table.columns.first { roles[$0.name] == .id }?.name, columns: summaries)
        targetMean = values.isEmpty ? .nan : values.reduce(0, +) / Double(values.count)
    }

    /// A column's summary against a numeric target: groups carry the target's sum, `auc` the undirected concordance.
    static func summarize(_ column: Column, role: Role, values y: [Double]) -> ColumnSummary {
        var s = ColumnSummary(name: column.name, role: role, kind: column.kind, missing: column.missingCount, distinct: 0,
                              min: .nan, median: .nan, max: .nan, groups: [], auc: .nan, flags: [])
        var missingSum = 0.0
        switch column.values {
        case .numeric(let v):
            let present = v.indices.filter { !v[$0].isNaN }.sorted { v[$0] < v[$1] }
            for r in v.indices where v[r].isNaN { missingSum += y[r] }
            var runs: [(value: Double, count: Int, sum: Double)] = []
            for r in present {
                if let last = runs.last, last.value == v[r] { runs[runs.count - 1].count += 1; runs[runs.count - 1].sum += y[r] } else { runs.append((v[r], 1, y[r])) }
            }
            s.distinct = runs.count
            if !present.isEmpty {
                s.min = v[present[0]]
                s.max = v[present[present.count - 1]]
                let m = present.count / 2
                s.median = present.count % 2 == 1 ? v[present[m]] : (v[present[m - 1]] + v[present[m]]) / 2
                if runs.count <= 10 {
                    s.groups = runs.map { var g = Group(label: NumberFormat.json($0.value), count: $0.count, positives: 0); g.targetSum = $0.sum; return g }
                } else {
                    let (edges, bins) = Self.decileBins(present.map { v[$0] })
                    s.groups = bins
                    var k = 0
                    for run in runs {
                        while k < s.groups.count - 1 && run.value >= edges[k + 1] { k += 1 }
                        s.groups[k].count += run.count
                        s.groups[k].targetSum += run.sum
                    }
                }
            }
            s.auc = undirected(RankStatistics.concordance(y, v.map { $0.isNaN ? -Double.infinity : $0 }))
        case .categorical(let codes, let levels):
            var counts = [Int](repeating: 0, count: levels.count), sums = [Double](repeating: 0, count: levels.count)
            for r in codes.indices {
                if codes[r] < 0 { missingSum += y[r]; continue }
                counts[Int(codes[r])] += 1
                sums[Int(codes[r])] += y[r]
            }
            s.distinct = counts.filter { $0 > 0 }.count
            let order = levels.indices.filter { counts[$0] > 0 }
                .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : levels[$0].utf8.lexicographicallyPrecedes(levels[$1].utf8) }
            s.groups = order.prefix(10).map { var g = Group(label: levels[$0], count: counts[$0], positives: 0); g.targetSum = sums[$0]; return g }
            // Score by mean target; small categories share one pooled mean.
            let small = levels.indices.filter { counts[$0] < minGroup(y.count) }
            let pooledCount = small.reduce(0) { $0 + counts[$1] }, pooledSum = small.reduce(0.0) { $0 + sums[$1] }
            let pooled = pooledCount == 0 ? 0 : pooledSum / Double(pooledCount)
            let mean = levels.indices.map { counts[$0] < minGroup(y.count) ? pooled : sums[$0] / Double(counts[$0]) }
            let missingMean = s.missing == 0 ? 0 : missingSum / Double(s.missing)
            s.auc = undirected(RankStatistics.concordance(y, codes.map { $0 < 0 ? missingMean : mean[Int($0)] }))
        }
        if s.missing > 0 { var g = Group(label: "missing", count: s.missing, positives: 0); g.targetSum = missingSum; s.groups.append(g) }
        return s
    }

    /// Runs of equal values in sorted order, with their positive counts.
    static func valueRuns(_ sorted: [Double], _ labels: [UInt8]) -> [(value: Double, count: Int, positives: Int)] {
        var out: [(value: Double, count: Int, positives: Int)] = []
        for (x, y) in zip(sorted, labels) {
            if let last = out.last, last.value == x {
                out[out.count - 1].count += 1
                out[out.count - 1].positives += Int(y)
            } else {
                out.append((x, 1, Int(y)))
            }
        }
        return out
    }

    /// The largest single value holding at least `segmentShare` of the minority class at `segmentPurity` or more.
    static func pureGroup(_ groups: [Group], minority: UInt8, minorityCount: Int) -> Group? {
        return groups.filter { g in
            let hits = minority == 1 ? g.positives : g.count - g.positives
            return g.count > 0 && Double(hits) >= segmentShare * Double(minorityCount) && Double(hits) >= segmentPurity * Double(g.count)
        }.max { $0.count < $1.count }
    }

    /// Rows equal to an earlier one in every given column and the target (`targetKeys`: each row's target as a key).
    static func duplicates(_ columns: [Column], targetKeys: [UInt64]) -> Int {
        let n = targetKeys.count
        var keys = [[UInt64]](repeating: [], count: n)
        for r in 0..<n {
            var key: [UInt64] = [targetKeys[r]]
            key.reserveCapacity(columns.count + 1)
            for c in columns {
                switch c.values {
                case .numeric(let v): key.append(v[r].isNaN ? UInt64.max : (v[r] + 0).bitPattern)  // one NaN, one zero
                case .categorical(let codes, _): key.append(UInt64(bitPattern: Int64(codes[r])))
                }
            }
            keys[r] = key
        }
        let order = keys.indices.sorted { keys[$0].lexicographicallyPrecedes(keys[$1]) }
        var dup = 0
        for k in order.indices.dropFirst() where keys[order[k]] == keys[order[k - 1]] { dup += 1 }
        return dup
    }
}

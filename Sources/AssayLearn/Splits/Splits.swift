import AssayCore

/// Rows of an experiment: a test set used once, and k folds of the remaining rows for cross-validation.
public struct Split: Sendable, Equatable, BinaryCodable {
    /// Held-out test rows (sorted); empty when there is no test set.
    public let test: [Int]
    /// Validation rows of each fold (sorted); in k-fold every non-test row is in exactly one fold of each repeat
    /// (repeated k-fold lists the folds of every repeat, one repeat after another).
    public let folds: [[Int]]
    /// Forward-chaining folds: each fold's own training rows (sorted), all earlier in time than its validation rows;
    /// nil for k-fold, where a fold trains on every other non-test row.
    public let training: [[Int]]?

    public init(test: [Int], folds: [[Int]], training: [[Int]]? = nil) {
        self.test = test
        self.folds = folds
        self.training = training
    }

    /// All non-test rows the run learns from, sorted (the refit's rows).
    public var train: [Int] { Array(Set(folds.flatMap { $0 } + (training ?? []).flatMap { $0 })).sorted() }

    /// The rows some fold validates, sorted: out-of-fold predictions exist for these (all of `train` in k-fold; in
    /// forward chaining, not the earliest rows).
    public var validated: [Int] { Array(Set(folds.flatMap { $0 })).sorted() }

    /// Training rows of fold `k`: its own (forward chaining), or every non-test row outside its validation rows.
    public func trainingRows(ofFold k: Int) -> [Int] {
        if let training { return training[k] }
        let validation = Set(folds[k])
        return train.filter { !validation.contains($0) }
    }

    public func encode(to w: inout ByteWriter) {
        w.write(test)
        w.write(folds.count)
        for f in folds { w.write(f) }
        w.write(training != nil)
        if let training { for t in training { w.write(t) } }
    }

    public init(from r: inout ByteReader) throws {
        test = try r.readInts()
        folds = try (0..<r.readCount()).map { _ in try r.readInts() }
        training = try r.readBool() ? try folds.map { _ in try r.readInts() } : nil
    }
}

/// Stratified splitting, seeded; the same seed and labels give the same rows on every machine.
public enum StratifiedSplitter {
    /// A stratified holdout of `ceil(testSize · n)` rows, then stratified k-fold on the rest.
    public static func split<G: RandomNumberGenerator>(labels y: [UInt8], testSize: Double, folds k: Int, repeats: Int = 1, using rng: inout G) -> Split {
        let all = Array(y.indices)
        var test: [Int] = []
        var rest = all
        if testSize > 0 {
            let nTest = Int((testSize * Double(y.count)).rounded(.up))
            test = holdout(y, rows: all, count: nTest, using: &rng)
            let testSet = Set(test)
            rest = all.filter { !testSet.contains($0) }
        }
        // Repeated k-fold: each repeat deals the rows to folds anew (repeat 1 is the plain k-fold split).
        return Split(test: test.sorted(), folds: (0..<repeats).flatMap { _ in kFold(y, rows: rest, k: k, using: &rng) })
    }

    /// From predefined folds: -1 marks a test row, 0..k-1 a fold.
    public static func predefined(_ folds: [Int]) -> Split {
        let k = (folds.max() ?? -1) + 1
        var out = [[Int]](repeating: [], count: k)
        var test: [Int] = []
        for (i, f) in folds.enumerated() { if f < 0 { test.append(i) } else { out[f].append(i) } }
        return Split(test: test, folds: out)
    }

    /// scikit-learn's `train_test_split(..., test_size=fraction, stratify=y, random_state=rs)` draw for draw
    /// (`StratifiedShuffleSplit`: `_approximate_mode` for the per-class counts, a permutation per class,
    /// then both sides permuted), so the rows and their order are the ones scikit-learn would use.
    public static func shuffleSplit(_ y: [UInt8], testFraction: Double, using rs: inout NumpyRandomState) -> (train: [Int], test: [Int]) {
        let nTest = Int((testFraction * Double(y.count)).rounded(.up)), nTrain = y.count - nTest
        let members = (0..<classCount(y)).map { c in y.indices.filter { Int(y[$0]) == c } }.filter { !$0.isEmpty }
        let counts = members.map(\.count)
        let trainCounts = approximateMode(counts, nTrain, &rs)
        let testCounts = approximateMode(zip(counts, trainCounts).map { $0 - $1 }, nTest, &rs)
        var train: [Int] = [], test: [Int] = []
        for c in members.indices {
            let shuffled = rs.permutation(counts[c]).map { members[c][$0] }
            train += shuffled[0..<trainCounts[c]]
            test += shuffled[trainCounts[c]..<(trainCounts[c] + testCounts[c])]
        }
        rs.shuffle(&train)
        rs.shuffle(&test)
        return (train, test)
    }

    /// scikit-learn's `_approximate_mode`: floor each class's share of `draws`, then add the leftover to the
    /// largest remainders, breaking ties with `choice(..., replace=False)` (a permutation's prefix).
    static func approximateMode(_ counts: [Int], _ draws: Int, _ rs: inout NumpyRandomState) -> [Int] {
        let total = Double(counts.reduce(0, +))
        let continuous = counts.map { Double($0) / total * Double(draws) }
        var floored = continuous.map { $0.rounded(.down) }
        var need = Int(Double(draws) - floored.reduce(0, +))
        let remainder = zip(continuous, floored).map { $0 - $1 }
        for value in Set(remainder).sorted(by: >) where need > 0 {
            let tied = remainder.indices.filter { remainder[$0] == value }
            let now = min(tied.count, need)
            for k in rs.permutation(tied.count).prefix(now) { floored[tied[k]] += 1 }
            need -= now
        }
        return floored.map { Int($0) }
    }

    /// How many classes labels 0 ... max hold (two for binary labels, whichever is present).
    static func classCount(_ y: [UInt8]) -> Int { max(2, Int(y.max() ?? 0) + 1) }

    /// Chooses `count` rows with each class in proportion (largest remainders get the leftover rows).
    static func holdout<G: RandomNumberGenerator>(_ y: [UInt8], rows: [Int], count: Int, using rng: inout G) -> [Int] {
        let byClass: [[Int]] = (0..<classCount(y)).map { c in rows.filter { Int(y[$0]) == c } }
        let n = Double(rows.count)
        var take = byClass.map { Int((Double(count) * Double($0.count) / n).rounded(.down)) }
        let remainders = byClass.indices.map { Double(count) * Double(byClass[$0].count) / n - Double(take[$0]) }
        var left = count - take.reduce(0, +)
        for c in byClass.indices.sorted(by: { remainders[$0] > remainders[$1] }) where left > 0 && take[c] < byClass[c].count {
            take[c] += 1; left -= 1
        }
        var chosen: [Int] = []
        for c in byClass.indices {
            var members = byClass[c]
            members.seededShuffle(using: &rng)
            chosen += members.prefix(take[c])
        }
        return chosen
    }

    /// Stratified k-fold as scikit-learn allocates it: class counts per fold differ by at most one,
    /// and rows of each class are dealt to folds in a shuffled order.
    static func kFold<G: RandomNumberGenerator>(_ y: [UInt8], rows: [Int], k: Int, using rng: inout G) -> [[Int]] {
        var sortedLabels = rows.map { y[$0] }
        sortedLabels.sort()
        let classes = classCount(y)
        var allocation = [[Int]](repeating: [Int](repeating: 0, count: classes), count: k)
        for (i, label) in sortedLabels.enumerated() { allocation[i % k][Int(label)] += 1 }
        var folds = [[Int]](repeating: [], count: k)
        for c in 0..<classes {
            let members = rows.filter { Int(y[$0]) == c }
            var assignment: [Int] = []
            for f in 0..<k { assignment += [Int](repeating: f, count: allocation[f][c]) }
            assignment.seededShuffle(using: &rng)
            for (row, f) in zip(members, assignment) { folds[f].append(row) }
        }
        return folds.map { $0.sorted() }
    }
}

/// Plain (unstratified) splitting for a regression target, seeded: scikit-learn's `train_test_split` without
/// `stratify` and `KFold(shuffle=True)` in shape (the test share rounded up; folds are contiguous runs of a
/// shuffled order, the first n mod k of them one row larger), not in the draws of NumPy's generator.
public enum ShuffleSplitter {
    public static func split<G: RandomNumberGenerator>(rows n: Int, testSize: Double, folds k: Int, repeats: Int = 1, using rng: inout G) -> Split {
        var all = Array(0..<n)
        var test: [Int] = []
        if testSize > 0 {
            all.seededShuffle(using: &rng)
            let nTest = Int((testSize * Double(n)).rounded(.up))
            test = Array(all[0..<nTest])
            all = Array(all[nTest...]).sorted()
        }
        return Split(test: test.sorted(), folds: (0..<repeats).flatMap { _ in kFold(rows: all, k: k, using: &rng) })
    }

    /// `rows` shuffled and cut into k contiguous folds, sizes n/k rounded down plus one for the first n mod k.
    static func kFold<G: RandomNumberGenerator>(rows: [Int], k: Int, using rng: inout G) -> [[Int]] {
        var order = rows
        order.seededShuffle(using: &rng)
        var folds: [[Int]] = [], start = 0
        for f in 0..<k {
            let size = rows.count / k + (f < rows.count % k ? 1 : 0)
            folds.append(Array(order[start..<(start + size)]).sorted())
            start += size
        }
        return folds
    }
}

/// Splitting that keeps every group's rows together (a customer's rows at several cutoffs, or `split.group`): no
/// group is on both sides of the holdout or of any fold, as scikit-learn's `StratifiedGroupKFold` promises.
///
/// One rule deals groups to bins (test and the rest; then the folds), each bin with a target share: the groups, in a
/// seeded shuffled order then stably by size (largest first), each go to the bin that is least filled after taking
/// it — for each class the group holds, the bin's rows of that class over its target share of the class, the largest
/// of these; ties to the lower bin. So class shares hold as closely as whole groups allow (stratified when possible),
/// and sizes stay near their targets. Not draw-for-draw scikit-learn's (its shuffle is NumPy's, and it balances the
/// spread of class shares rather than the fill).
public enum GroupSplitter {
    /// A holdout of about `testSize` of the rows, then k folds of the rest; `classes` per row (all zeros for a
    /// regression target), `groups` per row (any integers).
    public static func split<G: RandomNumberGenerator>(classes: [UInt8], groups: [Int], testSize: Double, folds k: Int, repeats: Int = 1,
                                                       using rng: inout G) -> Split {
        var test: [Int] = [], rest = Array(classes.indices)
        if testSize > 0 {
            let bins = deal(classes, groups, rows: rest, shares: [testSize, 1 - testSize], using: &rng)
            test = bins[0]
            rest = bins[1]
        }
        return Split(test: test, folds: (0..<repeats).flatMap { _ in kFold(classes, groups, rows: rest, k: k, using: &rng) })
    }

    /// k folds of `rows`, groups kept whole.
    public static func kFold<G: RandomNumberGenerator>(_ classes: [UInt8], _ groups: [Int], rows: [Int], k: Int, using rng: inout G) -> [[Int]] {
        deal(classes, groups, rows: rows, shares: [Double](repeating: 1 / Double(k), count: k), using: &rng)
    }

    /// `rows` dealt to bins of the given target shares, whole groups at a time; each bin's rows sorted.
    static func deal<G: RandomNumberGenerator>(_ classes: [UInt8], _ groups: [Int], rows: [Int], shares: [Double], using rng: inout G) -> [[Int]] {
        // Groups in order of first appearance, with their rows and class counts.
        var index: [Int: Int] = [:], members: [[Int]] = [], counts: [[Int]] = []
        let classCount = Int(rows.map { classes[$0] }.max() ?? 0) + 1
        for r in rows {
            let g: Int
            if let known = index[groups[r]] { g = known } else {
                g = members.count
                index[groups[r]] = g
                members.append([]); counts.append([Int](repeating: 0, count: classCount))
            }
            members[g].append(r)
            counts[g][Int(classes[r])] += 1
        }
        var order = Array(members.indices)
        order.seededShuffle(using: &rng)
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        order.sort { members[$0].count != members[$1].count ? members[$0].count > members[$1].count : (position[$0] ?? 0) < (position[$1] ?? 0) }
        var totals = [Int](repeating: 0, count: classCount)
        for c in counts { for k in 0..<classCount { totals[k] += c[k] } }
        var filled = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: shares.count)
        var bins = [[Int]](repeating: [], count: shares.count)
        for g in order {
            var best = 0, bestFill = Double.infinity
            for b in shares.indices where shares[b] > 0 {
                var fill = 0.0
                for c in 0..<classCount where counts[g][c] > 0 {
                    fill = max(fill, Double(filled[b][c] + counts[g][c]) / (shares[b] * Double(totals[c])))
                }
                if fill < bestFill { best = b; bestFill = fill }
            }
            for c in 0..<classCount { filled[best][c] += counts[g][c] }
            bins[best] += members[g]
        }
        return bins.map { $0.sorted() }
    }
}

/// Time-aware splitting of a customer table with several cutoffs (`split.holdout: last_cutoff`): the last cutoff's
/// rows are the test set; the earlier cutoffs' rows train, except those whose label window reaches past the last
/// cutoff (they would learn from the test period). Cross-validation over them is grouped k-fold, or forward chaining.
public enum CutoffSplitter {
    /// `cutoffDays`: each cutoff's day number, ascending; `horizon`: the label window in days; `folds` nil for forward
    /// chaining (fold v validates on cutoff v = 1 … last − 1 and trains on the earlier cutoffs whose windows end by it).
    public static func split<G: RandomNumberGenerator>(cutoffOfRow: [Int], cutoffDays: [Int], horizon: Int, classes: [UInt8], groups: [Int],
                                                       folds: Int?, repeats: Int, using rng: inout G) -> Split {
        let last = cutoffDays.count - 1
        let test = cutoffOfRow.indices.filter { cutoffOfRow[$0] == last }
        let train = cutoffOfRow.indices.filter { cutoffOfRow[$0] < last && cutoffDays[cutoffOfRow[$0]] + horizon <= cutoffDays[last] }
        guard let k = folds else {
            let validation = (1..<last).map { v in train.filter { cutoffOfRow[$0] == v } }
            let training = (1..<last).map { v in train.filter { cutoffOfRow[$0] < v && cutoffDays[cutoffOfRow[$0]] + horizon <= cutoffDays[v] } }
            return Split(test: test, folds: validation, training: training)
        }
        return Split(test: test, folds: (0..<repeats).flatMap { _ in GroupSplitter.kFold(classes, groups, rows: train, k: k, using: &rng) })
    }
}

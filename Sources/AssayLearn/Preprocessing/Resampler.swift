import AssayCore
import Foundation

/// Rebalances the classes of training rows, as imbalanced-learn does; run by the fit task on a fold's
/// transformed training rows only, so no validation or test row is ever resampled or used as a neighbour.
///
/// Matches imbalanced-learn in what it computes — which class is resampled and by how much
/// (`sampling_strategy` auto or a minority/majority ratio), SMOTE's neighbours (k nearest rows of the
/// minority class, Euclidean) and its samples on the segment between a row and one of them, SMOTE-NC's
/// distance (numeric columns plus the median standard deviation of the minority's numeric columns for each
/// differing category) and its categories (the most frequent among the neighbours) — but not its random
/// stream: the rows picked and the interpolation steps come from our seeded generator. Original rows come
/// first, in their order; synthetic or duplicated rows follow. Differs: ties among SMOTE-NC's neighbour
/// categories go to the first category, where imbalanced-learn picks one at random; undersampling keeps the
/// kept rows in their original order.
public enum Resampler {
    public static func resample<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], _ step: ResampleStep, categoricalBlocks: [Range<Int>] = [],
                                                          using rng: inout G) throws -> (Matrix, [UInt8]) {
        if (y.max() ?? 0) > 1 { return try resampleClasses(x, y, step, categoricalBlocks: categoricalBlocks, using: &rng) }
        let positives = y.reduce(0) { $0 + Int($1) }, negatives = y.count - positives
        guard positives > 0, negatives > 0 else { return (x, y) }
        let minority: UInt8 = positives < negatives ? 1 : 0
        let nMinority = min(positives, negatives), nMajority = max(positives, negatives)
        let ratio = step.samplingStrategy ?? 1
        switch step.method {
        case .undersample:
            let keep = Int(Double(nMinority) / ratio)  // imbalanced-learn: int(n_minority / sampling_strategy)
            guard keep <= nMajority else {
                throw LearnError.badParameter("resample: sampling_strategy \(NumberFormat.json(ratio)) would need more majority rows (\(keep)) than there are (\(nMajority))")
            }
            var majority = y.indices.filter { y[$0] != minority }
            majority.seededShuffle(using: &rng)
            let kept = Set(majority.prefix(keep))
            let rows = y.indices.filter { y[$0] == minority || kept.contains($0) }
            return (x.selecting(rows), rows.map { y[$0] })
        case .oversample, .smote, .smoteNC:
            let extra = Int(ratio * Double(nMajority)) - nMinority  // int(sampling_strategy · n_majority − n_minority)
            guard extra >= 0 else {
                throw LearnError.badParameter("resample: sampling_strategy \(NumberFormat.json(ratio)) asks for fewer minority rows than there are; use undersample")
            }
            let members = y.indices.filter { y[$0] == minority }
            var out = x.values
            out.reserveCapacity((y.count + extra) * x.cols)
            if step.method == .oversample {
                for _ in 0..<extra { out += x.row(members[Int.random(in: 0..<members.count, using: &rng)]) }
            } else {
                let k = step.kNeighbors
                guard members.count > k else {
                    throw LearnError.badParameter("resample: SMOTE needs more than k_neighbors = \(k) minority rows in the training rows, found \(members.count)")
                }
                let samples = step.method == .smote
                    ? smote(x, members, k: k, extra: extra, using: &rng)
                    : try smoteNC(x, members, k: k, extra: extra, blocks: categoricalBlocks, using: &rng)
                out += samples
            }
            return (Matrix(rows: y.count + extra, cols: x.cols, values: out), y + [UInt8](repeating: minority, count: extra))
        }
    }

    /// More than two classes (class indices), as imbalanced-learn's `sampling_strategy: auto` treats them: undersampling
    /// cuts every class but the smallest to the smallest's rows (the first of equals is the smallest); over-sampling and
    /// SMOTE grow every class but the largest to the largest's, class by class in class order, each from its own rows.
    /// A ratio is refused, as imbalanced-learn refuses a float `sampling_strategy` for several classes.
    static func resampleClasses<G: RandomNumberGenerator>(_ x: Matrix, _ y: [UInt8], _ step: ResampleStep, categoricalBlocks: [Range<Int>],
                                                          using rng: inout G) throws -> (Matrix, [UInt8]) {
        guard step.samplingStrategy == nil else {
            throw LearnError.badParameter("resample: sampling_strategy is a minority/majority ratio of two classes; with several classes leave it out (auto)")
        }
        let k = Int(y.max() ?? 0) + 1
        let members = (0..<k).map { c in y.indices.filter { Int(y[$0]) == c } }
        let counts = members.map(\.count)
        switch step.method {
        case .undersample:
            let smallest = counts.indices.filter { counts[$0] > 0 }.min { counts[$0] < counts[$1] } ?? 0
            var kept = Set(members[smallest])
            for c in 0..<k where c != smallest {
                var rows = members[c]
                rows.seededShuffle(using: &rng)
                kept.formUnion(rows.prefix(counts[smallest]))
            }
            let rows = y.indices.filter { kept.contains($0) }
            return (x.selecting(rows), rows.map { y[$0] })
        case .oversample, .smote, .smoteNC:
            let largest = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
            var out = x.values, labels = y
            for c in 0..<k where c != largest && counts[c] > 0 {
                let extra = counts[largest] - counts[c]
                guard extra > 0 else { continue }
                if step.method == .oversample {
                    for _ in 0..<extra { out += x.row(members[c][Int.random(in: 0..<members[c].count, using: &rng)]) }
                } else {
                    guard members[c].count > step.kNeighbors else {
                        throw LearnError.badParameter("resample: SMOTE needs more than k_neighbors = \(step.kNeighbors) rows of each class in the training rows, found \(members[c].count) of class \(c + 1)")
                    }
                    out += step.method == .smote
                        ? smote(x, members[c], k: step.kNeighbors, extra: extra, using: &rng)
                        : try smoteNC(x, members[c], k: step.kNeighbors, extra: extra, blocks: categoricalBlocks, using: &rng)
                }
                labels += [UInt8](repeating: UInt8(c), count: extra)
            }
            return (Matrix(rows: labels.count, cols: x.cols, values: out), labels)
        }
    }

    /// The `k` nearest other members of each member (row indices into `members`), by `distance`, ties by position.
    static func neighbours(_ count: Int, k: Int, distance: (Int, Int) -> Double) -> [[Int]] {
        (0..<count).map { i in
            var best: [(Double, Int)] = []
            best.reserveCapacity(k + 1)
            for j in 0..<count where j != i {
                let d = distance(i, j)
                if best.count == k, d >= best[k - 1].0 { continue }
                var at = best.count
                while at > 0 && best[at - 1].0 > d { at -= 1 }
                best.insert((d, j), at: at)
                if best.count > k { best.removeLast() }
            }
            return best.map(\.1)
        }
    }

    static func squaredDistance(_ x: Matrix, _ a: Int, _ b: Int, columns: [Int]) -> Double {
        var s = 0.0
        for c in columns { let d = x.values[a * x.cols + c] - x.values[b * x.cols + c]; s += d * d }
        return s
    }

    /// SMOTE: pick a member and one of its k neighbours uniformly, take a uniform step from the member toward it.
    static func smote<G: RandomNumberGenerator>(_ x: Matrix, _ members: [Int], k: Int, extra: Int, using rng: inout G) -> [Double] {
        let all = Array(0..<x.cols)
        let nn = neighbours(members.count, k: k) { squaredDistance(x, members[$0], members[$1], columns: all) }
        var out: [Double] = []
        out.reserveCapacity(extra * x.cols)
        for _ in 0..<extra {
            let pick = Int.random(in: 0..<(members.count * k), using: &rng)
            let base = members[pick / k], other = members[nn[pick / k][pick % k]]
            let step = Double.random(in: 0..<1, using: &rng)
            for c in 0..<x.cols { out.append(x.values[base * x.cols + c] + step * (x.values[other * x.cols + c] - x.values[base * x.cols + c])) }
        }
        return out
    }

    /// SMOTE-NC on the transformed columns: `blocks` are the output columns of each categorical feature
    /// (one-hot groups, or single ordinal/target columns); every other column is continuous.
    static func smoteNC<G: RandomNumberGenerator>(_ x: Matrix, _ members: [Int], k: Int, extra: Int, blocks: [Range<Int>],
                                                  using rng: inout G) throws -> [Double] {
        guard !blocks.isEmpty else { throw LearnError.badParameter("resample: smote_nc needs categorical columns; use smote") }
        let inBlock = Set(blocks.flatMap { Array($0) })
        let continuous = (0..<x.cols).filter { !inBlock.contains($0) }
        guard !continuous.isEmpty else { throw LearnError.badParameter("resample: smote_nc needs numeric columns too; imbalanced-learn refuses all-categorical data") }
        // Each member's category per block: the hot column of a one-hot group (-1 if none), or the single column's value.
        let category: [[Double]] = members.map { r in
            blocks.map { b in
                if b.count == 1 { return x.values[r * x.cols + b.lowerBound] }
                return Double(b.firstIndex { x.values[r * x.cols + $0] == 1 }.map { $0 - b.lowerBound } ?? -1)
            }
        }
        let stds = continuous.map { c in Stats.std(members.map { x.values[$0 * x.cols + c] }) }
        let median = Stats.percentile(stds.sorted(), 50)
        // imbalanced-learn one-hot encodes the categories with value median/2: a differing category adds 2·(median/2)².
        let penalty = median * median / 2
        let nn = neighbours(members.count, k: k) { i, j in
            var d = squaredDistance(x, members[i], members[j], columns: continuous)
            for (a, b) in zip(category[i], category[j]) where a != b { d += penalty }
            return d
        }
        var out: [Double] = []
        out.reserveCapacity(extra * x.cols)
        for _ in 0..<extra {
            let pick = Int.random(in: 0..<(members.count * k), using: &rng)
            let i = pick / k
            let base = members[i], other = members[nn[i][pick % k]]
            let step = Double.random(in: 0..<1, using: &rng)
            var row = (0..<x.cols).map { c in x.values[base * x.cols + c] + step * (x.values[other * x.cols + c] - x.values[base * x.cols + c]) }
            for (bi, b) in blocks.enumerated() {
                // The most frequent category among the base row's k neighbours (first in category order on a tie).
                var counts: [Double: Int] = [:]
                for j in nn[i] { counts[category[j][bi], default: 0] += 1 }
                let top = counts.values.max()!
                let value = counts.filter { $0.value == top }.keys.min()!
                if b.count == 1 { row[b.lowerBound] = value } else {
                    for c in b { row[c] = 0 }
                    if value >= 0 { row[b.lowerBound + Int(value)] = 1 }
                }
            }
            out += row
        }
        return out
    }
}

extension Matrix {
    /// The rows at `rows`, in that order.
    public func selecting(_ rows: [Int]) -> Matrix {
        var v: [Double] = []
        v.reserveCapacity(rows.count * cols)
        for r in rows { v += values[(r * cols)..<((r + 1) * cols)] }
        return Matrix(rows: rows.count, cols: cols, values: v)
    }

    /// One row's values.
    public func row(_ r: Int) -> [Double] { Array(values[(r * cols)..<((r + 1) * cols)]) }
}

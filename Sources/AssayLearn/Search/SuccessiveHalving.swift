import AssayCore
import Foundation

/// The schedule of scikit-learn's `HalvingGridSearchCV` with `resource="n_samples"` and
/// `aggressive_elimination=False`: how many training rows each round uses, and how many candidates it scores.
/// After each round the best `ceil(n / factor)` candidates (by mean CV score) go on to the next.
public enum SuccessiveHalving {
    public static func schedule(samples: Int, candidates: Int, folds: Int, classes: Int = 2, settings: HalvingSettings) -> [(resources: Int, candidates: Int)] {
        let factor = settings.factor
        func floorLog(_ x: Int) -> Int { Int((log(Double(x)) / log(Double(factor))).rounded(.down)) }  // Python's floor(math.log(x, factor))
        var minResources: Int
        switch settings.minResources {
        case .count(let n): minResources = n
        case .smallest, .exhaust: minResources = folds * 2 * classes
        }
        let required = 1 + floorLog(candidates)
        if settings.minResources == .exhaust {
            minResources = max(minResources, samples / Int(pow(Double(factor), Double(required - 1))))
        }
        let possible = 1 + floorLog(max(samples / max(minResources, 1), 1))
        var out: [(Int, Int)] = []
        var n = candidates
        for round in 0..<min(possible, required) {
            let resources = min(Int(pow(Double(factor), Double(round))) * minResources, samples)
            out.append((resources, n))
            n = (n + factor - 1) / factor
        }
        return out
    }

    /// The training rows of one fold that a round with `resources` rows (of `samples`) uses: scikit-learn's
    /// `int(resources / samples · len(fold rows))` of them, drawn without replacement with the given seed, in row order.
    public static func rows(_ trainingRows: [Int], resources: Int, samples: Int, seed: UInt64) -> [Int] {
        guard resources < samples else { return trainingRows }
        let count = Int(Double(resources) / Double(samples) * Double(trainingRows.count))
        var rng = SplitMix64(seed: seed)
        var shuffled = trainingRows
        shuffled.seededShuffle(using: &rng)
        return shuffled.prefix(count).sorted()
    }
}

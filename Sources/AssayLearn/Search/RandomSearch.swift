import AssayCore

/// scikit-learn's `RandomizedSearchCV` candidates (its `ParameterSampler`): without distributions, `n` distinct
/// grid points drawn without replacement (all of them when the grid has no more, in grid order); with any, `n`
/// points drawn independently, each list uniformly and each distribution by its law, keys in sorted order.
/// The draws come from `rng` (the experiment seeds it from the spec's seed and the model's name).
public enum RandomSearch {
    public static func sample<G: RandomNumberGenerator>(fixed: [String: ParamValue], grid: [(name: String, values: [ParamValue])],
                                                        gridPoints: [[String: ParamValue]], distributions: [(name: String, distribution: Distribution)],
                                                        n: Int, using rng: inout G) -> [[String: ParamValue]] {
        if distributions.isEmpty {
            guard gridPoints.count > n else { return gridPoints }
            var order = Array(gridPoints.indices)
            order.seededShuffle(using: &rng)
            return order.prefix(n).sorted().map { gridPoints[$0] }
        }
        var keys: [(String, Source)] = grid.map { ($0.name, .values($0.values)) } + distributions.map { ($0.name, .law($0.distribution)) }
        keys.sort { $0.0 < $1.0 }
        return (0..<n).map { _ in
            var point = fixed
            for (key, source) in keys {
                switch source {
                case .values(let v): point[key] = v[Int.random(in: 0..<v.count, using: &rng)]
                case .law(let d): point[key] = d.draw(using: &rng)
                }
            }
            return point
        }
    }

    enum Source { case values([ParamValue]); case law(Distribution) }
}

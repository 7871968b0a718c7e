import AssayCore
import AssayEngine
import AssayLearn
import AssaySpec

/// Where one model's search ended: per grid point, the fits of the last round it was scored in.
struct ModelSearch {
    let model: ModelSpec
    let strategy: any SearchStrategy
    /// Per point: the round it was last scored in, and that round's fit tasks (one per fold) and their keys.
    var lastRound: [Int]
    var fits: [[FitTask]]
    var keys: [[TaskKey]]
    /// The last round's candidates: the points selection chooses among.
    var finalists: [Int] = []

    init(model: ModelSpec, strategy: any SearchStrategy) {
        self.model = model
        self.strategy = strategy
        lastRound = [Int](repeating: 0, count: model.points.count)
        fits = [[FitTask]](repeating: [], count: model.points.count)
        keys = [[TaskKey]](repeating: [], count: model.points.count)
    }
}

extension RunSession {
    /// Stage 2: every model's search. Each round of every model's strategy (grid, random or successive halving) is
    /// planned as one fit per (candidate, fold); the rounds of all models run together, then each strategy reads its
    /// round's scores and proposes its next round, until none has one.
    ///
    /// With `shard`, only the fits whose position in plan order (counted over all rounds) the shard owns are run; the
    /// others must be in the cache for the search to go on to its next round, else it stops there and reports how far
    /// it got. With `assemble`, no fit is run: one missing from the cache fails the run, naming every missing fit.
    mutating func search(_ data: PreparedData, shard: (Shard, (ShardProgress) -> Void)? = nil, assemble: Bool = false,
                         shardCount: Int? = nil) throws -> [ModelSearch] {
        let samples = data.split.train.count, folds = data.split.folds.count
        var searches = spec.models.map { m -> ModelSearch in
            let strategy: any SearchStrategy = m.halving.map { HalvingSearch(samples: samples, candidates: m.points.count, folds: folds, settings: $0) }
                ?? ExhaustiveSearch(candidates: m.points.count)
            return ModelSearch(model: m, strategy: strategy)
        }
        var rounds: [SearchRound?] = searches.map { $0.strategy.firstRound() }
        var position = 0, progress = ShardProgress()
        while rounds.contains(where: { $0 != nil }) {
            var wanted: [TaskKey] = []
            for (i, round) in rounds.enumerated() {
                guard let round else { continue }
                for p in round.candidates {
                    plan(&searches[i], point: p, round: round, folds: folds, data: data)
                    wanted += searches[i].keys[p]
                }
            }
            let first = position
            position += wanted.count
            let (known, executor, graph) = (results, self.executor, planner.graph)
            let stored = { (key: TaskKey) in known[key] != nil || executor.cached(key, in: graph) != nil }
            if let (shard, report) = shard {
                let mine = wanted.indices.filter { shard.owns(first + $0) }.map { wanted[$0] }
                progress.ownFits += mine.count
                progress.ownFitsCached += mine.filter(stored).count
                try execute(mine)
                let others = Set(mine).symmetricDifference(wanted).filter { !stored($0) }
                if !others.isEmpty {
                    // A halving race's next round needs every shard's scores of this one; a grid has no next round.
                    if rounds.indices.contains(where: { rounds[$0] != nil && searches[$0].model.halving != nil }) { progress.waitingFor = others.count }
                    report(progress)
                    return searches
                }
                progress.rounds += 1
            } else if assemble {
                let missing = wanted.indices.filter { !stored(wanted[$0]) }
                if !missing.isEmpty {
                    throw AssayError.missingFits(count: missing.count, lines: missing.map { k in
                        "\(planner.graph.tasks[wanted[k]]?.label ?? wanted[k].description) — "
                            + (shardCount.map { "shard \((first + k) % $0 + 1)/\($0) runs it (plan position \(first + k))" }
                               ?? "plan position \(first + k): with --shard i/N, shard (\(first + k) mod N) + 1 runs it")
                    })
                }
            }
            try execute(wanted)
            for (i, round) in rounds.enumerated() {
                guard let round else { continue }
                let m = searches[i].model, keys = searches[i].keys
                rounds[i] = try searches[i].strategy.round(after: round, metric: spec.select) { p in
                    try Evaluate.pointReport(spec, m, m.points[p], try keys[p].map { try value($0, as: Predictions.self) },
                                             profitValues: data.profitValues).cv[spec.select]!.mean
                }
                if rounds[i] == nil { searches[i].finalists = round.candidates }
            }
        }
        shard?.1(progress)
        return searches
    }

    /// Plans point `p`'s fits of `round`, one per fold, and records them as the point's last round.
    private mutating func plan(_ search: inout ModelSearch, point p: Int, round: SearchRound, folds: Int, data: PreparedData) {
        let m = search.model, point = m.points[p]
        let variant = Preprocessing(m.steps(for: point, default: spec.preprocess))
        search.fits[p] = (0..<folds).map { planner.fitTask(m, point, fold: $0, variant: variant, resources: round.resources) }
        search.keys[p] = (0..<folds).map {
            planner.fit(m, point, fold: $0, variant: variant, load: data.load, split: data.splitKey, resources: round.resources)
        }
        search.lastRound[p] = round.number
    }
}

extension Spec {
    /// The spec with every random search's points drawn (`RandomSearch`, seeded by the spec's seed and the model's
    /// name) and checked as validation checks a grid: each drawn value against its parameter's rule, at the
    /// distribution in the spec, and each point against the model's rule for points.
    public func drawingRandomPoints(catalog: ModelCatalog) throws -> Spec {
        var spec = self
        for (i, m) in spec.models.enumerated() {
            guard let n = m.randomIterations, let type = catalog.type(named: m.type) else { continue }
            let ctx = "model '\(m.name)'"
            var rng = SplitMix64(seed: Seeds.derive(seed, "random search \(m.name)"))
            let points = RandomSearch.sample(fixed: m.params, grid: m.grid, gridPoints: m.gridPoints,
                                             distributions: m.distributions.map { ($0.name, $0.distribution) }, n: n, using: &rng)
            for point in points {
                for d in m.distributions.sorted(by: { $0.name < $1.name }) {
                    if let v = point[d.name], let problem = type.parameter(d.name)?.check(v) {
                        throw SpecError(at: d.at, "\(ctx): \(d.name) \(problem) (a value this distribution can draw)")
                    }
                }
                if let problem = type.checkPoint(m.modelParams(point)) { throw SpecError(at: m.location, "\(ctx): \(problem)") }
            }
            spec.models[i].sampledPoints = points
        }
        return spec
    }
}

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
    mutating func search(_ data: PreparedData) throws -> [ModelSearch] {
        let samples = data.split.train.count, folds = data.split.folds.count
        var searches = spec.models.map { m -> ModelSearch in
            let strategy: any SearchStrategy = m.halving.map { HalvingSearch(samples: samples, candidates: m.points.count, folds: folds, settings: $0) }
                ?? ExhaustiveSearch(candidates: m.points.count)
            return ModelSearch(model: m, strategy: strategy)
        }
        var rounds: [SearchRound?] = searches.map { $0.strategy.firstRound() }
        while rounds.contains(where: { $0 != nil }) {
            var wanted: [TaskKey] = []
            for (i, round) in rounds.enumerated() {
                guard let round else { continue }
                for p in round.candidates {
                    plan(&searches[i], point: p, round: round, folds: folds, data: data)
                    wanted += searches[i].keys[p]
                }
            }
            try execute(wanted)
            for (i, round) in rounds.enumerated() {
                guard let round else { continue }
                let m = searches[i].model, keys = searches[i].keys
                rounds[i] = try searches[i].strategy.round(after: round, metric: spec.select) { p in
                    try Evaluate.pointReport(spec, m, m.points[p], try keys[p].map { try value($0, as: Predictions.self) }).cv[spec.select]!.mean
                }
                if rounds[i] == nil { searches[i].finalists = round.candidates }
            }
        }
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

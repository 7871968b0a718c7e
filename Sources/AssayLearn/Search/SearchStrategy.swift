import AssayCore

/// One round of a search: the candidates (indices of a model's grid points) to fit on every fold, on `resources`
/// training rows (nil: all of them).
public struct SearchRound: Sendable, Equatable {
    public let number: Int
    public let candidates: [Int]
    public let resources: Int?

    public init(number: Int, candidates: [Int], resources: Int?) {
        self.number = number
        self.candidates = candidates
        self.resources = resources
    }
}

/// How a model's grid points are searched: the rounds of fits to run, and which candidates go on after each.
/// Grid and random search (whose points the spec drew) are one round of every point; successive halving races
/// the points over growing shares of the training rows.
public protocol SearchStrategy: Sendable {
    func firstRound() -> SearchRound
    /// The round after `round`, or nil when the search is over (its last round's candidates are the finalists the
    /// selection chooses among). `score` gives a candidate's mean CV score in `round`; it is asked only when needed.
    func round(after round: SearchRound, metric: Metric, score: (Int) throws -> Double) rethrows -> SearchRound?
    /// A note for a point last scored in round `round`: nil when there is nothing to say.
    func note(lastRound round: Int, finalist: Bool) -> String?
}

/// Every candidate once, on all training rows (scikit-learn's `GridSearchCV` and `RandomizedSearchCV`).
public struct ExhaustiveSearch: SearchStrategy {
    public let candidates: Int

    public init(candidates: Int) { self.candidates = candidates }

    public func firstRound() -> SearchRound { SearchRound(number: 0, candidates: Array(0..<candidates), resources: nil) }
    public func round(after round: SearchRound, metric: Metric, score: (Int) throws -> Double) rethrows -> SearchRound? { nil }
    public func note(lastRound round: Int, finalist: Bool) -> String? { nil }
}

/// scikit-learn's `HalvingGridSearchCV` race (`resource="n_samples"`): each round scores its candidates on the
/// schedule's share of the training rows, and the best `ceil(n / factor)` by mean CV score go on (a NaN score is
/// worst; ties keep the earlier point).
public struct HalvingSearch: SearchStrategy {
    public let samples: Int
    public let factor: Int
    public let schedule: [(resources: Int, candidates: Int)]
    let candidates: Int

    public init(samples: Int, candidates: Int, folds: Int, settings: HalvingSettings) {
        self.samples = samples
        self.candidates = candidates
        factor = settings.factor
        schedule = SuccessiveHalving.schedule(samples: samples, candidates: candidates, folds: folds, settings: settings)
    }

    /// A round's rows, nil when it uses all of them.
    func resources(_ round: Int) -> Int? {
        let r = round < schedule.count ? schedule[round].resources : samples
        return r < samples ? r : nil
    }

    public func firstRound() -> SearchRound { SearchRound(number: 0, candidates: Array(0..<candidates), resources: resources(0)) }

    public func round(after round: SearchRound, metric: Metric, score: (Int) throws -> Double) rethrows -> SearchRound? {
        let next = round.number + 1
        guard next < schedule.count else { return nil }
        let alive = round.candidates
        let scores = try alive.map(score)
        let ranked = alive.indices.sorted { a, b in
            metric.isBetter(scores[a], than: scores[b]) || (!metric.isBetter(scores[b], than: scores[a]) && alive[a] < alive[b])
        }
        let kept = ranked.prefix((alive.count + factor - 1) / factor).map { alive[$0] }.sorted()
        return SearchRound(number: next, candidates: kept, resources: resources(next))
    }

    public func note(lastRound round: Int, finalist: Bool) -> String? {
        "successive halving: scored in round \(round + 1) of \(schedule.count) on \(schedule[round].resources) of \(samples) training rows"
            + (finalist ? "" : ", then dropped")
    }
}

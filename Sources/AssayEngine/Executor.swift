import Foundation

/// Observes execution; called from worker threads.
public protocol ExecutionObserver: Sendable {
    func started(_ task: TaskNode, done: Int, total: Int)
    func finished(_ task: TaskNode, done: Int, total: Int)
}

/// What one execution did.
public struct ExecutionStats: Sendable, Equatable {
    public var tasks = 0
    public var executed = 0
    public var cached = 0
    public var executedByKind: [String: Int] = [:]
    /// Seconds the executed tasks of each kind took, summed over the workers (a measurement, not a result).
    public var secondsByKind: [String: Double] = [:]

    public init() {}

    public static func + (a: ExecutionStats, b: ExecutionStats) -> ExecutionStats {
        var s = a
        s.tasks += b.tasks; s.executed += b.executed; s.cached += b.cached
        s.executedByKind.merge(b.executedByKind, uniquingKeysWith: +)
        s.secondsByKind.merge(b.secondsByKind, uniquingKeysWith: +)
        return s
    }
}

/// Runs the tasks a set of wanted results needs, in parallel, skipping what the store already holds.
///
/// Demand-driven: a wanted result found in the store is read, not recomputed, and its inputs are not
/// touched. Missing results are computed once their inputs are available, by up to `jobs` threads.
/// Results do not depend on scheduling: every task is a pure function of its inputs.
public final class Executor: @unchecked Sendable {
    let store: ContentStore
    let jobs: Int
    let observer: ExecutionObserver?
    let warn: @Sendable (String) -> Void

    public init(store: ContentStore, jobs: Int, observer: ExecutionObserver? = nil, warn: @escaping @Sendable (String) -> Void = { _ in }) {
        self.store = store
        self.jobs = max(1, jobs)
        self.observer = observer
        self.warn = warn
    }

    /// The stored result of `key` when the store holds one that reads as that task's result, else nil; runs nothing.
    public func cached(_ key: TaskKey, in graph: TaskGraph) -> Data? {
        guard let task = graph.tasks[key], let data = store.get(key), task.readable(data) else { return nil }
        return data
    }

    /// Returns the results of `wanted`, computing what is needed; `known` holds results already at hand.
    /// `stats` counts the graph's tasks.
    public func run(_ graph: TaskGraph, want wanted: [TaskKey], known: [TaskKey: Data] = [:]) throws -> (results: [TaskKey: Data], stats: ExecutionStats) {
        var have = known
        var needed: [TaskKey] = []
        var visiting = Set<TaskKey>(), resolved = Set(known.keys)
        func resolve(_ key: TaskKey, from parent: String) throws {
            if resolved.contains(key) { return }
            guard let task = graph.tasks[key] else { throw EngineError.missingInput(task: parent, input: key.description) }
            guard visiting.insert(key).inserted else { throw EngineError.cycle(task.label) }
            let stored = store.get(key)
            if let data = stored, task.readable(data) {
                have[key] = data
            } else {
                if stored != nil { warn("cache entry \(key.description) cannot be read as the result of \(task.label) (written by another build?); recomputing it") }
                for i in task.inputs { try resolve(i, from: task.label) }
                needed.append(key)
            }
            visiting.remove(key)
            resolved.insert(key)
        }
        for k in wanted { try resolve(k, from: "run") }

        var stats = ExecutionStats()
        stats.tasks = graph.count
        stats.executed = needed.count
        stats.cached = graph.count - needed.count
        for k in needed { stats.executedByKind[graph.tasks[k]!.kind, default: 0] += 1 }
        if !needed.isEmpty {
            stats.secondsByKind = try execute(needed.map { graph.tasks[$0]! }, have: &have)
        }
        var out: [TaskKey: Data] = [:]
        for k in wanted { out[k] = have[k] }
        return (out, stats)
    }

    /// Runs `tasks` on the workers; returns the seconds the tasks of each kind took.
    private func execute(_ tasks: [TaskNode], have: inout [TaskKey: Data]) throws -> [String: Double] {
        let state = SchedulerState(tasks: tasks, have: have, jobs: jobs)
        let total = tasks.count
        let workers = min(jobs, total)
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            Thread.detachNewThread { [self] in
                defer { group.leave() }
                Thread.current.threadDictionary[IdleWorkers.key] = IdleWorkers(state: state)
                while let (task, inputs, done) = state.next() {
                    observer?.started(task, done: done, total: total)
                    do {
                        let start = DispatchTime.now().uptimeNanoseconds
                        let result = try task.run(inputs)
                        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                        try store.put(task.key, result)
                        let finished = state.complete(task.key, result, kind: task.kind, seconds: seconds)
                        observer?.finished(task, done: finished, total: total)
                    } catch {
                        state.fail(error)
                    }
                }
            }
        }
        group.wait()
        if let error = state.error { throw error }
        have = state.have
        return state.secondsByKind
    }
}

/// The executor's idle capacity as seen from the task running on this thread: while no other task is ready, the task
/// may borrow the workers that have nothing to run (for independent pieces of its own work, in index order; the run
/// wires this to `Parallel` in AssayCore), and no new task starts until they are given back.
public final class IdleWorkers: @unchecked Sendable {
    static let key = "assay.engine.idle-workers"
    private let state: SchedulerState

    init(state: SchedulerState) { self.state = state }

    /// The idle workers of the executor running the task on this thread; nil outside an executor's worker.
    public static var current: IdleWorkers? { Thread.current.threadDictionary[key] as? IdleWorkers }

    /// Takes up to `count` workers that are idle with no task ready for them; returns how many it took.
    public func borrow(_ count: Int) -> Int { state.borrow(count) }

    /// Returns workers taken by `borrow`.
    public func giveBack(_ count: Int) { state.giveBack(count) }
}

/// The shared queue of the executor's workers; all access under one condition lock.
final class SchedulerState: @unchecked Sendable {
    private let cond = NSCondition()
    private var pending: [TaskNode]
    private var running = 0
    /// Workers lent to running tasks (`IdleWorkers`): counted as busy, so no new task starts on them.
    private var lent = 0
    private let jobs: Int
    private var completed = 0
    private(set) var have: [TaskKey: Data]
    private(set) var error: Error?
    private(set) var secondsByKind: [String: Double] = [:]

    init(tasks: [TaskNode], have: [TaskKey: Data], jobs: Int) {
        self.pending = tasks
        self.have = have
        self.jobs = jobs
    }

    func borrow(_ count: Int) -> Int {
        cond.lock()
        defer { cond.unlock() }
        guard error == nil, !pending.contains(where: { $0.inputs.allSatisfy { have[$0] != nil } }) else { return 0 }
        let taken = max(0, min(count, jobs - running - lent))
        lent += taken
        return taken
    }

    func giveBack(_ count: Int) {
        cond.lock()
        lent -= count
        cond.broadcast()
        cond.unlock()
    }

    /// The next ready task with its inputs, waiting while tasks are running; nil when all is done or failed.
    func next() -> (TaskNode, [Data], Int)? {
        cond.lock()
        defer { cond.unlock() }
        while true {
            if error != nil || pending.isEmpty { return nil }
            if running + lent < jobs, let i = pending.firstIndex(where: { $0.inputs.allSatisfy { have[$0] != nil } }) {
                let task = pending.remove(at: i)
                running += 1
                return (task, task.inputs.map { have[$0]! }, completed)
            }
            if running == 0 { return nil }  // unreachable for a valid graph
            cond.wait()
        }
    }

    func complete(_ key: TaskKey, _ data: Data, kind: String, seconds: Double) -> Int {
        cond.lock()
        have[key] = data
        secondsByKind[kind, default: 0] += seconds
        running -= 1
        completed += 1
        let c = completed
        cond.broadcast()
        cond.unlock()
        return c
    }

    func fail(_ e: Error) {
        cond.lock()
        if error == nil { error = e }
        running -= 1
        cond.broadcast()
        cond.unlock()
    }
}

import Foundation

/// The content address of a task's result: SHA-256 of its operation, parameters, input keys and format version.
public struct TaskKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let hex: String

    public init(hex: String) { self.hex = hex }

    /// The key of `operation` with canonical `parameters` over the results of `inputs`.
    public init(operation: String, parameters: String, inputs: [TaskKey], version: Int) {
        var h = SHA256()
        h.update("assay-task\u{0}\(version)\u{0}\(operation)\u{0}\(parameters)\u{0}")
        for i in inputs { h.update(i.hex); h.update("\u{0}") }
        hex = SHA256.hexString(h.finalize())
    }

    public static func < (a: TaskKey, b: TaskKey) -> Bool { a.hex < b.hex }
    public var description: String { String(hex.prefix(12)) }
}

/// One unit of work: a pure function of its inputs' results.
public struct TaskNode: Sendable {
    public let key: TaskKey
    /// Short human label for progress ("fit logreg C=0.1 fold 3").
    public let label: String
    /// A category for statistics ("fit" tasks are counted in `fits_executed`).
    public let kind: String
    public let inputs: [TaskKey]
    /// Whether stored bytes can be read as this task's result: a cached entry that cannot (written by another
    /// build, say) is recomputed rather than failing every later run.
    public let readable: @Sendable (Data) -> Bool
    public let run: @Sendable ([Data]) throws -> Data

    public init(key: TaskKey, label: String, kind: String, inputs: [TaskKey], readable: @escaping @Sendable (Data) -> Bool = { _ in true },
                run: @escaping @Sendable ([Data]) throws -> Data) {
        self.key = key
        self.label = label
        self.kind = kind
        self.inputs = inputs
        self.readable = readable
        self.run = run
    }
}

/// A set of tasks by key.
public struct TaskGraph: Sendable {
    public private(set) var tasks: [TaskKey: TaskNode] = [:]

    public init() {}

    /// Adds a task; adding the same key twice keeps the first (same key, same work).
    @discardableResult
    public mutating func add(_ task: TaskNode) -> TaskKey {
        if tasks[task.key] == nil { tasks[task.key] = task }
        return task.key
    }

    public var count: Int { tasks.count }
}

import Dispatch
import Foundation

/// Independent pieces of one task's work (a forest's trees, a calibrated model's inner folds) spread over the cores
/// the executor has idle, with results in index order: the same values whether one core or several ran them.
///
/// The executor runs the tasks; while fewer tasks are ready than it has workers, the task on a worker may borrow the
/// idle ones through the `Lender` its run installs on that thread (`lending`). With no lender (a test, `--jobs 1`, all
/// workers busy) `map` runs the pieces in order on the calling thread. Each piece must depend only on its index and
/// on values it does not share mutably (its own generator derived from the task's seed and the index).
public enum Parallel {
    /// Idle capacity: `borrow(n)` takes up to `n` idle workers and says how many it took; `giveBack` returns them.
    public struct Lender: Sendable {
        public let borrow: @Sendable (Int) -> Int
        public let giveBack: @Sendable (Int) -> Void

        public init(borrow: @escaping @Sendable (Int) -> Int, giveBack: @escaping @Sendable (Int) -> Void) {
            self.borrow = borrow
            self.giveBack = giveBack
        }
    }

    private final class Slot: @unchecked Sendable {
        let lender: Lender
        init(_ lender: Lender) { self.lender = lender }
    }

    private static let key = "assay.parallel.lender"

    /// Runs `body` with `lender` installed for `map` calls made on this thread.
    public static func lending<T>(_ lender: Lender?, _ body: () throws -> T) rethrows -> T {
        let dictionary = Thread.current.threadDictionary
        let previous = dictionary[key]
        dictionary[key] = lender.map(Slot.init)
        defer { dictionary[key] = previous }
        return try body()
    }

    /// `[body(0), body(1), …, body(count − 1)]`, the pieces run on this thread and on as many idle workers as the
    /// installed lender gives.
    public static func map<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
        // A body that cannot throw: the throwing form's error path is never taken.
        (try? tryMap(count) { i -> T in body(i) }) ?? []
    }

    /// As `map`, for pieces that may throw: the error of the lowest index that threw is thrown (on one thread the
    /// pieces after it do not run; with lent workers every piece runs first).
    ///
    /// The calling thread runs pieces itself; before each, it asks the lender for idle workers for the pieces no one
    /// has taken yet (a worker freed by another task mid-way joins then), and each helper gives its worker back as
    /// soon as no piece is left for it.
    public static func tryMap<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
        guard count > 1, let lender = (Thread.current.threadDictionary[key] as? Slot)?.lender else { return try (0..<count).map(body) }
        return try withoutActuallyEscaping(body) { body in
            let work = Pieces(count, body), group = DispatchGroup()
            defer { work.results.deinitialize(); work.results.deallocate() }
            while let i = work.take() {
                let waiting = work.untaken
                if waiting > 0 {
                    for _ in 0..<lender.borrow(waiting) {
                        group.enter()
                        DispatchQueue.global().async {
                            while let j = work.take() { work.run(j) }
                            lender.giveBack(1)
                            group.leave()
                        }
                    }
                }
                work.run(i)
            }
            group.wait()
            work.body = nil  // the helpers are done: `body` does not outlive this call
            return try work.results.map { result in
                guard let result else { preconditionFailure("parallel map: a piece did not run") }
                return try result.get()
            }
        }
    }

    /// The pieces of one `tryMap` call, shared by its threads: each takes the next index under the lock and writes
    /// only its own result.
    private final class Pieces<T>: @unchecked Sendable {
        var body: ((Int) throws -> T)?
        let results: UnsafeMutableBufferPointer<Result<T, Error>?>
        private let lock = NSLock()
        private var next = 0

        init(_ count: Int, _ body: @escaping (Int) throws -> T) {
            self.body = body
            results = .allocate(capacity: count)
            results.initialize(repeating: nil)
        }

        /// The next piece no thread has taken, if any.
        func take() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < results.count else { return nil }
            next += 1
            return next - 1
        }

        /// Pieces no thread has taken yet.
        var untaken: Int {
            lock.lock()
            defer { lock.unlock() }
            return results.count - next
        }

        func run(_ i: Int) {
            guard let body else { preconditionFailure("parallel map: a piece ran after the call returned") }
            results[i] = Result { try body(i) }
        }
    }
}

import AssayCore
import Foundation

/// A `Parallel.Lender` with `capacity` workers, counting what is lent: stands in for the executor's idle workers.
public final class LendingPool: @unchecked Sendable {
    private let lock = NSLock()
    public private(set) var free: Int, borrowed = 0, calls = 0

    public init(_ capacity: Int) { free = capacity }

    public var lender: Parallel.Lender {
        Parallel.Lender(borrow: { n in
            self.lock.lock(); defer { self.lock.unlock() }
            let k = min(n, self.free)
            self.free -= k; self.borrowed += k; self.calls += 1
            return k
        }, giveBack: { n in
            self.lock.lock(); defer { self.lock.unlock() }
            self.free += n; self.borrowed -= n
        })
    }
}

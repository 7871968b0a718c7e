import AssayCore
import Foundation
import TestSupport
import XCTest

final class ParallelTests: XCTestCase {
    func testResultsAreInIndexOrderWithOrWithoutWorkers() throws {
        let body = { (i: Int) -> [Double] in (0..<(1 + i % 7) * 1000).map { Double($0 * i).squareRoot() } }
        let alone = Parallel.map(40, body)
        let pool = LendingPool(3)
        let lent = Parallel.lending(pool.lender) { Parallel.map(40, body) }
        XCTAssertEqual(lent, alone)
        XCTAssertEqual(lent, (0..<40).map(body))
        XCTAssertGreaterThan(pool.calls, 0)
        XCTAssertEqual(pool.borrowed, 0, "every worker given back")
        XCTAssertEqual(pool.free, 3)
        let calls = pool.calls
        XCTAssertEqual(Parallel.lending(pool.lender) { Parallel.map(1) { $0 + 5 } }, [5], "one piece borrows nothing")
        XCTAssertEqual(pool.calls, calls)
    }

    func testTheLowestFailingIndexIsThrownAfterEveryPieceRan() {
        struct Failed: Error, Equatable { let index: Int }
        final class Ran: @unchecked Sendable { let lock = NSLock(); var indices = Set<Int>() }
        let ran = Ran(), pool = LendingPool(2)
        XCTAssertThrowsError(try Parallel.lending(pool.lender) {
            try Parallel.tryMap(20) { i -> Int in
                ran.lock.lock(); ran.indices.insert(i); ran.lock.unlock()
                if i == 13 || i == 6 { throw Failed(index: i) }
                return i
            }
        }) { XCTAssertEqual($0 as? Failed, Failed(index: 6)) }
        XCTAssertEqual(ran.indices, Set(0..<20))
        XCTAssertEqual(pool.free, 2)
    }
}

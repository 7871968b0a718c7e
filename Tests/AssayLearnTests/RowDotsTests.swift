import AssayCore
@testable import AssayLearn
import XCTest

/// `RowDots` sums each row in column order, as the plain loop it replaced: bit for bit, whatever the row count.
final class RowDotsTests: XCTestCase {
    func testEqualsThePlainLoopBitForBit() {
        var rng = SplitMix64(seed: 3)
        func u() -> Double { (Double(rng.next() >> 11) / Double(1 << 53) - 0.5) * pow(10, Double(rng.next() % 9) - 4) }
        for (n, p) in [(1, 1), (3, 7), (4, 5), (9, 33), (10, 0)] {
            let x = (0..<(n * p)).map { _ in u() }, w = (0..<p).map { _ in u() }, start = u()
            let plain = (0..<n).map { i -> Double in
                var s = start
                for j in 0..<p { s += x[i * p + j] * w[j] }
                return s
            }
            XCTAssertEqual(RowDots.compute(x, rows: n, cols: p, w, start: start).map(\.bitPattern), plain.map(\.bitPattern), "\(n) × \(p)")
        }
    }
}

@testable import AssayCore
@testable import AssayLearn
import XCTest

/// Successive halving's schedule against HalvingGridSearchCV's `n_resources_` and `n_candidates_`
/// (`Fixtures/halving_reference.py`).
final class HalvingScheduleTests: XCTestCase {
    func testScheduleMatchesHalvingGridSearchCV() {
        let cases: [(Int, Int, Int, HalvingSettings, [Int], [Int])] = [
            (1000, 12, 5, HalvingSettings(factor: 3, minResources: .exhaust), [111, 333, 999], [12, 4, 2]),
            (1000, 12, 5, HalvingSettings(factor: 3, minResources: .smallest), [20, 60, 180], [12, 4, 2]),
            (5000, 30, 5, HalvingSettings(factor: 2, minResources: .exhaust), [312, 624, 1248, 2496, 4992], [30, 15, 8, 4, 2]),
            (400, 9, 3, HalvingSettings(factor: 3, minResources: .exhaust), [44, 132, 396], [9, 3, 1]),
            (10000, 8, 5, HalvingSettings(factor: 3, minResources: .count(200)), [200, 600], [8, 3]),
            (300, 50, 5, HalvingSettings(factor: 3, minResources: .exhaust), [20, 60, 180], [50, 17, 6]),
        ]
        for (n, candidates, folds, settings, resources, kept) in cases {
            let s = SuccessiveHalving.schedule(samples: n, candidates: candidates, folds: folds, settings: settings)
            XCTAssertEqual(s.map(\.resources), resources, "\(n) rows, \(candidates) candidates")
            XCTAssertEqual(s.map(\.candidates), kept, "\(n) rows, \(candidates) candidates")
        }
    }

    func testRoundRowsAreASeededShareOfTheFold() {
        let rows = Array(0..<100).map { $0 * 2 }
        let some = SuccessiveHalving.rows(rows, resources: 300, samples: 1000, seed: 4)
        XCTAssertEqual(some.count, 30)
        XCTAssertEqual(some, some.sorted())
        XCTAssertTrue(Set(some).isSubset(of: Set(rows)))
        XCTAssertEqual(some, SuccessiveHalving.rows(rows, resources: 300, samples: 1000, seed: 4))
        XCTAssertEqual(SuccessiveHalving.rows(rows, resources: 1000, samples: 1000, seed: 4), rows)
    }
}

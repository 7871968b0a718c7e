import AssayCore
import Foundation
import XCTest
@testable import AssayLearn

/// Partial dependence against scikit-learn's `partial_dependence(method="brute")` on a logistic regression
/// (Fixtures/partial_dependence.json, written by partial_dependence_reference.py): the same grids (distinct values,
/// or 100 points between mquantiles' 5th and 95th percentiles) and the same averaged probabilities.
final class PartialDependenceTests: XCTestCase {
    struct Feature: Decodable { let grid: [Double]; let average: [Double] }
    struct Fixture: Decodable { let x: [[Double]]; let coefficients: [Double]; let intercept: Double; let features: [Feature] }

    func testGridsAndAveragesEqualScikitLearns() throws {
        let url = Bundle.module.url(forResource: "partial_dependence", withExtension: "json", subdirectory: "Fixtures")!
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let names = ["a", "b", "c"]
        let table = Table(columns: names.indices.map { j in Column(name: names[j], values: .numeric(f.x.map { $0[j] })) }, rowCount: f.x.count)
        func probabilities(_ t: Table, _ rows: [Int]) -> [Double] {
            rows.map { r in
                var z = f.intercept
                for (j, c) in t.columns.enumerated() { if case .numeric(let v) = c.values { z += f.coefficients[j] * v[r] } }
                return 1 / (1 + exp(-z))
            }
        }
        for (j, feature) in f.features.enumerated() {
            let grid = PartialDependence.grid(f.x.map { $0[j] })
            XCTAssertEqual(grid.count, feature.grid.count, names[j])
            for (a, b) in zip(grid, feature.grid) { XCTAssertEqual(a, b, accuracy: 1e-12, names[j]) }
            let average = PartialDependence.average(table, rows: Array(0..<f.x.count), column: names[j], grid: grid, predict: probabilities)
            for (a, b) in zip(average, feature.average) { XCTAssertEqual(a, b, accuracy: 1e-12, names[j]) }
        }
    }
}

@testable import Assay
import AssayCore
import AssayLearn
import AssaySpec
import TestSupport
import XCTest

/// Random search draws its points when the experiment is validated, seeded by the spec's seed and the model's name.
final class SearchTests: XCTestCase {
    let base = SpecFixtures.minimal

    func parse(_ text: String) throws -> Spec {
        let catalog = ModelRegistry.standard.catalog
        return try SpecLoader.parse(text, file: "exp/s.yaml", catalog: catalog).drawingRandomPoints(catalog: catalog)
    }

    func error(_ text: String) -> String {
        do { _ = try parse(text); return "no error" } catch { return "\(error)" }
    }

    func testRandomSearchDrawsDeterministicPoints() throws {
        let gridOnly = base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "search: {method: random, n_iter: 3}\n    grid: {C: [0.01, 0.1, 1, 10], class_weight: [null, balanced]}")
        let a = try parse(gridOnly).models[0], b = try parse(gridOnly).models[0]
        XCTAssertEqual(a.points, b.points, "the same seed draws the same points")
        XCTAssertEqual(a.points.count, 3)
        XCTAssertEqual(Set(a.points.map { $0.description }).count, 3, "grid points are drawn without replacement")
        XCTAssertTrue(a.points.allSatisfy { p in a.gridPoints.contains(p) })
        XCTAssertNotEqual(try parse(gridOnly.replacingOccurrences(of: "assay: 1", with: "assay: 1\nseed: 9")).models[0].points, a.points)
        let small = base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "search: {method: random, n_iter: 10}\n    grid: {C: [0.1, 1]}")
        XCTAssertEqual(try parse(small).models[0].points.count, 2, "a grid smaller than n_iter is tried whole")
        let laws = base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "search: {method: random, n_iter: 50}\n    grid: {C: {loguniform: [0.001, 100]}, max_iter: {randint: [50, 60]}, class_weight: [null, balanced]}")
        let m = try parse(laws).models[0]
        XCTAssertEqual(m.points.count, 50)
        XCTAssertEqual(m.gridNames, ["C", "class_weight", "max_iter"])
        for p in m.points {
            guard case .double(let c) = p["C"]!, case .int(let it) = p["max_iter"]! else { return XCTFail("\(p)") }
            XCTAssertTrue(c >= 0.001 && c < 100)
            XCTAssertTrue((50..<60).contains(it))
        }
        XCTAssertGreaterThan(m.points.filter { if case .double(let c) = $0["C"]!, c < 0.1 { return true }; return false }.count, 10,
                             "log-uniform: half the draws below the geometric midpoint 0.316 — and a fair share below 0.1")
        let negative = laws.replacingOccurrences(of: "loguniform: [0.001, 100]", with: "uniform: [-1, 1]")
        XCTAssertTrue(error(negative).hasPrefix("exp/s.yaml:9:15: model 'lr': C must be greater than 0, got -"), error(negative))
        XCTAssertTrue(error(negative).hasSuffix(" (a value this distribution can draw)"), error(negative))
    }

    func testRandomPointsAreCheckedTogether() {
        let text = base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "search: {method: random, n_iter: 2}\n    grid: {l1_ratio: {uniform: [0, 1]}}")
        XCTAssertEqual(error(text), "exp/s.yaml:6:3: model 'lr': l1_ratio only applies to penalty: elasticnet (this point has penalty l2)")
        XCTAssertEqual(error(text.replacingOccurrences(of: "type: logistic_regression", with: "type: logistic_regression\n    params: {penalty: elasticnet}")), "no error")
    }
}

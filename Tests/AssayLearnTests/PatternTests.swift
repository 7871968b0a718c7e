import AssayCore
import Foundation
import TestSupport
import XCTest
@testable import AssayLearn

/// FP-growth and association rules against hand-counted answers and against mlxtend on the groceries log
/// (Fixtures/groceries_*.csv, written by basket_reference.sh with ../shared/peers/basket_peer.py).
final class PatternTests: XCTestCase {
    /// Five baskets small enough to count by hand.
    let toy: [[Int32]] = [[0, 1, 2], [0, 1], [0, 2], [1, 2], [0, 1, 2, 3]]

    func testItemsetsAndCountsOfASmallLogByHand() throws {
        let found = try FPGrowth.mine(toy, itemCount: 4, minCount: 2)
        let byItems = Dictionary(uniqueKeysWithValues: found.map { ($0.items, $0.count) })
        XCTAssertEqual(byItems, [[0]: 4, [1]: 4, [2]: 4, [0, 1]: 3, [0, 2]: 3, [1, 2]: 3, [0, 1, 2]: 2])
        // Ordered by length, then count descending, then items.
        XCTAssertEqual(found.map(\.items), [[0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]])
        XCTAssertEqual(try FPGrowth.mine(toy, itemCount: 4, minCount: 2, maxLength: 2).count, 6)
        XCTAssertEqual(try FPGrowth.mine(toy, itemCount: 4, minCount: 1).count, 15, "every non-empty subset of {0,1,2,3} that some basket holds")
        XCTAssertTrue(try FPGrowth.mine(toy, itemCount: 4, minCount: 6).isEmpty)
    }

    func testRuleMetricsFromCounts() throws {
        let found = try FPGrowth.mine(toy, itemCount: 4, minCount: 2)
        let rules = AssociationRules.rules(found, baskets: 5, minConfidence: 0.7)
        // {0,1} → {2}: n(A) = 3, n(C) = 4, n(AC) = 2: confidence 2/3 < 0.7, left out; {0} → {1}: 3/4 kept.
        XCTAssertFalse(rules.contains { $0.antecedent == [0, 1] && $0.consequent == [2] })
        let r = try XCTUnwrap(rules.first { $0.antecedent == [0] && $0.consequent == [1] })
        XCTAssertEqual(r.support, 0.6)
        XCTAssertEqual(r.confidence, 0.75)
        XCTAssertEqual(r.lift, 0.75 / 0.8, accuracy: 1e-15)
        XCTAssertEqual(r.leverage, 0.6 - 0.8 * 0.8, accuracy: 1e-15)
        XCTAssertEqual(r.conviction, (1 - 0.8) / (1 - 0.75), accuracy: 1e-15)
        let sure = AssociationRule(antecedent: [3], consequent: [0], antecedentCount: 1, consequentCount: 4, count: 1, baskets: 5)
        XCTAssertEqual(sure.conviction, .infinity)
        XCTAssertEqual(rules.count, 6, "each ordered pair of {0,1,2}: confidence 3/4")
    }

    func testTooManyItemsetsAreRefusedWithTheCount() {
        // 16 items in every basket: 65,535 itemsets at any threshold.
        let full = [[Int32]](repeating: Array(0..<16), count: 3)
        XCTAssertThrowsError(try FPGrowth.mine(full, itemCount: 16, minCount: 1, limit: 1000)) { error in
            XCTAssertEqual(error as? FPGrowth.TooManyItemsets, FPGrowth.TooManyItemsets(limit: 1000))
        }
        XCTAssertEqual(try FPGrowth.mine(full, itemCount: 16, minCount: 1, maxLength: 1, limit: 1000).count, 16)
    }

    /// The groceries log's baskets (one member on one day), read as the peer reads it: text exactly as written.
    func groceries() throws -> (baskets: [[Int32]], items: [String]) {
        let text = try String(contentsOf: TestPaths.sharedData().appendingPathComponent("groceries_dataset.csv"), encoding: .utf8)
        var itemCode: [String: Int32] = [:], items: [String] = [], basketIndex: [String: Int] = [:], baskets: [Set<Int32>] = []
        for line in text.split(separator: "\r\n").dropFirst() {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let item = f[2]
            let code = itemCode[item] ?? { let c = Int32(items.count); itemCode[item] = c; items.append(item); return c }()
            let key = f[0] + "\u{1f}" + f[1]
            if let b = basketIndex[key] { baskets[b].insert(code) } else { basketIndex[key] = baskets.count; baskets.append([code]) }
        }
        return (baskets.map { $0.sorted() }, items)
    }

    func testGroceriesItemsetsEqualMlxtend() throws {
        let (baskets, items) = try groceries()
        XCTAssertEqual(baskets.count, 14963)
        let minCount = FPGrowth.minimumCount(minSupport: 0.001, baskets: baskets.count)
        XCTAssertEqual(minCount, 15)
        let found = try FPGrowth.mine(baskets, itemCount: items.count, minCount: minCount)
        let ours = Set(found.map { s in s.items.map { items[Int($0)] }.sorted().joined(separator: " | ") + "=\(s.count)" })
        let url = Bundle.module.url(forResource: "groceries_itemsets", withExtension: "csv", subdirectory: "Fixtures")!
        let theirs = Set(try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { line -> String in
            let f = line.split(separator: ",", omittingEmptySubsequences: false)
            let count = Int((Double(f[0])! * 14963).rounded())
            return f[1].components(separatedBy: " | ").sorted().joined(separator: " | ") + "=\(count)"
        })
        XCTAssertEqual(theirs.count, 750)
        XCTAssertEqual(ours, theirs)
    }

    func testGroceriesRulesEqualMlxtendInTheDocumentedOrder() throws {
        let (baskets, items) = try groceries()
        let found = try FPGrowth.mine(baskets, itemCount: items.count, minCount: 15)
        var rules = AssociationRules.rules(found, baskets: baskets.count, minConfidence: 0.1)
        AssociationRules.sort(&rules, names: items)
        func names(_ s: [Int32]) -> String { s.map { items[Int($0)] }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: " | ") }
        func r8(_ x: Double) -> String { x.isFinite ? "\((x * 1e8).rounded() / 1e8)" : "" }
        let ours = rules.map { r in
            [names(r.antecedent), names(r.consequent), "\(r.count)", r8(r.antecedentSupport), r8(r.consequentSupport), r8(r.support),
             r8(r.confidence), r8(r.lift), r8(r.leverage), r8(r.conviction)].joined(separator: ",")
        }
        let url = Bundle.module.url(forResource: "groceries_rules", withExtension: "csv", subdirectory: "Fixtures")!
        let theirs = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").dropFirst().map { line -> String in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return ([f[0], f[1], f[2]] + f[3...].map { $0.isEmpty ? "" : "\(Double($0)!)" }).joined(separator: ",")
        }
        XCTAssertEqual(theirs.count, 131)
        XCTAssertEqual(ours, theirs, "same rules, same metrics to 8 decimals, same order")
    }
}

@testable import Assay
import AssayCore
import AssayLearn
import AssayReport
import AssaySpec
import Foundation
import TestSupport
import XCTest

/// `task: segment` and `task: associate`, end to end through `run`, `validate` and `check`, with the bad inputs the
/// issue names: empty logs, one-item logs, thresholds that find nothing or too much, k above the distinct rows.
final class SegmentsAndBasketsTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws { dir = try TestPaths.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func write(_ name: String, _ text: String) throws { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }

    func run(_ spec: String, jobs: Int = 2, out: String = "runs") throws -> RunOutcome {
        try Experiment.run(specPath: dir.appendingPathComponent(spec).path,
                           options: RunOptions(jobs: jobs, outputRoot: dir.appendingPathComponent(out).path, cacheDirectory: dir.appendingPathComponent("cache").path,
                                               modelsDirectory: dir.appendingPathComponent("models").path))
    }

    func message(_ body: () throws -> Any) -> String {
        do { _ = try body(); return "no error" } catch { return "\(error)" }
    }

    /// A shop's log: bread and butter go together, beer stands alone; one line without an item.
    let shopLog = """
        order,customer,day,item
        1,a,2024-01-01,bread
        1,a,2024-01-01,butter
        1,a,2024-01-01,bread
        2,b,2024-01-01,bread
        2,b,2024-01-01,butter
        3,c,2024-01-02,beer
        4,a,2024-01-03,bread
        4,a,2024-01-03,butter
        4,a,2024-01-03,beer
        5,d,2024-01-04,butter
        6,d,2024-01-05,
        """

    func basketSpec(_ settings: String, order: Bool = true) -> String {
        """
        assay: 1
        name: shop
        task: associate
        data:
          events: {path: shop.csv, customer: customer, time: day, item: item\(order ? ", order: order" : "")}
        associate: \(settings)
        checks:
          baskets.rules: {min: 1}
        """
    }

    func testBasketsItemsetsAndRulesOfASmallLogByHand() throws {
        try write("shop.csv", shopLog)
        try write("b.yaml", basketSpec("{min_support: 0.4, min_confidence: 0.6}"))
        let outcome = try run("b.yaml")
        let r = try XCTUnwrap(outcome.baskets)
        // Orders 1–5 are baskets (order 6 has no item): {bread, butter} ×3 (1, 2, 4), {beer} (3), {butter} (5).
        XCTAssertEqual(r.baskets, 5)
        XCTAssertEqual(r.minCount, 2, "ceil(0.4 × 5)")
        XCTAssertEqual(r.itemsetsByLength, [3, 1], "bread 3, butter 4, beer 2; {bread, butter} 3")
        XCTAssertEqual(r.rules.map { "\($0.antecedent) -> \($0.consequent)" }, ["[\"bread\"] -> [\"butter\"]", "[\"butter\"] -> [\"bread\"]"],
                       "same lift 1.25: confidence 1 before 0.75")
        XCTAssertEqual(r.rules[0].confidence, 1)
        XCTAssertEqual(r.rules[0].lift, 1.25)
        XCTAssertEqual(r.rules[0].conviction, .infinity)
        let markdown = try String(contentsOf: dir.appendingPathComponent("runs/shop/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("1 row without an order or an item left out of the baskets"), markdown)
        XCTAssertTrue(markdown.contains("| 1 | `bread` | `butter` | 3 | 0.6000 | 1.0000 | 1.2500 | 0.1200 | ∞ |"), markdown)
        let metrics = try MetricsDocument(Array(Data(contentsOf: dir.appendingPathComponent("runs/shop/metrics.json"))), file: "metrics.json")
        XCTAssertEqual(try metrics.value(MetricPath("baskets.rules")!), 2)
        XCTAssertEqual(try metrics.value(MetricPath("baskets.itemsets")!), 4)
        XCTAssertEqual(try Gate.check(specPath: dir.appendingPathComponent("b.yaml").path, outputRoot: dir.appendingPathComponent("runs").path).failed.count, 0)

        // Without an order column a basket is one customer on one day: a's two days are two baskets, b and d one each.
        try write("c.yaml", basketSpec("{min_support: 0.4, min_confidence: 0.6}", order: false))
        XCTAssertEqual(try run("c.yaml", out: "by-day").baskets?.baskets, 5)
    }

    func testThresholdsThatFindNothingOrTooMuch() throws {
        try write("shop.csv", shopLog)
        try write("none.yaml", basketSpec("{min_support: 0.9}"))
        let none = try XCTUnwrap(try run("none.yaml").baskets)
        XCTAssertEqual(none.itemsets, 0)
        let markdown = try String(contentsOf: dir.appendingPathComponent("runs/shop/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("No itemset reaches this support: lower min_support to find any."), markdown)
        try write("many.yaml", basketSpec("{min_support: 0.1, max_itemsets: 3}"))
        XCTAssertEqual(message { try self.run("many.yaml") },
                       "\(dir.appendingPathComponent("many.yaml").path):6:26: associate.min_support 0.1 (1 of 5 baskets) gives more than 3 frequent itemsets (mining stopped there); raise min_support or set max_len; associate.max_itemsets raises the limit")
    }

    func testEmptyAndOneItemLogs() throws {
        try write("shop.csv", "order,customer,day,item\n")
        try write("b.yaml", basketSpec("{min_support: 0.5}"))
        XCTAssertEqual(message { try self.run("b.yaml") }, "\(dir.appendingPathComponent("shop.csv").path): the file has no rows")
        try write("shop.csv", "order,customer,day,item\n1,a,2024-01-01,tea\n2,b,2024-01-02,tea\n")
        let one = try XCTUnwrap(try run("b.yaml").baskets)
        XCTAssertEqual(one.itemsets, 1)
        XCTAssertTrue(one.rules.isEmpty)
        let markdown = try String(contentsOf: dir.appendingPathComponent("runs/shop/report.md"), encoding: .utf8)
        XCTAssertTrue(markdown.contains("No rule reaches these thresholds: no itemset of two or more items is frequent."), markdown)
    }

    /// Three well-separated groups of customers; a categorical column one-hot encoded; a value column.
    func segmentTable() -> String {
        var rng = SplitMix64(seed: 9)
        var lines = ["id,spend,visits,region"]
        for i in 0..<90 {
            let g = i % 3
            let spend = [20.0, 200, 900][g] * Double.random(in: 0.95...1.05, using: &rng)
            let visits = [1.0, 5, 12][g] * Double.random(in: 0.9...1.1, using: &rng)
            lines.append("c\(i),\(spend),\(visits),\(["north", "south"][i % 2])")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func segmentSpec(k: String = "[2, 3, 4, 5]", extra: String = "") -> String {
        """
        assay: 1
        name: seg
        task: segment
        seed: 3
        data: {path: t.csv, id: id, drop: [region]}
        preprocess:
          - log1p: {}
          - scale: {method: standard}
        segment:
          k: \(k)
          value: spend
          stability: 3
        \(extra)
        """
    }

    func testSegmentsOfAPlainTableAreFoundNumberedByValueAndTheSameForAnyJobs() throws {
        try write("t.csv", segmentTable())
        try write("s.yaml", segmentSpec(extra: "checks:\n  segmentation.silhouette: {min: 0.8}"))
        let outcome = try run("s.yaml", jobs: 1)
        let r = try XCTUnwrap(outcome.segments)
        XCTAssertEqual(r.chosen, 3, "three groups: the highest silhouette")
        XCTAssertEqual(r.segments.map(\.rows), [30, 30, 30])
        XCTAssertEqual(r.segments.map(\.number), [1, 2, 3])
        XCTAssertGreaterThan(r.segments[0].means[0], 850, "segment 1 spends the most")
        XCTAssertEqual(r.segments[0].valueShare ?? 0, 900.0 / 1120, accuracy: 0.01)
        XCTAssertEqual(r.stability, [1, 1, 1], "well separated: every seed finds the same partition")
        XCTAssertEqual(r.columns, ["spend", "visits"])
        let first = try String(contentsOf: dir.appendingPathComponent("runs/seg/report.md"), encoding: .utf8)
        _ = try run("s.yaml", jobs: 2, out: "again")
        XCTAssertEqual(try String(contentsOf: dir.appendingPathComponent("again/seg/report.md"), encoding: .utf8), first, "--jobs 1 and 2 write the same report")
        XCTAssertEqual(try Gate.check(specPath: dir.appendingPathComponent("s.yaml").path, outputRoot: dir.appendingPathComponent("runs").path).failed.count, 0)
    }

    func testKAboveTheDistinctRowsAndColumnsThatAreNotNumbersAreRefusedAtTheSpec() throws {
        try write("t.csv", "id,spend,visits,region\na,1,1,x\nb,1,1,x\nc,2,2,y\n")
        try write("s.yaml", segmentSpec(k: "[2, 3]"))
        let spec = dir.appendingPathComponent("s.yaml").path
        XCTAssertEqual(message { try self.run("s.yaml") }, "\(spec):10:6: segment.k: k = 3 is more than the 2 distinct rows of the table: at most 2 clusters can be told apart")
        XCTAssertEqual(message { try Experiment.validate(specPath: spec) }, "\(spec):10:6: segment.k: k = 3 is more than the 2 distinct rows of the table: at most 2 clusters can be told apart")
        try write("s.yaml", segmentSpec(k: "[2]").replacingOccurrences(of: "value: spend", with: "value: region"))
        XCTAssertEqual(message { try self.run("s.yaml") },
                       "\(spec):11:10: segment.value: 'region' is not a numeric column of the table (its numeric columns: spend, visits)")
    }

    func testElbowAndRFMScores() {
        func trial(_ k: Int, _ inertia: Double) -> SegmentReport.Trial {
            SegmentReport.Trial(k: k, inertia: inertia, silhouette: 0, calinskiHarabasz: 0, daviesBouldin: 0, iterations: 1)
        }
        // The CDNOW inertias: the elbow is at k = 4.
        let trials = [(2, 28251.0), (3, 19270.4), (4, 15517.5), (5, 12702.4), (6, 10794.0), (7, 9484.0), (8, 8411.8)].map(trial)
        XCTAssertEqual(trials[Experiment.chooseK(trials, .elbow)].k, 4)
        XCTAssertEqual(RFM.scores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])
        XCTAssertEqual(RFM.scores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], largestBest: false), [5, 5, 4, 4, 3, 3, 2, 2, 1, 1])
        XCTAssertEqual(RFM.scores([1, 1, 1, 1, 1, 1, 9, 9, 9, 9]), [2, 2, 2, 2, 2, 2, 5, 5, 5, 5], "ties share their average rank's score")
        XCTAssertEqual(RFM.name(recency: 5, frequency: 5), "champions")
        XCTAssertEqual(RFM.name(recency: 1, frequency: 5), "can't lose them")
        XCTAssertEqual(RFM.name(recency: 2, frequency: 1), "hibernating")
        // The map covers every pair of scores.
        XCTAssertEqual(Set((1...5).flatMap { r in (1...5).map { RFM.name(recency: r, frequency: $0) } }), Set(RFM.names))
    }

    func testRulesModelSuggestsItemsNotInTheBasketWithTheRuleBehindEach() throws {
        try write("shop.csv", shopLog)
        try write("b.yaml", basketSpec("{min_support: 0.2, min_confidence: 0.3}"))
        let outcome = try run("b.yaml")
        let model = try XCTUnwrap(outcome.savedModels["rules"])
        // Order 7 holds bread: butter is suggested (bread → butter, confidence 1); order 8 holds both: nothing to add but beer.
        try write("new.csv", "order,customer,day,item\n7,x,2024-02-01,bread\n8,y,2024-02-01,bread\n8,y,2024-02-01,butter\n9,z,2024-02-01,milk\n")
        let out = dir.appendingPathComponent("recs.csv").path
        let p = try Predict.run(model: model, input: dir.appendingPathComponent("new.csv").path, output: out, id: nil, top: .count(5))
        XCTAssertEqual(p.rowsScored, 3, "three baskets")
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[0], "order,rank,item,confidence,lift,support,because")
        XCTAssertEqual(lines[1], "7,1,butter,1.0,1.25,0.6,bread → butter")
        XCTAssertEqual(lines.dropFirst().filter { $0.hasPrefix("8,") }.map { $0.split(separator: ",")[2] }, ["beer"], "bread and butter are in basket 8 already")
        XCTAssertFalse(lines.contains { $0.hasPrefix("9,") }, "no rule starts from milk")
        XCTAssertEqual(message { try Predict.run(model: model, input: self.dir.appendingPathComponent("new.csv").path, output: out, id: nil, top: .share(10)) },
                       "--top with a rules model is the number of items to suggest per basket, like 3")
    }

    func testSegmentModelAssignsRowsAsTheRunDid() throws {
        try write("t.csv", segmentTable())
        try write("s.yaml", segmentSpec())
        let outcome = try run("s.yaml")
        let model = try XCTUnwrap(outcome.savedModels["segments"])
        let out = dir.appendingPathComponent("assigned.csv").path
        _ = try Predict.run(model: model, input: dir.appendingPathComponent("t.csv").path, output: out, id: nil, top: nil, with: ["region"])
        let lines = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(try String(contentsOfFile: out, encoding: .utf8).prefix(30), "id,region,segment,distance\nc0,")
        var sizes: [String: Int] = [:]
        for l in lines { sizes[l[2], default: 0] += 1 }
        XCTAssertEqual(sizes, ["1": 30, "2": 30, "3": 30])
        // Segment 1 spends the most (900 a row): row c2 is one of those.
        XCTAssertEqual(lines.first { $0[0] == "c2" }?[2], "1")
    }

    /// `assay diff` compares two segmentations' numbers (the chosen k a choice, the scores better or worse), and
    /// `--shard` / `--assemble`, which split a grid of model fits, refuse kinds that have none.
    func testDiffAndShardingOfASegmentation() throws {
        try write("t.csv", segmentTable())
        try write("s.yaml", segmentSpec())
        _ = try run("s.yaml")
        _ = try Experiment.run(specPath: dir.appendingPathComponent("s.yaml").path, overrides: ["segment.k=[2]"],
                               options: RunOptions(jobs: 1, outputRoot: dir.appendingPathComponent("two").path, cacheDirectory: nil, modelsDirectory: nil))
        let diff = try Gate.diff(dir.appendingPathComponent("runs/seg").path, dir.appendingPathComponent("two/seg").path)
        let k = try XCTUnwrap(diff.changes.first { $0.key == "segmentation.k" })
        XCTAssertEqual(k.a.double, 3)
        XCTAssertEqual(k.b.double, 2)
        XCTAssertNil(k.verdict, "the chosen k is a choice")
        XCTAssertEqual(diff.changes.first { $0.key == "segmentation.silhouette" }?.verdict, .worse)
        let spec = dir.appendingPathComponent("s.yaml").path
        XCTAssertEqual(message { try Experiment.runShard(specPath: spec, options: RunOptions(jobs: 1, cacheDirectory: self.dir.appendingPathComponent("c").path), shard: Shard(index: 0, count: 2)) },
                       "--shard splits a grid of model fits across machines; task segment has none (run it whole: assay run \(spec))")
        var options = RunOptions(jobs: 1, outputRoot: dir.appendingPathComponent("p").path, cacheDirectory: nil, modelsDirectory: nil)
        options.predictionsFile = dir.appendingPathComponent("p.csv").path
        XCTAssertEqual(message { try Experiment.run(specPath: spec, options: options) },
                       "--predictions writes the models' predictions per row; task segment fits no model to a target (assay predict with its segments.assaymodel gives each row's segment)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("p").path), "nothing was written")
    }
}

import AssayCore
import AssayData
import AssayReport
import XCTest

final class ProfileTests: XCTestCase {
    /// 200 rows: `id` unique, `const` constant, `noise` unrelated, `zero_days` a pure segment of buyers,
    /// `score` a near-perfect predictor, `plan` categorical with a missing cell; rows 198–199 repeat rows 0–1.
    func table() -> (Table, [UInt8]) {
        var y: [UInt8] = [], id: [Double] = [], const: [Double] = [], noise: [Double] = [], days: [Double] = [], score: [Double] = []
        var plan: [Int32] = []
        for i in 0..<200 {
            let r = i >= 198 ? i - 198 : i
            let buyer: UInt8 = r % 5 == 0 ? 1 : 0
            y.append(buyer)
            id.append(Double(i))
            const.append(3)
            noise.append(Double((r * 37) % 11))
            days.append(buyer == 1 && r % 10 == 0 ? 0 : Double(1 + r % 30))
            score.append(Double(buyer) * 10 + Double(r % 7))
            plan.append(r == 3 ? -1 : Int32(r % 3))
        }
        let t = Table(columns: [
            Column(name: "id", values: .numeric(id)), Column(name: "const", values: .numeric(const)),
            Column(name: "noise", values: .numeric(noise)), Column(name: "zero_days", values: .numeric(days)),
            Column(name: "score", values: .numeric(score)),
            Column(name: "plan", values: .categorical(codes: plan, levels: ["free", "basic", "pro"])),
        ], rowCount: 200)
        return (t, y)
    }

    func testSummariesAndFlags() {
        let (t, y) = table()
        let p = TableProfile(t, target: y, roles: ["id": .id, "score": .dropped])
        XCTAssertEqual(p.rows, 200)
        XCTAssertEqual(p.positives, 41)  // r = 0, 5, …, 195 and the repeat of row 0
        XCTAssertEqual(p.idColumn, "id")
        XCTAssertEqual(p.duplicateRows, 2)  // rows 198, 199 repeat rows 0, 1 in every column but the id
        let c = Dictionary(uniqueKeysWithValues: p.columns.map { ($0.name, $0) })
        XCTAssertEqual(c["id"]!.flags, ["ID-like: every value distinct"])
        XCTAssertEqual(c["const"]!.flags, ["constant"])
        XCTAssertEqual(c["noise"]!.flags, [])
        XCTAssertEqual(c["plan"]!.flags, [])
        XCTAssertEqual(c["score"]!.role, .dropped)
        XCTAssertEqual(c["score"]!.auc, 1)
        XCTAssertEqual(c["score"]!.flags, ["likely leak: predicts the target alone (AUC 1.000)"])
        XCTAssertEqual(c["zero_days"]!.flags, ["likely leak: the value 0 holds 51% of the positives, and 100% of its rows are positives"])

        // Numbers: range, median (mean of the middle two), and each value when there are at most 10.
        XCTAssertEqual(c["noise"]!.distinct, 11)
        XCTAssertEqual([c["noise"]!.min, c["noise"]!.max], [0, 10])
        XCTAssertEqual(c["const"]!.groups.map(\.label), ["3"])
        XCTAssertEqual(c["const"]!.median, 3)
        XCTAssertEqual(c["id"]!.median, 99.5)
        // Decile bins over 200 distinct ids: edges at sorted positions ⌊k·199/10⌋, the last bin closed.
        XCTAssertEqual(c["id"]!.groups.count, 10)
        XCTAssertEqual(c["id"]!.groups.map(\.count), [19] + [Int](repeating: 20, count: 8) + [21])
        XCTAssertEqual(c["id"]!.groups.first?.label, "[0, 19)")
        XCTAssertEqual(c["id"]!.groups.last?.label, "[179, 199]")
        // Categories by count, then the missing cells.
        XCTAssertEqual(c["plan"]!.groups.map(\.label), ["basic", "free", "pro", "missing"])  // by count, ties by name
        XCTAssertEqual(c["plan"]!.groups.map(\.count), [67, 66, 66, 1])
        XCTAssertEqual(c["plan"]!.missing, 1)
        XCTAssertEqual(c["plan"]!.distinct, 3)
        XCTAssertEqual(c["plan"]!.groups[0].positives, 13)
    }

    func testAUCAloneIsDirectionFree() {
        let y: [UInt8] = [0, 0, 1, 1]
        let t = Table(columns: [Column(name: "down", values: .numeric([4, 3, 2, 1])), Column(name: "tie", values: .numeric([1, 2, 1, 2]))], rowCount: 4)
        let p = TableProfile(t, target: y, roles: [:])
        XCTAssertEqual(p.columns.map(\.auc), [1, 0.5])
    }

    func testBinaryRoundTrip() throws {
        let (t, y) = table()
        let p = TableProfile(t, target: y, roles: ["id": .id, "score": .foldColumn])
        let back = try TableProfile(decoding: p.encoded())
        XCTAssertEqual(back.encoded(), p.encoded())
        XCTAssertEqual("\(back)", "\(p)")
    }

    func testMarkdownSection() {
        let (t, y) = table()
        let d = DataSummary(path: "x.csv", rows: 200, trainRows: 200, testRows: 0, positiveRate: 0.2, target: "y", positiveLabel: "1",
                            numericColumns: [], categoricalColumns: [], split: SplitSummary(foldColumn: nil, folds: 5, repeats: 1, fits: 5, testRows: 0, testSize: 0, seed: 0))
        let r = RunReport(experiment: "ex", description: nil, select: .rocAUC, metrics: [.rocAUC], data: d, models: [], bestModel: nil,
                          profile: TableProfile(t, target: y, roles: ["id": .id]))
        let md = MarkdownReport.render(r)
        XCTAssertTrue(md.contains("## Data profile\n\n200 rows, 2 duplicate rows (equal to an earlier row in every column but the id `id`), positive rate 0.2050."), md)
        XCTAssertTrue(md.contains("- **Check `const`** (feature): constant."), md)
        XCTAssertTrue(md.contains("| noise | feature | numeric | 0.0% | 11 | 0 | 5 | 10 | "), md)
        XCTAssertTrue(md.contains("- `plan`: basic 0.19 (67) · free "), md)
    }

    /// The concordance index against a brute-force count over every pair (ties in the column count half, pairs of equal
    /// targets do not count), and it is the ROC-AUC for a two-valued target.
    func testConcordanceCountsEveryPair() {
        var rng = SplitMix64(seed: 4)
        let y = (0..<300).map { _ in Double(rng.next() % 40) }, x = y.map { v in (v + Double(rng.next() % 25)).rounded() / 3 }
        var concordant = 0.0, comparable = 0.0
        for i in y.indices { for j in y.indices where y[i] < y[j] {
            comparable += 1
            concordant += x[i] < x[j] ? 1 : x[i] == x[j] ? 0.5 : 0
        } }
        XCTAssertEqual(RankStatistics.concordance(y, x), concordant / comparable, accuracy: 1e-12)
        let labels = y.map { UInt8($0 >= 20 ? 1 : 0) }
        XCTAssertEqual(RankStatistics.concordance(labels.map(Double.init), x), RankStatistics.rocAUC(labels, x), accuracy: 1e-12)
        XCTAssertTrue(RankStatistics.concordance([2, 2, 2], [1, 2, 3]).isNaN, "no pair with different targets")
        XCTAssertEqual(RankStatistics.concordance([1, 2, 3, 4], [.nan, 1, .nan, 2]), RankStatistics.concordance([1, 2, 3, 4], [-.infinity, 1, -.infinity, 2]),
                       "a missing score ranks lowest")
    }

    /// A regression target's profile: the mean per value or bin, the concordance alone, and the flags (a column that is
    /// the target plus noise is a likely leak; constants and identifiers as for a binary target); it round-trips.
    func testRegressionTargetProfile() throws {
        let (t, _) = table()
        let spend = (0..<200).map { i in Double((i >= 198 ? i - 198 : i) % 40) * 2.5 }
        let leak = Column(name: "next_spend", values: .numeric(spend.map { $0 + 0.1 }))
        let lagged = Column(name: "last_spend", values: .numeric(spend.indices.map { spend[$0] + Double((($0 >= 198 ? $0 - 198 : $0) * 37) % 41) }))
        let table = Table(columns: t.columns + [leak, lagged], rowCount: 200)
        let p = TableProfile(table, values: spend, roles: ["id": .id])
        XCTAssertEqual(p.targetMean ?? .nan, spend.reduce(0, +) / 200, accuracy: 1e-12)
        XCTAssertEqual(p.duplicateRows, 2)
        let c = Dictionary(uniqueKeysWithValues: p.columns.map { ($0.name, $0) })
        XCTAssertEqual(c["const"]?.flags, ["constant"])
        XCTAssertEqual(c["id"]?.flags.first, "ID-like: every value distinct")
        XCTAssertEqual(c["next_spend"]?.auc, 1)
        XCTAssertEqual(c["next_spend"]?.flags, ["likely leak: predicts the target alone (concordance 1.000)"])
        XCTAssertEqual(c["noise"]?.flags, [])
        // A strong honest predictor, far ahead of every other column but below 0.95, is not called a leak (a binary profile would).
        let alone = TableProfile(Table(columns: t.columns + [lagged], rowCount: 200), values: spend, roles: ["id": .id])
        let strong = try XCTUnwrap(alone.columns.first { $0.name == "last_spend" })
        let others = alone.columns.filter { $0.name != "last_spend" && $0.name != "id" }.map(\.auc).filter { !$0.isNaN }
        XCTAssertTrue(strong.auc > 0.8 && strong.auc < 0.95 && strong.auc >= (others.max() ?? 0) + 0.1, "\(strong.auc) against \(others)")
        XCTAssertEqual(strong.flags, [])
        // `plan` (categorical, one missing cell): each group's mean is its rows' mean spend.
        let plan = try XCTUnwrap(c["plan"])
        let codes: [Int] = (0..<200).map { i in let r = i >= 198 ? i - 198 : i; return r == 3 ? -1 : r % 3 }
        for g in plan.groups {
            let rows = codes.indices.filter { g.label == "missing" ? codes[$0] < 0 : codes[$0] >= 0 && ["free", "basic", "pro"][codes[$0]] == g.label }
            XCTAssertEqual(g.count, rows.count, g.label)
            XCTAssertEqual(g.targetMean, rows.reduce(0.0) { $0 + spend[$1] } / Double(rows.count), accuracy: 1e-12, g.label)
        }
        let back = try TableProfile(decoding: p.encoded())
        XCTAssertEqual(back.encoded(), p.encoded())
        XCTAssertEqual("\(back)", "\(p)")  // NaN ranges of categorical columns: compared as text
        let d = DataSummary(path: "x.csv", rows: 200, trainRows: 200, testRows: 0, positiveRate: 0, target: "spend", positiveLabel: "",
                            numericColumns: [], categoricalColumns: [], split: SplitSummary(foldColumn: nil, folds: 5, repeats: 1, fits: 5, testRows: 0, testSize: 0, seed: 0))
        let md = MarkdownReport.render(RunReport(experiment: "ex", description: nil, select: .r2, metrics: [.r2], data: d, models: [], bestModel: nil, profile: p))
        XCTAssertTrue(md.contains("200 rows, 2 duplicate rows (equal to an earlier row in every column but the id `id`), target mean "), md)
        XCTAssertTrue(md.contains("| column | role | type | missing | distinct | min | median | max | C alone |"), md)
        XCTAssertTrue(md.contains("- **Check `next_spend`** (feature): likely leak: predicts the target alone (concordance 1.000)."), md)
        XCTAssertTrue(md.contains("Target mean by value"), md)
    }
}

import AssayCore
@testable import AssayData
import TestSupport
import XCTest

final class PreparationTests: XCTestCase {
    func frame(_ text: String, missing: [String] = [""]) throws -> Frame {
        try Frame.read(try CSVFile(bytes: Array(text.utf8), displayName: "m.csv", options: CSVOptions(missing: missing)), kinds: [:], missing: missing, decimal: UInt8(ascii: "."))
    }

    func numbers(_ f: Frame, _ name: String) -> [Double?] {
        guard let i = f.index(of: name), case .numeric(let v) = f.columns[i].values else { return [] }
        return v.map { $0.isNaN ? nil : $0 }
    }

    func texts(_ f: Frame, _ name: String) -> [String?] {
        guard let i = f.index(of: name) else { return [] }
        return (0..<f.rowCount).map { f.columns[i].text(at: $0) }
    }

    func clean(_ steps: [CleanStep], _ f: Frame) throws -> Frame { try Cleaning.apply(steps, to: f).0 }

    func testDeriveAndFilterFollowPandasMissingRules() throws {
        let f = try frame("a,b,plan\n1,2,x\n4,,y\n-1,0,x\n")
        let d = try clean([.derive(name: "r", try RowExpression.parse("a / b"), origin: "s:1:1"),
                           .derive(name: "l", try RowExpression.parse("log(a)"), origin: "s:2:1"),
                           .derive(name: "c", try RowExpression.parse("clip(a * 10, 0, 20)"), origin: "s:3:1"),
                           .derive(name: "p", try RowExpression.parse("if(plan == 'x', 'paid', 'free')"), origin: "s:4:1"),
                           .derive(name: "m", try RowExpression.parse("max(a, b) + is_missing(b)"), origin: "s:5:1")], f)
        XCTAssertEqual(numbers(d, "r"), [0.5, nil, nil], "missing operand and division by zero are missing")
        XCTAssertEqual(numbers(d, "l"), [0, log(4), nil], "log of a negative number is missing, not NaN")
        XCTAssertEqual(numbers(d, "c"), [10, 20, 0])
        XCTAssertEqual(texts(d, "p"), ["paid", "free", "paid"])
        XCTAssertEqual(d.columns[d.index(of: "p")!].kind, .categorical)
        XCTAssertEqual(numbers(d, "m"), [2, nil, 0])
        // A comparison with a missing value is false; '!=' is true (pandas).
        XCTAssertEqual(try clean([.filter(try RowExpression.parse("b >= 0"), origin: "s")], f).lines, [2, 4])
        XCTAssertEqual(try clean([.filter(try RowExpression.parse("b != 0"), origin: "s")], f).lines, [2, 3])
        XCTAssertEqual(try clean([.filter(try RowExpression.parse("not (a > 0) or plan == 'y'"), origin: "s")], f).rows, [2, 3])
    }

    func testStepErrorsNameTheSpecLineAndTheColumn() throws {
        let f = try frame("amount,plan\n1,x\n2,y\n")
        func error(_ step: CleanStep) -> String {
            do { _ = try clean([step], f); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error(.filter(try RowExpression.parse("amont > 1"), origin: "exp/s.yaml:9:7")),
                       "exp/s.yaml:9:7: filter: no column 'amont'; did you mean 'amount'?")
        XCTAssertEqual(error(.derive(name: "z", try RowExpression.parse("plan * 2"), origin: "exp/s.yaml:10:9")),
                       "exp/s.yaml:10:9: derive 'z': '*' needs numbers, got 'x' and '2' (line 2 of m.csv)")
        XCTAssertEqual(error(.filter(try RowExpression.parse("plan > 1"), origin: "o")),
                       "o: filter: cannot compare 'x' with '1' (text with a number) (line 2 of m.csv)")
        XCTAssertEqual(error(.replace(column: "amount", pairs: [.init(old: "one", new: .int(1))], origin: "o")),
                       "o: replace: column 'amount' is numeric, and 'one' is not a number")
    }

    func testReplaceNormalizeAndDropDuplicates() throws {
        let f = try frame("id,tier,v\n1,  стандартт ,1\n2,премиум,1\n3,стандарт,2\n4,стандарт,2\n")
        let d = try clean([.normalize(columns: nil, lowercase: false, origin: "o"),
                           .replace(column: "tier", pairs: [.init(old: "стандартт", new: .string("стандарт"))], origin: "o"),
                           .replace(column: "v", pairs: [.init(old: "2", new: .null)], origin: "o")], f)
        XCTAssertEqual(texts(d, "tier"), ["стандарт", "премиум", "стандарт", "стандарт"])
        guard case .categorical(_, let levels) = d.columns[1].values else { return XCTFail() }
        XCTAssertEqual(levels, ["стандарт", "премиум"], "replacing a value merges it with the level it becomes")
        XCTAssertEqual(numbers(d, "v"), [1, 1, nil, nil])
        XCTAssertEqual(try clean([.dropDuplicates(subset: nil, ignore: ["id"], origin: "o")], d).rows, [1, 2, 3])
        XCTAssertEqual(try clean([.dropDuplicates(subset: nil, ignore: [], origin: "o")], d).rows, [1, 2, 3, 4])
        XCTAssertEqual(try clean([.dropDuplicates(subset: ["v"], ignore: [], origin: "o")], d).rows, [1, 3])
    }

    func testPivotMatchesPandasPivotTable() throws {
        // pandas: df.pivot_table(index='id', columns='period', values='rev', aggfunc='sum') gives columns sorted by name,
        // one row per id; an id without a period is NaN there.
        let long = try frame("id,period,rev\n7,cur,10\n7,prev,4\n8,cur,1\n7,cur,5\n")
        let wide = try Joins.pivot(long, PivotSpec(index: ["id"], columns: "period", values: ["rev"], aggregate: .sum), origin: "o")
        XCTAssertEqual(wide.names, ["id", "rev_cur", "rev_prev"])
        XCTAssertEqual(numbers(wide, "id"), [7, 8])
        XCTAssertEqual(numbers(wide, "rev_cur"), [15, 1])
        XCTAssertEqual(numbers(wide, "rev_prev"), [4, nil])
        let mean = try Joins.pivot(long, PivotSpec(index: ["id"], columns: "period", values: ["rev"], aggregate: .mean), origin: "o")
        XCTAssertEqual(numbers(mean, "rev_cur"), [7.5, 1])
    }

    func testJoinKeepsMainRowsAndRefusesToMultiplyThem() throws {
        let main = try frame("id,y\n1,a\n2,b\n3,a\n")
        let side = try frame("id,x\n3,30\n1,10\n")
        let (inner, matched) = try Joins.join(main, side, on: ["id"], how: .inner, origin: "o", rightFile: "s.csv")
        XCTAssertEqual(matched, 2)
        XCTAssertEqual(inner.rows, [1, 3])
        XCTAssertEqual(numbers(inner, "x"), [10, 30])
        let (left, _) = try Joins.join(main, side, on: ["id"], how: .left, origin: "o", rightFile: "s.csv")
        XCTAssertEqual(numbers(left, "x"), [10, nil, 30])
        let twice = try frame("id,x\n1,10\n1,11\n")
        XCTAssertThrowsError(try Joins.join(main, twice, on: ["id"], how: .inner, origin: "exp/s.yaml:8:7", rightFile: "s.csv")) {
            XCTAssertEqual("\($0)", "exp/s.yaml:8:7: join: key id = 1 appears more than once in s.csv (lines 2 and 3), so the join would repeat main rows; pivot or aggregate it first")
        }
        XCTAssertThrowsError(try Joins.join(main, side, on: ["ID"], how: .inner, origin: "o", rightFile: "s.csv")) {
            XCTAssertEqual("\($0)", "o: join: key column 'ID' is not in the main table; did you mean 'id'?")
        }
        XCTAssertThrowsError(try Joins.join(main, try frame("id,y\n1,z\n"), on: ["id"], how: .inner, origin: "o", rightFile: "s.csv")) {
            XCTAssertEqual("\($0)", "o: join: column 'y' is in both the main table and s.csv")
        }
    }

    /// The buyer-activity study's four files, joined as the study did.
    func testBuyerActivityFourFilesJoin() throws {
        let dir = try TestPaths.sharedData()
        func path(_ f: String) -> String { dir.appendingPathComponent(f).path }
        var o = LoadOptions(target: "Покупательская активность", positive: "Снизилась", id: "id")
        o.joins = [
            JoinOptions(path: path("buyer_activity_market_money.csv"), on: ["id"],
                        pivot: PivotSpec(index: ["id"], columns: "Период", values: ["Выручка"], aggregate: .sum), origin: "j0"),
            JoinOptions(path: path("buyer_activity_market_time.csv"), on: ["id"],
                        clean: [.replace(column: "Период", pairs: [.init(old: "предыдцщий_месяц", new: .string("предыдущий_месяц"))], origin: "c")],
                        pivot: PivotSpec(index: ["id"], columns: "Период", values: ["минут"], aggregate: .sum), origin: "j1"),
            JoinOptions(path: path("buyer_activity_money.csv"), csv: CSVOptions(delimiter: UInt8(ascii: ";"), decimal: UInt8(ascii: ",")), on: ["id"], origin: "j2"),
        ]
        o.clean = [.replace(column: "Тип сервиса", pairs: [.init(old: "стандартт", new: .string("стандарт"))], origin: "c"),
                   .filter(try RowExpression.parse("Выручка_текущий_месяц < 100000"), origin: "c")]
        let csv = try CSVFile(contentsOf: URL(fileURLWithPath: path("buyer_activity_market_file.csv")), displayName: "main", options: o.csv)
        let d = try DatasetLoader.load(csv, o)
        XCTAssertEqual(d.rowCount, 1299, "one customer has the 106862.2 revenue outlier")
        XCTAssertEqual(Array(d.features.names.suffix(6)), ["Выручка_предыдущий_месяц", "Выручка_препредыдущий_месяц", "Выручка_текущий_месяц",
                                                           "минут_предыдущий_месяц", "минут_текущий_месяц", "Прибыль"])
        let service = d.features.column(named: "Тип сервиса")!
        guard case .categorical(_, let levels) = service.values else { return XCTFail() }
        XCTAssertEqual(Set(levels), ["стандарт", "премиум"])
        // Customer 215348 (first row): revenue 0 / 0 / 3293.1, minutes 13 (previous, typo fixed) and 14, profit 0.98.
        let first = d.features.columns.suffix(6).map { c -> Double in if case .numeric(let v) = c.values { return v[0] }; return .nan }
        XCTAssertEqual(first, [0, 0, 3293.1, 13, 14, 0.98])
        XCTAssertEqual(d.features.columns.suffix(6).map(\.missingCount), [0, 0, 0, 0, 0, 0])
    }
}

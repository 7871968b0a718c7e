import AssayCore
@testable import AssayData
import Foundation
import TestSupport
import XCTest

final class CustomerTableTests: XCTestCase {
    func day(_ s: String) -> Day { Day(iso: s)! }

    func options(_ features: [CustomerFeature], cutoffs: [String] = ["2020-02-01"], label: CustomerLabel = .buysWithin(Window("30d")!),
                 population: CustomerPopulation = .all, format: TimeFormat = .iso) -> EventsOptions {
        EventsOptions(customer: "cust", time: "day", timeFormat: format, amount: "amount", item: "item", cutoffs: cutoffs.map(day),
                      features: features, label: label, population: population, origin: "s.yaml:9:3")
    }

    func build(_ text: String, _ e: EventsOptions, delimiter: UInt8 = UInt8(ascii: ",")) throws -> (Frame, [LogLine]) {
        let csv = try CSVFile(bytes: Array(text.utf8), displayName: "log.csv", options: CSVOptions(delimiter: delimiter))
        return try CustomerTable.build(csv, e, missing: CSVOptions.defaultMissing, decimal: UInt8(ascii: "."))
    }

    func numbers(_ f: Frame, _ name: String) -> [Double] {
        guard let i = f.index(of: name), case .numeric(let v) = f.columns[i].values else { XCTFail("no numeric column \(name)"); return [] }
        return v
    }

    func texts(_ f: Frame, _ name: String) -> [String?] {
        guard let i = f.index(of: name) else { XCTFail("no column \(name)"); return [] }
        return (0..<f.rowCount).map { f.columns[i].text(at: $0) }
    }

    static let log = """
    cust,day,amount,item
    a,2020-01-01,10,x
    b,2020-01-15,3,z
    a,2020-01-01,5,y
    a,2020-01-20,7,x
    a,2020-02-05,4,x
    c,2020-02-10,8,x
    b,2020-03-10,1,z
    """

    /// Every feature worked out by hand on a seven-row log: a buys twice before the cutoff (two lines on 1 January,
    /// one on 20 January) and again inside the 30-day window; b once before and only after the window; c only after
    /// the cutoff, so c has no row.
    func testEveryFeatureByHand() throws {
        let all: [CustomerFeature] = [.recency, .frequency, .monetary, .monetaryMean, .tenure, .interpurchaseMean, .interpurchaseLast,
                                      .distinctItems, .basketItems, .orders(Window("14d")!), .spend(Window("14d")!), .trend(Window("7d")!)]
        let (f, log) = try build(Self.log, options(all))
        XCTAssertEqual(f.names, ["cust", "cutoff", "recency", "frequency", "monetary", "monetary_mean", "tenure", "interpurchase_mean",
                                 "interpurchase_last", "distinct_items", "basket_items", "orders_14d", "spend_14d", "trend_7d", "buys_within_30d"])
        XCTAssertEqual(texts(f, "cust"), ["a", "b"])
        XCTAssertEqual(texts(f, "cutoff"), ["2020-02-01", "2020-02-01"])
        XCTAssertEqual(numbers(f, "recency"), [12, 17])
        XCTAssertEqual(numbers(f, "frequency"), [2, 1])
        XCTAssertEqual(numbers(f, "monetary"), [22, 3])
        XCTAssertEqual(numbers(f, "monetary_mean"), [11, 3])
        XCTAssertEqual(numbers(f, "tenure"), [31, 17])
        XCTAssertEqual(numbers(f, "interpurchase_mean")[0], 19)
        XCTAssertTrue(numbers(f, "interpurchase_mean")[1].isNaN, "one order: no gap")
        XCTAssertEqual(numbers(f, "interpurchase_last")[0], 19)
        XCTAssertEqual(numbers(f, "distinct_items"), [2, 1])
        XCTAssertEqual(numbers(f, "basket_items"), [1.5, 1])
        XCTAssertEqual(numbers(f, "orders_14d"), [1, 0])
        XCTAssertEqual(numbers(f, "spend_14d"), [7, 0])
        XCTAssertEqual(numbers(f, "trend_7d"), [-1, 0], "a: none in the last 7 days, one in the 7 before")
        XCTAssertEqual(texts(f, "buys_within_30d"), ["1", "0"], "b's next purchase (10 March) is after the window's last day (1 March)")
        XCTAssertEqual(f.lines, [5, 3], "each row points at the customer's last purchase line before the cutoff")
        XCTAssertEqual(log.map(\.description).last, "cutoff 2020-02-01: 2 customers; label window 2020-02-01 to 2020-03-01: 1 buy (50.0%)")
    }

    func testSpendLabelActivePopulationAndSeveralCutoffs() throws {
        let (f, _) = try build(Self.log, options([.frequency], cutoffs: ["2020-01-16", "2020-02-01"], label: .spendWithin(Window("30d")!),
                                                 population: .activeWithin(Window("20d")!)))
        // 16 January: a (last 1 Jan, 15 days ago) and b (yesterday); 1 February: a (12 days) and b (17 days).
        XCTAssertEqual(texts(f, "cutoff"), ["2020-01-16", "2020-01-16", "2020-02-01", "2020-02-01"])
        XCTAssertEqual(texts(f, "cust"), ["a", "b", "a", "b"])
        XCTAssertEqual(numbers(f, "spend_within_30d"), [11, 0, 4, 0], "a: 7 on 20 January and 4 on 5 February, both before 15 February")
        XCTAssertEqual(numbers(f, "frequency"), [1, 1, 2, 1])
        let (narrow, _) = try build(Self.log, options([.frequency], population: .activeWithin(Window("2w")!)))
        XCTAssertEqual(texts(narrow, "cust"), ["a"], "b's last purchase is 17 days before the cutoff, outside 14 days")
    }

    /// A purchase on the cutoff day is the label's, never a feature's; the day before is a feature's.
    func testTheCutoffDayBelongsToTheLabelWindow() throws {
        let text = "cust,day,amount,item\na,2020-01-10,1,x\na,2020-01-31,2,x\na,2020-02-01,4,x\nb,2020-01-10,1,x\nb,2020-03-01,1,x\n"
        let (f, _) = try build(text, options([.recency, .monetary]))
        XCTAssertEqual(numbers(f, "recency"), [1, 22])
        XCTAssertEqual(numbers(f, "monetary"), [3, 1])
        XCTAssertEqual(texts(f, "buys_within_30d"), ["1", "1"], "1 March is the window's last day (1 February + 29)")
    }

    /// Changing or deleting any event on or after the cutoff changes no feature, on a random log, event by event.
    func testNoEventOnOrAfterTheCutoffReachesAFeature() throws {
        var rng = SplitMix64(seed: 11)
        var rows: [(String, Int, Double, String)] = []
        let start = day("2020-01-01").number
        for _ in 0..<120 {
            rows.append(("c\(Int.random(in: 0..<12, using: &rng))", start + Int.random(in: 0..<120, using: &rng),
                         Double(Int.random(in: 1..<50, using: &rng)), "i\(Int.random(in: 0..<5, using: &rng))"))
        }
        func text(_ rows: [(String, Int, Double, String)]) -> String {
            "cust,day,amount,item\n" + rows.map { "\($0.0),\(Day(number: $0.1)),\(Int($0.2)),\($0.3)\n" }.joined()
        }
        let features: [CustomerFeature] = [.recency, .frequency, .monetary, .monetaryMean, .tenure, .interpurchaseMean, .interpurchaseLast,
                                           .distinctItems, .basketItems, .orders(Window("30d")!), .spend(Window("10d")!), .trend(Window("15d")!)]
        let e = options(features, cutoffs: ["2020-03-01"], label: .buysWithin(Window("14d")!))
        let cutoff = day("2020-03-01").number
        // Keep the log's last day fixed past the label window, so that every variant has the same valid cutoff.
        rows.append(("c0", start + 119, 1, "i0"))
        let (base, _) = try build(text(rows), e)
        let featureColumns = base.names.filter { ![e.customer, EventsOptions.cutoffColumn, e.label!.name].contains($0) }
        func same(_ other: Frame, _ why: String) {
            XCTAssertEqual(texts(other, "cust"), texts(base, "cust"), why)
            for name in featureColumns {
                XCTAssertEqual(numbers(other, name).map { $0.isNaN ? -1 : $0 }, numbers(base, name).map { $0.isNaN ? -1 : $0 }, "\(name): \(why)")
            }
        }
        var checked = 0
        for k in rows.indices.dropLast() where rows[k].1 >= cutoff {
            var deleted = rows
            deleted.remove(at: k)
            same(try build(text(deleted), e).0, "deleting row \(k)")
            var changed = rows
            changed[k].1 = cutoff + (changed[k].1 - cutoff + 7) % 40
            changed[k].2 += 100
            changed[k].3 = "new"
            same(try build(text(changed), e).0, "changing row \(k)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    func testBadInputNamesTheRowOrTheCutoff() throws {
        XCTAssertThrowsError(try build("cust,day,amount,item\na,2020-01-01,1,x\nb,2020-13-01,1,x\n", options([.recency]))) {
            XCTAssertEqual("\($0)", "log.csv:3: row 2, time column 'day': '2020-13-01' does not match time_format iso (YYYY-MM-DD, optionally a time of day)")
        }
        XCTAssertThrowsError(try build(Self.log, options([.recency], cutoffs: ["2019-12-01"]))) {
            XCTAssertEqual("\($0)", "s.yaml:9:3: cutoff 2019-12-01 is on or before the log's first purchase day (2020-01-01): no purchase precedes it")
        }
        XCTAssertThrowsError(try build(Self.log, options([.recency], cutoffs: ["2020-03-01"]))) {
            XCTAssertEqual("\($0)", "s.yaml:9:3: the label window of cutoff 2020-03-01 (2020-03-01 to 2020-03-30, 30d) runs past the log's last day (2020-03-10); the latest cutoff a 30d window fits is 2020-02-10")
        }
        XCTAssertThrowsError(try build(Self.log, options([.recency], cutoffs: ["2020-01-21"], label: .buysWithin(Window("2w")!)))) {
            XCTAssertEqual("\($0)", "s.yaml:9:3: no customer of cutoff 2020-01-21 buys in its label window (2020-01-21 to 2020-02-03): the label would be the same for every row")
        }
        var noItem = options([.recency])
        noItem.item = "itme"
        XCTAssertThrowsError(try build(Self.log, noItem)) {
            XCTAssertEqual("\($0)", "log.csv: no column 'itme' (named in data.events.item); did you mean 'item'?")
        }
    }

    func testTimeFormatsAndDays() throws {
        XCTAssertEqual(Day(year: 1970, month: 1, day: 1)?.number, 0)
        XCTAssertEqual(Day(year: 2000, month: 3, day: 1)?.number, 11017)
        XCTAssertNil(Day(year: 2023, month: 2, day: 29))
        XCTAssertEqual(Day(year: 2024, month: 2, day: 29)?.description, "2024-02-29")
        for n in stride(from: -719_162, to: 2_932_897, by: 997) { XCTAssertEqual(Day(iso: Day(number: n).description)?.number, n) }  // years 1 to 9999
        let ymd = try TimeFormat.parse("%Y%m%d"), dmy = try TimeFormat.parse("%d-%m-%Y"), stamp = try TimeFormat.parse("%m/%d/%Y %H:%M")
        XCTAssertEqual(ymd.day("19970101".utf8), Day(year: 1997, month: 1, day: 1))
        XCTAssertEqual(ymd.day("1997011".utf8), Day(year: 1997, month: 1, day: 1), "as strptime reads it")
        XCTAssertNil(ymd.day("199701".utf8))
        XCTAssertNil(ymd.day("19970230".utf8))
        XCTAssertEqual(dmy.day("21-07-2015".utf8), Day(year: 2015, month: 7, day: 21))
        XCTAssertEqual(dmy.day("1-7-2015".utf8), Day(year: 2015, month: 7, day: 1))
        XCTAssertNil(dmy.day("21-07-2015 ".utf8), "a trailing space is not the format")
        XCTAssertEqual(stamp.day("12/1/2010 8:26".utf8), Day(year: 2010, month: 12, day: 1))
        XCTAssertNil(stamp.day("12/1/2010 25:26".utf8))
        for good in ["2015-07-21", "2015-07-21T10:20", "2015-07-21 10:20:30", "2015-07-21T10:20:30.125Z", "2015-07-21T10:20:30+02:00"] {
            XCTAssertEqual(TimeFormat.iso.day(good.utf8), Day(year: 2015, month: 7, day: 21), good)
        }
        for bad in ["2015-7-21", "21-07-2015", "2015-07-21T", "2015-07-21T24:00", "2015-07-21x"] { XCTAssertNil(TimeFormat.iso.day(bad.utf8), bad) }
        XCTAssertThrowsError(try TimeFormat.parse("%Y-%m")) { XCTAssertEqual(($0 as? TimeFormat.Problem)?.reason, "a pattern needs %Y, %m and %d") }
        XCTAssertThrowsError(try TimeFormat.parse("%Y%m%d%q"))
        XCTAssertEqual(Window("12w")?.days, 84)
        for bad in ["90", "90 days", "0d", "-3d", "d", "9.5d"] { XCTAssertNil(Window(bad), bad) }
    }

    func testWhitespaceSeparatedFields() throws {
        let text = " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1  11.77\r\n\t00002\t19970112 2 12.00  \r\n   \r\n"
        let f = try CSVFile(bytes: Array(text.utf8), displayName: "t.txt", options: CSVOptions(delimiter: CSVOptions.whitespace))
        XCTAssertEqual(f.names, ["customer_id", "date", "number_of_cds", "dollar_value"])
        XCTAssertEqual((0..<f.rowCount).map { r in (0..<4).map { f.cell(row: r, column: $0) } },
                       [["00001", "19970101", "1", "11.77"], ["00002", "19970112", "2", "12.00"]])
        XCTAssertThrowsError(try CSVFile(bytes: Array("a b\n1 2 3\n".utf8), displayName: "t.txt", options: CSVOptions(delimiter: CSVOptions.whitespace))) {
            XCTAssertEqual("\($0)", "t.txt:2: row 1 has 3 fields, expected 2")
        }
    }

    /// The streaming reader gives the frame the whole-file reader gives, whatever the block size: records, quotes
    /// (with delimiters, doubled quotes and line breaks inside), CRLF split between blocks, a byte order mark, blank
    /// lines, runs of blanks, and the same errors.
    func testStreamingReaderEqualsTheWholeFileReaderAtEveryBlockSize() throws {
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let comma = "\u{FEFF}cust,day,amount,note\r\n007,2020-01-01,1.5,\"a, \"\"b\"\"\"\r\n\r\n008,2020-01-02,NA,\"two\nlines\"\r\n009,2020-01-02,3,plain"
        let blanks = "  cust   day amount note\n 007  2020-01-01\t1.5 x \n\n   \n 008 2020-01-02 2 \"y z\"\n"
        for (text, delimiter) in [(comma, UInt8(ascii: ",")), (blanks, CSVOptions.whitespace)] {
            let url = dir.appendingPathComponent("log.csv")
            try text.write(to: url, atomically: true, encoding: .utf8)
            let options = CSVOptions(delimiter: delimiter)
            let kinds: [String: ColumnKind] = ["cust": .categorical, "amount": .numeric]
            let whole = try Frame.read(CSVFile(contentsOf: url, displayName: "log.csv", options: options), kinds: kinds, missing: options.missing, decimal: options.decimal)
            for block in [1, 2, 3, 5, 7, 64, 1 << 20] {
                let streamed = try EventLogReader.read(path: url.path, displayName: "log.csv", options: options, wanted: nil, kinds: kinds, blockSize: block)
                XCTAssertEqual(streamed.names, whole.names, "block \(block)")
                XCTAssertEqual(streamed.lines, whole.lines, "block \(block)")
                for (a, b) in zip(streamed.columns, whole.columns) {
                    XCTAssertEqual((0..<streamed.rowCount).map { a.text(at: $0) }, (0..<whole.rowCount).map { b.text(at: $0) }, "\(a.name), block \(block)")
                    XCTAssertEqual(a.kind, b.kind, "\(a.name), block \(block)")
                }
            }
        }
        try "a,b\n1,2\n3,\"4\n".write(to: dir.appendingPathComponent("bad.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EventLogReader.read(path: dir.appendingPathComponent("bad.csv").path, displayName: "bad.csv", options: CSVOptions(), wanted: nil, kinds: [:], blockSize: 3)) {
            XCTAssertEqual("\($0)", "bad.csv:3: quoted field is never closed")
        }
        try "a,b\n1,2\n3\n".write(to: dir.appendingPathComponent("ragged.csv"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try EventLogReader.read(path: dir.appendingPathComponent("ragged.csv").path, displayName: "ragged.csv", options: CSVOptions(), wanted: ["a"], kinds: [:], blockSize: 2)) {
            XCTAssertEqual("\($0)", "ragged.csv:3: row 2 has 1 fields, expected 2")
        }
    }

    /// The CDNOW log as the reference peer reads it (basket_peer.py, cutoff 1998-04-02, 90 days, zero-value rows
    /// dropped): the same 23,502 customers and 3,301 buyers, and the same totals of every feature (the peer's
    /// per-customer table was compared cell by cell when this was written; docs/peer-comparison.md).
    func testCDNOWMatchesThePeersCustomerTable() throws {
        let url = try TestPaths.sharedData().appendingPathComponent("cdnow_master.txt")
        let csv = try CSVFile(contentsOf: url, displayName: "cdnow_master.txt", options: CSVOptions(delimiter: CSVOptions.whitespace))
        var e = EventsOptions(customer: "customer_id", time: "date", timeFormat: try TimeFormat.parse("%Y%m%d"), amount: "dollar_value",
                              cutoffs: [day("1998-04-02")], features: [.recency, .frequency, .monetary, .tenure, .orders(Window("90d")!)],
                              label: .buysWithin(Window("90d")!), origin: "s.yaml:1:1")
        e.clean = [.filter(try RowExpression.parse("dollar_value > 0"), origin: "s.yaml:2:1")]
        let (f, log) = try CustomerTable.build(csv, e, missing: CSVOptions.defaultMissing, decimal: UInt8(ascii: "."))
        XCTAssertEqual(f.rowCount, 23502)
        XCTAssertEqual(texts(f, "customer_id").prefix(2), ["00001", "00002"])
        XCTAssertEqual(texts(f, "buys_within_30d".replacingOccurrences(of: "30", with: "90")).filter { $0 == "1" }.count, 3301)
        XCTAssertEqual(numbers(f, "recency").reduce(0, +), 7150576)
        XCTAssertEqual(numbers(f, "frequency").reduce(0, +), 61893)
        XCTAssertEqual(numbers(f, "monetary").reduce(0, +), 2288381.29, accuracy: 1e-6)
        XCTAssertEqual(numbers(f, "tenure").reduce(0, +), 9707523)
        XCTAssertEqual(numbers(f, "orders_90d").reduce(0, +), 6584)
        XCTAssertEqual(Array(numbers(f, "monetary").prefix(2)), [11.77, 89])
        XCTAssertTrue(log.map(\.description).contains("filter `dollar_value > 0`: 80 of 69659 rows removed"), "\(log)")
    }
}

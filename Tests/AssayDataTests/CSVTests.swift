import AssayCore
@testable import AssayData
import Foundation
import TestSupport
import XCTest

final class CSVTests: XCTestCase {
    func read(_ text: String, _ options: CSVOptions = CSVOptions()) throws -> CSVFile {
        try CSVFile(bytes: Array(text.utf8), displayName: "t.csv", options: options)
    }

    func cells(_ f: CSVFile) -> [[String]] {
        (0..<f.rowCount).map { r in (0..<f.columnCount).map { f.cell(row: r, column: $0) } }
    }

    func testQuotedFieldsWithDelimitersDoubledQuotesAndNewlines() throws {
        let f = try read("\"a\",\"b, c\"\n\"x,1\",\"say \"\"hi\"\"\"\n\"two\nlines\",\"\"\n")
        XCTAssertEqual(f.names, ["a", "b, c"])
        XCTAssertEqual(cells(f), [["x,1", "say \"hi\""], ["two\nlines", ""]])
        XCTAssertEqual(f.line(ofRow: 1), 3)
    }

    /// A CRLF and a quote followed by a combining mark are single Swift Characters: the writer must still quote
    /// them, and what it writes must read back as written.
    func testWriterQuotesCRLFAndQuotesBeforeCombiningMarks() throws {
        let cells = ["a\r\nb", "say \"\u{301}hi", "plain"]
        XCTAssertEqual(cells.map(CSVWriter.field), ["\"a\r\nb\"", "\"say \"\"\u{301}hi\"", "plain"])
        let f = try read("x,y,z\n" + cells.map(CSVWriter.field).joined(separator: ",") + "\n")
        XCTAssertEqual(self.cells(f), [cells])
    }

    func testBOMAndCRLFAndNoTrailingNewline() throws {
        let f = try read("\u{FEFF}id,v\r\n1,2\r\n3,4")
        XCTAssertEqual(f.names, ["id", "v"])
        XCTAssertEqual(cells(f), [["1", "2"], ["3", "4"]])
    }

    func testBlankLinesAreSkipped() throws {
        XCTAssertEqual(try read("a,b\n\n1,2\n\n").rowCount, 1)
    }

    func testSemicolonDelimiterAndQuotedHeader() throws {
        let f = try read("\"age\";\"job\"\n58;\"management\"\n", CSVOptions(delimiter: UInt8(ascii: ";")))
        XCTAssertEqual(f.names, ["age", "job"])
        XCTAssertEqual(cells(f), [["58", "management"]])
    }

    func testRaggedRowNamesRowAndLine() {
        XCTAssertThrowsError(try read("a,b\n1,2\n3\n")) {
            XCTAssertEqual("\($0)", "t.csv:3: row 2 has 1 fields, expected 2")
        }
    }

    func testDuplicateColumnIsAnError() {
        XCTAssertThrowsError(try read("a,b,a\n1,2,3\n")) { XCTAssertEqual("\($0)", "t.csv: column 'a' appears more than once") }
    }

    func testUnterminatedQuoteIsAnError() {
        XCTAssertThrowsError(try read("a,b\n\"1,2\n")) { XCTAssertEqual("\($0)", "t.csv:2: quoted field is never closed") }
    }

    func testHeaderlessFileTakesNames() throws {
        let f = try read("1,2\n3,4\n", CSVOptions(header: false, names: ["x", "y"]))
        XCTAssertEqual(f.names, ["x", "y"])
        XCTAssertEqual(f.rowCount, 2)
        XCTAssertThrowsError(try read("1,2\n", CSVOptions(header: false, names: ["x"]))) {
            XCTAssertEqual("\($0)", "t.csv: data.names lists 1 columns but rows have 2 fields")
        }
    }

    func testNumberParsing() {
        func parse(_ s: String, _ decimal: Character = ".") -> Double? {
            Array(s.utf8).withUnsafeBufferPointer { NumberParser.parse($0, decimal: decimal.asciiValue!) }
        }
        XCTAssertEqual(parse("7.5E-05"), 7.5e-05)
        XCTAssertEqual(parse("-12"), -12)
        XCTAssertEqual(parse("0,98", ","), 0.98)
        XCTAssertEqual(parse(" 3.25 "), 3.25)
        XCTAssertEqual(parse(".5"), 0.5)
        XCTAssertEqual(parse("0.1"), 0.1)
        XCTAssertNil(parse("0,98"))
        XCTAssertNil(parse("inf"))
        XCTAssertNil(parse("0x1A"))
        XCTAssertNil(parse("1e"))
        XCTAssertNil(parse("-"))
        XCTAssertNil(parse("NA"))
    }
}

final class DatasetLoaderTests: XCTestCase {
    func load(_ text: String, _ options: LoadOptions) throws -> Dataset {
        try DatasetLoader.load(try CSVFile(bytes: Array(text.utf8), displayName: "t.csv", options: options.csv), options)
    }

    func testInfersTypesAndReadsTargetAsText() throws {
        let text = "n,c,flag,y\n1.5,a,TRUE,yes\nNA,b,FALSE,no\n3,a,,yes\n"
        let d = try load(text, LoadOptions(target: "y", positive: "yes"))
        XCTAssertEqual(d.target, [1, 0, 1])
        XCTAssertEqual(d.negativeLabel, "no")
        XCTAssertEqual(d.features.names, ["n", "c", "flag"])
        XCTAssertEqual(d.features.columns.map(\.kind), [.numeric, .categorical, .numeric])
        guard case .numeric(let flag) = d.features.columns[2].values else { return XCTFail() }
        XCTAssertEqual(flag[0], 1); XCTAssertEqual(flag[1], 0); XCTAssertTrue(flag[2].isNaN)
        XCTAssertEqual(d.features.columns[0].missingCount, 1)
    }

    /// `1e999` overflows a double to infinity: refused where it is read, with file, line, row and column.
    func testNumbersBeyondADoubleAreRefusedAtReadTime() throws {
        XCTAssertThrowsError(try load("n,y\n1.5,yes\n1e999,no\n-2,yes\n", LoadOptions(target: "y", positive: "yes"))) {
            XCTAssertEqual("\($0)", "t.csv:3: row 2, column 'n': '1e999' is beyond the largest number a double holds (about 1.8e308)")
        }
        XCTAssertThrowsError(try load("n,y\n-1e400,yes\n2,no\n", LoadOptions(target: "y", positive: "yes")))
        let d = try load("n,y\n1e308,yes\n1e-999,no\n", LoadOptions(target: "y", positive: "yes"))
        guard case .numeric(let v) = d.features.columns[0].values else { return XCTFail() }
        XCTAssertEqual(v, [1e308, 0], "the largest doubles are fine, and underflow is zero, as numpy reads it")
    }

    func testNAIsACountryWhenNotListedAsMissing() throws {
        var o = LoadOptions(target: "y", positive: "1")
        o.csv.missing = [""]
        let d = try load("country,y\nNA,1\nUS,0\n", o)
        guard case .categorical(let codes, let levels) = d.features.columns[0].values else { return XCTFail() }
        XCTAssertEqual(codes.map { levels[Int($0)] }, ["NA", "US"])
    }

    func testDecimalCommaAndOverrides() throws {
        var o = LoadOptions(target: "y", positive: "1", columns: ["code": .categorical])
        o.csv = CSVOptions(delimiter: UInt8(ascii: ";"), decimal: UInt8(ascii: ","))
        let d = try load("v;code;y\n0,98;3;1\n1,5;4;0\n", o)
        guard case .numeric(let v) = d.features.columns[0].values else { return XCTFail() }
        XCTAssertEqual(v, [0.98, 1.5])
        XCTAssertEqual(d.features.columns[1].kind, .categorical)
    }

    func testForcedNumericColumnWithTextNamesTheCell() {
        XCTAssertThrowsError(try load("v,y\n1,1\nabc,0\n", LoadOptions(target: "y", positive: "1", columns: ["v": .numeric]))) {
            XCTAssertEqual("\($0)", "t.csv:3: row 2, column 'v': 'abc' is not a number")
        }
    }

    func testTargetMustHaveTwoValuesAndContainPositive() {
        XCTAssertThrowsError(try load("v,y\n1,a\n2,b\n3,c\n", LoadOptions(target: "y", positive: "a"))) {
            XCTAssertEqual("\($0)", "t.csv: target 'y' must have exactly two distinct values, found 3: 'a', 'b', 'c'; several classes make a multiclass target: set task: multiclass")
        }
        XCTAssertThrowsError(try load("v,y\n1,TRUE\n2,FALSE\n", LoadOptions(target: "y", positive: "1"))) {
            XCTAssertEqual("\($0)", "t.csv: positive label '1' does not occur in target 'y' (values: 'FALSE', 'TRUE')")
        }
        XCTAssertThrowsError(try load("v,y\n1,a\n2,\n", LoadOptions(target: "y", positive: "a"))) {
            XCTAssertEqual("\($0)", "t.csv:3: row 2 has no value in target column 'y'")
        }
    }

    func testUnknownColumnSuggestsTheClosest() {
        XCTAssertThrowsError(try load("amount,y\n1,a\n2,b\n", LoadOptions(target: "y", positive: "a", drop: ["amont"]))) {
            XCTAssertEqual("\($0)", "t.csv: no column 'amont' (named in data.drop); did you mean 'amount'?")
        }
    }

    func testFoldColumnIsReadAndExcluded() throws {
        let d = try load("v,f,y\n1,0,a\n2,1,b\n3,-1,a\n4,1,a\n", LoadOptions(target: "y", positive: "a", foldColumn: "f"))
        XCTAssertEqual(d.folds, [0, 1, -1, 1])
        XCTAssertEqual(d.features.names, ["v"])
        XCTAssertThrowsError(try load("v,f,y\n1,0,a\n2,2,b\n", LoadOptions(target: "y", positive: "a", foldColumn: "f")))
    }
}

/// Every file in ../shared/data loads with the row counts and class balance its README states.
final class SharedDataTests: XCTestCase {
    func loadShared(_ file: String, _ options: LoadOptions) throws -> Dataset {
        let dir = try TestPaths.sharedData()
        let csv = try CSVFile(contentsOf: dir.appendingPathComponent(file), displayName: file, options: options.csv)
        return try DatasetLoader.load(csv, options)
    }

    func testStudentPurchaseKeepsNamibia() throws {
        var o = LoadOptions(target: "purchased", positive: "1")
        o.csv.missing = [""]
        let d = try loadShared("student_purchase.csv", o)
        XCTAssertEqual(d.rowCount, 17_761)
        XCTAssertEqual(d.positiveCount, 1_631)
        let country = d.features.column(named: "student_country")!
        XCTAssertEqual(country.missingCount, 0)
        guard case .categorical(let codes, let levels) = country.values else { return XCTFail() }
        XCTAssertEqual(codes.filter { levels[Int($0)] == "NA" }.count, 9)
        XCTAssertEqual(Set(codes).count, 172)
    }

    func testAudiobooksWithoutHeaderAndWithMissingMarker() throws {
        let names = ["ID", "len_avg", "len_all", "price_avg", "price_all", "review", "review10", "completion", "minutes",
                     "support", "last_visit", "Targets"]
        let a = try loadShared("audiobooks.csv", LoadOptions(csv: CSVOptions(header: false, names: names), target: "Targets", positive: "1", id: "ID"))
        XCTAssertEqual(a.rowCount, 14_084)
        XCTAssertEqual(a.positiveCount, 2_237)
        XCTAssertEqual(a.features.columns.count, 10)
        let b = try loadShared("audiobooks_raw_with_header.csv", LoadOptions(target: "Targets", positive: "1", id: "ID"))
        XCTAssertEqual(b.rowCount, 14_084)
        XCTAssertEqual(b.features.column(named: "Review 10/10")?.missingCount, 11_616)
        XCTAssertEqual(b.features.column(named: "Review 10/10")?.kind, .numeric)
    }

    func testBuyerActivityFilesWithCyrillicNamesAndDecimalComma() throws {
        let m = try loadShared("buyer_activity_market_file.csv",
                               LoadOptions(target: "Покупательская активность", positive: "Снизилась", id: "id"))
        XCTAssertEqual(m.rowCount, 1_300)
        XCTAssertEqual(m.positiveCount, 498)
        guard case .categorical(_, let tiers) = m.features.column(named: "Тип сервиса")!.values else { return XCTFail() }
        XCTAssertEqual(Set(tiers), ["стандарт", "стандартт", "премиум"])
    }

    func testBuyerActivitySideTables() throws {
        let dir = try TestPaths.sharedData()
        let money = try CSVFile(contentsOf: dir.appendingPathComponent("buyer_activity_money.csv"), displayName: "money",
                                options: CSVOptions(delimiter: UInt8(ascii: ";"), decimal: UInt8(ascii: ",")))
        XCTAssertEqual(money.names, ["id", "Прибыль"])
        XCTAssertEqual(money.rowCount, 1_300)
        let profit = try DatasetLoader.readColumn(money, 1, name: "Прибыль", kind: nil, missing: [[]], decimal: UInt8(ascii: ","))
        guard case .numeric(let v) = profit.values else { return XCTFail("profit is not numeric") }
        XCTAssertEqual(v.min(), 0.86)
        XCTAssertEqual(v.max(), 7.43)
        for (file, rows) in [("buyer_activity_market_money.csv", 3_900), ("buyer_activity_market_time.csv", 2_600)] {
            let f = try CSVFile(contentsOf: dir.appendingPathComponent(file), displayName: file, options: CSVOptions())
            XCTAssertEqual(f.rowCount, rows, file)
            XCTAssertEqual(f.columnCount, 3, file)
        }
    }

    func testOnlineShoppersBooleansAndScientificNotation() throws {
        let d = try loadShared("online_shoppers_intention.csv", LoadOptions(target: "Revenue", positive: "TRUE"))
        XCTAssertEqual(d.rowCount, 12_330)
        XCTAssertEqual(d.positiveCount, 1_908)
        XCTAssertEqual(d.features.column(named: "Weekend")?.kind, .numeric)
        XCTAssertEqual(d.features.column(named: "Month")?.kind, .categorical)
        XCTAssertEqual(d.features.columns.count, 17)
    }

    func testBankMarketingQuotedSemicolonFile() throws {
        var o = LoadOptions(target: "y", positive: "yes", drop: ["duration"])
        o.csv.delimiter = UInt8(ascii: ";")
        let d = try loadShared("bank_marketing_full.csv", o)
        XCTAssertEqual(d.rowCount, 45_211)
        XCTAssertEqual(d.positiveCount, 5_289)
        XCTAssertEqual(d.features.columns.count, 15)
        guard case .categorical(let codes, let levels) = d.features.column(named: "job")!.values else { return XCTFail() }
        XCTAssertEqual(codes.filter { levels[Int($0)] == "unknown" }.count, 288)
        XCTAssertEqual(d.features.column(named: "age")?.kind, .numeric)
    }
}

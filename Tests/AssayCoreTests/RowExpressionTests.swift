@testable import AssayCore
import XCTest

final class RowExpressionTests: XCTestCase {
    func testPrecedenceAndNames() throws {
        let e = try RowExpression.parse("a + b * 2 > 3 and not `Book length (mins)_avg` == 'x y' or Выручка <= -1.5e2")
        XCTAssertEqual(e.canonical, "((((`a` + (`b` * 2)) > 3) and (not (`Book length (mins)_avg` == \"x y\"))) or (`Выручка` <= (-150)))")
        XCTAssertEqual(e.columns, ["a", "b", "Book length (mins)_avg", "Выручка"])
        XCTAssertEqual(e.display, "a + b * 2 > 3 and not `Book length (mins)_avg` == 'x y' or Выручка <= -150")
        XCTAssertEqual(try RowExpression.parse(e.display), e, "display text parses back to the same tree")
        XCTAssertEqual(try RowExpression.parse("(a - b) - c").display, "a - b - c")
        XCTAssertEqual(try RowExpression.parse("a - (b - c)").display, "a - (b - c)")
        XCTAssertEqual(try RowExpression.parse("if(x > 0, log(x), 0)").canonical, "if((`x` > 0), log(`x`), 0)")
        XCTAssertEqual(try RowExpression.parse("'it''s'"), .text("it's"))
        // Found by InputFuzzTests: a backtick inside a quoted column name must survive display and parse (saved models rely on it).
        let odd = try RowExpression.parse("`a``b` + 1")
        XCTAssertEqual(odd.columns, ["a`b"])
        XCTAssertEqual(try RowExpression.parse(odd.display), odd)
    }

    /// A quote or backtick followed by a combining mark is one Swift Character but two scalars to the parser; the
    /// display text must still double it (found by libFuzzer: `'it''\u{65E}ls'` did not parse back).
    func testQuotesBeforeCombiningMarksSurviveDisplay() throws {
        for text in ["plan == 'it''\u{65E}ls'", "`a``\u{301}b` > 1", "x == 'a\r\nb'"] {
            let e = try RowExpression.parse(text)
            XCTAssertEqual(try RowExpression.parse(e.display), e, text)
        }
        XCTAssertEqual("a\"\u{301}\r\n".replacingAll(["\"": "'", "\r": "", "\n": " "]), "a'\u{301} ")
    }

    /// An expression within the depth limit whose display adds parentheses must still parse back (found by libFuzzer:
    /// the parser counted its own calls against the tree's depth limit, and parentheses add calls).
    func testDisplayOfADeepAcceptedExpressionParsesBack() throws {
        for text in [String(repeating: "-", count: 85) + "not" + String(repeating: "-", count: 10) + "fl0",
                     String(repeating: "not -", count: 45) + "x"] {
            let e = try RowExpression.parse(text)
            XCTAssertLessThanOrEqual(e.depth, RowExpression.maximumDepth)
            XCTAssertEqual(try RowExpression.parse(e.display), e, text)
        }
    }

    func testSyntaxErrorsNameThePosition() {
        func error(_ s: String) -> String {
            do { _ = try RowExpression.parse(s); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error("a +"), "expected a value, found end of expression at character 4")
        XCTAssertEqual(error("a > 1 > 2"), "comparisons cannot be chained; join them with 'and' at character 7")
        XCTAssertEqual(error("lg(a)"), "unknown function 'lg'; did you mean 'log'? at character 1")
        XCTAssertEqual(error("clip(a, 1)"), "clip takes 3 arguments, got 2 at character 1")
        XCTAssertEqual(error("`a"), "column name is never closed at character 1")
        XCTAssertEqual(error("a = 1"), "unexpected '=' at character 3")
        XCTAssertEqual(error("import('os')"), "unknown function 'import' at character 1")
        XCTAssertEqual(error("(a"), "expected ')', found end of expression at character 3")
    }

    /// Inputs that overflowed the parser's stack (exit 139) are refused with a message; ordinary nesting still parses.
    func testDeepAndLongExpressionsAreRefusedNotCrashed() throws {
        func error(_ s: String) -> String {
            do { _ = try RowExpression.parse(s); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(error(String(repeating: "(", count: 4_000) + "a" + String(repeating: ")", count: 4_000)),
                       "the expression nests more than 100 levels deep at character 201")
        XCTAssertEqual(error(String(repeating: "-", count: 100_000) + "1"), "the expression is longer than 10000 characters at character 10001")
        XCTAssertEqual(error(String(repeating: "-", count: 9_000) + "1"), "the expression nests more than 100 levels deep at character 400")
        XCTAssertEqual(error(String(repeating: "abs(", count: 1_500) + "a" + String(repeating: ")", count: 1_500)),
                       "the expression nests more than 100 levels deep at character 801")
        XCTAssertEqual(error("a" + String(repeating: " + a", count: 2_000)),
                       "the expression nests more than 100 levels deep (a long chain of operators counts too) at character 1")
        XCTAssertNoThrow(try RowExpression.parse(String(repeating: "(", count: 30) + "a" + String(repeating: ")", count: 30)))
        XCTAssertNoThrow(try RowExpression.parse("a" + String(repeating: " + a", count: 90)))
    }
}

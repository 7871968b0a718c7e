/// A row-wise expression of `data.clean` (`derive`, `filter`): a small, safe grammar, no code execution.
///
/// ```
/// expression := or
/// or         := and ("or" and)*
/// and        := not ("and" not)*
/// not        := "not" not | comparison
/// comparison := sum (("==" | "!=" | "<" | "<=" | ">" | ">=") sum)?
/// sum        := product (("+" | "-") product)*
/// product    := unary (("*" | "/") unary)*
/// unary      := "-" unary | primary
/// primary    := number | 'text' | "text" | column | `any column name` | function "(" expression ("," expression)* ")"
///             | "(" expression ")" | "null" | "true" | "false"
/// ```
///
/// A bare column name is letters (any script, so Cyrillic works), digits and `_`, not starting with a digit;
/// any other name is written between backticks. Functions: `log`, `log1p`, `exp`, `sqrt`, `abs`,
/// `clip(x, lo, hi)`, `min(a, b, …)`, `max(a, b, …)`, `if(condition, a, b)`, `is_missing(x)`.
public indirect enum RowExpression: Sendable, Hashable {
    case number(Double)
    case text(String)
    case null
    case column(String)
    case negate(RowExpression)
    case not(RowExpression)
    case binary(BinaryOperator, RowExpression, RowExpression)
    case call(Function, [RowExpression])

    public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
        case add = "+", subtract = "-", multiply = "*", divide = "/"
        case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case and, or

        var precedence: Int {
            switch self {
            case .or: return 1
            case .and: return 2
            case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: return 4
            case .add, .subtract: return 5
            case .multiply, .divide: return 6
            }
        }
    }

    public enum Function: String, Sendable, Hashable, CaseIterable {
        case log, log1p, exp, sqrt, abs, clip, min, max
        case `if`
        case isMissing = "is_missing"

        /// Allowed argument counts.
        var arity: ClosedRange<Int> {
            switch self {
            case .clip, .if: return 3...3
            case .min, .max: return 2...64
            default: return 1...1
            }
        }
    }

    /// Every column the expression reads, in first-use order.
    public var columns: [String] {
        var out: [String] = []
        func walk(_ e: RowExpression) {
            switch e {
            case .column(let c): if !out.contains(c) { out.append(c) }
            case .negate(let a), .not(let a): walk(a)
            case .binary(_, let a, let b): walk(a); walk(b)
            case .call(_, let args): args.forEach(walk)
            case .number, .text, .null: break
            }
        }
        walk(self)
        return out
    }

    /// Canonical text: fully parenthesised, column names in backticks; part of cache keys.
    public var canonical: String {
        switch self {
        case .number(let d): return NumberFormat.json(d)
        case .text(let s): return JSONText.quote(s)
        case .null: return "null"
        case .column(let c): return "`" + c + "`"
        case .negate(let a): return "(-" + a.canonical + ")"
        case .not(let a): return "(not " + a.canonical + ")"
        case .binary(let op, let a, let b): return "(" + a.canonical + " " + op.rawValue + " " + b.canonical + ")"
        case .call(let f, let args): return f.rawValue + "(" + args.map(\.canonical).joined(separator: ", ") + ")"
        }
    }

    /// The expression as a person would write it: parentheses only where precedence needs them.
    public var display: String { rendered(0) }

    func rendered(_ context: Int) -> String {
        switch self {
        case .number(let d): return d == d.rounded() && Swift.abs(d) < 1e15 ? String(Int64(d)) : String(d)  // exact, so it parses back
        case .text(let s): return "'" + s.replacingAll(["'": "''"]) + "'"
        case .null: return "null"
        case .column(let c):
            let scalars = Array(c.unicodeScalars)
            let bare = !scalars.isEmpty && RowExpressionParser.isNameStart(scalars[0]) && scalars.allSatisfy(RowExpressionParser.isNamePart)
                && !["and", "or", "not", "null", "true", "false"].contains(c)
            return bare ? c : "`" + c.replacingAll(["`": "``"]) + "`"  // a backtick in a name is doubled
        case .negate(let a): return "-" + a.rendered(7)
        case .not(let a):
            let s = "not " + a.rendered(3)
            return context > 3 ? "(" + s + ")" : s
        case .binary(let op, let a, let b):
            let s = a.rendered(op.precedence) + " " + op.rawValue + " " + b.rendered(op.precedence + 1)
            return op.precedence < context ? "(" + s + ")" : s
        case .call(let f, let args): return f.rawValue + "(" + args.map { $0.rendered(0) }.joined(separator: ", ") + ")"
        }
    }

    /// The longest expression and the deepest nesting accepted: far beyond any real row expression, and far short
    /// of what would exhaust a thread's stack when the expression is parsed, evaluated or released.
    public static let maximumLength = 10_000
    public static let maximumDepth = 100

    /// Parses `text`; a syntax error names the character position (1-based) at fault.
    public static func parse(_ text: String) throws -> RowExpression {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count <= maximumLength else {
            throw ExpressionError(message: "the expression is longer than \(maximumLength) characters", position: maximumLength + 1)
        }
        var p = RowExpressionParser(scalars)
        let e = try p.expression(minPrecedence: 1)
        p.skipSpace()
        guard p.atEnd else { throw p.error("unexpected \(p.describeHere())") }
        guard e.depth <= maximumDepth else {
            throw ExpressionError(message: "the expression nests more than \(maximumDepth) levels deep (a long chain of operators counts too)", position: 1)
        }
        return e
    }

    /// The number of levels of the tree, counted without recursion.
    var depth: Int {
        var deepest = 0
        var pending: [(RowExpression, Int)] = [(self, 1)]
        while let (e, d) = pending.popLast() {
            deepest = Swift.max(deepest, d)
            switch e {
            case .negate(let a), .not(let a): pending.append((a, d + 1))
            case .binary(_, let a, let b): pending += [(a, d + 1), (b, d + 1)]
            case .call(_, let args): pending += args.map { ($0, d + 1) }
            case .number, .text, .null, .column: break
            }
        }
        return deepest
    }
}

/// A syntax error in an expression: a message and the 1-based character position.
public struct ExpressionError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public let position: Int
    public var description: String { "\(message) at character \(position)" }
}

/// A recursive-descent (precedence-climbing) parser over unicode scalars.
struct RowExpressionParser {
    let s: [Unicode.Scalar]
    var i = 0
    /// How many `expression` and `unary` calls are open: bounded, so that no input exhausts the stack.
    var depth = 0
    /// The bound on open calls: a tree of the maximum depth can take up to three calls per level when written out
    /// with parentheses (`(` → expression → unary), and the display text of every accepted expression must parse.
    static let maximumCalls = 4 * RowExpression.maximumDepth

    mutating func enter() throws {
        depth += 1
        guard depth <= Self.maximumCalls else {
            throw error("the expression nests more than \(RowExpression.maximumDepth) levels deep")
        }
    }

    init(_ s: [Unicode.Scalar]) { self.s = s }

    var atEnd: Bool { i >= s.count }

    func error(_ message: String, at position: Int? = nil) -> ExpressionError {
        ExpressionError(message: message, position: (position ?? i) + 1)
    }

    func describeHere() -> String { atEnd ? "end of expression" : "'\(Character(s[i]))'" }

    mutating func skipSpace() { while i < s.count, s[i].properties.isWhitespace { i += 1 } }

    static func isNameStart(_ c: Unicode.Scalar) -> Bool { c.properties.isAlphabetic || c == "_" }
    static func isNamePart(_ c: Unicode.Scalar) -> Bool { isNameStart(c) || c.properties.numericType != nil }

    /// The binary operator at the cursor, without consuming it.
    mutating func peekOperator() -> (RowExpression.BinaryOperator, Int)? {
        skipSpace()
        guard i < s.count else { return nil }
        let two = i + 1 < s.count ? String(String.UnicodeScalarView([s[i], s[i + 1]])) : ""
        for op in ["==", "!=", "<=", ">="] where two == op { return (RowExpression.BinaryOperator(rawValue: op)!, 2) }
        switch s[i] {
        case "+": return (.add, 1)
        case "-": return (.subtract, 1)
        case "*": return (.multiply, 1)
        case "/": return (.divide, 1)
        case "<": return (.less, 1)
        case ">": return (.greater, 1)
        case "=": return nil
        default: break
        }
        if let word = peekWord(), word == "and" || word == "or" { return (RowExpression.BinaryOperator(rawValue: word)!, word.count) }
        return nil
    }

    func peekWord() -> String? {
        guard i < s.count, Self.isNameStart(s[i]) else { return nil }
        var j = i
        while j < s.count, Self.isNamePart(s[j]) { j += 1 }
        return String(String.UnicodeScalarView(s[i..<j]))
    }

    mutating func expression(minPrecedence: Int) throws -> RowExpression {
        try enter()
        defer { depth -= 1 }
        var left = try unary()
        while let (op, width) = peekOperator(), op.precedence >= minPrecedence {
            let at = i
            i += width
            let right = try expression(minPrecedence: op.precedence + 1)
            if op.precedence == 4, case .binary(let inner, _, _) = left, inner.precedence == 4 {
                throw error("comparisons cannot be chained; join them with 'and'", at: at)
            }
            left = .binary(op, left, right)
        }
        return left
    }

    mutating func unary() throws -> RowExpression {
        try enter()
        defer { depth -= 1 }
        skipSpace()
        guard i < s.count else { throw error("expected a value, found end of expression") }
        if s[i] == "-" { i += 1; return .negate(try unary()) }
        if peekWord() == "not" { i += 3; return .not(try expression(minPrecedence: 3)) }
        return try primary()
    }

    mutating func primary() throws -> RowExpression {
        skipSpace()
        let start = i
        let c = s[i]
        if c == "(" {
            i += 1
            let e = try expression(minPrecedence: 1)
            try expect(")")
            return e
        }
        if c == "'" || c == "\"" { return .text(try quoted(c, what: "text")) }
        if c == "`" {
            let name = try quoted("`", what: "column name")
            guard !name.isEmpty else { throw error("empty column name", at: start) }
            return .column(name)
        }
        if c.properties.numericType != nil || (c == "." && i + 1 < s.count && s[i + 1].properties.numericType != nil) {
            var j = i
            while j < s.count, s[j].properties.numericType != nil || s[j] == "." { j += 1 }
            if j < s.count, s[j] == "e" || s[j] == "E" {
                var k = j + 1
                if k < s.count, s[k] == "+" || s[k] == "-" { k += 1 }
                if k < s.count, s[k].properties.numericType != nil {
                    j = k
                    while j < s.count, s[j].properties.numericType != nil { j += 1 }
                }
            }
            let t = String(String.UnicodeScalarView(s[i..<j]))
            guard t.unicodeScalars.allSatisfy({ $0.isASCII }), let v = Double(t), v.isFinite else { throw error("'\(t)' is not a number", at: start) }
            i = j
            return .number(v)
        }
        if let word = peekWord() {
            i += word.unicodeScalars.count
            switch word {
            case "null": return .null
            case "true": return .number(1)
            case "false": return .number(0)
            case "and", "or", "not": throw error("expected a value, found '\(word)'", at: start)
            default: break
            }
            skipSpace()
            if i < s.count, s[i] == "(" {
                guard let f = RowExpression.Function(rawValue: word) else {
                    throw error("unknown function '\(word)'\(Suggest.hint(word, among: RowExpression.Function.allCases.map(\.rawValue)))", at: start)
                }
                i += 1
                var args: [RowExpression] = []
                skipSpace()
                if i < s.count, s[i] == ")" { i += 1 } else {
                    while true {
                        args.append(try expression(minPrecedence: 1))
                        skipSpace()
                        if i < s.count, s[i] == "," { i += 1; continue }
                        try expect(")")
                        break
                    }
                }
                guard f.arity.contains(args.count) else {
                    let want = f.arity.lowerBound == f.arity.upperBound ? "\(f.arity.lowerBound)" : "at least \(f.arity.lowerBound)"
                    throw error("\(word) takes \(want) argument\(want == "1" ? "" : "s"), got \(args.count)", at: start)
                }
                return .call(f, args)
            }
            return .column(word)
        }
        throw error("unexpected '\(Character(c))'")
    }

    mutating func expect(_ c: Unicode.Scalar) throws {
        skipSpace()
        guard i < s.count, s[i] == c else { throw error("expected '\(Character(c))', found \(describeHere())") }
        i += 1
    }

    /// Text between `q` quotes; a doubled quote stands for one.
    mutating func quoted(_ q: Unicode.Scalar, what: String) throws -> String {
        let start = i
        i += 1
        var out = String.UnicodeScalarView()
        while i < s.count {
            if s[i] == q {
                if i + 1 < s.count, s[i + 1] == q { out.append(q); i += 2; continue }
                i += 1
                return String(out)
            }
            out.append(s[i])
            i += 1
        }
        throw error("\(what) is never closed", at: start)
    }
}

import AssayCore
import Foundation

/// Applies `data.clean` steps to a frame, in order. Each step looks at one row at a time (or, for
/// `drop_duplicates`, at rows before it), so cleaning before the split cannot leak between folds.
public enum Cleaning {
    /// The cleaned frame, and one line per step saying what it did (for the report).
    public static func apply(_ steps: [CleanStep], to frame: consuming Frame) throws -> (Frame, [LogLine]) {
        var f = consume frame
        var log: [LogLine] = []
        for step in steps {
            let before = f.rowCount
            switch step {
            case .replace(let column, let pairs, let origin):
                let (c, changed) = try replace(f, column, pairs, origin)
                f.columns[c.index] = c.column
                log.append("replace in \(code: column): \(changed) cell\(changed == 1 ? "" : "s") changed")
            case .filter(let e, let origin):
                let values = try ExpressionEvaluator(e, frame: f, origin: origin, what: "filter").evaluate()
                var keep: [Int] = []
                for (r, v) in values.enumerated() {
                    switch v {
                    case .number(let x): if x != 0 { keep.append(r) }
                    case .missing: break
                    case .text: throw DataError.step(origin: origin, message: "filter: the condition gives text ('\(v)') at line \(f.lines[r]) of \(f.file); write a comparison")
                    }
                }
                f.keep(ascending: keep)
                log.append("filter \(code: e.display): \(before - f.rowCount) of \(before) rows removed")
            case .dropDuplicates(let subset, let ignore, let origin):
                for name in (subset ?? []) + ignore where f.index(of: name) == nil {
                    throw DataError.step(origin: origin, message: "drop_duplicates: no column '\(name)'\(Suggest.hint(name, among: f.names))")
                }
                let compared = f.columns.indices.filter { subset?.contains(f.columns[$0].name) ?? true }
                    .filter { !ignore.contains(f.columns[$0].name) }
                var seen = Set<[UInt64]>()
                var keep: [Int] = []
                for r in 0..<f.rowCount where seen.insert(compared.map { rowKey(f.columns[$0].values, r) }).inserted { keep.append(r) }
                f.keep(ascending: keep)
                log.append("drop_duplicates: \(before - f.rowCount) of \(before) rows removed")
            case .normalize(let columns, let lowercase, let origin):
                for name in columns ?? [] where f.index(of: name) == nil {
                    throw DataError.step(origin: origin, message: "normalize: no column '\(name)'\(Suggest.hint(name, among: f.names))")
                }
                var changed = 0
                for (i, col) in f.columns.enumerated() where columns?.contains(col.name) ?? true {
                    guard case .categorical(let codes, let levels) = col.values else {
                        if columns != nil { throw DataError.step(origin: origin, message: "normalize: column '\(col.name)' is numeric, not text") }
                        continue
                    }
                    let texts = codes.map { $0 < 0 ? nil : normalized(levels[Int($0)], lowercase) }
                    changed += zip(codes, texts).filter { $0.0 >= 0 && levels[Int($0.0)] != $0.1 }.count
                    f.columns[i] = Column.categorical(name: col.name, texts)
                }
                log.append("normalize text\(lowercase ? " (lowercase)" : ""): \(changed) cell\(changed == 1 ? "" : "s") changed")
            case .derive(let name, let e, let origin):
                let values = try ExpressionEvaluator(e, frame: f, origin: origin, what: "derive '\(name)'").evaluate()
                let column = try ExpressionEvaluator.column(name, values, origin: origin)
                if let i = f.index(of: name) { f.columns[i] = column } else { f.columns.append(column) }
                log.append("derive \(code: name) = \(code: e.display)")
            }
        }
        return (f, log)
    }

    /// A cell as a comparable key: the number's bits (one NaN) or the category code.
    static func rowKey(_ values: ColumnValues, _ r: Int) -> UInt64 {
        switch values {
        case .numeric(let v): return v[r].isNaN ? UInt64.max : (v[r] == 0 ? 0 : v[r].bitPattern)
        case .categorical(let codes, _): return UInt64(bitPattern: Int64(codes[r]))
        }
    }

    /// Text with its ends trimmed and inner runs of white space made one space.
    static func normalized(_ s: String, _ lowercase: Bool) -> String {
        let words = s.split(whereSeparator: { $0.isWhitespace })
        let t = words.joined(separator: " ")
        return lowercase ? t.lowercased() : t
    }

    static func replace(_ f: Frame, _ name: String, _ pairs: [CleanStep.Replacement], _ origin: String) throws -> ((index: Int, column: Column), Int) {
        guard let i = f.index(of: name) else {
            throw DataError.step(origin: origin, message: "replace: no column '\(name)'\(Suggest.hint(name, among: f.names))")
        }
        switch f.columns[i].values {
        case .categorical(let codes, let levels):
            var map: [String: String?] = [:]
            for p in pairs {
                switch p.new {
                case .null: map[p.old] = .some(nil)
                case .string(let s): map[p.old] = s
                case .int, .double: map[p.old] = p.new.display
                default: throw DataError.step(origin: origin, message: "replace: '\(p.old)' in '\(name)' must become text, a number or null")
                }
            }
            var changed = 0
            let texts = codes.map { c -> String? in
                guard c >= 0 else { return nil }
                let old = levels[Int(c)]
                if let new = map[old] { changed += 1; return new }
                return old
            }
            return ((i, Column.categorical(name: name, texts)), changed)
        case .numeric(var v):
            var map: [Double: Double] = [:]
            for p in pairs {
                guard let old = Double(p.old) else {
                    throw DataError.step(origin: origin, message: "replace: column '\(name)' is numeric, and '\(p.old)' is not a number")
                }
                guard p.new == .null || p.new.number != nil else {
                    throw DataError.step(origin: origin, message: "replace: column '\(name)' is numeric; '\(p.old)' must become a number or null")
                }
                map[old] = p.new.number ?? .nan
            }
            var changed = 0
            for r in v.indices { if let new = map[v[r]] { v[r] = new; changed += 1 } }
            return ((i, Column(name: name, values: .numeric(v))), changed)
        }
    }
}

/// A value while an expression is evaluated.
enum Value: Equatable, CustomStringConvertible {
    case number(Double)
    case text(String)
    case missing

    var description: String {
        switch self {
        case .number(let x): return NumberFormat.json(x)
        case .text(let t): return t
        case .missing: return "missing"
        }
    }
}

/// Evaluates an expression on every row of a frame.
struct ExpressionEvaluator {
    let expression: RowExpression
    let frame: Frame
    let origin: String
    let what: String
    /// Column name → index into the frame, resolved once.
    let index: [String: Int]

    init(_ e: RowExpression, frame: Frame, origin: String, what: String) throws {
        var index: [String: Int] = [:]
        for name in e.columns {
            guard let i = frame.index(of: name) else {
                throw DataError.step(origin: origin, message: "\(what): no column '\(name)'\(Suggest.hint(name, among: frame.names))")
            }
            index[name] = i
        }
        self.expression = e
        self.frame = frame
        self.origin = origin
        self.what = what
        self.index = index
    }

    func evaluate() throws -> [Value] {
        try (0..<frame.rowCount).map { try eval(expression, $0) }
    }

    func fail(_ r: Int, _ message: String) -> DataError {
        .step(origin: origin, message: "\(what): \(message) (line \(frame.lines[r]) of \(frame.file))")
    }

    func eval(_ e: RowExpression, _ r: Int) throws -> Value {
        switch e {
        case .number(let x): return .number(x)
        case .text(let t): return .text(t)
        case .null: return .missing
        case .column(let name):
            switch frame.columns[index[name]!].values {
            case .numeric(let v): return v[r].isNaN ? .missing : .number(v[r])
            case .categorical(let codes, let levels): return codes[r] < 0 ? .missing : .text(levels[Int(codes[r])])
            }
        case .negate(let a):
            switch try eval(a, r) {
            case .number(let x): return .number(-x)
            case .missing: return .missing
            case .text(let t): throw fail(r, "cannot negate text '\(t)'")
            }
        case .not(let a):
            switch try eval(a, r) {
            case .number(let x): return .number(x == 0 ? 1 : 0)
            case .missing: return .missing
            case .text(let t): throw fail(r, "'not' needs a condition, got text '\(t)'")
            }
        case .binary(let op, let a, let b):
            return try binary(op, a, b, r)
        case .call(let f, let args):
            return try call(f, args, r)
        }
    }

    func binary(_ op: RowExpression.BinaryOperator, _ a: RowExpression, _ b: RowExpression, _ r: Int) throws -> Value {
        let x = try eval(a, r)
        if op == .and, case .number(0) = x { return .number(0) }
        if op == .or, case .number(let v) = x, v != 0 { return .number(1) }
        let y = try eval(b, r)
        switch op {
        case .and, .or:
            guard case .number(let q) = y else {
                if y == .missing { return .missing }
                throw fail(r, "'\(op.rawValue)' needs conditions, got text '\(y)'")
            }
            if x == .missing { return op == .and ? (q == 0 ? .number(0) : .missing) : (q != 0 ? .number(1) : .missing) }
            guard case .number = x else { throw fail(r, "'\(op.rawValue)' needs conditions, got text '\(x)'") }
            // Both sides are numbers and the left one did not decide it (and: it was true; or: it was false).
            return .number(q != 0 ? 1 : 0)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual:
            // A comparison with a missing value is false (pandas' rule for NaN), except '!=' which is true.
            if x == .missing || y == .missing { return .number(op == .notEqual ? 1 : 0) }
            let order: Int
            switch (x, y) {
            case (.number(let p), .number(let q)): order = p < q ? -1 : (p > q ? 1 : 0)
            case (.text(let p), .text(let q)): order = p == q ? 0 : (p.utf8.lexicographicallyPrecedes(q.utf8) ? -1 : 1)
            default: throw fail(r, "cannot compare '\(x)' with '\(y)' (text with a number)")
            }
            let holds: Bool
            switch op {
            case .equal: holds = order == 0
            case .notEqual: holds = order != 0
            case .less: holds = order < 0
            case .lessOrEqual: holds = order <= 0
            case .greater: holds = order > 0
            default: holds = order >= 0
            }
            return .number(holds ? 1 : 0)
        case .add, .subtract, .multiply, .divide:
            if x == .missing || y == .missing { return .missing }
            guard case .number(let p) = x, case .number(let q) = y else {
                throw fail(r, "'\(op.rawValue)' needs numbers, got '\(x)' and '\(y)'")
            }
            let v: Double
            switch op {
            case .add: v = p + q
            case .subtract: v = p - q
            case .multiply: v = p * q
            default: v = p / q
            }
            return v.isFinite ? .number(v) : .missing
        }
    }

    func call(_ f: RowExpression.Function, _ args: [RowExpression], _ r: Int) throws -> Value {
        if f == .isMissing { return .number(try eval(args[0], r) == .missing ? 1 : 0) }
        if f == .if {
            switch try eval(args[0], r) {
            case .number(let c): return try eval(c != 0 ? args[1] : args[2], r)
            case .missing: return try eval(args[2], r)
            case .text(let t): throw fail(r, "if needs a condition first, got text '\(t)'")
            }
        }
        var numbers: [Double] = []
        for a in args {
            switch try eval(a, r) {
            case .number(let x): numbers.append(x)
            case .missing: return .missing
            case .text(let t): throw fail(r, "\(f.rawValue) needs numbers, got text '\(t)'")
            }
        }
        let v: Double
        switch f {
        case .log: v = Foundation.log(numbers[0])
        case .log1p: v = Foundation.log1p(numbers[0])
        case .exp: v = Foundation.exp(numbers[0])
        case .sqrt: v = numbers[0].squareRoot()
        case .abs: v = Swift.abs(numbers[0])
        case .clip: v = Swift.min(Swift.max(numbers[0], numbers[1]), numbers[2])
        case .min: v = numbers.min()!
        case .max: v = numbers.max()!
        case .if, .isMissing: v = .nan
        }
        // log of 0 or a negative number, sqrt of a negative: missing, not an infinity that poisons a fit.
        return v.isFinite ? .number(v) : .missing
    }

    /// A derived column: numeric when every present value is a number, categorical when every one is text.
    static func column(_ name: String, _ values: [Value], origin: String) throws -> Column {
        let numbers = values.contains { if case .number = $0 { return true }; return false }
        let texts = values.contains { if case .text = $0 { return true }; return false }
        if numbers && texts { throw DataError.step(origin: origin, message: "derive '\(name)': gives numbers for some rows and text for others") }
        if texts {
            return Column.categorical(name: name, values.map { if case .text(let t) = $0 { return t }; return nil })
        }
        return Column(name: name, values: .numeric(values.map { if case .number(let x) = $0 { return x }; return .nan }))
    }
}

import AssayCore
import Foundation

/// A JSON Schema (draft-07) validator for the keywords `assay schema` uses, to check that the schema editors get
/// accepts what the spec loader accepts and refuses what it refuses. Unknown keywords are ignored, as the draft says.
public struct SchemaValidator {
    let root: JSONValue

    public init(_ root: JSONValue) { self.root = root }

    /// Every violation, as "path: problem"; empty when `value` is valid.
    public func errors(_ value: JSONValue) -> [String] { check(value, root, "$") }

    func check(_ v: JSONValue, _ schema: JSONValue, _ path: String) -> [String] {
        guard case .object(let s) = schema else { return [] }
        if case .string(let ref)? = s["$ref"] {
            let name = String(ref.dropFirst("#/definitions/".count))
            guard ref.hasPrefix("#/definitions/"), let target = root["definitions"]?[name] else { return ["\(path): unresolvable $ref \(ref)"] }
            return check(v, target, path)
        }
        var out: [String] = []
        if let t = s["type"] {
            let names: [String]
            switch t {
            case .string(let n): names = [n]
            case .array(let items): names = items.compactMap { if case .string(let n) = $0 { return n }; return nil }
            default: names = []
            }
            if !names.contains(where: { Self.hasType(v, $0) }) { out.append("\(path): not of type \(names.joined(separator: "|"))") }
        }
        if case .array(let options)? = s["enum"], !options.contains(where: { Self.same($0, v) }) { out.append("\(path): not one of the enum") }
        if let c = s["const"], !Self.same(c, v) { out.append("\(path): not the constant") }
        if let n = s["not"], check(v, n, path).isEmpty { out.append("\(path): matches a schema it must not") }
        if let x = Self.number(v) {
            if let m = s["minimum"].flatMap(Self.number), x < m { out.append("\(path): below the minimum") }
            if let m = s["maximum"].flatMap(Self.number), x > m { out.append("\(path): above the maximum") }
            if let m = s["exclusiveMinimum"].flatMap(Self.number), x <= m { out.append("\(path): not above the exclusive minimum") }
            if let m = s["exclusiveMaximum"].flatMap(Self.number), x >= m { out.append("\(path): not below the exclusive maximum") }
        }
        if case .string(let text) = v {
            if case .integer(let n)? = s["minLength"], text.count < n { out.append("\(path): too short") }
            if case .integer(let n)? = s["maxLength"], text.count > n { out.append("\(path): too long") }
            if case .string(let p)? = s["pattern"], text.range(of: p, options: .regularExpression) == nil { out.append("\(path): does not match \(p)") }
        }
        if case .array(let items) = v {
            if let itemSchema = s["items"] { for (i, item) in items.enumerated() { out += check(item, itemSchema, "\(path)[\(i)]") } }
            if case .integer(let n)? = s["minItems"], items.count < n { out.append("\(path): fewer than \(n) items") }
            if case .integer(let n)? = s["maxItems"], items.count > n { out.append("\(path): more than \(n) items") }
            if case .bool(true)? = s["uniqueItems"] {
                for i in items.indices where items[..<i].contains(where: { Self.same($0, items[i]) }) { out.append("\(path): repeats an item") }
            }
        }
        if case .object(let fields) = v {
            let properties: [String: JSONValue] = { if case .object(let p)? = s["properties"] { return p }; return [:] }()
            let patterns: [String: JSONValue] = { if case .object(let p)? = s["patternProperties"] { return p }; return [:] }()
            for key in fields.keys.sorted() {
                var matched = false
                if let p = properties[key] { matched = true; out += check(fields[key]!, p, "\(path).\(key)") }
                for (pattern, p) in patterns where key.range(of: pattern, options: .regularExpression) != nil {
                    matched = true
                    out += check(fields[key]!, p, "\(path).\(key)")
                }
                if !matched, let extra = s["additionalProperties"] {
                    if case .bool(false) = extra { out.append("\(path): unknown key '\(key)'") } else { out += check(fields[key]!, extra, "\(path).\(key)") }
                }
            }
            if case .array(let required)? = s["required"] {
                for case .string(let r) in required where fields[r] == nil { out.append("\(path): missing '\(r)'") }
            }
            if case .integer(let n)? = s["minProperties"], fields.count < n { out.append("\(path): fewer than \(n) keys") }
            if case .integer(let n)? = s["maxProperties"], fields.count > n { out.append("\(path): more than \(n) keys") }
        }
        if case .array(let all)? = s["allOf"] { for sub in all { out += check(v, sub, path) } }
        if case .array(let any)? = s["anyOf"], !any.contains(where: { check(v, $0, path).isEmpty }) { out.append("\(path): matches none of anyOf") }
        if case .array(let one)? = s["oneOf"], one.filter({ check(v, $0, path).isEmpty }).count != 1 { out.append("\(path): does not match exactly one of oneOf") }
        if let condition = s["if"] {
            if check(v, condition, path).isEmpty { if let then = s["then"] { out += check(v, then, path) } }
            else if let otherwise = s["else"] { out += check(v, otherwise, path) }
        }
        return out
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .integer(let i): return Double(i)
        case .number(let d): return d
        default: return nil
        }
    }

    static func hasType(_ v: JSONValue, _ type: String) -> Bool {
        switch (type, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): return true
        case ("number", .integer), ("number", .number), ("integer", .integer): return true
        case ("integer", .number(let d)): return d == d.rounded()
        default: return false
        }
    }

    /// JSON equality (1 and 1.0 are the same number).
    static func same(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (.object(let x), .object(let y)): return Set(x.keys) == Set(y.keys) && x.keys.allSatisfy { same(x[$0]!, y[$0]!) }
        default:
            guard let x = number(a), let y = number(b) else { return false }
            return x == y
        }
    }
}

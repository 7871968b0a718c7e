/// A hyperparameter or option value as written in a spec: the JSON-like subset of YAML.
public indirect enum ParamValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case list([ParamValue])

    /// The value as a number, when it is one.
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// Canonical JSON text: the same value always gives the same bytes (used in cache keys and reports).
    public var json: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return NumberFormat.json(d)
        case .string(let s): return JSONText.quote(s)
        case .list(let items): return "[" + items.map(\.json).joined(separator: ",") + "]"
        }
    }

    /// Short text for tables: strings unquoted, `null` for none.
    public var display: String {
        switch self {
        case .string(let s): return s
        case .list(let items): return "[" + items.map(\.display).joined(separator: ", ") + "]"
        default: return json
        }
    }
}

/// JSON string escaping shared by every writer.
public enum JSONText {
    public static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let hex = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}

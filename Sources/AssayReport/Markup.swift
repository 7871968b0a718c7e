import AssayCore

/// Escaping shared by every renderer: XML/HTML/SVG text and attributes, and Markdown table cells.
enum Markup {
    /// Text safe inside an XML, HTML or SVG element or a double-quoted attribute (every renderer quotes with ").
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            default:
                // XML 1.0 allows no other control characters.
                if ch.value < 0x20 && ch != "\t" && ch != "\r" { out += "?" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out
    }

    /// Text safe inside a Markdown table cell: pipes escaped, line breaks as spaces.
    static func cell(_ s: String) -> String { s.replacingAll(["|": "\\|", "\n": " ", "\r": " "]) }

    /// Text from the data or the spec (a name, a label, a description) as literal Markdown: every character that could
    /// start markup (HTML, a link, emphasis, code) or end a table cell is backslash-escaped, line breaks become
    /// spaces, and at most `limit` characters are kept.
    static func text(_ s: String, limit: Int = 200) -> String {
        capped(s, limit).replacingAll(["\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]", "<": "\\<", ">": "\\>",
                                       "|": "\\|", "\n": " ", "\r": " "])
    }

    /// The same text inside a code span: backticks (which would end it) become ', pipes are escaped for tables.
    static func code(_ s: String, limit: Int = 200) -> String {
        capped(s, limit).replacingAll(["`": "'", "|": "\\|", "\n": " ", "\r": " "])
    }

    /// A log line as Markdown: its text escaped as `text`, its code spans as `code` in backticks.
    static func line(_ l: LogLine) -> String {
        l.parts.map {
            switch $0 {
            case .text(let t): return text(t)
            case .code(let c): return "`" + code(c) + "`"
            }
        }.joined()
    }

    static func capped(_ s: String, _ limit: Int) -> String { s.count <= limit ? s : String(s.prefix(limit)) + "…" }
}


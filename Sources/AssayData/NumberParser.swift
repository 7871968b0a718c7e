import Foundation

/// Strict decimal number parsing from bytes: `[+-]digits[.digits][e[+-]digits]`, surrounding spaces allowed.
///
/// `decimal` is the decimal mark (`.` or `,`). Text such as `inf`, `0x1A` or `1,000` (with a `.` mark) is not a number.
public enum NumberParser {
    public static func parse(_ text: String, decimal: UInt8) -> Double? {
        var t = text
        return t.withUTF8 { parse($0, decimal: decimal) }
    }

    static func parse(_ b: UnsafeBufferPointer<UInt8>, decimal: UInt8) -> Double? {
        var s = 0, e = b.count
        while s < e && b[s] == 0x20 { s += 1 }
        while e > s && b[e - 1] == 0x20 { e -= 1 }
        guard e > s, e - s < 64 else { return nil }
        // Validate the grammar and find the decimal mark.
        var i = s
        if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        var digits = 0
        while i < e, b[i] &- 48 < 10 { i += 1; digits += 1 }
        var mark = -1
        if i < e && b[i] == decimal {
            mark = i; i += 1
            while i < e, b[i] &- 48 < 10 { i += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if i < e && (b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E")) {
            i += 1
            if i < e && (b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-")) { i += 1 }
            var expDigits = 0
            while i < e, b[i] &- 48 < 10 { i += 1; expDigits += 1 }
            guard expDigits > 0 else { return nil }
        }
        guard i == e else { return nil }
        // Fast path: short integers are exact.
        if mark < 0 && e - s <= 15 && i == e && !b[s..<e].contains(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            var neg = false, j = s, v: Int64 = 0
            if b[j] == UInt8(ascii: "-") { neg = true; j += 1 } else if b[j] == UInt8(ascii: "+") { j += 1 }
            while j < e { v = v * 10 + Int64(b[j] - 48); j += 1 }
            return neg ? -Double(v) : Double(v)
        }
        // Correctly rounded conversion by strtod on a NUL-terminated copy with '.' as the mark.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: e - s + 1) { buf in
            for k in s..<e { buf[k - s] = CChar(bitPattern: k == mark ? UInt8(ascii: ".") : b[k]) }
            buf[e - s] = 0
            return strtod(buf.baseAddress!, nil)
        }
    }
}

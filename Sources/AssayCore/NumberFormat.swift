import Foundation

/// Number formatting that is identical on every run and machine.
public enum NumberFormat {
    /// Significant digits written to machine-readable outputs (metrics.json).
    public static let significantDigits = 6

    /// A JSON number with `significantDigits` significant digits; `null` when not finite.
    public static func json(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == 0 { return "0" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        var s = String(format: "%.\(significantDigits)g", x)
        if s.contains("e") {
            // %g exponent form: strip trailing zeros in the mantissa.
            let parts = s.split(separator: "e", maxSplits: 1)
            var mantissa = String(parts[0])
            if mantissa.contains(".") {
                while mantissa.hasSuffix("0") { mantissa.removeLast() }
                if mantissa.hasSuffix(".") { mantissa.removeLast() }
            }
            s = mantissa + "e" + parts[1]
        }
        return s
    }

    /// Fixed decimals for human tables (report.md); `n/a` when not finite.
    public static func fixed(_ x: Double, decimals: Int = 4) -> String {
        guard x.isFinite else { return "n/a" }
        let s = String(format: "%.\(decimals)f", x)
        return s == "-" + String(format: "%.\(decimals)f", 0.0) ? String(s.dropFirst()) : s
    }
}

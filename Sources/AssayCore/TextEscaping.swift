extension String {
    /// Replaces each listed Unicode scalar by its text, in one pass.
    ///
    /// Scalars, not characters: Swift's `Character` is a grapheme cluster, so a quote or bracket followed by a
    /// combining mark, or the CR of a CRLF, is not equal to the quote, bracket or CR alone — and would slip past
    /// an escape written with characters, while every parser downstream (ours, Markdown's) still sees it.
    public func replacingAll(_ table: [Unicode.Scalar: String]) -> String {
        var out = String.UnicodeScalarView()
        for u in unicodeScalars {
            if let r = table[u] { out.append(contentsOf: r.unicodeScalars) } else { out.append(u) }
        }
        return String(out)
    }
}

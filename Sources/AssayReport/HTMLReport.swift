import Foundation

/// `runs/<name>/report.html`: report.md as one self-contained page (inline CSS and SVG, no scripts, nothing
/// fetched), so the two never disagree. It converts exactly the Markdown that `MarkdownReport` writes:
/// headings, paragraphs, bullet lists, pipe tables, images of `figures/`, `**bold**` and `` `code` ``.
public enum HTMLReport {
    /// The page for `markdown`; `figures` maps a file name under `figures/` to its SVG text, inlined in place of the image.
    public static func render(markdown: String, title: String, figures: [String: String]) -> String {
        var out = ["<!DOCTYPE html>", "<html lang=\"en\">", "<head>", "<meta charset=\"utf-8\">",
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">",
                   "<title>\(Markup.escape(title)) — Assay report</title>", "<style>", style, "</style>", "</head>", "<body>", "<main>"]
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        var figureRun: [String] = []
        func flushFigures() {
            guard !figureRun.isEmpty else { return }
            out.append("<div class=\"figures\">")
            out += figureRun
            out.append("</div>")
            figureRun = []
        }
        while i < lines.count {
            let line = lines[i]
            if line.hasPrefix("!["), let fig = figure(line, figures) {
                figureRun.append(fig)
                i += 1
                continue
            }
            if line.isEmpty { i += 1; continue }
            flushFigures()
            if line.hasPrefix("### ") { out.append("<h3>\(inline(String(line.dropFirst(4))))</h3>") }
            else if line.hasPrefix("## ") { out.append("<h2>\(inline(String(line.dropFirst(3))))</h2>") }
            else if line.hasPrefix("# ") { out.append("<h1>\(inline(String(line.dropFirst(2))))</h1>") }
            else if line.hasPrefix("|") {
                var block: [String] = []
                while i < lines.count, lines[i].hasPrefix("|") { block.append(lines[i]); i += 1 }
                out += table(block)
                continue
            } else if line.hasPrefix("- ") {
                out.append("<ul>")
                while i < lines.count, lines[i].hasPrefix("- ") { out.append("<li>\(inline(String(lines[i].dropFirst(2))))</li>"); i += 1 }
                out.append("</ul>")
                continue
            } else {
                // The first line always belongs to the paragraph (an image with no figure to inline is shown as text),
                // so every pass consumes a line.
                var para = [line]
                i += 1
                while i < lines.count, !lines[i].isEmpty, !lines[i].hasPrefix("#"), !lines[i].hasPrefix("|"), !lines[i].hasPrefix("- "),
                      !lines[i].hasPrefix("![") {
                    para.append(lines[i]); i += 1
                }
                out.append("<p>\(inline(para.joined(separator: " ")))</p>")
                continue
            }
            i += 1
        }
        flushFigures()
        out += ["</main>", "</body>", "</html>", ""]
        return out.joined(separator: "\n")
    }

    /// `![title](figures/file.svg)` as a figure with the SVG inline, or nil for another image.
    static func figure(_ line: String, _ figures: [String: String]) -> String? {
        guard let close = line.firstIndex(of: "]"), line[line.index(after: close)...].hasPrefix("(figures/"), line.hasSuffix(")") else { return nil }
        let title = String(line[line.index(line.startIndex, offsetBy: 2)..<close])
        let file = String(line[line.index(close, offsetBy: 10)..<line.index(before: line.endIndex)])
        guard let svg = figures[file] else { return nil }
        return "<figure>\(svg.hasSuffix("\n") ? String(svg.dropLast()) : svg)<figcaption>\(Markup.escape(title))</figcaption></figure>"
    }

    static func table(_ rows: [String]) -> [String] {
        func cells(_ row: String) -> [String] {
            var out: [String] = [], cur = ""
            var chars = Array(row.dropFirst())
            if chars.last == "|" { chars.removeLast() }
            var k = 0
            while k < chars.count {
                if chars[k] == "\\", k + 1 < chars.count, chars[k + 1] == "|" { cur.append("|"); k += 2; continue }
                if chars[k] == "|" { out.append(cur.trimmingCharacters(in: .whitespaces)); cur = ""; k += 1; continue }
                cur.append(chars[k]); k += 1
            }
            out.append(cur.trimmingCharacters(in: .whitespaces))
            return out
        }
        guard rows.count >= 2 else { return rows.map { "<p>\(inline($0))</p>" } }
        let right = cells(rows[1]).map { $0.hasSuffix(":") }
        func cellHTML(_ tag: String, _ text: String, _ k: Int) -> String {
            (k < right.count && right[k] ? "<\(tag) class=\"num\">" : "<\(tag)>") + inline(text) + "</\(tag)>"
        }
        var out = ["<div class=\"table\"><table>", "<thead><tr>" + cells(rows[0]).enumerated().map { cellHTML("th", $0.element, $0.offset) }.joined() + "</tr></thead>", "<tbody>"]
        for row in rows.dropFirst(2) {
            out.append("<tr>" + cells(row).enumerated().map { cellHTML("td", $0.element, $0.offset) }.joined() + "</tr>")
        }
        out += ["</tbody>", "</table></div>"]
        return out
    }

    /// Escapes text, then turns `code` and **bold** into HTML.
    static func inline(_ text: String) -> String {
        var out = "", i = text.startIndex
        var bold = false
        while i < text.endIndex {
            let c = text[i]
            if c == "`", let end = text[text.index(after: i)...].firstIndex(of: "`") {
                out += "<code>" + Markup.escape(String(text[text.index(after: i)..<end])) + "</code>"
                i = text.index(after: end)
                continue
            }
            // A backslash escape (as the Markdown renderer writes them): the character itself, as text.
            if c == "\\", let next = text.index(i, offsetBy: 1, limitedBy: text.endIndex), next < text.endIndex,
               text[next].isASCII, text[next].isPunctuation || text[next].isSymbol {
                out += Markup.escape(String(text[next]))
                i = text.index(after: next)
                continue
            }
            if text[i...].hasPrefix("**") {
                out += bold ? "</strong>" : "<strong>"
                bold.toggle()
                i = text.index(i, offsetBy: 2)
                continue
            }
            out += Markup.escape(String(c))
            i = text.index(after: i)
        }
        if bold { out += "</strong>" }
        return out
    }

    static let style = """
    body { margin: 0; background: #f6f6f4; color: #222; font: 15px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
    main { max-width: 1320px; margin: 0 auto; padding: 24px 32px 64px; background: #fff; }
    h1 { font-size: 28px; margin: 8px 0 4px; }
    h2 { font-size: 21px; margin: 32px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
    h3 { font-size: 17px; margin: 24px 0 6px; }
    code { font: 13px/1.4 Menlo, Consolas, monospace; background: #f0f0ee; padding: 1px 4px; border-radius: 3px; }
    .table { overflow-x: auto; margin: 8px 0 16px; }
    table { border-collapse: collapse; font-size: 13px; }
    th, td { padding: 4px 10px; border-bottom: 1px solid #e4e4e4; text-align: left; white-space: nowrap; }
    th { background: #fafafa; border-bottom: 2px solid #ccc; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    .figures { display: flex; flex-wrap: wrap; gap: 16px; margin: 12px 0; }
    figure { margin: 0; border: 1px solid #e4e4e4; padding: 4px; background: #fff; max-width: 100%; }
    figure svg { display: block; max-width: 100%; height: auto; }
    figcaption { font-size: 12px; color: #666; text-align: center; }
    li { margin: 2px 0; }
    """
}

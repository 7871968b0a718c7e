import AssayCore
import Foundation

/// A small, dependency-free SVG chart: axes with ticks and labels, a title, a legend, and series drawn as
/// lines, markers or horizontal ranges. Coordinates are written with fixed decimals, so the same data gives
/// the same bytes on every run.
struct SVGChart {
    struct Series {
        enum Style { case line, lineWithMarkers, dashed, markers }
        var name: String
        var points: [(x: Double, y: Double)]
        var style: Style = .line
        /// Palette index; nil uses the series' position.
        var color: Int? = nil
    }

    /// One row of a range chart: a label, a centre, a half-width, and optional individual values (folds).
    struct RangeRow {
        var label: String
        var centre: Double
        var halfWidth: Double
        var values: [Double]
        var highlighted: Bool
    }

    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    var title: String
    var xLabel: String
    var yLabel: String
    var x: ClosedRange<Double> = 0...1
    var y: ClosedRange<Double> = 0...1
    var series: [Series] = []
    /// Drawn first, thin and grey: the diagonal of a ROC or calibration chart, for example.
    var reference: [(x: Double, y: Double)]? = nil
    var referenceName: String? = nil
    var width = 640.0
    var height = 440.0
    var legendAtTop = false
    var legendAtLeft = false

    var left = 64.0
    let right = 24.0, top = 44.0, bottom = 56.0

    func px(_ v: Double) -> Double { left + (v - x.lowerBound) / (x.upperBound - x.lowerBound) * (width - left - right) }
    func py(_ v: Double) -> Double { height - bottom - (v - y.lowerBound) / (y.upperBound - y.lowerBound) * (height - top - bottom) }

    static func f(_ v: Double) -> String {
        let s = String(format: "%.1f", v)
        return s == "-0.0" ? "0.0" : s
    }

    /// Tick values: about five round steps across the range.
    static func ticks(_ r: ClosedRange<Double>) -> [Double] {
        let span = r.upperBound - r.lowerBound
        guard span > 0, span.isFinite else { return [r.lowerBound] }
        let raw = span / 5, mag = pow(10, (log10(raw)).rounded(.down))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
        var out: [Double] = []
        var t = (r.lowerBound / step).rounded(.up) * step
        while t <= r.upperBound + step * 1e-9 { out.append(abs(t) < step * 1e-9 ? 0 : t); t += step }
        return out
    }

    static func tickText(_ v: Double) -> String { NumberFormat.json((v * 1e6).rounded() / 1e6) }

    func open(_ out: inout [String]) {
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">")
        out.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>")
        out.append("<text x=\"\(Self.f(width / 2))\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">\(Markup.escape(title))</text>")
    }

    func axes(_ out: inout [String], yTicks: [(Double, String)]? = nil) {
        let x0 = px(x.lowerBound), x1 = px(x.upperBound), y0 = py(y.lowerBound), y1 = py(y.upperBound)
        out.append("<g stroke=\"#e5e5e5\" stroke-width=\"1\">")
        for t in Self.ticks(x) { out.append("<line x1=\"\(Self.f(px(t)))\" y1=\"\(Self.f(y0))\" x2=\"\(Self.f(px(t)))\" y2=\"\(Self.f(y1))\"/>") }
        if yTicks == nil {
            for t in Self.ticks(y) { out.append("<line x1=\"\(Self.f(x0))\" y1=\"\(Self.f(py(t)))\" x2=\"\(Self.f(x1))\" y2=\"\(Self.f(py(t)))\"/>") }
        }
        out.append("</g>")
        out.append("<rect x=\"\(Self.f(x0))\" y=\"\(Self.f(y1))\" width=\"\(Self.f(x1 - x0))\" height=\"\(Self.f(y0 - y1))\" fill=\"none\" stroke=\"#333333\"/>")
        out.append("<g fill=\"#333333\">")
        for t in Self.ticks(x) {
            out.append("<text x=\"\(Self.f(px(t)))\" y=\"\(Self.f(y0 + 18))\" text-anchor=\"middle\">\(Self.tickText(t))</text>")
        }
        for (t, label) in yTicks ?? Self.ticks(y).map({ ($0, Self.tickText($0)) }) {
            out.append("<text x=\"\(Self.f(x0 - 8))\" y=\"\(Self.f(py(t) + 4))\" text-anchor=\"end\">\(Markup.escape(label))</text>")
        }
        out.append("</g>")
        out.append("<text x=\"\(Self.f((x0 + x1) / 2))\" y=\"\(Self.f(height - 14))\" text-anchor=\"middle\">\(Markup.escape(xLabel))</text>")
        if !yLabel.isEmpty {
            out.append("<text transform=\"translate(16 \(Self.f((y0 + y1) / 2))) rotate(-90)\" text-anchor=\"middle\">\(Markup.escape(yLabel))</text>")
        }
    }

    func color(_ s: Series, _ i: Int) -> String { Self.palette[(s.color ?? i) % Self.palette.count] }

    /// A line (or marker) chart with a legend.
    func render() -> String {
        var out: [String] = []
        open(&out)
        axes(&out)
        if let reference {
            out.append("<polyline points=\"\(path(reference))\" fill=\"none\" stroke=\"#999999\" stroke-width=\"1\" stroke-dasharray=\"4 4\"/>")
        }
        for (i, s) in series.enumerated() {
            let dash = s.style == .dashed ? " stroke-dasharray=\"6 3\"" : ""
            if s.style == .markers {
                out.append("<g fill=\"\(color(s, i))\" fill-opacity=\"0.35\">")
                for p in s.points { out.append("<circle cx=\"\(Self.f(px(p.x)))\" cy=\"\(Self.f(py(p.y)))\" r=\"2\"/>") }
                out.append("</g>")
                continue
            }
            out.append("<polyline points=\"\(path(s.points))\" fill=\"none\" stroke=\"\(color(s, i))\" stroke-width=\"2\"\(dash)/>")
            if s.style == .lineWithMarkers {
                out.append("<g fill=\"\(color(s, i))\">")
                for p in s.points { out.append("<circle cx=\"\(Self.f(px(p.x)))\" cy=\"\(Self.f(py(p.y)))\" r=\"3.5\"/>") }
                out.append("</g>")
            }
        }
        legend(&out, series.enumerated().filter { !$0.element.name.isEmpty }.map { ($0.element.name, color($0.element, $0.offset), false) }
            + (referenceName.map { [($0, "#999999", true)] } ?? []))
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    func legend(_ out: inout [String], _ items: [(name: String, color: String, dashed: Bool)]) {
        guard !items.isEmpty else { return }
        let rowHeight = 18.0
        let w = min(width - left - right - 16, Double(items.map { $0.name.count }.max() ?? 0) * 6.8 + 40)
        let h = Double(items.count) * rowHeight + 8
        let x0 = legendAtLeft ? px(x.lowerBound) + 8 : px(x.upperBound) - w - 8
        let y0 = legendAtTop ? py(y.upperBound) + 8 : py(y.lowerBound) - h - 8
        out.append("<g>")
        out.append("<rect x=\"\(Self.f(x0))\" y=\"\(Self.f(y0))\" width=\"\(Self.f(w))\" height=\"\(Self.f(h))\" fill=\"#ffffff\" fill-opacity=\"0.9\" stroke=\"#cccccc\"/>")
        for (k, item) in items.enumerated() {
            let cy = y0 + 4 + rowHeight * (Double(k) + 0.5)
            let dash = item.dashed ? " stroke-dasharray=\"4 4\"" : ""
            out.append("<line x1=\"\(Self.f(x0 + 8))\" y1=\"\(Self.f(cy))\" x2=\"\(Self.f(x0 + 28))\" y2=\"\(Self.f(cy))\" stroke=\"\(item.color)\" stroke-width=\"2\"\(dash)/>")
            out.append("<text x=\"\(Self.f(x0 + 34))\" y=\"\(Self.f(cy + 4))\">\(Markup.escape(item.name))</text>")
        }
        out.append("</g>")
    }

    func path(_ points: [(x: Double, y: Double)]) -> String {
        points.map { "\(Self.f(px($0.x))),\(Self.f(py($0.y)))" }.joined(separator: " ")
    }

    /// Horizontal ranges, one row each (CV mean ± std per grid point, with each fold's score as a ring).
    static func ranges(title: String, xLabel: String, rows: [RangeRow], colors: [Int], zeroLine: Bool = false) -> String {
        let values = (rows.flatMap { $0.values + [$0.centre - $0.halfWidth, $0.centre + $0.halfWidth] } + (zeroLine ? [0] : [])).filter(\.isFinite)
        let (c, opened) = rowChart(title: title, xLabel: xLabel, labels: rows.map(\.label), values: values)
        var out = opened
        if zeroLine {
            out.append("<line x1=\"\(f(c.px(0)))\" y1=\"\(f(c.py(c.y.lowerBound)))\" x2=\"\(f(c.px(0)))\" y2=\"\(f(c.py(c.y.upperBound)))\" stroke=\"#333333\"/>")
        }
        for (i, r) in rows.enumerated() {
            let cy = c.py(Double(rows.count - i) - 0.5)
            let color = palette[colors[i] % palette.count]
            let weight = r.highlighted ? " font-weight=\"bold\"" : ""
            out.append("<text x=\"\(f(c.px(c.x.lowerBound) - 8))\" y=\"\(f(cy + 4))\" text-anchor=\"end\"\(weight)>\(Markup.escape(r.label))</text>")
            guard r.centre.isFinite else { continue }
            let a = c.px(r.centre - r.halfWidth), b = c.px(r.centre + r.halfWidth)
            out.append("<g stroke=\"\(color)\" stroke-width=\"2\">")
            out.append("<line x1=\"\(f(a))\" y1=\"\(f(cy))\" x2=\"\(f(b))\" y2=\"\(f(cy))\"/>")
            out.append("<line x1=\"\(f(a))\" y1=\"\(f(cy - 5))\" x2=\"\(f(a))\" y2=\"\(f(cy + 5))\"/>")
            out.append("<line x1=\"\(f(b))\" y1=\"\(f(cy - 5))\" x2=\"\(f(b))\" y2=\"\(f(cy + 5))\"/>")
            out.append("</g>")
            for v in r.values where v.isFinite {
                out.append("<circle cx=\"\(f(c.px(v)))\" cy=\"\(f(cy))\" r=\"2.5\" fill=\"none\" stroke=\"\(color)\"/>")
            }
            out.append("<circle cx=\"\(f(c.px(r.centre)))\" cy=\"\(f(cy))\" r=\"\(r.highlighted ? "5" : "4")\" fill=\"\(color)\"/>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// A chart of one row per label over the range of `values` (padded), opened with its axes: what `ranges` and `bars` draw on.
    static func rowChart(title: String, xLabel: String, labels: [String], values: [Double]) -> (SVGChart, [String]) {
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        if hi - lo < 1e-9 { lo -= 0.05; hi += 0.05 }
        let pad = (hi - lo) * 0.08
        var c = SVGChart(title: title, xLabel: xLabel, yLabel: "", x: (lo - pad)...(hi + pad), y: 0...Double(max(labels.count, 1)))
        c.left = max(64, min(320, Double(labels.map(\.count).max() ?? 0) * 6.6 + 16))
        c.height = max(200, 24 * Double(labels.count) + 110)
        c.width = 576 + c.left
        var out: [String] = []
        c.open(&out)
        c.axes(&out, yTicks: [])
        return (c, out)
    }

    /// Horizontal bars from 0, one row each, with the value written after the bar.
    static func bars(title: String, xLabel: String, rows: [(label: String, value: Double)], color: Int = 0) -> String {
        let (c, opened) = rowChart(title: title, xLabel: xLabel, labels: rows.map(\.label), values: rows.map(\.value).filter(\.isFinite) + [0])
        var out = opened
        for (i, r) in rows.enumerated() {
            let cy = c.py(Double(rows.count - i) - 0.5)
            out.append("<text x=\"\(f(c.px(c.x.lowerBound) - 8))\" y=\"\(f(cy + 4))\" text-anchor=\"end\">\(Markup.escape(r.label))</text>")
            guard r.value.isFinite else { continue }
            let a = c.px(min(0, r.value)), b = c.px(max(0, r.value))
            out.append("<rect x=\"\(f(a))\" y=\"\(f(cy - 7))\" width=\"\(f(b - a))\" height=\"14\" fill=\"\(palette[color % palette.count])\"/>")
            out.append("<text x=\"\(f(b + 4))\" y=\"\(f(cy + 4))\" font-size=\"10\">\(tickText((r.value * 1e4).rounded() / 1e4))</text>")
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }
}

import AssayCore
import Foundation

/// A segmentation (`task: segment`) as the report shows it: k-means for every k tried with its scores, the chosen k's
/// segments described in the columns' own units, how stable they are across seeds, and RFM scores when asked.
public struct SegmentReport: Sendable {
    /// One k tried.
    public struct Trial: Sendable, Equatable {
        public var k: Int
        public var inertia: Double
        public var silhouette: Double
        public var calinskiHarabasz: Double
        public var daviesBouldin: Double
        public var iterations: Int

        public init(k: Int, inertia: Double, silhouette: Double, calinskiHarabasz: Double, daviesBouldin: Double, iterations: Int) {
            self.k = k
            self.inertia = inertia
            self.silhouette = silhouette
            self.calinskiHarabasz = calinskiHarabasz
            self.daviesBouldin = daviesBouldin
            self.iterations = iterations
        }

        func score(_ m: Metric) -> Double {
            switch m {
            case .silhouette: return silhouette
            case .calinskiHarabasz: return calinskiHarabasz
            case .daviesBouldin: return daviesBouldin
            default: return inertia
            }
        }
    }

    /// One segment of the chosen k, numbered by the report's order (value, or size, descending).
    public struct Segment: Sendable, Equatable {
        public var number: Int
        /// The k-means cluster it is (the fit's own index).
        public var cluster: Int
        public var rows: Int
        public var share: Double
        /// Per column, in `columns` order: mean and median in the column's own units; the centre in the clustered
        /// (preprocessed) units.
        public var means: [Double]
        public var medians: [Double]
        public var centre: [Double]
        /// The segment's share of the value column's total (nil without `segment.value`).
        public var valueShare: Double?
        /// The RFM segments its rows fall in, largest first (with `segment.rfm`).
        public var rfmNames: [(name: String, rows: Int)]

        public static func == (a: Segment, b: Segment) -> Bool {
            a.number == b.number && a.rows == b.rows && a.means == b.means && a.centre == b.centre && a.rfmNames.map(\.name) == b.rfmNames.map(\.name)
        }

        public init(number: Int, cluster: Int, rows: Int, share: Double, means: [Double], medians: [Double], centre: [Double], valueShare: Double?, rfmNames: [(name: String, rows: Int)]) {
            self.number = number
            self.cluster = cluster
            self.rows = rows
            self.share = share
            self.means = means
            self.medians = medians
            self.centre = centre
            self.valueShare = valueShare
            self.rfmNames = rfmNames
        }

        /// "mostly champions (61%)".
        var rfmSummary: String {
            guard let top = rfmNames.first else { return "" }
            return "\(top.name) (\(NumberFormat.fixed(100 * Double(top.rows) / Double(rows), decimals: 0))%)"
        }
    }

    /// One named RFM segment.
    public struct RFMGroup: Sendable, Equatable {
        public var name: String
        public var rows: Int
        public var meanRecency: Double
        public var meanFrequency: Double
        public var meanMonetary: Double
        public var monetaryShare: Double

        public init(name: String, rows: Int, meanRecency: Double, meanFrequency: Double, meanMonetary: Double, monetaryShare: Double) {
            self.name = name
            self.rows = rows
            self.meanRecency = meanRecency
            self.meanFrequency = meanFrequency
            self.meanMonetary = meanMonetary
            self.monetaryShare = monetaryShare
        }
    }

    public var experiment: String
    public var description: String?
    public var path: String
    public var preparation: [LogLine]
    public var rows: Int
    /// The columns clustered (before preprocessing), and the preprocessing as the report words it.
    public var columns: [String]
    /// The clustered (preprocessed) columns the centres are given in.
    public var centreColumns: [String]
    public var preprocessing: String
    public var nInit: Int
    public var maxIter: Int
    public var tol: Double
    /// How k was chosen (`silhouette` or `elbow`).
    public var choose: String
    public var trials: [Trial]
    public var chosen: Int
    public var segments: [Segment]
    /// How the segments are numbered.
    public var order: String
    public var value: String?
    /// Adjusted Rand index of the chosen k's clustering against each further seed's.
    public var stability: [Double]
    public var rfm: [RFMGroup]
    /// The RFM columns (recency, frequency, monetary), when scored.
    public var rfmColumns: [String]

    public init(experiment: String, description: String?, path: String, preparation: [LogLine], rows: Int, columns: [String], centreColumns: [String], preprocessing: String,
                nInit: Int, maxIter: Int, tol: Double, choose: String, trials: [Trial], chosen: Int, segments: [Segment], order: String, value: String?,
                stability: [Double], rfm: [RFMGroup], rfmColumns: [String]) {
        self.experiment = experiment
        self.description = description
        self.path = path
        self.preparation = preparation
        self.rows = rows
        self.columns = columns
        self.centreColumns = centreColumns
        self.preprocessing = preprocessing
        self.nInit = nInit
        self.maxIter = maxIter
        self.tol = tol
        self.choose = choose
        self.trials = trials
        self.chosen = chosen
        self.segments = segments
        self.order = order
        self.value = value
        self.stability = stability
        self.rfm = rfm
        self.rfmColumns = rfmColumns
    }

    var chosenTrial: Trial? { trials.first { $0.k == chosen } }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        return NumberFormat.fixed(x, decimals: abs(x) >= 1000 ? 1 : abs(x) >= 10 ? 2 : 4)
    }

    /// report.md.
    public var markdown: String {
        var out = ["# \(Markup.text(experiment))", ""]
        if let d = description, !d.isEmpty { out += [Markup.text(d, limit: 2_000), ""] }
        out += ["## Data", ""]
        out += ["- File: `\(Markup.code(path))`; \(rows) rows clustered on \(columns.count) column\(columns.count == 1 ? "" : "s"): "
                + columns.map { "`\(Markup.code($0))`" }.joined(separator: ", ") + "."]
        if !preparation.isEmpty { out += ["- Prepared:"] + preparation.map { "  - " + Markup.line($0) } }
        out += ["- Preprocessing (fitted on every row): \(Markup.text(preprocessing)).",
                "- k-means: k-means++ seeding, best of \(nInit) by inertia, Lloyd iterations (at most \(maxIter), tol \(NumberFormat.json(tol)))"
                + "; k chosen by \(choose == "elbow" ? "the elbow of inertia" : "the highest silhouette").", ""]

        out += ["## k", ""]
        out += ["| k | inertia | silhouette | Calinski–Harabasz | Davies–Bouldin | iterations |", "|---:|---:|---:|---:|---:|---:|"]
        for t in trials {
            let mark = t.k == chosen ? "**\(t.k)**" : "\(t.k)"
            out += ["| \(mark) | \(Self.number(t.inertia)) | \(NumberFormat.fixed(t.silhouette)) | \(Self.number(t.calinskiHarabasz)) | \(NumberFormat.fixed(t.daviesBouldin)) | \(t.iterations) |"]
        }
        out += ["", "Silhouette and Calinski–Harabasz: higher is better; Davies–Bouldin and inertia: lower is better.", ""]
        if let t = chosenTrial {
            out += ["**k = \(chosen)**: silhouette \(NumberFormat.fixed(t.silhouette)), Calinski–Harabasz \(Self.number(t.calinskiHarabasz)), Davies–Bouldin \(NumberFormat.fixed(t.daviesBouldin))."]
        }
        if !stability.isEmpty {
            let mean = stability.reduce(0, +) / Double(stability.count)
            out += ["Stability: against \(stability.count) other seeds, the adjusted Rand index of the clustering is \(NumberFormat.fixed(mean)) on average (lowest \(NumberFormat.fixed(stability.min() ?? .nan)); 1 is the same partition)."]
        }
        out += [""]

        out += ["## Segments", ""]
        if let v = value, let top = segments.first, let share = top.valueShare {
            // The high-value segment, named: what a reader of the study came for.
            out += ["**The highest-value segment is segment 1**: \(top.rows) rows (\(NumberFormat.fixed(100 * top.share, decimals: 1))%) holding "
                    + "\(NumberFormat.fixed(100 * share, decimals: 1))% of all \(Markup.text(v))" + (top.rfmNames.isEmpty ? "." : ", mostly \(Markup.text(top.rfmSummary))."), ""]
        }
        out += ["Segments are numbered \(Markup.text(order)). Means and medians are in the columns' own units; the centre is in the clustered (preprocessed) units.", ""]
        var header = "| segment | rows | share |" + (value == nil ? "" : " share of \(Markup.text(value!)) |")
        var rule = "|---:|---:|---:|" + (value == nil ? "" : "---:|")
        for c in columns { header += " mean \(Markup.text(c)) | median |"; rule += "---:|---:|" }
        if !rfm.isEmpty { header += " mostly (RFM) |"; rule += "---|" }
        out += [header, rule]
        for s in segments {
            var line = "| \(s.number) | \(s.rows) | \(NumberFormat.fixed(s.share)) |" + (s.valueShare.map { " \(NumberFormat.fixed($0)) |" } ?? "")
            for j in columns.indices { line += " \(Self.number(s.means[j])) | \(Self.number(s.medians[j])) |" }
            if !rfm.isEmpty { line += " \(Markup.text(s.rfmSummary)) |" }
            out += [line]
        }
        out += ["", "| segment | " + centreColumns.map { "centre \(Markup.text($0))" }.joined(separator: " | ") + " |", "|---:|" + String(repeating: "---:|", count: centreColumns.count)]
        for s in segments { out += ["| \(s.number) | " + s.centre.map { NumberFormat.fixed($0) }.joined(separator: " | ") + " |"] }
        out += [""]

        if !rfm.isEmpty {
            out += ["## RFM segments", ""]
            out += ["Each row gets quintile scores 1–5 from `\(Markup.code(rfmColumns[0]))` (5 = most recent), `\(Markup.code(rfmColumns[1]))` and `\(Markup.code(rfmColumns[2]))` "
                    + "(5 = highest): score = ⌈5 × average rank / rows⌉, so equal values share a score. The named segment comes from the recency and frequency scores "
                    + "(the map in docs/spec-extensions.md).", ""]
            out += ["| RFM segment | rows | share | mean \(Markup.text(rfmColumns[0])) | mean \(Markup.text(rfmColumns[1])) | mean \(Markup.text(rfmColumns[2])) | share of \(Markup.text(rfmColumns[2])) |",
                    "|---|---:|---:|---:|---:|---:|---:|"]
            for g in rfm {
                out += ["| \(Markup.text(g.name)) | \(g.rows) | \(NumberFormat.fixed(Double(g.rows) / Double(rows))) | \(Self.number(g.meanRecency)) | \(Self.number(g.meanFrequency)) | "
                        + "\(Self.number(g.meanMonetary)) | \(NumberFormat.fixed(g.monetaryShare)) |"]
            }
            out += [""]
        }
        out += ["## Figures", ""]
        for f in figureCatalog { out += ["![\(f.title)](figures/\(f.file))", ""] }
        return out.joined(separator: "\n")
    }

    var figureCatalog: [(file: String, title: String)] {
        [("k.svg", "Silhouette and inertia by k"), ("sizes.svg", "Segment sizes"), ("centres.svg", "Segment centres")]
    }

    /// metrics.json: `task: segment`, and under `segmentation` the chosen k's scores (what `checks:` reads as
    /// `segmentation.METRIC`), every k's, and the segments.
    public var json: String {
        var seg: [String: JSONValue] = [
            "k": .integer(chosen), "choose": .string(choose),
            "per_k": .array(trials.map { t in .object(["k": .integer(t.k), "inertia": .number(t.inertia), "silhouette": .number(t.silhouette),
                                                      "calinski_harabasz": .number(t.calinskiHarabasz), "davies_bouldin": .number(t.daviesBouldin),
                                                      "iterations": .integer(t.iterations)]) }),
            "order": .string(order),
            "segments": .array(segments.map { s in
                var o: [String: JSONValue] = ["segment": .integer(s.number), "rows": .integer(s.rows), "share": .number(s.share),
                                              "mean": .object(Dictionary(uniqueKeysWithValues: zip(columns, s.means.map(JSONValue.number)))),
                                              "median": .object(Dictionary(uniqueKeysWithValues: zip(columns, s.medians.map(JSONValue.number)))),
                                              "centre": .object(Dictionary(uniqueKeysWithValues: zip(centreColumns, s.centre.map(JSONValue.number))))]
                if let v = s.valueShare { o["value_share"] = .number(v) }
                if !s.rfmNames.isEmpty { o["rfm"] = .object(Dictionary(uniqueKeysWithValues: s.rfmNames.map { ($0.name, JSONValue.integer($0.rows)) })) }
                return .object(o)
            }),
        ]
        if let t = chosenTrial { for m in Metric.allCases where m.scores(.segment) { seg[m.rawValue] = .number(t.score(m)) } }
        if !stability.isEmpty { seg["stability_ari"] = .array(stability.map(JSONValue.number)) }
        if !rfm.isEmpty {
            seg["rfm"] = .array(rfm.map { g in .object(["name": .string(g.name), "rows": .integer(g.rows), "mean_recency": .number(g.meanRecency),
                                                        "mean_frequency": .number(g.meanFrequency), "mean_monetary": .number(g.meanMonetary),
                                                        "monetary_share": .number(g.monetaryShare)]) })
        }
        let root: JSONValue = .object(["assay": .integer(1), "experiment": .string(experiment), "task": .string(ExperimentKind.segment.rawValue),
                                       "data": .object(["rows": .integer(rows), "columns": .array(columns.map(JSONValue.string))]),
                                       "segmentation": .object(seg)])
        return root.rendered() + "\n"
    }

    /// The figures, by file name.
    public var figures: [(file: String, svg: String)] {
        var k = SVGChart(title: "Silhouette and scaled inertia by k", xLabel: "k", yLabel: "silhouette; inertia ÷ the first k's")
        let ks = trials.map { Double($0.k) }
        k.x = (ks.min() ?? 2)...max((ks.max() ?? 3), (ks.min() ?? 2) + 1)
        let first = trials.first?.inertia ?? 1
        let values = trials.flatMap { [$0.silhouette, $0.inertia / first] }.filter(\.isFinite)
        k.y = min(0, values.min() ?? 0)...max(1, values.max() ?? 1)
        k.series = [SVGChart.Series(name: "silhouette", points: trials.map { (Double($0.k), $0.silhouette) }, style: .lineWithMarkers),
                    SVGChart.Series(name: "inertia (scaled)", points: trials.map { (Double($0.k), $0.inertia / first) }, style: .lineWithMarkers)]
        k.reference = [(Double(chosen), k.y.lowerBound), (Double(chosen), k.y.upperBound)]
        k.referenceName = "chosen k = \(chosen)"
        let sizes = SVGChart.bars(title: "Segment sizes (k = \(chosen))", xLabel: "share of rows", rows: segments.map { ("segment \($0.number)", $0.share) })
        var centres = SVGChart(title: "Segment centres (clustered units)", xLabel: centreColumns.enumerated().map { "\($0.offset + 1) = \($0.element)" }.joined(separator: ", "), yLabel: "centre")
        let cs = segments.flatMap(\.centre).filter(\.isFinite)
        centres.x = 1...Double(max(centreColumns.count, 2))
        centres.y = ((cs.min() ?? -1) - 0.1)...((cs.max() ?? 1) + 0.1)
        centres.series = segments.map { s in SVGChart.Series(name: "segment \(s.number)", points: s.centre.enumerated().map { (Double($0.offset + 1), $0.element) }, style: .lineWithMarkers) }
        return [("k.svg", k.render()), ("sizes.svg", sizes), ("centres.svg", centres.render())]
    }
}

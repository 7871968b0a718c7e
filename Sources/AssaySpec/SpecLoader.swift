import AssayCore
import Foundation

/// Reads a spec file, applies `--set` overrides and validates everything before anything runs.
public enum SpecLoader {
    /// Loads the spec at `path` (as the user wrote it) with `overrides` of the form `dotted.path=YAML`.
    /// `catalog` names the model types and their parameter rules (the model registry's).
    public static func load(path: String, overrides: [String] = [], catalog: ModelCatalog) throws -> Spec {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw SpecError(at: nil, "\(path): cannot read the spec file")
        }
        return try parse(text, file: path, overrides: overrides, catalog: catalog)
    }

    /// Parses spec text; `file` names it in messages and anchors relative data paths.
    public static func parse(_ text: String, file: String, overrides: [String] = [], catalog: ModelCatalog) throws -> Spec {
        guard var root = try YAMLNode.parse(text, file: file) else { throw SpecError(at: nil, "\(file): the spec is empty") }
        for o in overrides {
            guard let eq = o.firstIndex(of: "="), eq != o.startIndex else {
                throw SpecError(at: nil, "--set \(o): expected KEY=VALUE, for example --set models.logreg.grid.C=[1,10]")
            }
            let key = String(o[..<eq]), valueText = String(o[o.index(after: eq)...])
            let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard !path.contains("") else { throw SpecError(at: nil, "--set \(key): empty segment in the key path") }
            let value = try YAMLNode.parse(valueText, file: "--set", override: key)
                ?? .scalar(text: "", kind: .null, at: SourceLocation(file: file, line: 0, column: 0, override: key))
            root = try root.setting(path, to: value)
        }
        var decoder = SpecDecoder(file: file, catalog: catalog)
        if case .map(let pairs, _) = root, let t = pairs.first(where: { $0.key == "task" })?.value { decoder.kind = try decoder.task(t) }
        if case .map(let pairs, _) = root, case .map(let data, _)? = pairs.first(where: { $0.key == "data" })?.value {
            decoder.weightedAt = data.first { $0.key == "weight" }?.keyAt
        }
        return try decoder.spec(root)
    }
}

/// Turns a YAML tree into a validated `Spec`.
struct SpecDecoder {
    let file: String
    let catalog: ModelCatalog
    /// The spec's `task:`, read before the sections whose meaning depends on it.
    var kind: ExperimentKind = .binary
    /// Where `data.weight` is written, when it is: read before the models, which must each take sample weights.
    var weightedAt: SourceLocation? = nil

    static let topNotYet: [String: String] = [:]

    func spec(_ root: YAMLNode) throws -> Spec {
        let top = try Fields(root, "the spec", allowed: SpecKeys.top, notYet: Self.topNotYet)
        guard let versionNode = top["assay"] else {
            throw SpecError(at: root.location, "missing 'assay: 1' (the spec format version)")
        }
        let version = try int(versionNode, "assay")
        guard version == 1 else { throw SpecError(at: versionNode.location, "spec version \(version) is not supported; this Assay reads version 1") }
        let stem = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        let name = try top["name"].map { try text($0, "name") } ?? stem
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw SpecError(at: top["name"]?.location, "name '\(name)' cannot be a folder name under runs/")
        }
        let description = try top["description"].map { try text($0, "description") }
        var seed: UInt64 = 0
        if let s = top["seed"] {
            let v = try int(s, "seed")
            guard v >= 0 else { throw SpecError(at: s.location, "seed must be zero or positive, got \(v)") }
            seed = UInt64(v)
        }
        guard let dataNode = top["data"] else { throw SpecError(at: root.location, "missing 'data' section") }
        for key in ["segment", "associate"] where top[key] != nil && kind.rawValue != key {
            throw SpecError(at: top[key]?.location, "\(key) is the section of task \(key); this spec's task is \(kind.rawValue)")
        }
        let data = try self.data(dataNode)
        if !kind.isSupervised {
            return try unsupervised(top, root, name: name, description: description, seed: seed, data: data)
        }
        let split = try self.split(top["split"], data: data)
        let preprocess = try top["preprocess"].map { try steps($0, "preprocess") } ?? []
        guard let modelsNode = top["models"] else { throw SpecError(at: root.location, "missing 'models' section") }
        let models = try self.models(modelsNode, preprocess: top["preprocess"])
        var metrics: [Metric] = [kind.defaultMetric]
        if let m = top["metrics"] {
            metrics = try list(m, "metrics").map { try metric($0, "metrics") }
            guard !metrics.isEmpty else { throw SpecError(at: m.location, "metrics must name at least one metric") }
            var seen = Set<Metric>()
            for (node, metric) in zip(try list(m, "metrics"), metrics) where !seen.insert(metric).inserted {
                throw SpecError(at: node.location, "metric '\(metric.rawValue)' is listed twice")
            }
        }
        let select = try top["select"].map { try metric($0, "select") } ?? kind.defaultMetric
        if !metrics.contains(select) { metrics.append(select) }
        var spec = Spec(file: file, name: name, description: description, seed: seed, data: data, split: split,
                        preprocess: preprocess, models: models, metrics: metrics, select: select)
        if let c = top["checks"] { try checks(c, into: &spec) }
        if let t = top["threshold"] {
            guard kind == .binary else { throw SpecError(at: t.location, "threshold applies to task binary only: a \(kind.rawValue) model predicts a value, not a probability to cut") }
            spec.threshold = try threshold(t, references: &spec.data.columnReferences)
        }
        spec.kind = kind
        if let p = top["predictions"] {
            let f = try Fields(p, "predictions", allowed: SpecKeys.predictions)
            if let c = f["columns"] {
                for item in try list(c, "predictions.columns") {
                    let name = try text(item, "predictions.columns")
                    guard !spec.predictionColumns.contains(name) else { throw SpecError(at: item.location, "predictions.columns lists '\(name)' twice") }
                    spec.predictionColumns.append(name)
                    spec.data.columnReferences.append(ColumnReference(role: "predictions.columns", name: name, location: item.location))
                }
            }
        }
        if let g = top["segments"] {
            guard kind == .binary else { throw SpecError(at: g.location, "segments crosses a predicted probability with a value: task binary only") }
            let f = try Fields(g, "segments", allowed: SpecKeys.segments)
            guard let v = f["value"] else { throw SpecError(at: g.location, "segments.value is required: the numeric column (profit, spend) to cross with the probability") }
            let value = try text(v, "segments.value")
            func cuts(_ key: String, probability: Bool) throws -> BandCuts {
                guard let n = f[key] else { return .quantiles(3) }
                if case .seq = n {
                    let points = try list(n, "segments.\(key)").map { try double($0, "segments.\(key)") }
                    guard !points.isEmpty, zip(points, points.dropFirst()).allSatisfy({ $0 < $1 }) else {
                        throw SpecError(at: n.location, "segments.\(key) must list cut points in increasing order, or be {quantiles: N}")
                    }
                    if probability, let bad = points.first(where: { $0 <= 0 || $0 >= 1 }) {
                        throw SpecError(at: n.location, "segments.probability cut \(NumberFormat.json(bad)) is not between 0 and 1")
                    }
                    return .fixed(points)
                }
                let qf = try Fields(n, "segments.\(key)", allowed: ["quantiles"])
                guard let q = qf["quantiles"] else { throw SpecError(at: n.location, "segments.\(key) must be a list of cut points or {quantiles: N}") }
                let count = try int(q, "segments.\(key).quantiles")
                guard (2...10).contains(count) else { throw SpecError(at: q.location, "segments.\(key).quantiles must be 2 to 10, got \(count)") }
                return .quantiles(count)
            }
            spec.segments = SegmentsRule(value: value, probability: try cuts("probability", probability: true), valueBands: try cuts("value_bands", probability: false))
            spec.data.columnReferences.append(ColumnReference(role: "segments.value", name: value, location: v.location))
        }
        if let i = top["importance"] {
            let f = try Fields(i, "importance", allowed: SpecKeys.importance)
            if let s = f["shap"] {
                spec.shap = try bool(s, "importance.shap")
                if spec.shap && kind == .multiclass { throw SpecError(at: s.location, "importance.shap explains one output per row; task multiclass has one per class and is not supported by it yet") }
            }
            if let d = f["partial_dependence"] {
                spec.partialDependence = try int(d, "importance.partial_dependence")
                if spec.partialDependence > 0 && kind == .multiclass {
                    throw SpecError(at: d.location, "importance.partial_dependence averages one output per row; task multiclass has one per class and is not supported by it yet")
                }
                guard (0...10).contains(spec.partialDependence) else {
                    throw SpecError(at: d.location, "importance.partial_dependence is how many of the best model's most important columns to show, 0 to 10; got \(spec.partialDependence)")
                }
            }
            if let m = f["models"] {
                let names = spec.models.map(\.name)
                if case .scalar(let t, .string, _) = m, t == "all" {
                    spec.importanceModels = names
                } else {
                    for item in try list(m, "importance.models") {
                        let name = try text(item, "importance.models")
                        guard names.contains(name) else {
                            throw SpecError(at: item.location, "importance.models: no model '\(name)' in models\(Suggest.hint(name, among: names))")
                        }
                        if !spec.importanceModels.contains(name) { spec.importanceModels.append(name) }
                    }
                }
            }
        }
        if let l = top["labels"] {
            guard kind == .binary else { throw SpecError(at: l.location, "labels names the positive rows of task binary; a \(kind.rawValue) target has none") }
            let f = try Fields(l, "labels", allowed: SpecKeys.labels)
            if let p = f["positive"] {
                let name = try text(p, "labels.positive")
                guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 40 else {
                    throw SpecError(at: p.location, "labels.positive must name the positive rows in a few words (at most 40 characters), like buyers")
                }
                spec.positiveName = name
            }
        }
        return spec
    }

    /// A spec of task segment or associate: no target, split or models; its own section (`segment:` or `associate:`).
    func unsupervised(_ top: Fields, _ root: YAMLNode, name: String, description: String?, seed: UInt64, data: DataSection) throws -> Spec {
        for key in SpecKeys.supervisedOnly { if let n = top[key] {
            throw SpecError(at: n.location, "\(key) does not apply to task \(kind.rawValue): it fits no model to a target"
                + (kind == .segment ? " (segment: says how the rows are clustered)" : " (associate: sets the itemset and rule thresholds)"))
        } }
        var spec = Spec(file: file, name: name, description: description, seed: seed, data: data, split: SplitSection(testSize: 0, folds: 2, foldColumn: nil),
                        preprocess: [], models: [], metrics: Metric.allCases.filter { $0.scores(kind) }, select: kind.defaultMetric)
        spec.kind = kind
        switch kind {
        case .segment:
            guard let node = top["segment"] else { throw SpecError(at: root.location, "missing 'segment' section: task segment needs at least {k: [2, 3, 4, 5, 6, 7, 8]}") }
            spec.preprocess = try top["preprocess"].map { try steps($0, "preprocess") } ?? []
            spec.segmentation = try segment(node, data: &spec.data)
        default:
            if let n = top["preprocess"] { throw SpecError(at: n.location, "preprocess does not apply to task associate: baskets are sets of items") }
            guard let node = top["associate"] else { throw SpecError(at: root.location, "missing 'associate' section: task associate needs at least {min_support: 0.01, min_confidence: 0.3}") }
            spec.associate = try associate(node)
        }
        if let c = top["checks"] { try checks(c, into: &spec) }
        return spec
    }

    /// `segment: {k, choose, n_init, max_iter, tol, value, rfm, stability}`; the columns it names are checked with the table's.
    func segment(_ node: YAMLNode, data: inout DataSection) throws -> SegmentSection {
        let f = try Fields(node, "segment", allowed: SpecKeys.segment)
        guard let kNode = f["k"] else { throw SpecError(at: node.location, "segment.k is required: the numbers of clusters to try, like [2, 3, 4, 5, 6, 7, 8]") }
        let ks: [Int]
        if case .seq = kNode { ks = try list(kNode, "segment.k").map { try int($0, "segment.k") } } else { ks = [try int(kNode, "segment.k")] }
        guard !ks.isEmpty else { throw SpecError(at: kNode.location, "segment.k lists no k") }
        if let bad = ks.first(where: { $0 < 2 }) { throw SpecError(at: kNode.location, "segment.k must be at least 2, got \(bad)") }
        guard zip(ks, ks.dropFirst()).allSatisfy({ $0 < $1 }) else { throw SpecError(at: kNode.location, "segment.k must list each k once, in increasing order") }
        var section = SegmentSection(ks: ks)
        section.kAt = kNode.location
        if let c = f["choose"] {
            section.choose = try choice(c, "segment.choose", SegmentSection.Choice.self)
            if section.choose == .elbow && ks.count < 3 { throw SpecError(at: c.location, "segment.choose: elbow needs at least three values of k") }
        }
        func positive(_ key: String) throws -> Int? {
            guard let n = f[key] else { return nil }
            let v = try int(n, "segment.\(key)")
            guard v >= 1, v <= 10_000 else { throw SpecError(at: n.location, "segment.\(key) must be between 1 and 10000, got \(v)") }
            return v
        }
        section.nInit = try positive("n_init") ?? section.nInit
        section.maxIter = try positive("max_iter") ?? section.maxIter
        if let t = f["tol"] {
            section.tol = try double(t, "segment.tol")
            guard section.tol >= 0 else { throw SpecError(at: t.location, "segment.tol must be zero or positive") }
        }
        if let s = f["stability"] {
            section.stabilitySeeds = try int(s, "segment.stability")
            guard (0...100).contains(section.stabilitySeeds) else { throw SpecError(at: s.location, "segment.stability must be 0 to 100 seeds, got \(section.stabilitySeeds)") }
        }
        func column(_ n: YAMLNode, _ role: String) throws -> String {
            let name = try text(n, role)
            data.columnReferences.append(ColumnReference(role: role, name: name, location: n.location))
            return name
        }
        if let v = f["value"] { section.value = try column(v, "segment.value") }
        if let r = f["rfm"] {
            let rf = try Fields(r, "segment.rfm", allowed: SpecKeys.rfm)
            func role(_ key: String) throws -> String {
                guard let n = rf[key] else { throw SpecError(at: r.location, "segment.rfm needs recency, frequency and monetary: the columns to score") }
                return try column(n, "segment.rfm.\(key)")
            }
            section.rfm = RFMColumns(recency: try role("recency"), frequency: try role("frequency"), monetary: try role("monetary"))
        }
        return section
    }

    /// `associate: {min_support, min_confidence, min_lift, max_len, max_itemsets, top}`.
    func associate(_ node: YAMLNode) throws -> AssociateSection {
        let f = try Fields(node, "associate", allowed: SpecKeys.associate)
        func fraction(_ key: String) throws -> Double? {
            guard let n = f[key] else { return nil }
            let v = try double(n, "associate.\(key)")
            guard v > 0, v <= 1 else { throw SpecError(at: n.location, "associate.\(key) must be a fraction in (0, 1], got \(NumberFormat.json(v))") }
            return v
        }
        guard let support = try fraction("min_support") else { throw SpecError(at: node.location, "associate.min_support is required: the share of baskets an itemset must be in, like 0.01") }
        var section = AssociateSection(minSupport: support, minConfidence: try fraction("min_confidence") ?? 0.5)
        section.supportAt = f["min_support"]?.location
        if let l = f["min_lift"] {
            section.minLift = try double(l, "associate.min_lift")
            guard section.minLift! >= 0 else { throw SpecError(at: l.location, "associate.min_lift must be zero or positive") }
        }
        func count(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let n = f[key] else { return nil }
            let v = try int(n, "associate.\(key)")
            guard range.contains(v) else { throw SpecError(at: n.location, "associate.\(key) must be between \(range.lowerBound) and \(range.upperBound), got \(v)") }
            return v
        }
        section.maxLength = try count("max_len", 1...100)
        section.maxItemsets = try count("max_itemsets", 1...100_000_000) ?? section.maxItemsets
        section.top = try count("top", 1...10_000) ?? section.top
        return section
    }

    /// `threshold:` a number in (0, 1), `max_f1`, `{recall: R}` or `{top: 10%}` (or a fraction).
    func threshold(_ node: YAMLNode, references: inout [ColumnReference]) throws -> ThresholdRule {
        let usage = "threshold must be a number in (0, 1), max_f1, {recall: 0.8}, {top: 10%} or {profit: {tp: 40, fp: -2}}"
        switch node {
        case .scalar(let t, let kind, let at):
            if kind == .string {
                guard t == "max_f1" else { throw SpecError(at: at, "\(usage), got '\(t)'\(Suggest.hint(t, among: ["max_f1"]))") }
                return .maxF1
            }
            let v = try double(node, "threshold")
            guard v > 0, v < 1 else { throw SpecError(at: at, "\(usage), got \(t)") }
            return .fixed(v)
        case .map(let pairs, let at):
            guard pairs.count == 1, let p = pairs.first else { throw SpecError(at: at, usage) }
            switch p.key {
            case "recall":
                let v = try double(p.value, "threshold.recall")
                guard v > 0, v <= 1 else { throw SpecError(at: p.value.location, "threshold.recall must be in (0, 1], got \(p.value.text)") }
                return .recall(v)
            case "top":
                let share: Double
                if case .scalar(let t, .string, let vat) = p.value, t.hasSuffix("%") {
                    guard let pct = Double(t.dropLast().trimmingCharacters(in: .whitespaces)) else {
                        throw SpecError(at: vat, "threshold.top must be a share such as 10% or 0.1, got '\(t)'")
                    }
                    share = pct / 100
                } else { share = try double(p.value, "threshold.top") }
                guard share > 0, share <= 1 else { throw SpecError(at: p.value.location, "threshold.top must be a share in (0, 100%], got \(p.value.text)") }
                return .top(share)
            case "profit":
                if let weightedAt {
                    throw SpecError(at: p.value.location, "threshold.profit counts flagged rows and cannot be combined with data.weight (\(weightedAt)) yet; use max_f1, recall or top, which weigh the rows")
                }
                let f = try Fields(p.value, "threshold.profit", allowed: SpecKeys.profit)
                func value(_ key: String) throws -> Double? {
                    guard let n = f[key] else { return nil }
                    let v = try double(n, "threshold.profit.\(key)")
                    guard v.isFinite, abs(v) < 1e12 else { throw SpecError(at: n.location, "threshold.profit.\(key) must be a finite amount, got \(n.text)") }
                    return v
                }
                guard let tp = try value("tp"), let fp = try value("fp") else {
                    throw SpecError(at: p.value.location, "threshold.profit needs tp and fp: what a flagged positive and a flagged negative are worth (fn and tn default to 0)")
                }
                var column: String? = nil
                if let n = f["value"] {
                    column = try text(n, "threshold.profit.value")
                    references.append(ColumnReference(role: "threshold.profit.value", name: column ?? "", location: n.location))
                }
                let values = UnitValues(tp: tp, fp: fp, fn: try value("fn") ?? 0, tn: try value("tn") ?? 0, value: column)
                // With a value column, whether a score helps depends on the rows' values: the run's profit curve shows it.
                guard column != nil || values.tp - values.fn > values.fp - values.tn else {
                    throw SpecError(at: p.value.location, "threshold.profit: flagging a positive must be worth more, against missing it, than flagging a negative is against ignoring it (tp - fn > fp - tn); otherwise no score helps")
                }
                return .profit(values)
            default:
                throw SpecError(at: p.keyAt, "unknown threshold rule '\(p.key)'\(Suggest.hint(p.key, among: SpecKeys.thresholdRules)); \(usage)")
            }
        case .seq(_, let at): throw SpecError(at: at, usage)
        }
    }

    // MARK: sections

    /// How a delimited file is written: the keys `data` and each `data.join` entry share.
    struct FileFormat {
        var path: String, resolved: String, delimiter: UInt8, decimal: UInt8, missing: [String], header: Bool, names: [String]?
        var columns: [String: ColumnKind]
    }

    func format(_ f: Fields, _ node: YAMLNode, _ ctx: String, references: inout [ColumnReference]) throws -> FileFormat {
        guard let pathNode = f["path"] else { throw SpecError(at: node.location, "\(ctx).path is required") }
        let path = try text(pathNode, "\(ctx).path")
        func char(_ key: String, _ allowed: [String]?, default d: UInt8) throws -> UInt8 {
            guard let n = f[key] else { return d }
            let s = try text(n, "\(ctx).\(key)")
            guard s.utf8.count == 1, let b = s.utf8.first, b != UInt8(ascii: "\""), b != 10, b != 13 else {
                throw SpecError(at: n.location, "\(ctx).\(key) must be a single character, got \(JSONText.quote(s))")
            }
            if let allowed, !allowed.contains(s) {
                throw SpecError(at: n.location, "\(ctx).\(key) must be one of \(allowed.map { "'\($0)'" }.joined(separator: ", ")), got '\(s)'")
            }
            return b
        }
        // `whitespace`: runs of spaces or tabs (a log like CDNOW's pads its fields with them).
        let delimiter = try f["delimiter"].map { try text($0, "\(ctx).delimiter") } == "whitespace"
            ? UInt8(ascii: " ") : try char("delimiter", nil, default: UInt8(ascii: ","))  // a space is CSVOptions.whitespace
        let decimal = try char("decimal", [".", ","], default: UInt8(ascii: "."))
        guard delimiter != decimal else {
            throw SpecError(at: f["decimal"]?.location ?? f["delimiter"]?.location, "\(ctx).delimiter and \(ctx).decimal cannot be the same character")
        }
        let missing = try f["missing"].map { try list($0, "\(ctx).missing").map { try text($0, "\(ctx).missing", allowEmpty: true) } }
            ?? ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "#N/A"]
        let header = try f["header"].map { try bool($0, "\(ctx).header") } ?? true
        var names: [String]? = nil
        if let n = f["names"] {
            names = try list(n, "\(ctx).names").map { try text($0, "\(ctx).names") }
            if header { throw SpecError(at: n.location, "\(ctx).names is only used with header: false") }
            var seen = Set<String>()
            for name in names! where !seen.insert(name).inserted {
                throw SpecError(at: n.location, "\(ctx).names lists '\(name)' twice")
            }
        } else if !header {
            throw SpecError(at: f["header"]?.location, "header: false needs \(ctx).names to name the columns")
        }
        var columns: [String: ColumnKind] = [:]
        if let c = f["columns"] {
            guard case .map(let pairs, _) = c else { throw SpecError(at: c.location, "\(ctx).columns must map column names to numeric or categorical") }
            for p in pairs {
                references.append(ColumnReference(role: "\(ctx).columns", name: p.key, location: p.keyAt))
                let kindText = try text(p.value, "\(ctx).columns.\(p.key)")
                guard let kind = ColumnKind(rawValue: kindText) else {
                    throw SpecError(at: p.value.location, "\(ctx).columns.\(p.key) must be numeric or categorical, got '\(kindText)'"
                        + Suggest.hint(kindText, among: ColumnKind.allCases.map(\.rawValue)))
                }
                columns[p.key] = kind
            }
        }
        return FileFormat(path: path, resolved: resolve(path, pathNode.location), delimiter: delimiter, decimal: decimal, missing: missing,
                          header: header, names: names, columns: columns)
    }

    func data(_ node: YAMLNode) throws -> DataSection {
        let f = try Fields(node, "data", allowed: SpecKeys.data)
        if let eventsNode = f["events"] { return try customerTable(f, node, eventsNode) }
        for key in SpecKeys.customerTable { if let n = f[key] { throw SpecError(at: n.location, "data.\(key) builds a customer table from a purchase log: it needs data.events") } }
        if kind == .associate { throw SpecError(at: node.location, "task associate reads a purchase log: data.events with its customer, time and item columns") }
        var references: [ColumnReference] = []
        let format = try self.format(f, node, "data", references: &references)
        var target = "", positive = ""
        if kind == .segment {
            for key in ["target", "positive"] { if let n = f[key] {
                throw SpecError(at: n.location, "data.\(key) does not apply to task segment: it clusters rows, it predicts no target (list a column to leave out under data.drop)")
            } }
        } else {
            guard let targetNode = f["target"] else { throw SpecError(at: node.location, "data.target is required") }
            target = try text(targetNode, "data.target")
            positive = try f["positive"].map { try text($0, "data.positive") } ?? "1"
            references.insert(ColumnReference(role: "data.target", name: target, location: targetNode.location), at: 0)
        }
        let id = try f["id"].map { try text($0, "data.id") }
        if let i = f["id"], let id { references.append(ColumnReference(role: "data.id", name: id, location: i.location)) }
        var drop: [String] = []
        if let d = f["drop"] {
            for item in try list(d, "data.drop") {
                let name = try text(item, "data.drop")
                drop.append(name)
                references.append(ColumnReference(role: "data.drop", name: name, location: item.location))
            }
        }
        if let d = f["drop"], !target.isEmpty, drop.contains(target) { throw SpecError(at: d.location, "data.drop cannot contain the target '\(target)'") }
        if let i = f["id"], id == target { throw SpecError(at: i.location, "data.id cannot be the target '\(target)'") }
        let weight = try f["weight"].map { try text($0, "data.weight") }
        if let w = f["weight"], let weight {
            if kind == .segment { throw SpecError(at: w.location, "data.weight does not apply to task segment (k-means weighs every row alike)") }
            for (role, name) in [("data.target", target), ("data.id", id)] where name == weight {
                throw SpecError(at: w.location, "data.weight cannot be \(role) '\(weight)'")
            }
            if drop.contains(weight) { throw SpecError(at: w.location, "data.weight '\(weight)' is also in data.drop; the weight column is never a feature, so leave it out of data.drop") }
            references.append(ColumnReference(role: "data.weight", name: weight, location: w.location))
        }
        var section = DataSection(path: format.path, resolvedPath: format.resolved, delimiter: format.delimiter, decimal: format.decimal,
                                  missing: format.missing, header: format.header, names: format.names, target: target, positive: positive,
                                  id: id, drop: drop, columns: format.columns, columnReferences: references)
        section.weight = weight
        if let j = f["join"] { section.joins = try list(j, "data.join").enumerated().map { try join($1, "data.join[\($0)]") } }
        if let c = f["clean"] { section.clean = try clean(c, "data.clean") }
        return section
    }

    /// `data` with `events:`: a purchase log turned into one row per customer and cutoff. The table's target is the
    /// label column, its id the customer column.
    func customerTable(_ f: Fields, _ node: YAMLNode, _ eventsNode: YAMLNode) throws -> DataSection {
        if let n = f["weight"] {
            throw SpecError(at: n.location, "data.weight needs a table read from data.path: a customer table built from data.events weighs every customer alike")
        }
        for key in SpecKeys.format + ["target", "positive", "id"] {
            if let n = f[key] {
                throw SpecError(at: n.location, "data.\(key) is not used with data.events: "
                    + (SpecKeys.format.contains(key) ? "the log's file options go under data.events" : "the customer table's target is its label, its id the customer column"))
            }
        }
        let ctx = "data.events"
        let ef = try Fields(eventsNode, ctx, allowed: SpecKeys.events)
        var references: [ColumnReference] = []
        let format = try self.format(ef, eventsNode, ctx, references: &references)
        func column(_ key: String, required: Bool) throws -> String? {
            guard let n = ef[key] else {
                if required { throw SpecError(at: eventsNode.location, "\(ctx).\(key) is required: the column that holds each purchase's \(key)") }
                return nil
            }
            let name = try text(n, "\(ctx).\(key)")
            references.append(ColumnReference(role: "\(ctx).\(key)", name: name, location: n.location))
            return name
        }
        let customer = try column("customer", required: true) ?? ""
        let time = try column("time", required: true) ?? ""
        var timeFormat = TimeFormat.iso
        if let t = ef["time_format"] {
            let pattern = try text(t, "\(ctx).time_format")
            do { timeFormat = try TimeFormat.parse(pattern) } catch { throw SpecError(at: t.location, "\(ctx).time_format: \(error.reason)") }
        }
        let amount = try column("amount", required: false), order = try column("order", required: false)
        let item = try column("item", required: false), category = try column("category", required: false)
        let clean = try ef["clean"].map { try self.clean($0, "\(ctx).clean") } ?? []

        if kind == .associate {
            // Baskets, not a customer table: no cutoff, features or label.
            for key in SpecKeys.customerTable + ["drop", "join", "clean"] { if let n = f[key] {
                throw SpecError(at: n.location, "data.\(key) does not apply to task associate: it mines the log's baskets (clean the log under data.events.clean)")
            } }
            guard let item else { throw SpecError(at: eventsNode.location, "\(ctx).item is required by task associate: the column of each purchase's item") }
            let events = EventsOptions(customer: customer, time: time, timeFormat: timeFormat, amount: amount, order: order, item: item, category: category,
                                       clean: clean, cutoffs: [], features: [], label: nil, origin: eventsNode.location.description)
            var section = DataSection(path: format.path, resolvedPath: format.resolved, delimiter: format.delimiter, decimal: format.decimal,
                                      missing: format.missing, header: format.header, names: format.names, target: "", positive: "",
                                      id: nil, drop: [], columns: format.columns, columnReferences: references)
            section.events = events
            return section
        }
        guard let cutoffNode = f["cutoff"] else {
            throw SpecError(at: node.location, kind == .segment ? "data.cutoff is required with data.events: the day (YYYY-MM-DD) the features are computed as of (the day after the log's last purchase, for RFM as of today)"
                : "data.cutoff is required with data.events: the day (YYYY-MM-DD) features stop and the label window starts")
        }
        let cutoffs = try self.cutoffs(cutoffNode)
        let label: CustomerLabel?
        if kind == .segment {
            if let n = f["label"] { throw SpecError(at: n.location, "data.label does not apply to task segment: it clusters customers, it predicts no label") }
            label = nil
        } else {
            guard let labelNode = f["label"] else { throw SpecError(at: node.location, "data.label is required with data.events, like {buys_within: 90d} or {spend_within: 90d}") }
            label = try self.label(labelNode)
        }
        guard let featuresNode = f["features"] else { throw SpecError(at: node.location, "data.features is required with data.events, like [recency, frequency, monetary, {orders: 90d}]") }
        var features: [CustomerFeature] = []
        for item in try list(featuresNode, "data.features") {
            let declared: [(CustomerFeature, SourceLocation)]
            switch item {
            case .scalar(_, _, let at):
                let name = try text(item, "data.features")
                guard let feature = CustomerFeature(name: name, window: nil) else {
                    let windowed = CustomerFeature.names.contains { $0.name == name && $0.windowed }
                    throw SpecError(at: at, windowed ? "data.features: \(name) needs a window, like {\(name): 90d}"
                        : "unknown feature '\(name)'\(Suggest.hint(name, among: CustomerFeature.names.map(\.name))) (features: \(CustomerFeature.names.map(\.name).joined(separator: ", ")))")
                }
                declared = [(feature, at)]
            case .map(let pairs, _):
                guard pairs.count == 1, let p = pairs.first else { throw SpecError(at: item.location, "each data.features entry is a name or a one-key mapping, like {orders: [30d, 90d]}") }
                let windows: [YAMLNode]
                if case .seq(let items, _) = p.value { windows = items } else { windows = [p.value] }
                declared = try windows.map { w in
                    let window = try self.window(w, "data.features.\(p.key)")
                    guard let feature = CustomerFeature(name: p.key, window: window) else {
                        let known = CustomerFeature.names.contains { $0.name == p.key }
                        throw SpecError(at: p.keyAt, known ? "data.features: \(p.key) takes no window; write it as a plain name"
                            : "unknown feature '\(p.key)'\(Suggest.hint(p.key, among: CustomerFeature.names.map(\.name)))")
                    }
                    return (feature, w.location)
                }
            case .seq: throw SpecError(at: item.location, "each data.features entry is a name or a one-key mapping, like {orders: [30d, 90d]}")
            }
            for (feature, at) in declared {
                guard !features.contains(feature) else { throw SpecError(at: at, "data.features lists \(feature.name) twice") }
                if let role = feature.needs, ef[role] == nil {
                    throw SpecError(at: at, "feature \(feature.name) needs data.events.\(role): the column of each purchase's \(role)")
                }
                features.append(feature)
            }
        }
        guard !features.isEmpty else { throw SpecError(at: featuresNode.location, "data.features must name at least one feature") }
        if case .spendWithin? = label, amount == nil { throw SpecError(at: f["label"]?.location, "spend_within needs data.events.amount: the column of each purchase's amount") }
        var population = CustomerPopulation.all
        if let c = f["customers"] {
            if case .scalar = c {
                let t = try text(c, "data.customers")
                guard t == "all" else { throw SpecError(at: c.location, "data.customers must be all or {active_within: WINDOW}, got '\(t)'") }
            } else {
                let cf = try Fields(c, "data.customers", allowed: SpecKeys.customers)
                guard let w = cf["active_within"] else { throw SpecError(at: c.location, "data.customers must be all or {active_within: WINDOW}") }
                population = .activeWithin(try window(w, "data.customers.active_within"))
            }
        }
        let events = EventsOptions(customer: customer, time: time, timeFormat: timeFormat, amount: amount, order: order, item: item, category: category,
                                   clean: clean, cutoffs: cutoffs, features: features, label: label, population: population,
                                   origin: cutoffNode.location.description)
        if let label, let labelNode = f["label"] { references.insert(ColumnReference(role: "data.target", name: label.name, location: labelNode.location), at: 0) }
        var section = DataSection(path: format.path, resolvedPath: format.resolved, delimiter: format.delimiter, decimal: format.decimal,
                                  missing: format.missing, header: format.header, names: format.names, target: label?.name ?? "", positive: label == nil ? "" : "1",
                                  id: customer, drop: [], columns: format.columns, columnReferences: references)
        section.events = events
        if let d = f["drop"] {
            for item in try list(d, "data.drop") {
                let name = try text(item, "data.drop")
                guard name != label?.name else { throw SpecError(at: item.location, "data.drop cannot contain the label '\(name)'") }
                section.drop.append(name)
                section.columnReferences.append(ColumnReference(role: "data.drop", name: name, location: item.location))
            }
        }
        if let j = f["join"] { section.joins = try list(j, "data.join").enumerated().map { try join($1, "data.join[\($0)]") } }
        if let c = f["clean"] { section.clean = try self.clean(c, "data.clean") }
        return section
    }

    /// `30d`, `12w`.
    func window(_ node: YAMLNode, _ what: String) throws -> Window {
        let t = try text(node, what)
        guard let w = Window(t) else { throw SpecError(at: node.location, "\(what) must be a number of days or weeks, like 90d or 12w, got '\(t)'") }
        return w
    }

    /// `data.label`: `{buys_within: 90d}` (binary) or `{spend_within: 90d}` (regression).
    func label(_ node: YAMLNode) throws -> CustomerLabel {
        guard case .map(let pairs, _) = node, pairs.count == 1, let p = pairs.first else {
            throw SpecError(at: node.location, "data.label must be one of {buys_within: WINDOW} or {spend_within: WINDOW}")
        }
        let w = try window(p.value, "data.label.\(p.key)")
        switch p.key {
        case "buys_within":
            guard kind == .binary else { throw SpecError(at: p.keyAt, "buys_within is a yes/no label (task: binary); task \(kind.rawValue) predicts spend_within") }
            return .buysWithin(w)
        case "spend_within":
            guard kind == .regression else { throw SpecError(at: p.keyAt, "spend_within is an amount (task: regression); this spec's task is \(kind.rawValue)") }
            return .spendWithin(w)
        default:
            throw SpecError(at: p.keyAt, "unknown label rule '\(p.key)'\(Suggest.hint(p.key, among: SpecKeys.labelRules)) (buys_within or spend_within)")
        }
    }

    /// `data.cutoff`: one day, a list of days, or `{from: DAY, to: DAY, every: WINDOW}`; ascending and distinct.
    func cutoffs(_ node: YAMLNode) throws -> [Day] {
        func day(_ n: YAMLNode, _ what: String) throws -> Day {
            let t = try text(n, what)
            guard let d = Day(iso: t) else { throw SpecError(at: n.location, "\(what) must be a date written YYYY-MM-DD, got '\(t)'") }
            return d
        }
        switch node {
        case .scalar: return [try day(node, "data.cutoff")]
        case .seq(let items, _):
            guard !items.isEmpty else { throw SpecError(at: node.location, "data.cutoff is an empty list") }
            var days: [Day] = []
            for item in items {
                let d = try day(item, "data.cutoff")
                if let last = days.last, d <= last { throw SpecError(at: item.location, "data.cutoff must list days in increasing order: \(d) follows \(last)") }
                days.append(d)
            }
            return days
        case .map:
            let cf = try Fields(node, "data.cutoff", allowed: SpecKeys.cutoffRange)
            guard let fromNode = cf["from"], let toNode = cf["to"], let everyNode = cf["every"] else {
                throw SpecError(at: node.location, "data.cutoff as a range needs from, to and every, like {from: 1997-10-01, to: 1998-04-01, every: 90d}")
            }
            let from = try day(fromNode, "data.cutoff.from"), to = try day(toNode, "data.cutoff.to"), every = try window(everyNode, "data.cutoff.every")
            guard from <= to else { throw SpecError(at: toNode.location, "data.cutoff.to (\(to)) is before data.cutoff.from (\(from))") }
            let days = stride(from: from.number, through: to.number, by: every.days).map(Day.init(number:))
            guard days.count <= 1000 else { throw SpecError(at: everyNode.location, "data.cutoff makes \(days.count) cutoffs; at most 1000") }
            return days
        }
    }

    func join(_ node: YAMLNode, _ ctx: String) throws -> JoinSection {
        let f = try Fields(node, ctx, allowed: SpecKeys.join)
        var references: [ColumnReference] = []
        let format = try self.format(f, node, ctx, references: &references)
        guard let onNode = f["on"] else { throw SpecError(at: node.location, "\(ctx).on is required: the key column(s) both tables share") }
        let on = try names(onNode, "\(ctx).on")
        let how = try f["how"].map { try choice($0, "\(ctx).how", JoinHow.self) } ?? .inner
        let clean = try f["clean"].map { try self.clean($0, "\(ctx).clean") } ?? []
        var pivot: PivotSpec? = nil
        if let p = f["pivot"] {
            let pf = try Fields(p, "\(ctx).pivot", allowed: SpecKeys.pivot)
            guard let i = pf["index"], let c = pf["columns"], let v = pf["values"] else {
                throw SpecError(at: p.location, "\(ctx).pivot needs index, columns and values")
            }
            pivot = PivotSpec(index: try names(i, "\(ctx).pivot.index"), columns: try text(c, "\(ctx).pivot.columns"),
                              values: try names(v, "\(ctx).pivot.values"),
                              aggregate: try pf["aggregate"].map { try choice($0, "\(ctx).pivot.aggregate", PivotAggregate.self) } ?? .mean)
            if let pivot, !Set(on).isSubset(of: pivot.index) {
                throw SpecError(at: onNode.location, "\(ctx).on must be among pivot.index (\(pivot.index.joined(separator: ", "))): the pivoted table has only those and the new columns")
            }
        }
        return JoinSection(path: format.path, resolvedPath: format.resolved, delimiter: format.delimiter, decimal: format.decimal,
                           missing: format.missing, header: format.header, names: format.names, columns: format.columns, on: on,
                           how: how, clean: clean, pivot: pivot, location: node.location)
    }

    /// A column name or a non-empty list of them.
    func names(_ node: YAMLNode, _ what: String) throws -> [String] {
        if case .seq(let items, _) = node {
            guard !items.isEmpty else { throw SpecError(at: node.location, "\(what) is an empty list") }
            return try items.map { try text($0, what) }
        }
        return [try text(node, what)]
    }

    /// `data.clean` (or a join's `clean`): a list of one-key mappings, applied in order.
    func clean(_ node: YAMLNode, _ context: String) throws -> [CleanStep] {
        var out: [CleanStep] = []
        for item in try list(node, context) {
            guard case .map(let pairs, _) = item, pairs.count == 1, let pair = pairs.first else {
                throw SpecError(at: item.location, "each \(context) step is a one-key mapping, like '- filter: \"age >= 18\"'")
            }
            let kind = pair.key, options = pair.value, origin = pair.keyAt.description
            let ctx = "\(context) \(kind)"
            switch kind {
            case "replace":
                guard case .map(let columns, _) = options, !columns.isEmpty else {
                    throw SpecError(at: options.location, "\(ctx) maps a column to {old: new} values, like {plan: {Premium: premium}}")
                }
                for column in columns {
                    guard case .map(let values, _) = column.value, !values.isEmpty else {
                        throw SpecError(at: column.value.location, "\(ctx).\(column.key) must map old values to new ones")
                    }
                    out.append(.replace(column: column.key, pairs: try values.map {
                        CleanStep.Replacement(old: $0.key, new: try param($0.value, "\(ctx).\(column.key).\($0.key)"))
                    }, origin: column.keyAt.description))
                }
            case "filter":
                out.append(.filter(try expression(options, ctx), origin: origin))
            case "derive":
                guard case .map(let columns, _) = options, !columns.isEmpty else {
                    throw SpecError(at: options.location, "\(ctx) maps new column names to expressions, like {ratio: \"a / b\"}")
                }
                for column in columns {
                    out.append(.derive(name: column.key, try expression(column.value, "\(ctx).\(column.key)"), origin: column.keyAt.description))
                }
            case "drop_duplicates":
                if case .scalar(_, .bool, _) = options {
                    guard try bool(options, ctx) else { continue }
                    out.append(.dropDuplicates(subset: nil, ignore: [], origin: origin))
                } else {
                    let f = try Fields(options, ctx, allowed: SpecKeys.dropDuplicates)
                    let subset = try f["subset"].map { try names($0, "\(ctx).subset") }
                    let ignore = try f["ignore"].map { try names($0, "\(ctx).ignore") } ?? []
                    out.append(.dropDuplicates(subset: subset, ignore: ignore, origin: origin))
                }
            case "normalize":
                if case .scalar(_, .bool, _) = options {
                    guard try bool(options, ctx) else { continue }
                    out.append(.normalize(columns: nil, lowercase: false, origin: origin))
                } else {
                    let f = try Fields(options, ctx, allowed: SpecKeys.normalize)
                    out.append(.normalize(columns: try f["columns"].map { try names($0, "\(ctx).columns") },
                                          lowercase: try f["lowercase"].map { try bool($0, "\(ctx).lowercase") } ?? false, origin: origin))
                }
            default:
                throw SpecError(at: pair.keyAt, "unknown \(context) step '\(kind)'\(Suggest.hint(kind, among: SpecKeys.cleanSteps))")
            }
        }
        return out
    }

    /// An expression, parsed now so that a syntax error points at the spec line (and the character in it).
    func expression(_ node: YAMLNode, _ what: String) throws -> RowExpression {
        let source = try text(node, what)
        do { return try RowExpression.parse(source) } catch let e as ExpressionError {
            let shown = source.count <= 200 ? source : String(source.prefix(200)) + "…"  // a one-line error, even for a huge expression
            throw SpecError(at: node.location, "\(what): \(e.message) at character \(e.position) of \(JSONText.quote(shown))")
        }
    }

    func split(_ node: YAMLNode?, data: DataSection) throws -> SplitSection {
        guard let node else { return SplitSection(testSize: 0.2, folds: 5, foldColumn: nil) }
        let f = try Fields(node, "split", allowed: SpecKeys.split)
        var testSize = 0.2, folds = 5
        if let t = f["test_size"] {
            testSize = try double(t, "split.test_size")
            guard testSize >= 0, testSize < 1 else { throw SpecError(at: t.location, "split.test_size must be in [0, 1), got \(t.text)") }
        }
        // `folds: forward` (forward chaining) is a word, not a count: checked against `holdout` below.
        let forward = f["folds"].map { if case .scalar("forward", _, _) = $0 { return true } else { return false } } ?? false
        if let k = f["folds"], !forward {
            folds = try int(k, "split.folds")
            guard folds >= 2 else { throw SpecError(at: k.location, "split.folds must be at least 2, got \(folds)") }
        }
        let foldColumn = try f["fold_column"].map { try text($0, "split.fold_column") }
        if let fcNode = f["fold_column"] {
            if let k = f["folds"] { throw SpecError(at: k.location, "split.folds and split.fold_column exclude each other") }
            if let t = f["test_size"] {
                throw SpecError(at: t.location, "split.test_size cannot be used with fold_column (rows with fold -1 form the test set)")
            }
            if foldColumn == data.target { throw SpecError(at: fcNode.location, "split.fold_column cannot be the target") }
            if foldColumn == data.weight { throw SpecError(at: fcNode.location, "split.fold_column cannot be data.weight's column") }
        }
        var section = SplitSection(testSize: foldColumn == nil ? testSize : 0, folds: folds, foldColumn: foldColumn)
        if let r = f["repeats"] {
            section.repeats = try int(r, "split.repeats")
            guard section.repeats >= 1 else { throw SpecError(at: r.location, "split.repeats must be at least 1, got \(section.repeats)") }
            if foldColumn != nil { throw SpecError(at: r.location, "split.repeats cannot be used with fold_column (the file fixes the folds)") }
        }
        if let fc = f["fold_column"], let foldColumn {
            section.foldColumnReference = ColumnReference(role: "split.fold_column", name: foldColumn, location: fc.location)
        }
        if let h = f["holdout"] {
            let how = try text(h, "split.holdout")
            guard how == "random" || how == "last_cutoff" else {
                throw SpecError(at: h.location, "split.holdout must be random or last_cutoff, got '\(how)'\(Suggest.hint(how, among: ["random", "last_cutoff"]))")
            }
            if how == "last_cutoff" {
                guard let events = data.events, events.cutoffs.count >= 2 else {
                    throw SpecError(at: h.location, "split.holdout: last_cutoff tests on a customer table's last cutoff: it needs data.events with at least two cutoffs")
                }
                if let t = f["test_size"] { throw SpecError(at: t.location, "split.test_size cannot be used with holdout: last_cutoff (the last cutoff's rows are the test set)") }
                if foldColumn != nil { throw SpecError(at: h.location, "split.holdout cannot be used with fold_column (the file fixes the folds)") }
                section.holdoutLastCutoff = true
                section.testSize = 0
                if forward, let k = f["folds"] {
                    guard events.cutoffs.count >= 4 else {
                        throw SpecError(at: k.location, "split.folds: forward validates on every cutoff but the first and the last: it needs at least four cutoffs, and data.cutoff has \(events.cutoffs.count)")
                    }
                    if let r = f["repeats"] { throw SpecError(at: r.location, "split.repeats cannot be used with folds: forward (the folds follow time, with nothing to shuffle)") }
                    section.forwardChaining = true
                    section.folds = events.cutoffs.count - 2
                }
            }
        }
        if forward, let k = f["folds"], !section.forwardChaining {
            throw SpecError(at: k.location, "split.folds: forward follows time across a customer table's cutoffs: it needs holdout: last_cutoff")
        }
        if let g = f["group"] {
            let name = try text(g, "split.group")
            if foldColumn != nil { throw SpecError(at: g.location, "split.group cannot be used with fold_column (the file fixes the folds)") }
            if name == data.target { throw SpecError(at: g.location, "split.group cannot be the target") }
            if data.events != nil { throw SpecError(at: g.location, "split.group is implied for a customer table: a customer's rows at several cutoffs always stay together") }
            section.group = name
            section.groupReference = ColumnReference(role: "split.group", name: name, location: g.location)
        }
        return section
    }

    /// `checks:`: metric paths mapped to `{min, max, tolerance}`, and an optional `baseline` file.
    func checks(_ node: YAMLNode, into spec: inout Spec) throws {
        guard case .map(let pairs, _) = node else {
            throw SpecError(at: node.location, "checks must map metric paths such as test.roc_auc to {min, max, tolerance}")
        }
        for pair in pairs {
            if pair.key == "baseline" {
                let path = try text(pair.value, "checks.baseline")
                spec.checksBaseline = resolve(path, pair.value.location)
                continue
            }
            guard let path = MetricPath(pair.key) else {
                let last = pair.key.split(separator: ".").last.map(String.init) ?? pair.key
                let hint = Metric(rawValue: last) == nil ? Suggest.hint(last, among: Metric.allCases.map(\.rawValue)) : ""
                throw SpecError(at: pair.keyAt, "checks: '\(pair.key)' is not a metric path; write cv.METRIC, test.METRIC or MODEL.cv.METRIC\(hint)")
            }
            if let part = MetricPath.Part.summary(of: spec.kind), path.part != part {
                throw SpecError(at: pair.keyAt, "checks: task \(spec.kind.rawValue) has no models; write \(part.rawValue).METRIC (\(spec.metrics.map(\.rawValue).joined(separator: ", ")))")
            }
            if MetricPath.Part.summary(of: spec.kind) == nil, path.part == .segmentation || path.part == .baskets {
                throw SpecError(at: pair.keyAt, "checks: '\(pair.key)' belongs to task \(path.part == .segmentation ? "segment" : "associate"); write cv.METRIC, test.METRIC or MODEL.cv.METRIC")
            }
            if let model = path.model, !spec.models.contains(where: { $0.name == model }) {
                throw SpecError(at: pair.keyAt, "checks: no model '\(model)' in models\(Suggest.hint(model, among: spec.models.map(\.name)))")
            }
            guard spec.metrics.contains(path.metric) else {
                throw SpecError(at: pair.keyAt, spec.kind.isSupervised ? "checks: metric '\(path.metric.rawValue)' is not computed; add it to metrics"
                                : "checks: task \(spec.kind.rawValue) computes \(spec.metrics.map(\.rawValue).joined(separator: ", ")), not \(path.metric.rawValue)")
            }
            if path.part == .test, spec.split.testSize == 0, spec.split.foldColumn == nil, !spec.split.holdoutLastCutoff {
                throw SpecError(at: pair.keyAt, "checks: '\(pair.key)' needs a test set, and split.test_size is 0")
            }
            let ctx = "checks.\(pair.key)"
            let f = try Fields(pair.value, ctx, allowed: SpecKeys.check)
            let min = try f["min"].map { try double($0, "\(ctx).min") }
            let max = try f["max"].map { try double($0, "\(ctx).max") }
            if let min, let max, min > max {
                throw SpecError(at: f["max"]?.location, "\(ctx): max \(NumberFormat.json(max)) is below min \(NumberFormat.json(min))")
            }
            let tolerance = try f["tolerance"].map { try self.tolerance($0, "\(ctx).tolerance") }
            guard min != nil || max != nil || tolerance != nil else {
                throw SpecError(at: pair.value.location, "\(ctx) needs min, max or tolerance")
            }
            let at = pair.keyAt
            spec.checks.append(MetricCheck(path: path, min: min, max: max, tolerance: tolerance, file: at.file, line: at.line, column: at.column))
        }
    }

    /// A tolerance: a number (absolute) or a percentage such as `5%` (relative to the baseline).
    func tolerance(_ node: YAMLNode, _ what: String) throws -> MetricCheck.Tolerance {
        let problem = SpecError(at: node.location, "\(what) must be a number such as 0.01 or a percentage such as 5%, got \(node.text)")
        guard case .scalar(let t, let kind, _) = node else { throw problem }
        if kind == .string, t.hasSuffix("%") {
            guard let p = Double(t.dropLast().trimmingCharacters(in: .whitespaces)), p.isFinite, p >= 0 else { throw problem }
            return .relative(p / 100)
        }
        guard kind == .int || kind == .float, let v = Double(t), v.isFinite, v >= 0 else { throw problem }
        return .absolute(v)
    }

    /// A path written in the spec, resolved against the spec file's folder (a `--set` value is taken as given).
    func resolve(_ path: String, _ at: SourceLocation) -> String {
        let base = URL(fileURLWithPath: file).deletingLastPathComponent().relativePath
        return path.hasPrefix("/") || at.override != nil || base == "." ? path : base + "/" + path
    }

    func steps(_ node: YAMLNode, _ context: String) throws -> [PreprocessStep] {
        var out: [PreprocessStep] = []
        var encodeAt: SourceLocation? = nil, resampleAt: SourceLocation? = nil
        for item in try list(node, context) {
            guard case .map(let pairs, _) = item, pairs.count == 1, let (kind, kindAt, options) = pairs.first.map({ ($0.key, $0.keyAt, $0.value) }) else {
                throw SpecError(at: item.location, "each \(context) step is a one-key mapping, like '- scale: {method: standard}'")
            }
            guard SpecKeys.steps.contains(kind) else {
                throw SpecError(at: kindAt, "unknown \(context) step '\(kind)'\(Suggest.hint(kind, among: SpecKeys.steps))")
            }
            if let resampleAt { throw SpecError(at: kindAt, "resample must be the last step (it is at \(resampleAt)): it rebalances the transformed training rows") }
            let ctx = "\(context) step '\(kind)'"
            let emptyMap = YAMLNode.map([], at: options.location)
            let opts: YAMLNode = { if case .scalar(_, .null, _) = options { return emptyMap }; return options }()
            func selector(_ f: Fields) throws -> ColumnSelector { try f["columns"].map { try columnSelector($0, "\(ctx): columns") } ?? .all }
            func fraction(_ n: YAMLNode, _ what: String, closedAtOne: Bool) throws -> Double {
                let v = try double(n, what)
                guard v > 0, closedAtOne ? v <= 1 : v < 1 else {
                    throw SpecError(at: n.location, "\(what) must be in (0, \(closedAtOne ? "1]" : "1)"), got \(n.text)")
                }
                return v
            }
            switch kind {
            case "impute":
                if let encodeAt { throw SpecError(at: kindAt, "impute must come before encode (encode is at \(encodeAt))") }
                let f = try Fields(opts, ctx, allowed: SpecKeys.impute)
                let numeric = try f["numeric"].map { try choice($0, "\(ctx): numeric", ImputeStrategy.self) } ?? .median
                let categorical = try f["categorical"].map { try choice($0, "\(ctx): categorical", ImputeStrategy.self) } ?? .mostFrequent
                if let c = f["categorical"], categorical == .mean || categorical == .median {
                    throw SpecError(at: c.location, "\(ctx): categorical columns can only use most_frequent or constant")
                }
                var value = ParamValue.null
                if let v = f["value"] {
                    value = try param(v, "\(ctx): value")
                    if numeric == .constant, value.number == nil {
                        throw SpecError(at: v.location, "\(ctx): value must be a number for numeric: constant")
                    }
                }
                out.append(.impute(ImputeStep(numeric: numeric, categorical: categorical, value: value,
                                              addIndicator: try f["add_indicator"].map { try bool($0, "\(ctx): add_indicator") } ?? false,
                                              columns: try selector(f))))
            case "encode":
                let f = try Fields(opts, ctx, allowed: SpecKeys.encode)
                encodeAt = kindAt
                var e = EncodeStep(method: try f["method"].map { try choice($0, "\(ctx): method", EncodeMethod.self) } ?? .onehot, columns: try selector(f))
                if e.method == .target, self.kind != .binary {
                    throw SpecError(at: f["method"]?.location ?? kindAt, "\(ctx): method target encodes a binary target's rate; task \(self.kind.rawValue) is not supported by it yet (use onehot or ordinal)")
                }
                func only(_ key: String, _ method: EncodeMethod) throws {
                    if let n = f[key], e.method != method { throw SpecError(at: n.location, "\(ctx): \(key) applies to method \(method.rawValue) only") }
                }
                try only("handle_unknown", .onehot); try only("min_frequency", .onehot); try only("max_categories", .onehot)
                try only("order", .ordinal); try only("smooth", .target); try only("cv", .target)
                if let h = f["handle_unknown"] { e.handleUnknown = try choice(h, "\(ctx): handle_unknown", HandleUnknown.self) }
                if let m = f["min_frequency"] {
                    if case .scalar(_, .int, _) = m {
                        let v = try int(m, "\(ctx): min_frequency")
                        guard v >= 1 else { throw SpecError(at: m.location, "\(ctx): min_frequency must be a count of at least 1 or a fraction in (0, 1), got \(v)") }
                        e.minFrequency = Double(v)
                    } else { e.minFrequency = try fraction(m, "\(ctx): min_frequency", closedAtOne: false) }
                }
                if let m = f["max_categories"] {
                    let v = try int(m, "\(ctx): max_categories")
                    guard v >= 1 else { throw SpecError(at: m.location, "\(ctx): max_categories must be at least 1, got \(v)") }
                    e.maxCategories = v
                }
                if let o = f["order"] {
                    guard case .map(let pairs, _) = o, !pairs.isEmpty else { throw SpecError(at: o.location, "\(ctx): order maps column names to their categories in order") }
                    for p in pairs {
                        let cats = try list(p.value, "\(ctx): order.\(p.key)").map { try text($0, "\(ctx): order.\(p.key)") }
                        guard !cats.isEmpty, Set(cats).count == cats.count else {
                            throw SpecError(at: p.value.location, "\(ctx): order.\(p.key) must list each category once")
                        }
                        e.order[p.key] = cats
                    }
                }
                if let m = f["smooth"], !(m.isNull || m.text == "'auto'") {
                    let v = try double(m, "\(ctx): smooth")
                    guard v >= 0 else { throw SpecError(at: m.location, "\(ctx): smooth must be auto or a number ≥ 0, got \(m.text)") }
                    e.smooth = v
                }
                if let c = f["cv"] {
                    e.cv = try int(c, "\(ctx): cv")
                    guard e.cv >= 2 else { throw SpecError(at: c.location, "\(ctx): cv must be at least 2, got \(e.cv)") }
                }
                out.append(.encode(e))
            case "scale":
                let f = try Fields(opts, ctx, allowed: SpecKeys.scale)
                out.append(.scale(try f["method"].map { try choice($0, "\(ctx): method", ScaleMethod.self) } ?? .standard, columns: try selector(f)))
            case "log1p":
                let f = try Fields(opts, ctx, allowed: SpecKeys.log1p)
                out.append(.log1p(columns: try selector(f)))
            case "clip":
                let f = try Fields(opts, ctx, allowed: SpecKeys.clip)
                var c = ClipStep(min: try f["min"].map { try double($0, "\(ctx): min") }, max: try f["max"].map { try double($0, "\(ctx): max") },
                                 columns: try selector(f))
                if let q = f["quantiles"] {
                    let items = try list(q, "\(ctx): quantiles")
                    let values = try items.map { try double($0, "\(ctx): quantiles") }
                    guard values.count == 2, values[0] >= 0, values[0] < values[1], values[1] <= 1 else {
                        throw SpecError(at: q.location, "\(ctx): quantiles must be [low, high] with 0 ≤ low < high ≤ 1")
                    }
                    c.quantiles = values
                }
                if let lo = c.min, let hi = c.max, lo > hi { throw SpecError(at: f["max"]?.location, "\(ctx): max is below min") }
                guard c.min != nil || c.max != nil || c.quantiles != nil else { throw SpecError(at: kindAt, "\(ctx) needs min, max or quantiles") }
                out.append(.clip(c))
            default:
                guard self.kind == .binary || self.kind == .multiclass else {
                    throw SpecError(at: kindAt, "\(ctx): resample applies to classification only, and this spec's task is \(self.kind.rawValue)")
                }
                if let weightedAt {
                    throw SpecError(at: kindAt, "\(ctx): resample cannot be combined with data.weight (\(weightedAt)): imbalanced-learn's samplers take no sample weights")
                }
                let f = try Fields(opts, ctx, allowed: SpecKeys.resample)
                resampleAt = kindAt
                var r = ResampleStep(method: try f["method"].map { try choice($0, "\(ctx): method", ResampleMethod.self) } ?? .smote)
                if let k = f["k_neighbors"] {
                    if r.method != .smote && r.method != .smoteNC { throw SpecError(at: k.location, "\(ctx): k_neighbors applies to smote and smote_nc only") }
                    r.kNeighbors = try int(k, "\(ctx): k_neighbors")
                    guard r.kNeighbors >= 1 else { throw SpecError(at: k.location, "\(ctx): k_neighbors must be at least 1, got \(r.kNeighbors)") }
                }
                if let sNode = f["sampling_strategy"], !(sNode.text == "'auto'") {
                    if self.kind == .multiclass {
                        throw SpecError(at: sNode.location, "\(ctx): sampling_strategy is a minority/majority ratio of two classes; with several classes leave it out (auto), as imbalanced-learn does")
                    }
                    r.samplingStrategy = try fraction(sNode, "\(ctx): sampling_strategy", closedAtOne: true)
                }
                out.append(.resample(r))
            }
        }
        return out
    }

    /// `columns:` of a preprocessing step: a name, a list of names, or `{names, pattern, type}`.
    func columnSelector(_ node: YAMLNode, _ what: String) throws -> ColumnSelector {
        guard case .map = node else { return ColumnSelector(names: try names(node, what)) }
        let f = try Fields(node, what, allowed: SpecKeys.columnSelector)
        var s = ColumnSelector()
        s.names = try f["names"].map { try names($0, "\(what).names") }
        if let p = f["pattern"] {
            let pattern = try text(p, "\(what).pattern")
            guard (try? NSRegularExpression(pattern: pattern)) != nil else {
                throw SpecError(at: p.location, "\(what).pattern is not a valid regular expression: \(JSONText.quote(pattern))")
            }
            s.pattern = pattern
        }
        s.kind = try f["type"].map { try choice($0, "\(what).type", ColumnKind.self) }
        guard !s.isAll else { throw SpecError(at: node.location, "\(what) needs names, pattern or type") }
        return s
    }

    func models(_ node: YAMLNode, preprocess: YAMLNode?) throws -> [ModelSpec] {
        guard case .map(let pairs, _) = node, !pairs.isEmpty else {
            throw SpecError(at: node.location, "models must map at least one model name to its settings")
        }
        return try pairs.map { try model($0.key, $0.value, at: $0.keyAt, topPreprocess: preprocess) }
    }

    func model(_ name: String, _ node: YAMLNode, at: SourceLocation, topPreprocess: YAMLNode? = nil) throws -> ModelSpec {
        let ctx = "model '\(name)'"
        let f = try Fields(node, ctx, allowed: SpecKeys.model)
        guard let typeNode = f["type"] else { throw SpecError(at: node.location, "\(ctx) needs a type") }
        let typeName = try text(typeNode, "\(ctx): type")
        guard let type = catalog.type(named: typeName, kind: kind) else {
            let known = catalog.names(for: kind)
            if let other = catalog.types.first(where: { $0.name == typeName && $0.unsupported == nil }) {
                throw SpecError(at: typeNode.location, "model type '\(typeName)' is for task \(other.kind.rawValue), not \(kind.rawValue) (task \(kind.rawValue) has: \(known.joined(separator: ", ")))")
            }
            throw SpecError(at: typeNode.location, "unknown model type '\(typeName)'\(kind == .binary ? "" : " for task \(kind.rawValue)")\(Suggest.hint(typeName, among: known))")
        }
        if let why = type.unsupported { throw SpecError(at: typeNode.location, why) }
        if let weightedAt, let why = type.noSampleWeights {
            throw SpecError(at: typeNode.location, "\(ctx): \(why), and data.weight (\(weightedAt)) weighs the rows; leave it out or use another model")
        }
        var randomIterations: Int? = nil
        var halving: HalvingSettings? = nil
        if let s = f["search"] {
            let sf = try Fields(s, "\(ctx): search", allowed: SpecKeys.search)
            let method = try sf["method"].map { try text($0, "\(ctx): search.method") } ?? "grid"
            for key in ["factor", "min_resources"] where method != "halving" {
                if let n = sf[key] { throw SpecError(at: n.location, "\(ctx): search.\(key) applies to method halving only") }
            }
            if method == "halving" {
                var h = HalvingSettings()
                if let f = sf["factor"] {
                    h.factor = try int(f, "\(ctx): search.factor")
                    guard h.factor >= 2 else { throw SpecError(at: f.location, "\(ctx): search.factor must be at least 2, got \(h.factor)") }
                }
                if let m = sf["min_resources"] {
                    if case .scalar(_, .int, _) = m {
                        let n = try int(m, "\(ctx): search.min_resources")
                        guard n >= 1 else { throw SpecError(at: m.location, "\(ctx): search.min_resources must be at least 1, got \(n)") }
                        h.minResources = .count(n)
                    } else {
                        let t = try text(m, "\(ctx): search.min_resources")
                        guard t == "exhaust" || t == "smallest" else {
                            throw SpecError(at: m.location, "\(ctx): search.min_resources must be exhaust, smallest or a row count, got '\(t)'")
                        }
                        h.minResources = t == "exhaust" ? .exhaust : .smallest
                    }
                }
                halving = h
            }
            guard method == "grid" || method == "random" || method == "halving" else {
                throw SpecError(at: sf["method"]?.location, "unknown search method '\(method)'\(Suggest.hint(method, among: SpecKeys.searchMethods))")
            }
            if let n = sf["n_iter"] {
                guard method == "random" else { throw SpecError(at: n.location, "\(ctx): search.n_iter applies to method random only") }
                let k = try int(n, "\(ctx): search.n_iter")
                guard k >= 1 else { throw SpecError(at: n.location, "\(ctx): search.n_iter must be at least 1, got \(k)") }
                randomIterations = k
            } else if method == "random" { randomIterations = 10 }  // RandomizedSearchCV's default
        }
        var distributions: [(name: String, distribution: Distribution, at: SourceLocation)] = []
        func checked(_ key: String, _ valueNode: YAMLNode, keyAt: SourceLocation) throws -> ParamValue {
            guard let rule = type.parameter(key) else {
                throw SpecError(at: keyAt, "\(typeName) has no parameter '\(key)'\(Suggest.hint(key, among: type.parameters.map(\.name)))")
            }
            if let why = rule.unsupported { throw SpecError(at: keyAt, why) }
            let v = try param(valueNode, "\(ctx): \(key)")
            if let problem = rule.check(v) { throw SpecError(at: valueNode.location, "\(ctx): \(key) \(problem)") }
            return v
        }
        var params: [String: ParamValue] = [:]
        if let p = f["params"], !p.isNull {
            guard case .map(let pairs, _) = p else { throw SpecError(at: p.location, "\(ctx): params must be a mapping of parameter names to values") }
            for pair in pairs { params[pair.key] = try checked(pair.key, pair.value, keyAt: pair.keyAt) }
        }
        var grid: [(name: String, values: [ParamValue])] = []
        var preprocessGrid: [(key: String, keyAt: SourceLocation, items: [YAMLNode])] = []
        if let g = f["grid"], !g.isNull {
            guard case .map(let pairs, _) = g else { throw SpecError(at: g.location, "\(ctx): grid must map parameter names to lists of values") }
            for pair in pairs {
                if params[pair.key] != nil {
                    throw SpecError(at: pair.keyAt, "\(ctx): '\(pair.key)' is in both params and grid")
                }
                if case .map = pair.value {
                    guard randomIterations != nil else {
                        throw SpecError(at: pair.value.location, "\(ctx): grid.\(pair.key) is a distribution; those need search: {method: random}")
                    }
                    guard type.parameter(pair.key) != nil else {
                        throw SpecError(at: pair.keyAt, "\(typeName) has no parameter '\(pair.key)'\(Suggest.hint(pair.key, among: type.parameters.map(\.name)))")
                    }
                    distributions.append((pair.key, try distribution(pair.value, "\(ctx): grid.\(pair.key)"), pair.value.location))
                    continue
                }
                let items: [YAMLNode]
                if case .seq(let s, _) = pair.value { items = s } else { items = [pair.value] }
                guard !items.isEmpty else { throw SpecError(at: pair.value.location, "\(ctx): grid.\(pair.key) is an empty list") }
                if pair.key.hasPrefix(ModelSpec.preprocessPrefix) {
                    let values = try items.map { try param($0, "\(ctx): grid.\(pair.key)") }
                    if Set(values).count != values.count { throw SpecError(at: pair.value.location, "\(ctx): grid.\(pair.key) lists a value twice") }
                    preprocessGrid.append((pair.key, pair.keyAt, items))
                    grid.append((pair.key, values))
                    continue
                }
                let values = try items.map { try checked(pair.key, $0, keyAt: pair.keyAt) }
                if Set(values).count != values.count {
                    throw SpecError(at: pair.value.location, "\(ctx): grid.\(pair.key) lists a value twice")
                }
                grid.append((pair.key, values))
            }
        }
        grid.sort { $0.name < $1.name }
        let preprocess = try f["preprocess"].map { try steps($0, "\(ctx): preprocess") }
        var spec = ModelSpec(name: name, type: typeName, params: params, grid: grid, preprocess: preprocess)
        if let c = f["calibrate"] {
            guard kind == .binary || kind == .multiclass else { throw SpecError(at: c.location, "\(ctx): calibrate applies to classification only (it calibrates probabilities)") }
            if case .scalar = c {
                spec.calibrate = CalibrateStep(method: try choice(c, "\(ctx): calibrate", CalibrationMethod.self))
            } else {
                let cf = try Fields(c, "\(ctx): calibrate", allowed: SpecKeys.calibrate)
                guard let m = cf["method"] else { throw SpecError(at: c.location, "\(ctx): calibrate needs a method (sigmoid or isotonic)") }
                var step = CalibrateStep(method: try choice(m, "\(ctx): calibrate.method", CalibrationMethod.self))
                if let k = cf["cv"] {
                    step.cv = try int(k, "\(ctx): calibrate.cv")
                    guard step.cv >= 2 else { throw SpecError(at: k.location, "\(ctx): calibrate.cv must be at least 2, got \(step.cv)") }
                }
                spec.calibrate = step
            }
        }
        spec.distributions = distributions.map { ($0.name, $0.distribution, $0.at) }
        spec.halving = halving
        spec.randomIterations = randomIterations
        spec.location = at
        // A random search's points are drawn, and checked the same way, when the experiment is validated.
        if randomIterations == nil {
            for point in spec.points {
                if let problem = type.checkPoint(spec.modelParams(point)) { throw SpecError(at: at, "\(ctx): \(problem)") }
            }
        }
        if !preprocessGrid.isEmpty {
            spec.variants = try preprocessVariants(preprocessGrid, list: f["preprocess"] ?? topPreprocess, ctx: ctx,
                                                   context: f["preprocess"] != nil ? "\(ctx): preprocess" : "preprocess")
        }
        return spec
    }

    /// A distribution of a random search: `{uniform: [lo, hi]}`, `{loguniform: [lo, hi]}`, `{randint: [lo, hi]}` (hi excluded, as scipy's).
    func distribution(_ node: YAMLNode, _ what: String) throws -> Distribution {
        guard case .map(let pairs, _) = node, pairs.count == 1, let p = pairs.first else {
            throw SpecError(at: node.location, "\(what) must be a list of values or one distribution, like {loguniform: [0.001, 100]}")
        }
        let bounds = try list(p.value, "\(what).\(p.key)")
        guard bounds.count == 2 else { throw SpecError(at: p.value.location, "\(what).\(p.key) needs [low, high]") }
        switch p.key {
        case "randint":
            let lo = try int(bounds[0], "\(what).randint"), hi = try int(bounds[1], "\(what).randint")
            guard lo < hi else { throw SpecError(at: p.value.location, "\(what).randint needs low < high (high is excluded)") }
            return .randint(lo, hi)
        case "uniform", "loguniform":
            let lo = try double(bounds[0], "\(what).\(p.key)"), hi = try double(bounds[1], "\(what).\(p.key)")
            guard lo < hi, p.key == "uniform" || lo > 0 else {
                throw SpecError(at: p.value.location, "\(what).\(p.key) needs \(p.key == "uniform" ? "" : "0 < ")low < high")
            }
            return p.key == "uniform" ? .uniform(lo, hi) : .logUniform(lo, hi)
        default:
            throw SpecError(at: p.keyAt, "\(what): unknown distribution '\(p.key)'\(Suggest.hint(p.key, among: SpecKeys.distributions))")
        }
    }

    /// Every preprocessing list a grid over `preprocess.STEP.OPTION` keys asks for, decoded (and so validated) now,
    /// keyed by `ModelSpec.variantKey` of its values.
    func preprocessVariants(_ grid: [(key: String, keyAt: SourceLocation, items: [YAMLNode])], list: YAMLNode?, ctx: String,
                            context: String) throws -> [String: [PreprocessStep]] {
        guard let list, case .seq(let steps, let listAt) = list else {
            throw SpecError(at: grid[0].keyAt, "\(ctx): grid.\(grid[0].key) addresses a preprocess step, but the model has no preprocess list")
        }
        // Resolve each key to (step position, option).
        var targets: [(index: Int, option: String)] = []
        for g in grid {
            let parts = g.key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, !parts[1].isEmpty, !parts[2].isEmpty else {
                throw SpecError(at: g.keyAt, "\(ctx): grid key '\(g.key)' must be preprocess.STEP.OPTION, like preprocess.scale.method")
            }
            let kinds = steps.map { node -> String in if case .map(let p, _) = node, let k = p.first?.key { return k }; return "" }
            let index: Int
            if let i = Int(parts[1]) {
                guard kinds.indices.contains(i) else { throw SpecError(at: g.keyAt, "\(ctx): grid key '\(g.key)': the preprocess list has steps 0..\(kinds.count - 1)") }
                index = i
            } else {
                let matches = kinds.indices.filter { kinds[$0] == parts[1] }
                guard matches.count == 1 else {
                    throw SpecError(at: g.keyAt, matches.isEmpty
                        ? "\(ctx): grid key '\(g.key)': no '\(parts[1])' step in \(context)\(Suggest.hint(parts[1], among: kinds))"
                        : "\(ctx): grid key '\(g.key)': \(context) has \(matches.count) '\(parts[1])' steps; address one by position, like preprocess.\(matches[0]).\(parts[2])")
                }
                index = matches[0]
            }
            targets.append((index, parts[2]))
        }
        var combinations: [[YAMLNode]] = [[]]
        for g in grid { combinations = combinations.flatMap { base in g.items.map { base + [$0] } } }
        var out: [String: [PreprocessStep]] = [:]
        for values in combinations {
            var items = steps
            for ((index, option), value) in zip(targets, values) {
                guard case .map(let pairs, let at) = items[index], let step = pairs.first else { continue }
                var options: [(key: String, keyAt: SourceLocation, value: YAMLNode)] = []
                if case .map(let o, _) = step.value { options = o }
                if let i = options.firstIndex(where: { $0.key == option }) { options[i].value = value } else { options.append((option, value.location, value)) }
                items[index] = .map([(step.key, step.keyAt, .map(options, at: step.value.location))], at: at)
            }
            let decoded = try self.steps(.seq(items, at: listAt), context)
            out[ModelSpec.variantKey(zip(grid.map(\.key), try values.map { try param($0, ctx) }).map { ($0, $1) })] = decoded
        }
        return out
    }

    // MARK: values

    func text(_ node: YAMLNode, _ what: String, allowEmpty: Bool = false) throws -> String {
        guard case .scalar(let t, let kind, _) = node, kind != .null || allowEmpty else {
            throw SpecError(at: node.location, "\(what) must be a single value, got \(node.kindName)")
        }
        return t
    }

    func int(_ node: YAMLNode, _ what: String) throws -> Int {
        guard case .scalar(let t, .int, _) = node, let v = Int(t) else {
            throw SpecError(at: node.location, "\(what) must be an integer, got \(node.text)")
        }
        return v
    }

    func double(_ node: YAMLNode, _ what: String) throws -> Double {
        guard case .scalar(let t, let kind, _) = node, kind == .int || kind == .float, let v = Double(t), v.isFinite else {
            throw SpecError(at: node.location, "\(what) must be a number, got \(node.text)")
        }
        return v
    }

    func bool(_ node: YAMLNode, _ what: String) throws -> Bool {
        guard case .scalar(let t, .bool, _) = node else { throw SpecError(at: node.location, "\(what) must be true or false, got \(node.text)") }
        return ["true", "yes", "on", "y"].contains(t.lowercased())
    }

    func list(_ node: YAMLNode, _ what: String) throws -> [YAMLNode] {
        guard case .seq(let items, _) = node else { throw SpecError(at: node.location, "\(what) must be a list, got \(node.kindName)") }
        return items
    }

    func choice<E: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ what: String, _: E.Type) throws -> E where E.RawValue == String {
        let t = try text(node, what)
        guard let v = E(rawValue: t) else {
            let all = E.allCases.map(\.rawValue)
            throw SpecError(at: node.location, "\(what) must be one of \(all.joined(separator: ", ")), got '\(t)'\(Suggest.hint(t, among: all))")
        }
        return v
    }

    func metric(_ node: YAMLNode, _ what: String) throws -> Metric {
        let t = try text(node, what)
        let known = Metric.allCases.filter { $0.scores(kind) }.map(\.rawValue)
        guard let m = Metric(rawValue: t) else {
            throw SpecError(at: node.location, "unknown metric '\(t)'\(Suggest.hint(t, among: known))")
        }
        guard m.scores(kind) else {
            throw SpecError(at: node.location, "metric '\(t)' scores task \(m.kinds.map(\.rawValue).joined(separator: " and ")), and this spec's task is \(kind.rawValue) (its metrics: \(known.joined(separator: ", ")))")
        }
        return m
    }

    /// SPEC.md's `task:`: binary (the default), multiclass, regression, segment or associate.
    func task(_ t: YAMLNode) throws -> ExperimentKind {
        let name = try text(t, "task")
        guard let kind = ExperimentKind(rawValue: name) else {
            let known = ExperimentKind.allCases.map(\.rawValue)
            throw SpecError(at: t.location, "task must be \(known.dropLast().joined(separator: ", ")) or \(known.last ?? ""), got '\(name)'\(Suggest.hint(name, among: known))")
        }
        return kind
    }

    func param(_ node: YAMLNode, _ what: String) throws -> ParamValue {
        switch node {
        case .scalar(let t, let kind, let at):
            switch kind {
            case .null: return .null
            case .bool: return .bool(try bool(node, what))
            case .int:
                guard let i = Int(t) else { throw SpecError(at: at, "\(what): integer \(t) is out of range") }
                return .int(i)
            case .float:
                guard let d = Double(t), d.isFinite else { throw SpecError(at: at, "\(what) must be a finite number, got \(t)") }
                return .double(d)
            case .string: return .string(t)
            }
        case .seq(let items, _): return .list(try items.map { try param($0, what) })
        case .map(_, let at): throw SpecError(at: at, "\(what) cannot be a mapping")
        }
    }
}

/// The keys of one mapping, checked against the allowed ones.
struct Fields {
    private let values: [String: YAMLNode]

    init(_ node: YAMLNode, _ context: String, allowed: [String], notYet: [String: String] = [:]) throws {
        if case .scalar(_, .null, let at) = node { self.values = [:]; _ = at; return }
        guard case .map(let pairs, _) = node else {
            throw SpecError(at: node.location, "\(context) must be a mapping, got \(node.kindName)")
        }
        for p in pairs where !allowed.contains(p.key) {
            if let why = notYet[p.key] { throw SpecError(at: p.keyAt, why) }
            throw SpecError(at: p.keyAt, "unknown key '\(p.key)' in \(context)\(Suggest.hint(p.key, among: allowed))")
        }
        values = Dictionary(uniqueKeysWithValues: pairs.map { ($0.key, $0.value) })
    }

    subscript(key: String) -> YAMLNode? { values[key] }
}

extension YAMLNode {
    var kindName: String {
        switch self {
        case .scalar(let t, let k, _): return k == .null ? "nothing" : "'\(t)'"
        case .map: return "a mapping"
        case .seq: return "a list"
        }
    }

    var text: String { kindName }

    var isNull: Bool {
        if case .scalar(_, .null, _) = self { return true }
        return false
    }
}

import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import AssayReport
import AssaySpec
import Foundation

/// The table's rows as k-means sees them: the spec's preprocessing fitted on every row, then applied.
struct SegmentInput: BinaryCodable {
    var matrix: Matrix
    var preprocessing: FittedPreprocessing

    func encode(to w: inout ByteWriter) {
        w.write(matrix.rows); w.write(matrix.cols); w.write(matrix.values); w.write(preprocessing)
    }

    init(matrix: Matrix, preprocessing: FittedPreprocessing) {
        self.matrix = matrix
        self.preprocessing = preprocessing
    }

    init(from r: inout ByteReader) throws {
        let rows = try r.readInt(), cols = try r.readInt(), values = try r.readDoubles()
        guard rows >= 0, cols >= 0, values.count == rows * cols else { throw BinaryFormatError.inconsistent("segment input") }
        self.init(matrix: Matrix(rows: rows, cols: cols, values: values), preprocessing: try r.read())
    }
}

/// One k-means fit and, for the reported fit (replicate 0), its scores; replicates 1… refit the same k with other
/// seeds to measure stability.
struct Clustering: BinaryCodable {
    var fitted: FittedKMeans
    var silhouette: Double
    var calinskiHarabasz: Double
    var daviesBouldin: Double

    func encode(to w: inout ByteWriter) { w.write(fitted); w.write([silhouette, calinskiHarabasz, daviesBouldin]) }

    init(fitted: FittedKMeans, silhouette: Double, calinskiHarabasz: Double, daviesBouldin: Double) {
        self.fitted = fitted
        self.silhouette = silhouette
        self.calinskiHarabasz = calinskiHarabasz
        self.daviesBouldin = daviesBouldin
    }

    init(from r: inout ByteReader) throws {
        let fitted = try r.read(FittedKMeans.self), s = try r.readDoubles()
        guard s.count == 3 else { throw BinaryFormatError.inconsistent("clustering scores") }
        self.init(fitted: fitted, silhouette: s[0], calinskiHarabasz: s[1], daviesBouldin: s[2])
    }
}

struct SegmentPrepTask: TaskDescriptor {
    let variant: Preprocessing
    var operation: String { "segment-prep" }
    var parameters: String { variant.canonical }
}

struct KMeansTask: TaskDescriptor {
    let settings: KMeans
    /// 0: the reported fit (scored); 1…: a stability refit with another seed.
    let replicate: Int
    var operation: String { "kmeans" }
    var parameters: String { settings.canonical + ";replicate=\(replicate)" }
}

extension Planner {
    mutating func segmentInput(_ load: TaskKey) -> TaskKey {
        let variant = Preprocessing(spec.preprocess)
        return add(SegmentPrepTask(variant: variant), [load], label: "preprocess every row", kind: "prep") { seed, inputs in
            let data = try Dataset(decoding: inputs[0])
            let rows = Array(0..<data.rowCount)
            let fitted = try variant.fit(data.features, rows: rows, seed: seed)
            return SegmentInput(matrix: try fitted.transform(data.features, rows: rows), preprocessing: fitted)
        }
    }

    mutating func kmeans(_ input: TaskKey, _ settings: KMeans, replicate: Int) -> TaskKey {
        add(KMeansTask(settings: settings, replicate: replicate), [input],
            label: "k-means k=\(settings.clusters)" + (replicate > 0 ? " (stability seed \(replicate))" : ""), kind: "fit") { seed, inputs in
            let x = try SegmentInput(decoding: inputs[0]).matrix
            var rng = SplitMix64(seed: seed)
            let fitted = try settings.fit(x, using: &rng)
            guard replicate == 0 else { return Clustering(fitted: fitted, silhouette: .nan, calinskiHarabasz: .nan, daviesBouldin: .nan) }
            let k = settings.clusters
            return Clustering(fitted: fitted, silhouette: ClusterScores.silhouette(x, labels: fitted.labels, clusters: k),
                              calinskiHarabasz: ClusterScores.calinskiHarabasz(x, labels: fitted.labels, clusters: k),
                              daviesBouldin: ClusterScores.daviesBouldin(x, labels: fitted.labels, clusters: k))
        }
    }
}

extension Experiment {
    /// `task: segment`: load the table → preprocess every row → k-means per k (in parallel, cached) → choose k →
    /// stability refits → the report. Returns it, its folder, and the saved segment model (by name).
    static func runSegment(_ spec: Spec, _ session: inout RunSession, specPath: String, overrides: [String], options: RunOptions) throws
        -> (SegmentReport, String, [String: String]) {
        guard let settings = spec.segmentation else { throw AssayError.input("task segment needs a segment: section") }
        let (data, input, prepared) = try prepareSegmentation(spec, settings, &session)
        func model(_ k: Int) -> KMeans { KMeans(clusters: k, nInit: settings.nInit, maxIter: settings.maxIter, tol: settings.tol) }
        let keys = settings.ks.map { session.planner.kmeans(input, model($0), replicate: 0) }
        try session.execute(keys)
        let results = try keys.map { try session.value($0, as: Clustering.self) }
        let trials = zip(settings.ks, results).map { k, r in
            SegmentReport.Trial(k: k, inertia: r.fitted.inertia, silhouette: r.silhouette, calinskiHarabasz: r.calinskiHarabasz,
                                daviesBouldin: r.daviesBouldin, iterations: r.fitted.iterations)
        }
        let chosenIndex = chooseK(trials, settings.choose)
        let chosen = results[chosenIndex]
        let stabilityKeys = (0..<settings.stabilitySeeds).map { session.planner.kmeans(input, model(settings.ks[chosenIndex]), replicate: $0 + 1) }
        try session.execute(stabilityKeys)
        let stability = try stabilityKeys.map { ClusterScores.adjustedRand(chosen.fitted.labels, try session.value($0, as: Clustering.self).fitted.labels) }
        let report = segmentReport(spec, settings, data, centreColumns: prepared.preprocessing.outputNames, trials: trials, chosen: chosen, stability: stability)
        let dir = try WriteStage.write(experiment: spec.name, markdown: report.markdown, metrics: report.json, figures: report.figures, outputRoot: options.outputRoot)
        var saved: [String: String] = [:]
        if let folder = options.modelsDirectory {
            // The centres in the report's numbering (row s is segment s + 1); the columns as the run read them.
            let kinds = Dictionary(uniqueKeysWithValues: data.features.columns.map { ($0.name, $0.kind) })
            let model = SavedSegments(assayVersion: AssayVersion.current, specHash: WriteStage.specHash(specPath: specPath, overrides: overrides), experiment: spec.name,
                                      centres: chosen.fitted.centers.rows(report.segments.map(\.cluster)), idColumn: spec.data.events?.customer ?? spec.data.id,
                                      input: ModelInput(csv: spec.data.events == nil ? DataFile.loadOptions(spec).csv : CSVOptions(),
                                                        features: prepared.preprocessing.inputColumns.map { ($0, kinds[$0] ?? .numeric) },
                                                        rowSteps: SavedPipeline.rowWise(spec.data.clean)),
                                      preprocessing: prepared.preprocessing)
            let path = folder + "/" + spec.name + "/segments.assaymodel"
            try AtomicFiles.write([(path, model.fileData())])
            saved["segments"] = path
        }
        return (report, dir, saved)
    }

    /// Everything a segmentation checks before its first k-means fit: the table loaded, its value and RFM columns
    /// numeric, no unimputed missing value, the rows preprocessed, and no k above the number of distinct rows.
    static func prepareSegmentation(_ spec: Spec, _ settings: SegmentSection, _ session: inout RunSession) throws -> (Dataset, TaskKey, SegmentInput) {
        let hash = try DataFile.contentHash(spec, statCache: session.statCache)
        let load = session.planner.load(contentHash: hash)
        try session.execute([load])
        let data = try session.value(load, as: Dataset.self)
        let variant = Preprocessing(spec.preprocess)
        if let column = variant.unimputedColumns(data.features).first {
            throw AssayError.input("\(spec.data.resolvedPath): numeric column '\(column)' has missing values and preprocess has no impute step for it; add '- impute: {numeric: median}'")
        }
        for name in [settings.value].compactMap({ $0 }) + (settings.rfm.map { [$0.recency, $0.frequency, $0.monetary] } ?? []) {
            guard let c = data.features.column(named: name), c.kind == .numeric else {
                let role = name == settings.value ? "segment.value" : spec.data.columnReferences.first { $0.name == name && $0.role.hasPrefix("segment.rfm") }?.role ?? "segment.rfm"
                let names = data.features.columns.filter { $0.kind == .numeric }.map(\.name)
                throw SpecError(at: spec.location(ofColumn: name, role: role),
                                "\(role): '\(name)' is not a numeric column of the table\(Suggest.hint(name, among: names)) (its numeric columns: \(names.joined(separator: ", ")))")
            }
        }
        let input = session.planner.segmentInput(load)
        try session.execute([input])
        let prepared = try session.value(input, as: SegmentInput.self), x = prepared.matrix
        var distinct = Set<ArraySlice<Double>>()
        for r in 0..<x.rows where distinct.count <= (settings.ks.last ?? 0) { distinct.insert(x.values[(r * x.cols)..<((r + 1) * x.cols)]) }
        if let tooMany = settings.ks.first(where: { $0 > distinct.count }) {
            throw SpecError(at: settings.kAt, "segment.k: k = \(tooMany) is more than the \(distinct.count) distinct rows of the table: at most \(distinct.count) clusters can be told apart")
        }
        return (data, input, prepared)
    }

    /// The index of the k chosen: the highest silhouette (the smallest k among equals), or the elbow of inertia: the k
    /// farthest below the line from the first k's inertia to the last's, both axes scaled to [0, 1].
    static func chooseK(_ trials: [SegmentReport.Trial], _ rule: SegmentSection.Choice) -> Int {
        switch rule {
        case .silhouette:
            var best = 0
            for (i, t) in trials.enumerated() where t.silhouette > trials[best].silhouette { best = i }
            return best
        case .elbow:
            guard let first = trials.first, let last = trials.last, trials.count >= 3, first.inertia > last.inertia else { return 0 }
            var best = 0, bestGap = -Double.infinity
            for (i, t) in trials.enumerated() {
                let x = Double(t.k - first.k) / Double(last.k - first.k), y = (t.inertia - last.inertia) / (first.inertia - last.inertia)
                let gap = (1 - x) - y  // the line runs from (0, 1) to (1, 0)
                if gap > bestGap { bestGap = gap; best = i }
            }
            return best
        }
    }

    static func segmentReport(_ spec: Spec, _ settings: SegmentSection, _ data: Dataset, centreColumns: [String], trials: [SegmentReport.Trial], chosen: Clustering,
                              stability: [Double]) -> SegmentReport {
        let k = chosen.fitted.centers.rows, n = data.rowCount
        let labels = chosen.fitted.labels.map(Int.init)
        let columns = data.features.columns
        func numbers(_ name: String) -> [Double]? {
            guard let c = data.features.column(named: name), case .numeric(let v) = c.values else { return nil }
            return v
        }
        let value = settings.value.flatMap(numbers)
        var members = [[Int]](repeating: [], count: k)
        for (r, l) in labels.enumerated() { members[l].append(r) }
        // Segments by the value's mean (descending), else by size; the cluster index breaks ties.
        func mean(_ v: [Double], _ rows: [Int]) -> Double { rows.isEmpty ? .nan : rows.reduce(0) { $0 + v[$1] } / Double(rows.count) }
        let order = (0..<k).sorted { a, b in
            if let value { let ma = mean(value, members[a]), mb = mean(value, members[b]); if ma != mb { return ma > mb } }
            return members[a].count != members[b].count ? members[a].count > members[b].count : a < b
        }
        // RFM scores and names, per row.
        var rfmName: [String]? = nil, groups: [SegmentReport.RFMGroup] = []
        if let rfm = settings.rfm, let r = numbers(rfm.recency), let f = numbers(rfm.frequency), let m = numbers(rfm.monetary) {
            let rs = RFM.scores(r, largestBest: false), fs = RFM.scores(f)
            let names = (0..<n).map { RFM.name(recency: rs[$0], frequency: fs[$0]) }
            rfmName = names
            let total = m.reduce(0, +)
            for name in RFM.names {
                let rows = names.indices.filter { names[$0] == name }
                guard !rows.isEmpty else { continue }
                groups.append(SegmentReport.RFMGroup(name: name, rows: rows.count, meanRecency: mean(r, rows), meanFrequency: mean(f, rows),
                                                     meanMonetary: mean(m, rows), monetaryShare: rows.reduce(0) { $0 + m[$1] } / total))
            }
        }
        let valueTotal = value?.reduce(0, +)
        let segments = order.enumerated().map { number, c -> SegmentReport.Segment in
            let rows = members[c]
            var means: [Double] = [], medians: [Double] = []
            for column in columns {
                guard case .numeric(let v) = column.values else { means.append(.nan); medians.append(.nan); continue }
                let present = rows.map { v[$0] }.filter { !$0.isNaN }.sorted()
                means.append(present.isEmpty ? .nan : present.reduce(0, +) / Double(present.count))
                medians.append(present.isEmpty ? .nan : present.count % 2 == 1 ? present[present.count / 2] : (present[present.count / 2 - 1] + present[present.count / 2]) / 2)
            }
            var names: [(name: String, rows: Int)] = []
            if let rfmName {
                var counts: [String: Int] = [:]
                for r in rows { counts[rfmName[r], default: 0] += 1 }
                names = counts.map { ($0.key, $0.value) }.sorted { $0.rows != $1.rows ? $0.rows > $1.rows : $0.name < $1.name }
            }
            return SegmentReport.Segment(number: number + 1, cluster: c, rows: rows.count, share: Double(rows.count) / Double(n), means: means, medians: medians,
                                         centre: centreColumns.indices.map { chosen.fitted.centers[c, $0] },
                                         valueShare: value.map { v in rows.reduce(0) { $0 + v[$1] } / (valueTotal ?? 1) }, rfmNames: names)
        }
        return SegmentReport(experiment: spec.name, description: spec.description, path: spec.data.path, preparation: data.preparation, rows: n,
                             columns: columns.map(\.name), centreColumns: centreColumns, preprocessing: Describe.steps(spec.preprocess), nInit: settings.nInit, maxIter: settings.maxIter,
                             tol: settings.tol, choose: settings.choose.rawValue, trials: trials, chosen: k, segments: segments,
                             order: settings.value.map { "by mean \($0), highest first" } ?? "by size, largest first", value: settings.value,
                             stability: stability, rfm: groups, rfmColumns: settings.rfm.map { [$0.recency, $0.frequency, $0.monetary] } ?? [])
    }
}

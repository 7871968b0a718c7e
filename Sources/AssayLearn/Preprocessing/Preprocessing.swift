import AssayCore
import Foundation

/// A list of preprocessing steps, fitted on training rows and applied to any rows.
///
/// Mirrors the scikit-learn pipeline the peer builds: numeric columns go through the impute, log1p, clip and
/// scale steps that select them, in spec order; categorical columns are imputed (with the constant "missing"
/// when no impute step selects them), then encoded by the last encode step that selects them (ordinal when
/// none does). The output holds the numeric columns first, then the missing-value indicators, then the
/// encoded categorical columns, each group in table order. A `resample` step is not a transform: the fit
/// task applies it to the transformed training rows (see `Resampler`).
public struct Preprocessing: Sendable, Hashable {
    public let steps: [PreprocessStep]

    public init(_ steps: [PreprocessStep]) { self.steps = steps }

    /// Canonical text of the transforms, part of the prep task's key (the resampler is part of the fit's).
    public var canonical: String { "[" + steps.filter { $0.resample == nil }.map(\.canonical).joined(separator: ",") + "]" }

    /// The resampling step, if the list has one.
    public var resample: ResampleStep? { steps.lazy.compactMap(\.resample).first }

    /// Whether some impute step fills the numeric column `name`.
    public func imputes(numericColumn name: String) -> Bool {
        steps.contains { if case .impute(let i) = $0 { return i.columns.matches(name, .numeric) }; return false }
    }

    /// Numeric columns of `table` that have missing cells while no step imputes them; fitting would fail on them.
    public func unimputedColumns(_ table: Table) -> [String] {
        table.columns.filter { $0.kind == .numeric && $0.missingCount > 0 && !imputes(numericColumn: $0.name) }.map(\.name)
    }

    /// Fits every step on the given rows of `table` (the training rows of one fold) and nothing else.
    /// `labels` (one per table row) are read only at `rows`, and only by target encoding; `seed` orders its inner folds.
    public func fit(_ table: Table, rows: [Int], labels: [UInt8] = [], seed: UInt64 = 0) throws -> FittedPreprocessing {
        var numeric: [FittedPreprocessing.NumericColumn] = []
        var categorical: [FittedPreprocessing.CategoricalColumn] = []
        var targetFolds: [[Int]]? = nil
        for (index, column) in table.columns.enumerated() {
            switch column.values {
            case .numeric(let all):
                var values = rows.map { all[$0] }
                var ops: [FittedPreprocessing.NumericOp] = []
                var indicator = false
                for step in steps {
                    let op: FittedPreprocessing.NumericOp
                    switch step {
                    case .impute(let i) where i.columns.matches(column.name, .numeric):
                        if i.addIndicator && values.contains(where: \.isNaN) && !ops.contains(where: \.isFill) { indicator = true }
                        op = .fill(Self.fillValue(values, i.numeric, i.value))
                    case .scale(let method, let sel) where sel.matches(column.name, .numeric): op = Self.scaler(values, method)
                    case .log1p(let sel) where sel.matches(column.name, .numeric): op = .log1p
                    case .clip(let c) where c.columns.matches(column.name, .numeric):
                        let present = values.filter { !$0.isNaN }.sorted()
                        let q = c.quantiles ?? []
                        let lo = c.min ?? (q.count == 2 ? Stats.percentile(present, q[0] * 100) : -.infinity)
                        let hi = c.max ?? (q.count == 2 ? Stats.percentile(present, q[1] * 100) : .infinity)
                        op = .clip(lo.isNaN ? -.infinity : lo, hi.isNaN ? .infinity : hi)
                    default: continue
                    }
                    for i in values.indices { values[i] = op.apply(values[i]) }
                    ops.append(op)
                }
                numeric.append(.init(index: index, ops: ops, indicator: indicator))
            case .categorical(let codes, let levels):
                var impute: ImputeStep? = nil, encode: EncodeStep? = nil
                for step in steps {
                    if case .impute(let i) = step, i.columns.matches(column.name, .categorical) { impute = i }
                    if case .encode(let e) = step, e.columns.matches(column.name, .categorical) { encode = e }
                }
                let settings = encode ?? EncodeStep(method: .ordinal)
                // Impute.
                var fill: String
                switch impute.map({ ($0.categorical, $0.value) }) {
                case (.mostFrequent, _)?:
                    var counts = [Int](repeating: 0, count: levels.count)
                    for r in rows where codes[r] >= 0 { counts[Int(codes[r])] += 1 }
                    let top = counts.max() ?? 0
                    let tied = levels.indices.filter { counts[$0] == top && top > 0 }.map { levels[$0] }
                    fill = tied.min(by: Self.textOrder) ?? "missing"
                case let (_, value)?:
                    fill = value == .null ? "missing" : value.display
                case nil:
                    fill = "missing"
                }
                // Training rows' categories after imputation, with their counts.
                var counts: [String: Int] = [:]
                for r in rows { counts[codes[r] >= 0 ? levels[Int(codes[r])] : fill, default: 0] += 1 }
                var categories = Self.sortedCategories(Array(counts.keys))
                var infrequent: [String] = []
                var encodings: [Double] = [], crossFitted: [Double] = []
                switch settings.method {
                case .onehot:
                    infrequent = Self.infrequent(categories, counts, rows: rows.count, settings)
                    categories.removeAll { infrequent.contains($0) }
                case .ordinal:
                    if let order = settings.order[column.name] {
                        if let unknown = categories.first(where: { !order.contains($0) }) {
                            throw LearnError.badParameter("encode: column '\(column.name)' has category '\(unknown)' in the training rows, which its order does not list")
                        }
                        categories = order
                    }
                case .target:
                    guard labels.count == table.rowCount else {
                        throw LearnError.badParameter("encode: target encoding of '\(column.name)' needs the labels of the training rows")
                    }
                    let cell = rows.map { codes[$0] >= 0 ? levels[Int(codes[$0])] : fill }
                    let position = Dictionary(uniqueKeysWithValues: categories.enumerated().map { ($1, $0) })
                    let x = cell.map { position[$0]! }, y = rows.map { Double(labels[$0]) }
                    encodings = TargetEncoding.encodings(x, y, categories: categories.count, smooth: settings.smooth).values
                    if targetFolds == nil {
                        var rng = SplitMix64(seed: seed)
                        targetFolds = StratifiedSplitter.kFold(rows.map { labels[$0] }, rows: Array(rows.indices), k: settings.cv, using: &rng)
                    }
                    crossFitted = TargetEncoding.crossFitted(x, y, categories: categories.count, smooth: settings.smooth, folds: targetFolds!)
                }
                categorical.append(.init(index: index, fill: fill, categories: categories, method: settings.method,
                                         handleUnknown: settings.handleUnknown, infrequent: infrequent, encodings: encodings, crossFitted: crossFitted))
            }
        }
        return FittedPreprocessing(numeric: numeric, categorical: categorical, inputColumns: table.names,
                                   trainingRows: categorical.contains { $0.method == .target } ? rows : [])
    }

    /// scikit-learn's OneHotEncoder `_identify_infrequent`: below `min_frequency`, then beyond `max_categories - 1`
    /// by count (a stable sort, so among equal counts the later categories go first).
    static func infrequent(_ categories: [String], _ counts: [String: Int], rows: Int, _ e: EncodeStep) -> [String] {
        let count = categories.map { counts[$0] ?? 0 }
        var mask = [Bool](repeating: false, count: categories.count)
        if let m = e.minFrequency {
            let limit = m >= 1 ? m : m * Double(rows)  // an integer count, or a share of the rows
            for i in count.indices where Double(count[i]) < limit { mask[i] = true }
        }
        if let maxCategories = e.maxCategories, maxCategories < categories.count - mask.filter({ $0 }).count + 1 {
            let frequent = maxCategories - 1
            if frequent == 0 { mask = mask.map { _ in true } } else {
                let ascending = count.indices.sorted { count[$0] != count[$1] ? count[$0] < count[$1] : $0 < $1 }
                for i in ascending.dropLast(frequent) { mask[i] = true }
            }
        }
        return categories.indices.filter { mask[$0] }.map { categories[$0] }
    }

    static func fillValue(_ values: [Double], _ strategy: ImputeStrategy, _ constant: ParamValue) -> Double {
        let present = values.filter { !$0.isNaN }
        guard !present.isEmpty else { return strategy == .constant ? (constant.number ?? 0) : 0 }
        switch strategy {
        case .mean: return Stats.mean(present)
        case .median: return Stats.percentile(present.sorted(), 50)
        case .mostFrequent:
            var counts: [Double: Int] = [:]
            for v in present { counts[v, default: 0] += 1 }
            let top = counts.values.max()!
            return counts.filter { $0.value == top }.keys.min()!
        case .constant: return constant.number ?? 0
        }
    }

    static func scaler(_ values: [Double], _ method: ScaleMethod) -> FittedPreprocessing.NumericOp {
        let present = values.filter { !$0.isNaN }
        guard !present.isEmpty else { return .affine(shift: 0, scale: 1) }
        func guarded(_ s: Double) -> Double { s < 10 * Double.ulpOfOne ? 1 : s }  // scikit-learn's _handle_zeros_in_scale
        switch method {
        case .standard:
            // scikit-learn's `_incremental_mean_and_var` on one batch, missing values counting as 0 in numpy's
            // pairwise sums (the column is contiguous there: pandas hands the numeric block over in column order),
            // with the corrected two-pass variance.
            let n = Double(present.count)
            let m = Stats.pairwiseSum(values.map { $0.isNaN ? 0 : $0 }) / n
            let deviations = values.map { $0.isNaN ? 0 : $0 - m }
            let correction = Stats.pairwiseSum(deviations)
            let v = (Stats.pairwiseSum(deviations.map { $0 * $0 }) - correction * correction / n) / n
            return .affine(shift: m, scale: guarded(v.squareRoot()))
        case .minmax:
            let lo = present.min()!, hi = present.max()!
            return .affine(shift: lo, scale: guarded(hi - lo))
        case .robust:
            let s = present.sorted()
            let q1 = Stats.percentile(s, 25), q3 = Stats.percentile(s, 75)
            return .affine(shift: Stats.percentile(s, 50), scale: guarded(q3 - q1))
        }
    }

    /// Text in code-point order (Python's sort order for str).
    static func textOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    /// Categories sorted numerically when all are numbers, else by code point (as numpy sorts them).
    static func sortedCategories(_ c: [String]) -> [String] {
        let numbers = c.map { Double($0) }
        if numbers.allSatisfy({ $0 != nil }) {
            return zip(c, numbers).sorted { ($0.1!, $0.0.utf8.count) < ($1.1!, $1.0.utf8.count) }.map(\.0)
        }
        return c.sorted(by: textOrder)
    }
}

/// Preprocessing fitted on one fold's training rows: every statistic it learned, and nothing else.
public struct FittedPreprocessing: Sendable, Equatable, BinaryCodable {
    public enum NumericOp: Sendable, Equatable {
        /// Replace a missing value.
        case fill(Double)
        /// `(x - shift) / scale`; missing stays missing.
        case affine(shift: Double, scale: Double)
        /// `log(1 + x)`.
        case log1p
        /// Bound to `[lo, hi]`; missing stays missing.
        case clip(Double, Double)

        var isFill: Bool { if case .fill = self { return true }; return false }

        @inline(__always) func apply(_ x: Double) -> Double {
            switch self {
            case .fill(let v): return x.isNaN ? v : x
            case .affine(let shift, let scale): return (x - shift) / scale
            case .log1p: return Foundation.log1p(x)
            case .clip(let lo, let hi): return x.isNaN ? x : Swift.min(Swift.max(x, lo), hi)
            }
        }
    }

    public struct NumericColumn: Sendable, Equatable {
        public let index: Int
        public let ops: [NumericOp]
        /// Whether a 0/1 missing-value indicator column is added for it.
        public let indicator: Bool

        public init(index: Int, ops: [NumericOp], indicator: Bool = false) {
            self.index = index
            self.ops = ops
            self.indicator = indicator
        }
    }

    public struct CategoricalColumn: Sendable, Equatable {
        public let index: Int
        public let fill: String
        /// One-hot: the frequent categories, one output column each; ordinal: the numbering; target: the encoded categories.
        public let categories: [String]
        public let method: EncodeMethod
        public let handleUnknown: HandleUnknown
        /// One-hot: categories that share one last output column.
        public let infrequent: [String]
        /// Target: the encoding of each category, fitted on all training rows, then the prior (for unseen categories).
        public let encodings: [Double]
        /// Target: the cross-fitted encoding of each training row, in `trainingRows` order.
        public let crossFitted: [Double]

        public init(index: Int, fill: String, categories: [String], method: EncodeMethod, handleUnknown: HandleUnknown = .ignore,
                    infrequent: [String] = [], encodings: [Double] = [], crossFitted: [Double] = []) {
            self.index = index
            self.fill = fill
            self.categories = categories
            self.method = method
            self.handleUnknown = handleUnknown
            self.infrequent = infrequent
            self.encodings = encodings
            self.crossFitted = crossFitted
        }

        var width: Int {
            switch method {
            case .onehot: return categories.count + (infrequent.isEmpty ? 0 : 1)
            case .ordinal, .target: return 1
            }
        }
    }

    public let numeric: [NumericColumn]
    public let categorical: [CategoricalColumn]
    /// Names of the table columns it was fitted on, in order.
    public let inputColumns: [String]
    /// The rows it was fitted on, kept only when a target encoding needs them to give those rows their cross-fitted values.
    public let trainingRows: [Int]

    /// Number of output columns.
    public var outputWidth: Int {
        numeric.count + numeric.filter(\.indicator).count + categorical.reduce(0) { $0 + $1.width }
    }

    /// A name for each output column: the numeric column's name, `missing(NAME)` for an indicator, `NAME=CATEGORY`
    /// for a one-hot column (`NAME=infrequent` for the pooled one), the column's name for ordinal and target encodings.
    public var outputNames: [String] {
        var out = numeric.map { inputColumns[$0.index] }
        out += numeric.filter(\.indicator).map { "missing(\(inputColumns[$0.index]))" }
        for c in categorical {
            let name = inputColumns[c.index]
            if c.method == .onehot {
                out += c.categories.map { "\(name)=\($0)" } + (c.infrequent.isEmpty ? [] : ["\(name)=infrequent"])
            } else { out.append(name) }
        }
        return out
    }

    /// The output columns of each categorical feature (for SMOTE-NC), after the numeric and indicator columns.
    public var categoricalBlocks: [Range<Int>] {
        var start = numeric.count + numeric.filter(\.indicator).count
        return categorical.map { c in defer { start += c.width }; return start..<(start + c.width) }
    }

    /// The design matrix for the given rows of `table` (which must have the fitted columns).
    /// `training: true` asks for the fitted rows themselves: target-encoded columns then give each its cross-fitted value.
    public func transform(_ table: Table, rows: [Int], training: Bool = false) throws -> Matrix {
        guard table.names == inputColumns else {
            throw LearnError.badParameter("the table's columns differ from those the preprocessing was fitted on")
        }
        var crossFitIndex: [Int]? = nil
        if training && categorical.contains(where: { $0.method == .target }) {
            guard rows == trainingRows else { throw LearnError.badParameter("target encoding: cross-fitted values exist only for the rows it was fitted on") }
            crossFitIndex = Array(rows.indices)
        }
        let width = outputWidth
        var out = Matrix(rows: rows.count, cols: width)
        var offset = 0
        for col in numeric {
            guard case .numeric(let all) = table.columns[col.index].values else { continue }
            for (i, r) in rows.enumerated() {
                var v = all[r]
                for op in col.ops { v = op.apply(v) }
                out.values[i * width + offset] = v
            }
            offset += 1
        }
        for col in numeric where col.indicator {
            guard case .numeric(let all) = table.columns[col.index].values else { continue }
            for (i, r) in rows.enumerated() where all[r].isNaN { out.values[i * width + offset] = 1 }
            offset += 1
        }
        for col in categorical {
            guard case .categorical(let codes, let levels) = table.columns[col.index].values else { continue }
            // Map each level of the table to its output position (-1: unknown to the fitted encoder).
            let position = Dictionary(uniqueKeysWithValues: col.categories.enumerated().map { ($1, $0) })
            let infrequentSlot = col.infrequent.isEmpty ? -1 : col.categories.count
            let infrequent = Set(col.infrequent)
            func slot(_ text: String) -> Int { position[text] ?? (infrequent.contains(text) ? infrequentSlot : -1) }
            let levelPosition = levels.map(slot)
            let fillPosition = slot(col.fill)
            for (i, r) in rows.enumerated() {
                let k = codes[r] >= 0 ? levelPosition[Int(codes[r])] : fillPosition
                switch col.method {
                case .onehot:
                    if k >= 0 { out.values[i * width + offset + k] = 1; continue }
                    switch col.handleUnknown {
                    case .ignore: break
                    case .infrequentIfExist: if infrequentSlot >= 0 { out.values[i * width + offset + infrequentSlot] = 1 }
                    case .error:
                        let text = codes[r] >= 0 ? levels[Int(codes[r])] : col.fill
                        throw LearnError.badParameter("encode: column '\(inputColumns[col.index])' has category '\(text)', unseen in the training rows (handle_unknown: error)")
                    }
                case .ordinal: out.values[i * width + offset] = Double(k)
                case .target:
                    out.values[i * width + offset] = crossFitIndex.map { col.crossFitted[$0[i]] } ?? (k >= 0 ? col.encodings[k] : col.encodings.last!)
                }
            }
            offset += col.width
        }
        return out
    }

    static let formatVersion: UInt32 = 2

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(inputColumns)
        w.write(trainingRows)
        w.write(numeric.count)
        for c in numeric {
            w.write(c.index)
            w.write(c.indicator)
            w.write(c.ops.count)
            for op in c.ops {
                switch op {
                case .fill(let v): w.write(UInt8(0)); w.write(v)
                case .affine(let s, let k): w.write(UInt8(1)); w.write(s); w.write(k)
                case .log1p: w.write(UInt8(2))
                case .clip(let lo, let hi): w.write(UInt8(3)); w.write(lo); w.write(hi)
                }
            }
        }
        w.write(categorical.count)
        for c in categorical {
            w.write(c.index); w.write(c.fill); w.write(c.categories); w.write(c.method.rawValue); w.write(c.handleUnknown.rawValue)
            w.write(c.infrequent); w.write(c.encodings); w.write(c.crossFitted)
        }
    }

    public init(numeric: [NumericColumn], categorical: [CategoricalColumn], inputColumns: [String], trainingRows: [Int] = []) {
        self.numeric = numeric
        self.categorical = categorical
        self.inputColumns = inputColumns
        self.trainingRows = trainingRows
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("fitted preprocessing", version: Self.formatVersion)
        inputColumns = try r.readStrings()
        trainingRows = try r.readInts()
        numeric = try (0..<r.readInt()).map { _ in
            let index = try r.readInt()
            let indicator = try r.readBool()
            let ops: [NumericOp] = try (0..<r.readInt()).map { _ in
                let tag = try r.readUInt8()
                switch tag {
                case 0: return .fill(try r.readDouble())
                case 1: return .affine(shift: try r.readDouble(), scale: try r.readDouble())
                case 2: return .log1p
                case 3: return .clip(try r.readDouble(), try r.readDouble())
                default: throw BinaryFormatError.badTag("numeric op", tag)
                }
            }
            return NumericColumn(index: index, ops: ops, indicator: indicator)
        }
        categorical = try (0..<r.readInt()).map { _ in
            let index = try r.readInt(), fill = try r.readString(), cats = try r.readStrings()
            guard let m = EncodeMethod(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("encoding", 0) }
            guard let h = HandleUnknown(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("handle_unknown", 0) }
            return CategoricalColumn(index: index, fill: fill, categories: cats, method: m, handleUnknown: h, infrequent: try r.readStrings(),
                                     encodings: try r.readDoubles(), crossFitted: try r.readDoubles())
        }
    }
}

/// scikit-learn's TargetEncoder for a binary target.
enum TargetEncoding {
    /// Per category (by position), then the prior last: with `smooth` nil, the empirical-Bayes blend
    /// λ·mean_c + (1-λ)·mean, λ = n_c·var(y) / (n_c·var(y) + var_c(y)); with a number m, (Σy_c + m·mean) / (n_c + m).
    static func encodings(_ x: [Int], _ y: [Double], categories: Int, smooth: Double?) -> (values: [Double], prior: Double) {
        let n = Double(y.count)
        let mean = y.reduce(0, +) / n
        let variance = y.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        var sum = [Double](repeating: 0, count: categories), sumSq = sum, count = sum
        for (c, v) in zip(x, y) { sum[c] += v; sumSq[c] += v * v; count[c] += 1 }
        var out = (0..<categories).map { c -> Double in
            guard count[c] > 0 else { return mean }
            if let m = smooth { return (sum[c] + m * mean) / (count[c] + m) }
            let mc = sum[c] / count[c], vc = sumSq[c] / count[c] - mc * mc
            let lambda = variance * count[c] / (variance * count[c] + vc)
            return lambda.isNaN ? mean : lambda * mc + (1 - lambda) * mean
        }
        out.append(mean)
        return (out, mean)
    }

    /// Each row's encoding from the other folds' rows (`folds` hold positions into x and y).
    static func crossFitted(_ x: [Int], _ y: [Double], categories: Int, smooth: Double?, folds: [[Int]]) -> [Double] {
        var out = [Double](repeating: .nan, count: x.count)
        for fold in folds {
            let held = Set(fold)
            let train = x.indices.filter { !held.contains($0) }
            let (enc, prior) = encodings(train.map { x[$0] }, train.map { y[$0] }, categories: categories, smooth: smooth)
            let seen = Set(train.map { x[$0] })
            for i in fold { out[i] = seen.contains(x[i]) ? enc[x[i]] : prior }
        }
        return out
    }
}

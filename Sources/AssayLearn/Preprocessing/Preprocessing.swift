import AssayCore
import Foundation

/// A list of preprocessing steps, fitted on training rows and applied to any rows.
///
/// Mirrors the scikit-learn pipeline the peer builds: numeric columns go through the impute and scale
/// steps in spec order; categorical columns are imputed (with the constant "missing" when the list has
/// no impute step), then encoded (ordinal when the list has no encode step). The output holds the
/// numeric columns first, then the encoded categorical columns, each group in table order.
public struct Preprocessing: Sendable, Hashable {
    public let steps: [PreprocessStep]

    public init(_ steps: [PreprocessStep]) { self.steps = steps }

    /// Canonical text, part of cache keys.
    public var canonical: String { "[" + steps.map(\.canonical).joined(separator: ",") + "]" }

    /// Numeric columns of `table` that have missing cells while no step imputes them; fitting would fail on them.
    public func unimputedColumns(_ table: Table) -> [String] {
        let imputes = steps.contains { if case .impute = $0 { return true }; return false }
        guard !imputes else { return [] }
        return table.columns.filter { $0.kind == .numeric && $0.missingCount > 0 }.map(\.name)
    }

    /// Fits every step on the given rows of `table` (the training rows of one fold) and nothing else.
    public func fit(_ table: Table, rows: [Int]) -> FittedPreprocessing {
        var numeric: [FittedPreprocessing.NumericColumn] = []
        var categorical: [FittedPreprocessing.CategoricalColumn] = []
        var encode = EncodeMethod.ordinal
        var categoricalImpute: (ImputeStrategy, ParamValue)? = nil
        for step in steps {
            if case .encode(let m) = step { encode = m }
            if case .impute(_, let c, let v) = step { categoricalImpute = (c, v) }
        }
        for (index, column) in table.columns.enumerated() {
            switch column.values {
            case .numeric(let all):
                var values = rows.map { all[$0] }
                var ops: [FittedPreprocessing.NumericOp] = []
                for step in steps {
                    let op: FittedPreprocessing.NumericOp
                    switch step {
                    case .impute(let strategy, _, let value): op = .fill(Self.fillValue(values, strategy, value))
                    case .scale(let method): op = Self.scaler(values, method)
                    case .encode: continue
                    }
                    for i in values.indices { values[i] = op.apply(values[i]) }
                    ops.append(op)
                }
                numeric.append(.init(index: index, ops: ops))
            case .categorical(let codes, let levels):
                // Impute.
                var fill: String
                switch categoricalImpute {
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
                // Categories seen in training, after imputation, sorted.
                var seen = Set<Int32>()
                var hasMissing = false
                for r in rows { if codes[r] >= 0 { seen.insert(codes[r]) } else { hasMissing = true } }
                var categories = Set(seen.map { levels[Int($0)] })
                if hasMissing { categories.insert(fill) }
                categorical.append(.init(index: index, fill: fill, categories: Self.sortedCategories(Array(categories)), method: encode))
            }
        }
        return FittedPreprocessing(numeric: numeric, categorical: categorical, inputColumns: table.names)
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
            let m = Stats.mean(present)
            let v = present.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(present.count)
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

        @inline(__always) func apply(_ x: Double) -> Double {
            switch self {
            case .fill(let v): return x.isNaN ? v : x
            case .affine(let shift, let scale): return (x - shift) / scale
            }
        }
    }

    public struct NumericColumn: Sendable, Equatable {
        public let index: Int
        public let ops: [NumericOp]
    }

    public struct CategoricalColumn: Sendable, Equatable {
        public let index: Int
        public let fill: String
        public let categories: [String]
        public let method: EncodeMethod
    }

    public let numeric: [NumericColumn]
    public let categorical: [CategoricalColumn]
    /// Names of the table columns it was fitted on, in order.
    public let inputColumns: [String]

    /// Number of output columns.
    public var outputWidth: Int {
        numeric.count + categorical.reduce(0) { $0 + ($1.method == .onehot ? $1.categories.count : 1) }
    }

    /// The design matrix for the given rows of `table` (which must have the fitted columns).
    public func transform(_ table: Table, rows: [Int]) throws -> Matrix {
        guard table.names == inputColumns else {
            throw LearnError.badParameter("the table's columns differ from those the preprocessing was fitted on")
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
        for col in categorical {
            guard case .categorical(let codes, let levels) = table.columns[col.index].values else { continue }
            // Map each level of the table to its category position (-1: unknown to the fitted encoder).
            let position = Dictionary(uniqueKeysWithValues: col.categories.enumerated().map { ($1, $0) })
            let levelPosition = levels.map { position[$0] ?? -1 }
            let fillPosition = position[col.fill] ?? -1
            for (i, r) in rows.enumerated() {
                let k = codes[r] >= 0 ? levelPosition[Int(codes[r])] : fillPosition
                switch col.method {
                case .onehot: if k >= 0 { out.values[i * width + offset + k] = 1 }
                case .ordinal: out.values[i * width + offset] = Double(k)
                }
            }
            offset += col.method == .onehot ? col.categories.count : 1
        }
        return out
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(inputColumns)
        w.write(numeric.count)
        for c in numeric {
            w.write(c.index)
            w.write(c.ops.count)
            for op in c.ops {
                switch op {
                case .fill(let v): w.write(UInt8(0)); w.write(v)
                case .affine(let s, let k): w.write(UInt8(1)); w.write(s); w.write(k)
                }
            }
        }
        w.write(categorical.count)
        for c in categorical {
            w.write(c.index); w.write(c.fill); w.write(c.categories); w.write(c.method.rawValue)
        }
    }

    public init(numeric: [NumericColumn], categorical: [CategoricalColumn], inputColumns: [String]) {
        self.numeric = numeric
        self.categorical = categorical
        self.inputColumns = inputColumns
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("fitted preprocessing", version: Self.formatVersion)
        inputColumns = try r.readStrings()
        numeric = try (0..<r.readInt()).map { _ in
            let index = try r.readInt()
            let ops: [NumericOp] = try (0..<r.readInt()).map { _ in
                let tag = try r.readUInt8()
                switch tag {
                case 0: return .fill(try r.readDouble())
                case 1: return .affine(shift: try r.readDouble(), scale: try r.readDouble())
                default: throw BinaryFormatError.badTag("numeric op", tag)
                }
            }
            return NumericColumn(index: index, ops: ops)
        }
        categorical = try (0..<r.readInt()).map { _ in
            let index = try r.readInt(), fill = try r.readString(), cats = try r.readStrings()
            guard let m = EncodeMethod(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("encoding", 0) }
            return CategoricalColumn(index: index, fill: fill, categories: cats, method: m)
        }
    }
}

/// Small statistics with numpy's conventions.
public enum Stats {
    public static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    /// Population standard deviation (numpy's default, ddof = 0).
    public static func std(_ x: [Double]) -> Double {
        guard !x.isEmpty else { return .nan }
        let m = mean(x)
        return (x.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(x.count)).squareRoot()
    }

    /// The q-th percentile of sorted values with linear interpolation (numpy's default method).
    public static func percentile(_ sorted: [Double], _ q: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * q / 100
        let lo = Int(h.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        return sorted[lo] + (h - Double(lo)) * (sorted[hi] - sorted[lo])
    }
}

import AssayCore
import Foundation

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

    /// The input column (an index into `inputColumns`) each output column comes from, in `outputNames` order: a
    /// one-hot block and a missing indicator come from their column.
    public var outputSources: [Int] {
        numeric.map(\.index) + numeric.filter(\.indicator).map(\.index) + categorical.flatMap { [Int](repeating: $0.index, count: $0.width) }
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
        let crossFitted = try crossFittedRows(rows, training: training)
        var out = Matrix(rows: rows.count, cols: outputWidth)
        let layout = Layout(rowStride: outputWidth, columnStart: Array(0..<outputWidth))
        try out.values.withUnsafeMutableBufferPointer { o in
            for input in inputColumns.indices {
                try write(input: input, table.columns[input], rows: rows, crossFitted: crossFitted, into: o, layout)
            }
        }
        return out
    }

    /// The same numbers as `transform`, one output column at a time (`ColumnSource`): the output columns of one
    /// input column are made together when the first of them is asked for, so that at most one input column's
    /// outputs exist at once instead of the whole matrix.
    public func columns(_ table: Table, rows: [Int], training: Bool = false) throws -> ColumnSource {
        guard table.names == inputColumns else {
            throw LearnError.badParameter("the table's columns differ from those the preprocessing was fitted on")
        }
        let crossFitted = try crossFittedRows(rows, training: training)
        let sources = outputSources, n = rows.count
        var block: (input: Int, slot: [Int], values: [Double])?
        return ColumnSource(rows: n, cols: outputWidth) { j in
            let input = sources[j]
            if block?.input != input {
                block = nil  // the previous block goes before the next is made
                var slot = [Int](repeating: -1, count: sources.count), count = 0
                for (c, s) in sources.enumerated() where s == input { slot[c] = count; count += 1 }
                var values = [Double](repeating: 0, count: count * n)
                try values.withUnsafeMutableBufferPointer { o in
                    try write(input: input, table.columns[input], rows: rows, crossFitted: crossFitted, into: o,
                              Layout(rowStride: 1, columnStart: slot.map { $0 * n }))
                }
                block = (input, slot, values)
            }
            guard let block else { throw LearnError.badParameter("preprocessing: no output block for column \(j)") }  // unreachable
            let start = block.slot[j] * n
            return Array(block.values[start..<(start + n)])
        }
    }

    /// Where `write` puts output column `c` of row `i`: `i * rowStride + columnStart[c]`.
    private struct Layout {
        let rowStride: Int
        let columnStart: [Int]
    }

    /// Rewrites in `matrix` (this preprocessing's output for `rows`, as `transform` gives it) the output columns that
    /// come from input column `input`, from `column`'s values: what `transform` would give with `column` in its place,
    /// without recomputing the other columns (permutation importance shuffles one input column at a time).
    public func rewrite(input: Int, _ column: Column, rows: [Int], in matrix: inout Matrix) throws {
        precondition(matrix.rows == rows.count && matrix.cols == outputWidth, "rewrite: the matrix is not this preprocessing's output for the rows")
        let layout = Layout(rowStride: outputWidth, columnStart: Array(0..<outputWidth))
        try matrix.values.withUnsafeMutableBufferPointer { o in
            try write(input: input, column, rows: rows, crossFitted: nil, into: o, layout)
        }
    }

    /// With `training`, the position of each row among the fitted rows (target encodings give those rows their cross-fitted values).
    private func crossFittedRows(_ rows: [Int], training: Bool) throws -> [Int]? {
        guard training && categorical.contains(where: { $0.method == .target }) else { return nil }
        guard rows == trainingRows else { throw LearnError.badParameter("target encoding: cross-fitted values exist only for the rows it was fitted on") }
        return Array(rows.indices)
    }

    /// Writes (clearing first) every output column of input column `input`, whose values are `column`'s, where
    /// `layout` puts them (only those columns are written).
    private func write(input: Int, _ column: Column, rows: [Int], crossFitted: [Int]?, into o: UnsafeMutableBufferPointer<Double>,
                       _ layout: Layout) throws {
        let stride = layout.rowStride
        let indicatorStart = numeric.count
        var indicatorOffset = indicatorStart, categoricalOffset = indicatorStart + numeric.filter(\.indicator).count
        for (position, col) in numeric.enumerated() {
            defer { if col.indicator { indicatorOffset += 1 } }
            guard col.index == input, case .numeric(let all) = column.values else { continue }
            let ops = col.ops
            let at = layout.columnStart[position], indicatorAt = col.indicator ? layout.columnStart[indicatorOffset] : 0
            for (i, r) in rows.enumerated() {
                var v = all[r]
                for op in ops { v = op.apply(v) }
                o[i * stride + at] = v
                if col.indicator { o[i * stride + indicatorAt] = all[r].isNaN ? 1 : 0 }
            }
        }
        for col in categorical {
            defer { categoricalOffset += col.width }
            guard col.index == input, case .categorical(let codes, let levels) = column.values else { continue }
            // Map each level of the table to its output position (-1: unknown to the fitted encoder).
            let position = Dictionary(uniqueKeysWithValues: col.categories.enumerated().map { ($1, $0) })
            let infrequentSlot = col.infrequent.isEmpty ? -1 : col.categories.count
            let infrequent = Set(col.infrequent)
            func slot(_ text: String) -> Int { position[text] ?? (infrequent.contains(text) ? infrequentSlot : -1) }
            let levelPosition = levels.map(slot)
            let fillPosition = slot(col.fill)
            let at = (0..<col.width).map { layout.columnStart[categoricalOffset + $0] }
            for (i, r) in rows.enumerated() {
                let k = codes[r] >= 0 ? levelPosition[Int(codes[r])] : fillPosition
                switch col.method {
                case .onehot:
                    for j in 0..<col.width { o[i * stride + at[j]] = 0 }
                    if k >= 0 { o[i * stride + at[k]] = 1; continue }
                    switch col.handleUnknown {
                    case .ignore: break
                    case .infrequentIfExist: if infrequentSlot >= 0 { o[i * stride + at[infrequentSlot]] = 1 }
                    case .error:
                        let text = codes[r] >= 0 ? levels[Int(codes[r])] : col.fill
                        throw LearnError.badParameter("encode: column '\(inputColumns[col.index])' has category '\(text)', unseen in the training rows (handle_unknown: error)")
                    }
                case .ordinal: o[i * stride + at[0]] = Double(k)
                case .target:
                    o[i * stride + at[0]] = crossFitted.map { col.crossFitted[$0[i]] } ?? (k >= 0 ? col.encodings[k] : col.encodings[col.encodings.count - 1])
                }
            }
        }
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
        numeric = try (0..<r.readCount()).map { _ in
            let index = try r.readInt()
            let indicator = try r.readBool()
            let ops: [NumericOp] = try (0..<r.readCount()).map { _ in
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
        categorical = try (0..<r.readCount()).map { _ in
            let index = try r.readInt(), fill = try r.readString(), cats = try r.readStrings()
            guard let m = EncodeMethod(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("encoding", 0) }
            guard let h = HandleUnknown(rawValue: try r.readString()) else { throw BinaryFormatError.badTag("handle_unknown", 0) }
            return CategoricalColumn(index: index, fill: fill, categories: cats, method: m, handleUnknown: h, infrequent: try r.readStrings(),
                                     encodings: try r.readDoubles(), crossFitted: try r.readDoubles())
        }
        try checkConsistency()
    }

    /// What `transform` relies on: each fitted column is a distinct input column, a category is listed once, and
    /// a target encoding has an encoding per category plus the prior, and a cross-fitted value per training row.
    func checkConsistency() throws {
        let indices = numeric.map(\.index) + categorical.map(\.index)
        guard indices.allSatisfy(inputColumns.indices.contains), Set(indices).count == indices.count else {
            throw BinaryFormatError.inconsistent("preprocessing: column indices")
        }
        for op in numeric.flatMap(\.ops) {
            let sound: Bool
            switch op {
            case .fill(let v): sound = v.isFinite
            case .affine(let shift, let scale): sound = shift.isFinite && scale.isFinite && scale != 0
            case .log1p: sound = true
            case .clip(let lo, let hi): sound = lo <= hi  // infinite bounds are fine; NaN compares false
            }
            guard sound else { throw BinaryFormatError.inconsistent("preprocessing: a numeric step's fitted values") }
        }
        for c in categorical {
            guard Set(c.categories).count == c.categories.count else { throw BinaryFormatError.inconsistent("preprocessing: a category listed twice") }
            guard (c.encodings + c.crossFitted).allSatisfy(\.isFinite) else { throw BinaryFormatError.inconsistent("preprocessing: a target encoding") }
            if c.method == .target {
                guard c.encodings.count == c.categories.count + 1, c.crossFitted.count == trainingRows.count else {
                    throw BinaryFormatError.inconsistent("preprocessing: target encodings")
                }
            }
        }
    }
}


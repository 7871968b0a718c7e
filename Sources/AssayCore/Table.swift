/// The values of one column: numbers (NaN marks a missing cell) or category codes into a level list (-1 marks a missing cell).
public enum ColumnValues: Sendable, Equatable {
    case numeric([Double])
    case categorical(codes: [Int32], levels: [String])

    public var count: Int {
        switch self {
        case .numeric(let v): return v.count
        case .categorical(let codes, _): return codes.count
        }
    }
}

/// The kind of a feature column, as the spec's `columns:` names it.
public enum ColumnKind: String, Sendable, Codable, CaseIterable {
    case numeric, categorical
}

/// One named column of a table.
public struct Column: Sendable, Equatable {
    public let name: String
    public let values: ColumnValues

    public init(name: String, values: ColumnValues) {
        self.name = name
        self.values = values
    }

    public var kind: ColumnKind {
        if case .numeric = values { return .numeric }
        return .categorical
    }

    /// Number of missing cells.
    public var missingCount: Int {
        switch values {
        case .numeric(let v): return v.reduce(0) { $0 + ($1.isNaN ? 1 : 0) }
        case .categorical(let codes, _): return codes.reduce(0) { $0 + ($1 < 0 ? 1 : 0) }
        }
    }
}

/// A column-oriented table of features with a fixed row count.
public struct Table: Sendable, Equatable {
    public let columns: [Column]
    public let rowCount: Int

    /// Creates a table; every column must have `rowCount` values.
    public init(columns: [Column], rowCount: Int) {
        precondition(columns.allSatisfy { $0.values.count == rowCount }, "columns of unequal length")
        self.columns = columns
        self.rowCount = rowCount
    }

    public var names: [String] { columns.map(\.name) }

    public func column(named name: String) -> Column? {
        columns.first { $0.name == name }
    }
}

/// A column's cells as text.
public struct TextColumn: Sendable, Equatable {
    public var name: String
    public var values: [String]

    public init(name: String, values: [String]) {
        self.name = name
        self.values = values
    }
}

/// The labelled data an experiment learns from: features, the target (binary labels or numeric values), and
/// optional predefined folds.
public struct Dataset: Sendable, Equatable {
    public let features: Table
    /// 1 for the positive class, 0 otherwise; empty for a regression target (see `values`).
    public let target: [UInt8]
    /// A regression target's value per row; nil for a binary target.
    public var values: [Double]? = nil
    public let positiveLabel: String
    public let negativeLabel: String
    /// Per-row fold from `fold_column` (-1: test row), when the spec uses one.
    public let folds: [Int]?
    /// What `data.join` and `data.clean` did, one line per step, for the report.
    public var preparation: [LogLine] = []
    /// Each row's `data.id` value as written (empty when missing), when the spec names an id column.
    public var ids: [String]? = nil
    /// Columns kept as text for the predictions file (`predictions: {columns: …}`), by name, in the spec's order; not cached.
    public var kept: [TextColumn] = []
    /// A customer table built from a purchase log (`data.events`): its cutoffs (YYYY-MM-DD, ascending), and each row's
    /// cutoff as an index into them; nil for any other table.
    public var cutoffs: [String] = []
    public var cutoffOfRow: [Int]? = nil
    /// Each row's group (`split.group`, or a customer table's customer when it has several cutoffs): rows of one group
    /// are never split apart; nil without groups.
    public var groups: [Int]? = nil
    /// Each row's sample weight from `data.weight` (finite, not negative; scikit-learn's `sample_weight`), used in
    /// fitting and in every metric; nil without one.
    public var weights: [Double]? = nil

    public init(features: Table, target: [UInt8], positiveLabel: String, negativeLabel: String, folds: [Int]?, preparation: [LogLine] = [],
                ids: [String]? = nil) {
        self.preparation = preparation
        self.ids = ids
        self.features = features
        self.target = target
        self.positiveLabel = positiveLabel
        self.negativeLabel = negativeLabel
        self.folds = folds
    }

    /// A regression dataset: `values` holds each row's target.
    public init(features: Table, values: [Double], folds: [Int]?, preparation: [LogLine] = [], ids: [String]? = nil) {
        self.init(features: features, target: [], positiveLabel: "", negativeLabel: "", folds: folds, preparation: preparation, ids: ids)
        self.values = values
    }

    public var rowCount: Int { features.rowCount }
    public var positiveCount: Int { target.reduce(0) { $0 + Int($1) } }
    /// A multiclass target's class names, in code-point order: `target` holds each row's index into them; nil otherwise.
    public var classNames: [String]? = nil
}

/// A dense row-major matrix of doubles.
public struct Matrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols, "matrix shape does not match its values")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public init(rows: Int, cols: Int, repeating value: Double = 0) {
        self.init(rows: rows, cols: cols, values: [Double](repeating: value, count: rows * cols))
    }

    public subscript(row: Int, col: Int) -> Double {
        get { values[row * cols + col] }
        set { values[row * cols + col] = newValue }
    }

    /// The matrix made of the given columns, in that order.
    public func columns(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(rows * indices.count)
        for r in 0..<rows { for c in indices { out.append(values[r * cols + c]) } }
        return Matrix(rows: rows, cols: indices.count, values: out)
    }

    /// The matrix made of the given rows, in that order.
    public func rows(_ indices: [Int]) -> Matrix {
        var out = [Double]()
        out.reserveCapacity(indices.count * cols)
        for i in indices { out.append(contentsOf: values[(i * cols)..<((i + 1) * cols)]) }
        return Matrix(rows: indices.count, cols: cols, values: out)
    }
}

/// One step of `data.clean`: row-wise work done before the split, fitting nothing.
public enum CleanStep: Sendable, Hashable {
    /// Replace cell values of one column; a nil replacement makes the cell missing.
    case replace(column: String, pairs: [Replacement], origin: String)
    /// Keep the rows where the condition holds (a missing condition drops the row).
    case filter(RowExpression, origin: String)
    /// Drop rows equal to an earlier row on `subset` (every column when nil) minus `ignore`; the first is kept.
    case dropDuplicates(subset: [String]?, ignore: [String], origin: String)
    /// Trim spaces, collapse inner runs of spaces and optionally lowercase the text of categorical columns.
    case normalize(columns: [String]?, lowercase: Bool, origin: String)
    /// A new column (or a replaced one) computed from each row.
    case derive(name: String, RowExpression, origin: String)

    /// Canonical text, part of cache keys (the origin is not: moving a line in the spec changes nothing).
    public var canonical: String {
        func names(_ n: [String]) -> String { "[" + n.map(JSONText.quote).joined(separator: ",") + "]" }
        switch self {
        case .replace(let c, let pairs, _):
            return "replace(\(JSONText.quote(c)):" + pairs.map { "\(JSONText.quote($0.old))=\($0.new.json)" }.joined(separator: ",") + ")"
        case .filter(let e, _): return "filter(\(e.canonical))"
        case .dropDuplicates(let subset, let ignore, _): return "drop_duplicates(subset=\(subset.map(names) ?? "null"),ignore=\(names(ignore)))"
        case .normalize(let c, let lower, _): return "normalize(columns=\(c.map(names) ?? "null"),lower=\(lower))"
        case .derive(let n, let e, _): return "derive(\(JSONText.quote(n))=\(e.canonical))"
        }
    }

    /// Where the spec declares the step, for messages.
    public var origin: String {
        switch self {
        case .replace(_, _, let o), .filter(_, let o), .dropDuplicates(_, _, let o), .normalize(_, _, let o), .derive(_, _, let o): return o
        }
    }

    /// One value mapping of `replace`: the old value as written, and the new one.
    public struct Replacement: Sendable, Hashable {
        public let old: String
        public let new: ParamValue
        public init(old: String, new: ParamValue) { self.old = old; self.new = new }
    }
}

/// How a joined table's rows are matched to the main table's.
public enum JoinHow: String, Sendable, CaseIterable, Hashable {
    /// Keep only main rows with a match.
    case inner
    /// Keep every main row; columns of an unmatched row are missing.
    case left
}

/// How rows of one group are combined by `pivot`.
public enum PivotAggregate: String, Sendable, CaseIterable, Hashable {
    case sum, mean, min, max, first, count
}

/// `pivot`: turn a long table (one row per key and period) into a wide one (one row per key).
public struct PivotSpec: Sendable, Hashable {
    public var index: [String]
    public var columns: String
    public var values: [String]
    public var aggregate: PivotAggregate

    public init(index: [String], columns: String, values: [String], aggregate: PivotAggregate) {
        self.index = index
        self.columns = columns
        self.values = values
        self.aggregate = aggregate
    }

    public var canonical: String {
        "pivot(index=\(index.map(JSONText.quote).joined(separator: ",")),columns=\(JSONText.quote(columns)),values=\(values.map(JSONText.quote).joined(separator: ",")),aggregate=\(aggregate.rawValue))"
    }
}


/// The data profile every study starts with: per column its type, missing share, distinct values, range,
/// target rate per value or quantile bin, how well it predicts the target alone, and flags for columns that
/// deserve a look (constant, ID-like, a likely leak). This is the profile as data (reports render it); AssayData
/// computes it from a table (`TableProfile.init(_:target:roles:)`).
public struct TableProfile: Sendable, Equatable {
    /// What the spec does with a column.
    public enum Role: String, Sendable, Equatable, CaseIterable {
        case feature, id, dropped
        case foldColumn = "fold column"
    }

    /// A group of rows: a category, a numeric value, a quantile bin, or the missing cells.
    public struct Group: Sendable, Equatable {
        public var label: String
        public var count: Int
        public var positives: Int
        public var positiveRate: Double { count == 0 ? .nan : Double(positives) / Double(count) }
        /// A numeric target's sum over the group's rows (0 for a binary target).
        public var targetSum = 0.0
        public var targetMean: Double { count == 0 ? .nan : targetSum / Double(count) }

        public init(label: String, count: Int, positives: Int) {
            self.label = label
            self.count = count
            self.positives = positives
        }
    }

    public struct ColumnSummary: Sendable, Equatable {
        public var name: String
        public var role: Role
        public var kind: ColumnKind
        public var missing: Int
        public var distinct: Int
        /// Numeric columns only (NaN otherwise, or when every cell is missing).
        public var min: Double
        public var median: Double
        public var max: Double
        /// Categories: the most frequent (at most 10); numbers: each value when there are at most 10, else quantile bins.
        /// Missing cells, when there are any, are a last group.
        public var groups: [Group]
        /// ROC-AUC of the column alone, in whichever direction is better (0.5–1): numbers ranked as they are,
        /// categories by their positive rate (categories smaller than `minGroup` pooled).
        public var auc: Double
        public var flags: [String]

        public init(name: String, role: Role, kind: ColumnKind, missing: Int, distinct: Int, min: Double, median: Double, max: Double,
                    groups: [Group], auc: Double, flags: [String]) {
            self.name = name
            self.role = role
            self.kind = kind
            self.missing = missing
            self.distinct = distinct
            self.min = min
            self.median = median
            self.max = max
            self.groups = groups
            self.auc = auc
            self.flags = flags
        }
    }

    public var rows: Int
    public var positives: Int
    /// Rows equal to an earlier row in every column but the id (target included).
    public var duplicateRows: Int
    public var idColumn: String?
    public var columns: [ColumnSummary]
    /// A numeric target's mean, when the profile is of a regression target (then each column's `auc` is its concordance
    /// index and each group's `targetSum` is set); nil for a binary target.
    public var targetMean: Double? = nil

    public init(rows: Int, positives: Int, duplicateRows: Int, idColumn: String?, columns: [ColumnSummary]) {
        self.rows = rows
        self.positives = positives
        self.duplicateRows = duplicateRows
        self.idColumn = idColumn
        self.columns = columns
    }
}

extension TableProfile: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.write(rows); w.write(positives); w.write(duplicateRows); w.write(idColumn ?? ""); w.write(idColumn != nil)
        w.write(columns.count)
        for c in columns {
            w.write(c.name); w.write(c.role.rawValue); w.write(c.kind.rawValue); w.write(c.missing); w.write(c.distinct)
            w.write(c.min); w.write(c.median); w.write(c.max); w.write(c.auc); w.write(c.flags)
            w.write(c.groups.count)
            for g in c.groups { w.write(g.label); w.write(g.count); w.write(g.positives) }
        }
        w.write(targetMean != nil)
        if let targetMean {
            w.write(targetMean)
            for c in columns { for g in c.groups { w.write(g.targetSum) } }
        }
    }

    public init(from r: inout ByteReader) throws {
        let rows = try r.readInt(), positives = try r.readInt(), duplicates = try r.readInt()
        let id = try r.readString(), hasID = try r.readBool()
        var columns: [ColumnSummary] = []
        for _ in 0..<(try r.readCount()) {
            let name = try r.readString()
            guard let role = Role(rawValue: try r.readString()), let kind = ColumnKind(rawValue: try r.readString()) else {
                throw BinaryFormatError.truncated
            }
            let missing = try r.readInt(), distinct = try r.readInt()
            let min = try r.readDouble(), median = try r.readDouble(), max = try r.readDouble(), auc = try r.readDouble()
            let flags = try r.readStrings()
            var groups: [Group] = []
            for _ in 0..<(try r.readCount()) { groups.append(Group(label: try r.readString(), count: try r.readInt(), positives: try r.readInt())) }
            columns.append(ColumnSummary(name: name, role: role, kind: kind, missing: missing, distinct: distinct, min: min, median: median,
                                         max: max, groups: groups, auc: auc, flags: flags))
        }
        self.init(rows: rows, positives: positives, duplicateRows: duplicates, idColumn: hasID ? id : nil, columns: columns)
        if try r.readBool() {
            targetMean = try r.readDouble()
            for c in self.columns.indices { for g in self.columns[c].groups.indices { self.columns[c].groups[g].targetSum = try r.readDouble() } }
        }
    }
}

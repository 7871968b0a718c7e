import AssayCore

/// A purchase log's baskets: each a set of distinct items (`task: associate`). A basket is an order (`events.order`)
/// or, without an order column, one customer's purchases on one day; an item bought twice in one basket counts once.
public struct BasketLog: Sendable {
    /// Item names as written, by code.
    public var items: [String]
    /// Basket b holds `members[offsets[b]..<offsets[b + 1]]`, item codes ascending.
    public var offsets: [Int]
    public var members: [Int32]
    /// Purchase rows that went into baskets, and repeats of an item within one basket (collapsed).
    public var rows: Int
    public var repeats: Int
    /// What reading and cleaning did, for the report.
    public var preparation: [LogLine]

    public var count: Int { offsets.count - 1 }
    public func basket(_ b: Int) -> ArraySlice<Int32> { members[offsets[b]..<offsets[b + 1]] }
    public var baskets: [[Int32]] { (0..<count).map { Array(basket($0)) } }

    /// Baskets holding each item.
    public var itemCounts: [Int] {
        var c = [Int](repeating: 0, count: items.count)
        for i in members { c[Int(i)] += 1 }
        return c
    }

    public init(items: [String], offsets: [Int], members: [Int32], rows: Int, repeats: Int, preparation: [LogLine]) {
        self.items = items
        self.offsets = offsets
        self.members = members
        self.rows = rows
        self.repeats = repeats
        self.preparation = preparation
    }
}

extension BasketLog: BinaryCodable {
    static let version: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.version)
        w.write(items); w.write(offsets); w.write(members); w.write(rows); w.write(repeats); w.write(preparation)
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("basket log", version: Self.version)
        let items = try r.readStrings(), offsets = try r.readInts(), members = try r.readInt32s()
        self.init(items: items, offsets: offsets, members: members, rows: try r.readInt(), repeats: try r.readInt(), preparation: try r.readList())
        guard offsets.first == 0, offsets.last == members.count, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }),
              members.allSatisfy({ $0 >= 0 && Int($0) < items.count }) else { throw BinaryFormatError.inconsistent("basket log") }
    }
}

public enum Baskets {
    /// The baskets of the log at `path`, read by streaming only the columns they need.
    public static func build(path: String, displayName: String, _ e: EventsOptions, options: CSVOptions, kinds: [String: ColumnKind] = [:]) throws -> BasketLog {
        try build(EventLogReader.read(path: path, displayName: displayName, options: options, wanted: CustomerTable.neededColumns(e),
                                      kinds: CustomerTable.logKinds(e, kinds)), e)
    }

    /// The baskets of a log's rows (after `events.clean`). A row without an item or a basket key is left out and
    /// counted in the report. One-item baskets stay: every basket is part of support's denominator, as in mlxtend.
    public static func build(_ events: consuming Frame, _ e: EventsOptions) throws -> BasketLog {
        let p = try CustomerTable.purchases(events, e)
        var log = p.log
        guard let items = p.items else { throw DataError.step(origin: e.origin, message: "baskets need data.events.item: the column of each purchase's item") }
        // Basket keys: the order's code, or the customer's code and the day.
        let firstDay = Int(p.days.min() ?? 0), span = Int(p.days.max() ?? 0) - firstDay + 1
        var basketOf = [Int](repeating: -1, count: p.count)
        var index: [Int: Int] = [:]
        var without = 0
        for r in 0..<p.count {
            let key: Int
            if let orders = p.orders {
                guard orders.codes[r] >= 0 else { without += 1; continue }
                key = Int(orders.codes[r])
            } else {
                guard p.customers.codes[r] >= 0 else { without += 1; continue }
                key = Int(p.customers.codes[r]) * span + Int(p.days[r]) - firstDay
            }
            guard items.codes[r] >= 0 else { without += 1; continue }
            if let b = index[key] { basketOf[r] = b } else { basketOf[r] = index.count; index[key] = index.count }
        }
        if without > 0 {
            log.append("\(without) row\(without == 1 ? "" : "s") without \(p.orders == nil ? "a customer" : "an order") or an item left out of the baskets")
        }
        let basketCount = index.count
        guard basketCount > 0 else { throw DataError.step(origin: e.origin, message: "no basket: every purchase row lacks an item or a basket key") }
        // Rows dealt to baskets (counting sort), then each basket's distinct items ascending.
        var offsets = [Int](repeating: 0, count: basketCount + 1)
        for b in basketOf where b >= 0 { offsets[b + 1] += 1 }
        for b in 0..<basketCount { offsets[b + 1] += offsets[b] }
        var dealt = [Int32](repeating: 0, count: offsets[basketCount]), next = offsets
        for r in 0..<p.count where basketOf[r] >= 0 { dealt[next[basketOf[r]]] = items.codes[r]; next[basketOf[r]] += 1 }
        var members: [Int32] = [], out = [0]
        members.reserveCapacity(dealt.count)
        for b in 0..<basketCount {
            var set = Array(dealt[offsets[b]..<offsets[b + 1]])
            set.sort()
            var last: Int32 = -1
            for i in set where i != last { members.append(i); last = i }
            out.append(members.count)
        }
        let kept = dealt.count, repeats = kept - members.count
        let repeatText = repeats > 0 ? "; \(repeats) repeat\(repeats == 1 ? "" : "s") of an item within a basket counted once" : ""
        log.append("baskets: \(basketCount) (\(p.orders == nil ? "one customer on one day each" : "one order each")) from \(kept) purchase rows\(repeatText)")
        return BasketLog(items: items.levels, offsets: out, members: members, rows: kept, repeats: repeats, preparation: log)
    }
}

import AssayCore

/// Turns a purchase log (one row per order line) into a customer table: one row per customer and cutoff, with
/// features computed only from the purchases strictly before the cutoff and a label from the window that starts at
/// it (`data.events`, SPEC extensions).
///
/// The work is linear in the number of events: the log is read once, its time cells parsed once per distinct text,
/// the rows dealt to customers by a stable counting sort (a log in time order needs no further sorting), and every
/// customer's purchases scanned once per cutoff.
///
/// Leakage is impossible by construction: a row's features read only events with a day before its cutoff, and its
/// label only events in [cutoff, cutoff + window); nothing else of the log reaches the row.
public enum CustomerTable {
    /// Checks that every column the events options name exists among `names` (the log's header, or its columns after
    /// `events.clean`).
    public static func checkColumns(_ names: [String], _ e: EventsOptions, file: String) throws {
        let roles: [(String?, String)] = [(e.customer, "customer"), (e.time, "time"), (e.amount, "amount"), (e.order, "order"),
                                          (e.item, "item"), (e.category, "category")]
        for case (let name?, let role) in roles where !names.contains(name) {
            throw DataError.unknownColumn(file: file, name: name, role: "data.events.\(role)", hint: Suggest.hint(name, among: names))
        }
    }

    /// How the log's columns are read: ids, times, orders, items and categories as text exactly as written (an id
    /// keeps its leading zeros), the amount as a number; `kinds` (`data.columns`) for the rest.
    static func logKinds(_ e: EventsOptions, _ kinds: [String: ColumnKind]) -> [String: ColumnKind] {
        var kinds = kinds
        for name in [e.customer, e.time, e.order, e.item, e.category].compactMap({ $0 }) { kinds[name] = .categorical }
        if let a = e.amount { kinds[a] = .numeric }
        return kinds
    }

    /// The columns of the log the table reads: the roles and what `events.clean` mentions; nil when a step looks at
    /// every column (`drop_duplicates` without `subset`, `normalize` without `columns`).
    static func neededColumns(_ e: EventsOptions) -> Set<String>? {
        var names = Set([e.customer, e.time, e.amount, e.order, e.item, e.category].compactMap { $0 })
        for step in e.clean {
            switch step {
            case .replace(let column, _, _): names.insert(column)
            case .filter(let x, _), .derive(_, let x, _): names.formUnion(x.columns)
            case .dropDuplicates(let subset, let ignore, _):
                guard let subset else { return nil }
                names.formUnion(subset + ignore)
            case .normalize(let columns, _, _):
                guard let columns else { return nil }
                names.formUnion(columns)
            }
        }
        return names
    }

    /// The customer table of a tokenized log (see `build(_:_:)`).
    public static func build(_ csv: CSVFile, _ e: EventsOptions, missing: [String], decimal: UInt8, kinds: [String: ColumnKind] = [:]) throws -> (Frame, [LogLine]) {
        guard csv.rowCount > 0 else { throw DataError.empty(file: csv.file) }
        let logNames = Set(csv.names)
        return try build(try Frame.read(csv, kinds: logKinds(e, kinds).filter { logNames.contains($0.key) }, missing: missing, decimal: decimal), e)
    }

    /// The customer table of the log at `path`, read by streaming only the columns it needs (`EventLogReader`).
    public static func build(path: String, displayName: String, _ e: EventsOptions, options: CSVOptions, kinds: [String: ColumnKind] = [:]) throws -> (Frame, [LogLine]) {
        return try build(EventLogReader.read(path: path, displayName: displayName, options: options, wanted: neededColumns(e), kinds: logKinds(e, kinds)), e)
    }

    /// A log's purchases after `events.clean`: each row's customer, day, and order, item, category and amount codes
    /// where the spec names them, with the log's 1-based line and data row numbers for messages.
    struct Purchases {
        typealias Codes = (codes: [Int32], levels: [String])
        var file: String
        var lines: [Int]
        var rows: [Int]
        var customers: Codes
        var days: [Int32]
        var orders: Codes?
        var items: Codes?
        var categories: Codes?
        var amounts: [Double]?
        /// What reading and cleaning did, for the report.
        var log: [LogLine]
        var count: Int { days.count }
    }

    /// Cleans a log's rows (`events.clean`), checks the role columns, reads each distinct time text once and the amount.
    static func purchases(_ events: consuming Frame, _ e: EventsOptions) throws -> Purchases {
        let file = events.file
        guard events.rowCount > 0 else { throw DataError.empty(file: file) }
        var log: [LogLine] = ["purchase log: \(events.rowCount) rows read"]
        let frame: Frame
        if e.clean.isEmpty {
            frame = consume events
        } else {
            // The log is handed over, so that filtering it compacts its columns in place rather than copying them.
            let cleaned = try Cleaning.apply(e.clean, to: consume events)
            frame = cleaned.0
            log += cleaned.1
        }
        guard frame.rowCount > 0 else { throw DataError.step(origin: e.origin, message: "no purchase is left after events.clean") }
        try checkColumns(frame.names, e, file: file)
        func column(_ name: String) -> Column { frame.columns[frame.index(of: name) ?? 0] }  // every name was checked above
        func codes(_ name: String?) throws -> Purchases.Codes? {
            guard let name else { return nil }
            guard case .categorical(let c, let l) = column(name).values else {
                // A column derived by events.clean is numeric: its values as text.
                let col = column(name)
                let texts = (0..<frame.rowCount).map { col.text(at: $0) }
                guard case .categorical(let c, let l) = Column.categorical(name: name, texts).values else { return nil }
                return (c, l)
            }
            return (c, l)
        }
        let n = frame.rowCount
        guard let customers = try codes(e.customer), let times = try codes(e.time) else { throw DataError.empty(file: file) }

        // Days: each distinct time text is parsed once.
        let levelDays = times.levels.map { e.timeFormat.day($0.utf8) }
        var days = [Int32](repeating: 0, count: n)  // days since 1970 fit 32 bits for every year Assay reads
        for r in 0..<n {
            let k = Int(times.codes[r])
            guard k >= 0, let d = levelDays[k] else {
                throw DataError.badTime(file: file, line: frame.lines[r], row: frame.rows[r], column: e.time,
                                        value: k >= 0 ? times.levels[k] : "", format: e.timeFormat.pattern)
            }
            days[r] = Int32(d.number)
        }
        var amounts: [Double]? = nil
        if let a = e.amount {
            guard case .numeric(let v) = column(a).values else {
                throw DataError.step(origin: e.origin, message: "events.amount '\(a)' is not a numeric column")
            }
            if let r = v.firstIndex(where: { !$0.isFinite }) {
                throw DataError.notNumeric(file: file, line: frame.lines[r], row: frame.rows[r], column: a, value: column(a).text(at: r) ?? "")
            }
            amounts = v
        }
        return Purchases(file: file, lines: frame.lines, rows: frame.rows, customers: customers, days: days, orders: try codes(e.order),
                         items: try codes(e.item), categories: try codes(e.category), amounts: amounts, log: log)
    }

    /// The customer table of a log's rows, and what was done, for the report. The table's columns: the customer
    /// (as written), `cutoff` (YYYY-MM-DD), the features in spec order, then the label.
    public static func build(_ events: consuming Frame, _ e: EventsOptions) throws -> (Frame, [LogLine]) {
        let read = try purchases(events, e)
        let file = read.file, n = read.count, customers = read.customers, days = read.days, amounts = read.amounts
        let orders = read.orders, items = read.items, categories = read.categories
        var log = read.log

        // Rows dealt to customers (stable counting sort), then each customer's rows in (day, order) order.
        let customerCount = customers.levels.count
        var counts = [Int](repeating: 0, count: customerCount + 1)
        var withoutCustomer = 0
        for c in customers.codes { if c >= 0 { counts[Int(c) + 1] += 1 } else { withoutCustomer += 1 } }
        if withoutCustomer > 0 { log.append("\(code: e.customer): \(withoutCustomer) rows without a customer dropped") }
        for k in 0..<customerCount { counts[k + 1] += counts[k] }
        var sorted = [Int32](repeating: 0, count: n - withoutCustomer)
        var next = counts
        let orderCodes = orders?.codes
        // Dealt in file order, a customer's rows are already in (day, order) order unless the log is not in time order:
        // note whose are not while dealing.
        var previous = [(day: Int32, order: Int32)](repeating: (Int32.min, Int32.min), count: customerCount)
        var unordered = [Bool](repeating: false, count: customerCount)
        for r in 0..<n where customers.codes[r] >= 0 {
            let c = Int(customers.codes[r])
            sorted[next[c]] = Int32(r)
            next[c] += 1
            let key = (day: days[r], order: orderCodes?[r] ?? 0)
            if key.day < previous[c].day || (key.day == previous[c].day && key.order < previous[c].order) { unordered[c] = true }
            previous[c] = key
        }
        @inline(__always) func before(_ a32: Int32, _ b32: Int32) -> Bool {
            let a = Int(a32), b = Int(b32)
            if days[a] != days[b] { return days[a] < days[b] }
            if let o = orderCodes, o[a] != o[b] { return o[a] < o[b] }
            return a < b
        }
        for c in 0..<customerCount where unordered[c] { sorted[counts[c]..<counts[c + 1]].sort(by: before) }
        // Customers in the order of their id's text (UTF-8 bytes), as pandas' groupby sorts them: by the first eight
        // bytes as a number, then the whole text where those tie.
        let prefixes = customers.levels.map { level -> UInt64 in
            var w: UInt64 = 0, k = 0
            for byte in level.utf8.prefix(8) { w |= UInt64(byte) << (8 * UInt64(7 - k)); k += 1 }
            return w
        }
        let customerOrder = (0..<customerCount).filter { counts[$0 + 1] > counts[$0] }.sorted { a, b in
            prefixes[a] != prefixes[b] ? prefixes[a] < prefixes[b] : customers.levels[a].utf8.lexicographicallyPrecedes(customers.levels[b].utf8)
        }
        // Every column in customer order, so that each customer's rows are read in sequence.
        let dayAt = sorted.map { days[Int($0)] }
        let amountAt = amounts.map { a in sorted.map { a[Int($0)] } }
        let itemCodes = items.map { i in sorted.map { i.codes[Int($0)] } }
        let categoryCodes = categories.map { c in sorted.map { c.codes[Int($0)] } }
        let orderOf = orderCodes.map { o in sorted.map { o[Int($0)] } }

        guard let firstDay = days.min().map(Int.init), let lastDay = days.max().map(Int.init) else { throw DataError.empty(file: file) }
        let window = e.label?.window.days ?? 0
        for cutoff in e.cutoffs {
            guard cutoff.number > firstDay else {
                throw DataError.step(origin: e.origin, message: "cutoff \(cutoff) is on or before the log's first purchase day (\(Day(number: firstDay))): no purchase precedes it")
            }
            if let label = e.label, cutoff.number + window - 1 > lastDay {
                throw DataError.step(origin: e.origin, message: "the label window of cutoff \(cutoff) (\(cutoff) to \(cutoff + (window - 1)), \(label.window)) runs past the log's last day (\(Day(number: lastDay))); the latest cutoff a \(label.window) window fits is \(Day(number: lastDay - window + 1))")
            }
        }

        // Category columns: one share per category value, sorted by text.
        let categoryOrder = categories.map { cats in cats.levels.indices.sorted { cats.levels[$0].utf8.lexicographicallyPrecedes(cats.levels[$1].utf8) } } ?? []
        var featureNames: [String] = []
        for f in e.features {
            if f == .categoryShare, let cats = categories {
                featureNames += categoryOrder.map { "share_\(cats.levels[$0])" }
            } else {
                featureNames.append(f.name)
            }
        }
        var reserved = Set([e.customer, EventsOptions.cutoffColumn] + (e.label.map { [$0.name] } ?? []))
        for name in featureNames where !reserved.insert(name).inserted {
            throw DataError.step(origin: e.origin, message: "two columns of the customer table would be called '\(name)'")
        }

        var outCustomer: [Int32] = [], outCutoff: [Int32] = [], outLines: [Int] = [], outRows: [Int] = []
        var features = [[Double]](repeating: [], count: featureNames.count), rowValues: [Double] = []
        var labels: [Double] = []
        var perCutoff: [(customers: Int, positives: Int, total: Double)] = []
        let itemCount = items?.levels.count ?? 0
        var itemStamp = [Int](repeating: -1, count: itemCount), basketStamp = [Int](repeating: -1, count: itemCount)
        var stamp = 0
        var categorySums = [Double](repeating: 0, count: categories?.levels.count ?? 0)
        // Trailing windows, by length in days: orders counted over each (a trend over w needs w and 2w), spend summed.
        let orderSpans = Set(e.features.flatMap { f -> [Int] in
            switch f { case .orders(let w): return [w.days]; case .trend(let w): return [w.days, 2 * w.days]; default: return [] }
        }).sorted()
        let spendSpans = Set(e.features.compactMap { f -> Int? in if case .spend(let w) = f { return w.days } else { return nil } }).sorted()
        var orderCounts = [Int](repeating: 0, count: orderSpans.count), spendSums = [Double](repeating: 0, count: spendSpans.count)
        let orderSlot = Dictionary(uniqueKeysWithValues: orderSpans.enumerated().map { ($1, $0) })
        let spendSlot = Dictionary(uniqueKeysWithValues: spendSpans.enumerated().map { ($1, $0) })
        for (ci, cutoffDay) in e.cutoffs.enumerated() {
            let cutoff = cutoffDay.number, end = cutoff + window
            var nCustomers = 0, positives = 0, total = 0.0
            for c in customerOrder {
                let slice = counts[c]..<counts[c + 1]
                // Purchases before the cutoff are a prefix of the customer's rows.
                var p = slice.lowerBound
                while p < slice.upperBound && Int(dayAt[p]) < cutoff { p += 1 }
                guard p > slice.lowerBound else { continue }
                let last = p - 1
                if case .activeWithin(let w) = e.population, Int(dayAt[last]) < cutoff - w.days { continue }
                var q = p, spendAfter = 0.0
                while q < slice.upperBound && Int(dayAt[q]) < end { spendAfter += amountAt?[q] ?? 0; q += 1 }
                let buys = q > p

                // One pass over the purchases before the cutoff.
                stamp += 1
                var nOrders = 0, money = 0.0, distinct = 0, basketSum = 0, basketDistinct = 0
                var firstOrderDay = 0, lastOrderDay = 0, previousOrderDay = 0
                var prevDay = Int.min, prevOrder: Int32 = -2
                for k in orderCounts.indices { orderCounts[k] = 0 }
                for k in spendSums.indices { spendSums[k] = 0 }
                let customerKey = ci * n + c
                for k in slice.lowerBound..<p {
                    let d = Int(dayAt[k]), o = orderOf?[k] ?? 0
                    let newOrder = d != prevDay || o != prevOrder
                    if newOrder {
                        if nOrders > 0 { basketSum += basketDistinct }
                        basketDistinct = 0
                        nOrders += 1
                        if nOrders == 1 { firstOrderDay = d }
                        previousOrderDay = lastOrderDay
                        lastOrderDay = d
                        prevDay = d; prevOrder = o
                        stamp += 1  // a new basket: item stamps of the last one no longer count
                    }
                    let a = amountAt?[k] ?? 0
                    money += a
                    if let itemCodes, itemCodes[k] >= 0 {
                        let it = Int(itemCodes[k])
                        if itemStamp[it] != customerKey { itemStamp[it] = customerKey; distinct += 1 }
                        if basketStamp[it] != stamp { basketStamp[it] = stamp; basketDistinct += 1 }
                    }
                    if let categoryCodes, categoryCodes[k] >= 0 { categorySums[Int(categoryCodes[k])] += amountAt == nil ? 1 : a }
                    if newOrder { for (k, span) in orderSpans.enumerated() where d >= cutoff - span { orderCounts[k] += 1 } }
                    for (k, span) in spendSpans.enumerated() where d >= cutoff - span { spendSums[k] += a }
                }
                basketSum += basketDistinct
                let firstDayBefore = Int(dayAt[slice.lowerBound])
                rowValues.removeAll(keepingCapacity: true)
                for f in e.features {
                    switch f {
                    case .recency: rowValues.append(Double(cutoff - Int(dayAt[last])))
                    case .frequency: rowValues.append(Double(nOrders))
                    case .monetary: rowValues.append(money)
                    case .monetaryMean: rowValues.append(money / Double(nOrders))
                    case .tenure: rowValues.append(Double(cutoff - firstDayBefore))
                    case .interpurchaseMean: rowValues.append(nOrders > 1 ? Double(lastOrderDay - firstOrderDay) / Double(nOrders - 1) : .nan)
                    case .interpurchaseLast: rowValues.append(nOrders > 1 ? Double(lastOrderDay - previousOrderDay) : .nan)
                    case .distinctItems: rowValues.append(Double(distinct))
                    case .basketItems: rowValues.append(Double(basketSum) / Double(nOrders))
                    case .orders(let w): rowValues.append(Double(orderCounts[orderSlot[w.days] ?? 0]))
                    case .trend(let w):
                        // Orders in the last w minus orders in the w before it (those in 2w less those in w).
                        let recent = orderCounts[orderSlot[w.days] ?? 0], both = orderCounts[orderSlot[2 * w.days] ?? 0]
                        rowValues.append(Double(recent - (both - recent)))
                    case .spend(let w): rowValues.append(spendSums[spendSlot[w.days] ?? 0])
                    case .categoryShare:
                        let sum = categorySums.reduce(0, +)
                        for k in categoryOrder { rowValues.append(sum > 0 ? categorySums[k] / sum : .nan) }
                    }
                }
                for (k, v) in rowValues.enumerated() { features[k].append(v) }
                for k in categorySums.indices { categorySums[k] = 0 }
                outCustomer.append(Int32(c))
                outCutoff.append(Int32(ci))
                outLines.append(read.lines[Int(sorted[last])])
                outRows.append(read.rows[Int(sorted[last])])
                switch e.label {
                case .buysWithin?: labels.append(buys ? 1 : 0); positives += buys ? 1 : 0
                case .spendWithin?: labels.append(spendAfter); positives += buys ? 1 : 0; total += spendAfter
                case nil: break
                }
                nCustomers += 1
            }
            guard nCustomers > 0 else {
                throw DataError.step(origin: e.origin, message: "no customer has a purchase before cutoff \(cutoffDay)\(e.population == .all ? "" : " within the active window")")
            }
            guard positives > 0 || e.label == nil else {
                throw DataError.step(origin: e.origin, message: "no customer of cutoff \(cutoffDay) buys in its label window (\(cutoffDay) to \(cutoffDay + (window - 1))): the label would be the same for every row")
            }
            perCutoff.append((nCustomers, positives, total))
        }

        // The customer, the cutoff and the features; the label, if any, follows.
        func tableColumns() -> [Column] {
            [Column(name: e.customer, values: .categorical(codes: outCustomer, levels: customers.levels)),
             Column(name: EventsOptions.cutoffColumn, values: .categorical(codes: outCutoff, levels: e.cutoffs.map(\.description)))]
                + zip(featureNames, features).map { Column(name: $0, values: .numeric($1)) }
        }
        let features_ = "customer table: \(featureNames.count) feature\(featureNames.count == 1 ? "" : "s") from the purchases before each cutoff"
        guard let label = e.label else {
            log.append("\(features_); no label")
            for (ci, cutoff) in e.cutoffs.enumerated() { log.append("cutoff \(cutoff.description): \(perCutoff[ci].customers) customers") }
            return (Frame(columns: tableColumns(), lines: outLines, rows: outRows, file: file), log)
        }
        log.append("\(features_); the label \(code: label.name) from [cutoff, cutoff + \(label.window.description))")
        for (ci, cutoff) in e.cutoffs.enumerated() {
            let s = perCutoff[ci]
            let rate = NumberFormat.fixed(100 * Double(s.positives) / Double(s.customers), decimals: 1)
            let labelText: LogLine
            switch label {
            case .buysWithin: labelText = "\(s.positives) buy (\(rate)%)"
            case .spendWithin: labelText = "\(s.positives) buy (\(rate)%), spending \(NumberFormat.fixed(s.total, decimals: 2)) in all"
            }
            log.append("cutoff \(cutoff.description): \(s.customers) customers; label window \(cutoff.description) to \((cutoff + (window - 1)).description): \(labelText)")
        }

        var columns = tableColumns()
        switch label {
        case .buysWithin: columns.append(Column(name: label.name, values: .categorical(codes: labels.map { $0 == 1 ? 1 : 0 }, levels: ["0", "1"])))
        case .spendWithin: columns.append(Column(name: label.name, values: .numeric(labels)))
        }
        return (Frame(columns: columns, lines: outLines, rows: outRows, file: file), log)
    }
}

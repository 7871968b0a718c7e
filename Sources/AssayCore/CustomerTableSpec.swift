/// A calendar day as a count of days since 1970-01-01 (proleptic Gregorian), the unit of every window and cutoff.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var number: Int

    public init(number: Int) { self.number = number }

    /// The day of a civil date, nil when the date does not exist (month 13, 30 February).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year) else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        number = era * 146097 + doe - 719468
    }

    /// `YYYY-MM-DD`.
    public init?(iso text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// (year, month, day): Hinnant's civil_from_days.
    public var civil: (year: Int, month: Int, day: Int) {
        let z = number + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let (y, m, d) = civil
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-\(two(m))-\(two(d))"
    }

    public static func < (a: Day, b: Day) -> Bool { a.number < b.number }
    public static func + (a: Day, days: Int) -> Day { Day(number: a.number + days) }
    public static func - (a: Day, days: Int) -> Day { Day(number: a.number - days) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}

/// How the time column of a purchase log is written: a strptime-style pattern (`%Y %m %d %H %M %S`, `%%`, any
/// other character literally), or ISO 8601 (`YYYY-MM-DD`, optionally followed by `T` or a space and a time of
/// day). Only the calendar day is kept: a time of day is checked, then ignored, as the reference peer does.
public struct TimeFormat: Hashable, Sendable {
    enum Piece: Hashable, Sendable { case year, month, day, hour, minute, second, literal(UInt8) }
    let pieces: [Piece]?
    /// The pattern as written (`iso` for ISO 8601).
    public let pattern: String

    public static let iso = TimeFormat(pattern: "iso", pieces: nil)

    init(pattern: String, pieces: [Piece]?) {
        self.pattern = pattern
        self.pieces = pieces
    }

    /// Why a pattern cannot be used.
    public struct Problem: Error, Sendable { public let reason: String }

    /// Parses a pattern.
    public static func parse(_ pattern: String) throws(Problem) -> TimeFormat {
        if pattern == "iso" { return .iso }
        var pieces: [Piece] = [], seen = Set<Character>()
        var chars = Array(pattern.utf8)[...]
        while let c = chars.popFirst() {
            guard c == UInt8(ascii: "%") else { pieces.append(.literal(c)); continue }
            guard let d = chars.popFirst() else { throw Problem(reason: "the pattern ends with a lone %") }
            let piece: Piece
            switch d {
            case UInt8(ascii: "Y"): piece = .year
            case UInt8(ascii: "m"): piece = .month
            case UInt8(ascii: "d"): piece = .day
            case UInt8(ascii: "H"): piece = .hour
            case UInt8(ascii: "M"): piece = .minute
            case UInt8(ascii: "S"): piece = .second
            case UInt8(ascii: "%"): pieces.append(.literal(d)); continue
            default: throw Problem(reason: "%\(Character(Unicode.Scalar(d))) is not supported (use %Y, %m, %d, %H, %M, %S, or iso)")
            }
            guard seen.insert(Character(Unicode.Scalar(d))).inserted else { throw Problem(reason: "%\(Character(Unicode.Scalar(d))) appears twice") }
            pieces.append(piece)
        }
        guard seen.isSuperset(of: ["Y", "m", "d"]) else { throw Problem(reason: "a pattern needs %Y, %m and %d") }
        return TimeFormat(pattern: pattern, pieces: pieces)
    }

    /// The day a cell names, nil when the cell does not match the format exactly.
    public func day(_ cell: some Collection<UInt8>) -> Day? {
        let b = Array(cell)
        guard let pieces else { return Self.isoDay(b) }
        var i = 0, y = -1, m = -1, d = -1
        func number(_ maxDigits: Int, exact: Bool) -> Int? {
            var v = 0, n = 0
            while n < maxDigits, i < b.count, b[i] >= 48, b[i] <= 57 { v = v * 10 + Int(b[i] - 48); i += 1; n += 1 }
            return n == 0 || (exact && n != maxDigits) ? nil : v
        }
        for p in pieces {
            switch p {
            case .literal(let c): guard i < b.count, b[i] == c else { return nil }; i += 1
            case .year: guard let v = number(4, exact: true) else { return nil }; y = v
            case .month: guard let v = number(2, exact: false) else { return nil }; m = v
            case .day: guard let v = number(2, exact: false) else { return nil }; d = v
            case .hour: guard let v = number(2, exact: false), v < 24 else { return nil }
            case .minute: guard let v = number(2, exact: false), v < 60 else { return nil }
            case .second: guard let v = number(2, exact: false), v < 61 else { return nil }
            }
        }
        guard i == b.count else { return nil }
        return Day(year: y, month: m, day: d)
    }

    /// `YYYY-MM-DD`, then nothing, or `T`/space and `HH:MM[:SS[.fff]]` with an optional `Z` or `±HH:MM`.
    static func isoDay(_ b: [UInt8]) -> Day? {
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return nil }
        func digits(_ r: Range<Int>) -> Int? {
            var v = 0
            for k in r { guard k < b.count, b[k] >= 48, b[k] <= 57 else { return nil }; v = v * 10 + Int(b[k] - 48) }
            return v
        }
        guard let y = digits(0..<4), let m = digits(5..<7), let d = digits(8..<10), let day = Day(year: y, month: m, day: d) else { return nil }
        if b.count == 10 { return day }
        guard b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), b.count >= 16, let h = digits(11..<13), h < 24,
              b[13] == UInt8(ascii: ":"), let mi = digits(14..<16), mi < 60 else { return nil }
        var i = 16
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard let s = digits((i + 1)..<(i + 3)), s < 61 else { return nil }
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                let start = i
                while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
                guard i > start else { return nil }
            }
        }
        if i < b.count, b[i] == UInt8(ascii: "Z") { i += 1 } else if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard digits((i + 1)..<(i + 3)) != nil, i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), digits((i + 4)..<(i + 6)) != nil else { return nil }
            i += 6
        }
        return i == b.count ? day : nil
    }
}

/// A span of days written `90d` or `12w` in a spec.
public struct Window: Hashable, Sendable, CustomStringConvertible {
    public var days: Int
    /// As written (`90d`, `12w`): column names use it.
    public var text: String

    public init(days: Int, text: String) { self.days = days; self.text = text }

    /// `Nd` or `Nw` with N a positive whole number; nil otherwise.
    public init?(_ text: String) {
        guard let unit = text.last, unit == "d" || unit == "w", let n = Int(text.dropLast()), n > 0, n <= 100_000,
              text.dropLast().allSatisfy(\.isASCII) else { return nil }
        self.init(days: unit == "w" ? 7 * n : n, text: text)
    }

    public var description: String { text }
}

/// One feature of a customer table, computed from a customer's purchases strictly before a cutoff.
public enum CustomerFeature: Hashable, Sendable {
    /// Days from the last purchase day to the cutoff.
    case recency
    /// Distinct orders.
    case frequency
    /// Total amount.
    case monetary
    /// Amount per order (monetary / frequency).
    case monetaryMean
    /// Days from the first purchase day to the cutoff.
    case tenure
    /// Mean days between consecutive orders; missing with a single order.
    case interpurchaseMean
    /// Days between the last two orders; missing with a single order.
    case interpurchaseLast
    /// Distinct items bought (needs `events.item`).
    case distinctItems
    /// Mean distinct items per order (needs `events.item`).
    case basketItems
    /// Orders in the trailing window [cutoff − w, cutoff).
    case orders(Window)
    /// Amount in the trailing window.
    case spend(Window)
    /// Orders in [cutoff − w, cutoff) minus orders in [cutoff − 2w, cutoff − w).
    case trend(Window)
    /// The share of the amount (of the rows, without an amount) spent in each category: one column per category
    /// value, `share_<value>` (needs `events.category`).
    case categoryShare

    /// The spec names, with whether each takes a window.
    public static let names: [(name: String, windowed: Bool)] = [
        ("recency", false), ("frequency", false), ("monetary", false), ("monetary_mean", false), ("tenure", false),
        ("interpurchase_mean", false), ("interpurchase_last", false), ("distinct_items", false), ("basket_items", false),
        ("orders", true), ("spend", true), ("trend", true), ("category_share", false),
    ]

    /// The feature a spec name (and window) declares.
    public init?(name: String, window: Window?) {
        switch (name, window) {
        case ("recency", nil): self = .recency
        case ("frequency", nil): self = .frequency
        case ("monetary", nil): self = .monetary
        case ("monetary_mean", nil): self = .monetaryMean
        case ("tenure", nil): self = .tenure
        case ("interpurchase_mean", nil): self = .interpurchaseMean
        case ("interpurchase_last", nil): self = .interpurchaseLast
        case ("distinct_items", nil): self = .distinctItems
        case ("basket_items", nil): self = .basketItems
        case ("category_share", nil): self = .categoryShare
        case ("orders", let w?): self = .orders(w)
        case ("spend", let w?): self = .spend(w)
        case ("trend", let w?): self = .trend(w)
        default: return nil
        }
    }

    /// The column name (`category_share` names one column per category instead).
    public var name: String {
        switch self {
        case .recency: return "recency"
        case .frequency: return "frequency"
        case .monetary: return "monetary"
        case .monetaryMean: return "monetary_mean"
        case .tenure: return "tenure"
        case .interpurchaseMean: return "interpurchase_mean"
        case .interpurchaseLast: return "interpurchase_last"
        case .distinctItems: return "distinct_items"
        case .basketItems: return "basket_items"
        case .orders(let w): return "orders_\(w)"
        case .spend(let w): return "spend_\(w)"
        case .trend(let w): return "trend_\(w)"
        case .categoryShare: return "share"
        }
    }

    /// The events column the feature needs besides customer and time, if any.
    public var needs: String? {
        switch self {
        case .monetary, .monetaryMean, .spend: return "amount"
        case .distinctItems, .basketItems: return "item"
        case .categoryShare: return "category"
        default: return nil
        }
    }
}

/// What a customer table predicts, from the window that starts at the cutoff.
public enum CustomerLabel: Hashable, Sendable {
    /// 1 when the customer buys in [cutoff, cutoff + w), else 0 (binary).
    case buysWithin(Window)
    /// The amount bought in [cutoff, cutoff + w) (regression; needs `events.amount`).
    case spendWithin(Window)

    public var window: Window {
        switch self { case .buysWithin(let w), .spendWithin(let w): return w }
    }

    /// The label column's name: `buys_within_90d`, `spend_within_90d`.
    public var name: String {
        switch self {
        case .buysWithin(let w): return "buys_within_\(w)"
        case .spendWithin(let w): return "spend_within_\(w)"
        }
    }
}

/// Which customers get a row at a cutoff.
public enum CustomerPopulation: Hashable, Sendable {
    /// Everyone with a purchase before the cutoff.
    case all
    /// Only those whose last purchase before the cutoff is within the window.
    case activeWithin(Window)
}

/// `data.events` with `data.cutoff`, `data.features`, `data.label` and `data.customers`: how to turn a purchase log
/// into one row per customer and cutoff.
public struct EventsOptions: Sendable, Hashable {
    public var customer: String
    public var time: String
    public var timeFormat: TimeFormat
    public var amount: String?
    /// An order id column; without one, a customer's purchases on one day are one order.
    public var order: String?
    public var item: String?
    public var category: String?
    /// Row-wise cleaning of the log (what counts as a purchase), before anything is aggregated.
    public var clean: [CleanStep]
    /// Cutoff days, ascending and distinct.
    public var cutoffs: [Day]
    public var features: [CustomerFeature]
    /// nil for a table without a target (task segment): no label column, no label window.
    public var label: CustomerLabel?
    public var population: CustomerPopulation
    /// Where the spec declares the section, for messages about the cutoffs and windows.
    public var origin: String

    public init(customer: String, time: String, timeFormat: TimeFormat, amount: String? = nil, order: String? = nil, item: String? = nil,
                category: String? = nil, clean: [CleanStep] = [], cutoffs: [Day], features: [CustomerFeature], label: CustomerLabel?,
                population: CustomerPopulation = .all, origin: String) {
        self.customer = customer
        self.time = time
        self.timeFormat = timeFormat
        self.amount = amount
        self.order = order
        self.item = item
        self.category = category
        self.clean = clean
        self.cutoffs = cutoffs
        self.features = features
        self.label = label
        self.population = population
        self.origin = origin
    }

    /// The name of the column that holds each row's cutoff.
    public static let cutoffColumn = "cutoff"

    /// Canonical text, part of the load task's key (the origin is not).
    public var canonical: String {
        func q(_ s: String?) -> String { s.map(JSONText.quote) ?? "null" }
        let population: String
        switch self.population {
        case .all: population = "all"
        case .activeWithin(let w): population = "active_within=\(w.days)"
        }
        return "events(customer=\(q(customer)),time=\(q(time)),format=\(q(timeFormat.pattern)),amount=\(q(amount)),order=\(q(order)),"
            + "item=\(q(item)),category=\(q(category)),clean=[\(clean.map(\.canonical).joined(separator: ","))],"
            + "cutoffs=[\(cutoffs.map(\.description).joined(separator: ","))],features=[\(features.map(\.name).joined(separator: ","))],"
            + "label=\(q(label?.name)),customers=\(population))"
    }
}

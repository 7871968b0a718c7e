import Foundation

/// A value that has a stable binary form, used for cache entries and saved models.
public protocol BinaryCodable {
    func encode(to writer: inout ByteWriter)
    init(from reader: inout ByteReader) throws
}

extension BinaryCodable {
    public func encoded() -> Data {
        var w = ByteWriter()
        encode(to: &w)
        return w.data
    }

    public init(decoding data: Data) throws {
        var r = ByteReader(data)
        self = try Self(from: &r)
        guard r.isAtEnd else { throw BinaryFormatError.trailingBytes }
    }
}

/// Errors while reading a binary form back.
public enum BinaryFormatError: Error, Equatable, CustomStringConvertible {
    case truncated
    case trailingBytes
    case badTag(String, UInt8)
    case badVersion(String, found: UInt32, expected: UInt32)
    /// Bytes that read but describe something impossible (an index out of range, sizes that disagree).
    case inconsistent(String)

    public var description: String {
        switch self {
        case .truncated: return "binary data is truncated"
        case .trailingBytes: return "binary data has trailing bytes"
        case .badTag(let what, let tag): return "unknown \(what) tag \(tag)"
        case .badVersion(let what, let found, let expected):
            return "\(what) has format version \(found); this Assay reads version \(expected)"
        case .inconsistent(let what): return "inconsistent \(what)"
        }
    }
}

/// Little-endian byte writer.
public struct ByteWriter {
    public private(set) var data = Data()
    public init() {}

    public mutating func write(_ v: UInt8) { data.append(v) }
    public mutating func write(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    public mutating func write(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    public mutating func write(_ v: Int) { write(UInt64(bitPattern: Int64(v))) }
    public mutating func write(_ v: Double) { write(v.bitPattern) }
    public mutating func write(_ v: Bool) { write(UInt8(v ? 1 : 0)) }
    public mutating func write(_ s: String) {
        let bytes = Array(s.utf8)
        write(bytes.count)
        data.append(contentsOf: bytes)
    }
    public mutating func write(_ v: [Double]) {
        write(v.count)
        v.withUnsafeBytes { data.append(contentsOf: $0) }  // little-endian hosts only (x86_64, arm64)
    }
    public mutating func write(_ v: [Int32]) {
        write(v.count)
        v.withUnsafeBytes { data.append(contentsOf: $0) }
    }
    public mutating func write(_ v: [UInt8]) {
        write(v.count)
        data.append(contentsOf: v)
    }
    public mutating func write(_ v: [Int]) {
        write(v.count)
        for x in v { write(x) }
    }
    public mutating func write(_ v: [String]) {
        write(v.count)
        for s in v { write(s) }
    }
    public mutating func write<T: BinaryCodable>(_ v: T) { v.encode(to: &self) }
    public mutating func write<T: BinaryCodable>(_ v: [T]) {
        write(v.count)
        for x in v { x.encode(to: &self) }
    }
}

/// Little-endian byte reader that throws on truncation instead of trapping.
public struct ByteReader {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ data: Data) { bytes = [UInt8](data) }

    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - offset >= n else { throw BinaryFormatError.truncated }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    public mutating func readUInt8() throws -> UInt8 { try take(1).first! }
    public mutating func readUInt32() throws -> UInt32 {
        try take(4).reversed().reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
    }
    public mutating func readUInt64() throws -> UInt64 {
        try take(8).reversed().reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
    }
    public mutating func readInt() throws -> Int { Int(Int64(bitPattern: try readUInt64())) }
    public mutating func readDouble() throws -> Double { Double(bitPattern: try readUInt64()) }
    public mutating func readBool() throws -> Bool { try readUInt8() != 0 }
    /// A count of items still to read: never negative, never more than the bytes left (each item takes at least one),
    /// so that a damaged count can neither trap a range nor reserve gigabytes.
    public mutating func readCount() throws -> Int {
        let n = try readInt()
        guard n >= 0, n <= bytes.count - offset else { throw BinaryFormatError.truncated }
        return n
    }
    public mutating func readString() throws -> String {
        let n = try readCount()
        return String(decoding: try take(n), as: UTF8.self)
    }
    public mutating func readDoubles() throws -> [Double] {
        let n = try readCount()
        let slice = try take(n * 8)
        return slice.withUnsafeBytes { raw in (0..<n).map { raw.loadUnaligned(fromByteOffset: $0 * 8, as: Double.self) } }
    }
    public mutating func readInt32s() throws -> [Int32] {
        let n = try readCount()
        let slice = try take(n * 4)
        return slice.withUnsafeBytes { raw in (0..<n).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self) } }
    }
    public mutating func readBytes() throws -> [UInt8] { Array(try take(try readCount())) }
    public mutating func readInts() throws -> [Int] { try (0..<readCount()).map { _ in try readInt() } }
    /// Integers that must each fit an `Int32`.
    public mutating func readInt32Values() throws -> [Int32] {
        try readInts().map { guard let v = Int32(exactly: $0) else { throw BinaryFormatError.inconsistent("32-bit value \($0)") }; return v }
    }
    public mutating func readStrings() throws -> [String] { try (0..<readCount()).map { _ in try readString() } }
    public mutating func read<T: BinaryCodable>(_: T.Type = T.self) throws -> T { try T(from: &self) }
    public mutating func readList<T: BinaryCodable>(_: T.Type = T.self) throws -> [T] { try (0..<readCount()).map { _ in try T(from: &self) } }

    /// Reads a format header written by `ByteWriter.writeHeader` and checks its version.
    public mutating func readHeader(_ what: String, version: UInt32) throws {
        let found = try readUInt32()
        guard found == version else { throw BinaryFormatError.badVersion(what, found: found, expected: version) }
    }
}

extension ByteWriter {
    public mutating func writeHeader(version: UInt32) { write(version) }
}

extension BinaryFormatError {
    /// Throws `inconsistent(what)` unless `condition` holds: the checks a decoder makes before its values are used.
    public static func require(_ condition: Bool, _ what: @autoclosure () -> String) throws {
        if !condition { throw BinaryFormatError.inconsistent(what()) }
    }

    /// `rows × cols`, refused when it overflows.
    public static func product(_ rows: Int, _ cols: Int, _ what: String) throws -> Int {
        let (n, overflow) = rows.multipliedReportingOverflow(by: cols)
        try require(!overflow && rows >= 0 && cols >= 0, what + " dimensions")
        return n
    }
}

extension Table: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.write(rowCount)
        w.write(columns.count)
        for c in columns {
            w.write(c.name)
            switch c.values {
            case .numeric(let v):
                w.write(UInt8(0)); w.write(v)
            case .categorical(let codes, let levels):
                w.write(UInt8(1)); w.write(codes); w.write(levels)
            }
        }
    }

    public init(from r: inout ByteReader) throws {
        let rows = try r.readInt()
        let n = try r.readInt()
        var cols: [Column] = []
        for _ in 0..<n {
            let name = try r.readString()
            let tag = try r.readUInt8()
            let values: ColumnValues
            switch tag {
            case 0: values = .numeric(try r.readDoubles())
            case 1: values = .categorical(codes: try r.readInt32s(), levels: try r.readStrings())
            default: throw BinaryFormatError.badTag("column", tag)
            }
            guard values.count == rows else { throw BinaryFormatError.truncated }
            cols.append(Column(name: name, values: values))
        }
        self.init(columns: cols, rowCount: rows)
    }
}

extension Dataset: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.write(features)
        w.write(target)
        w.write(positiveLabel)
        w.write(negativeLabel)
        w.write(folds != nil)
        if let folds { w.write(folds) }
        w.write(preparation)
        w.write(ids != nil)
        if let ids { w.write(ids) }
        w.write(values != nil)
        if let values { w.write(values) }
        w.write(cutoffOfRow != nil)
        if let cutoffOfRow { w.write(cutoffs); w.write(cutoffOfRow) }
        w.write(groups != nil)
        if let groups { w.write(groups) }
        w.write(classNames != nil)
        if let classNames { w.write(classNames) }
        w.write(weights != nil)
        if let weights { w.write(weights) }
        // `kept` is not part of the cached form: carried columns are read when the predictions file is written.
    }

    public init(from r: inout ByteReader) throws {
        let features = try r.read(Table.self)
        let target = try r.readBytes()
        let pos = try r.readString()
        let neg = try r.readString()
        let folds = try r.readBool() ? try r.readInts() : nil
        let preparation = try r.readList(LogLine.self)
        let ids = try r.readBool() ? try r.readStrings() : nil
        let values = try r.readBool() ? try r.readDoubles() : nil
        let cutoffs = try r.readBool() ? (try r.readStrings(), try r.readInts()) : nil
        let groups = try r.readBool() ? try r.readInts() : nil
        let classNames = try r.readBool() ? try r.readStrings() : nil
        let weights = try r.readBool() ? try r.readDoubles() : nil
        let n = features.rowCount
        // A dataset without a target (task segment) has neither labels nor values.
        guard values.map({ $0.count == n }) ?? (target.count == n || target.isEmpty), values == nil || target.isEmpty, ids.map({ $0.count == n }) ?? true,
              folds.map({ $0.count == n }) ?? true, cutoffs.map({ $0.1.count == n && $0.1.allSatisfy($0.0.indices.contains) }) ?? true,
              groups.map({ $0.count == n }) ?? true, weights.map({ $0.count == n }) ?? true, classNames.map({ names in names.count >= 2 && target.allSatisfy { Int($0) < names.count } }) ?? true
        else { throw BinaryFormatError.truncated }
        self.init(features: features, target: target, positiveLabel: pos, negativeLabel: neg, folds: folds, preparation: preparation, ids: ids)
        self.values = values
        if let cutoffs { (self.cutoffs, self.cutoffOfRow) = cutoffs }
        self.groups = groups
        self.classNames = classNames
        self.weights = weights
    }
}

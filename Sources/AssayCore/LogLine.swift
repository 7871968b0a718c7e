/// One line of a log the report shows (what a join or cleaning step did): plain text and code spans (column
/// names, expressions) kept apart, so that each renderer escapes text from the data for its own format.
///
/// Written as a string: `"replace in \(code: column): \(n) cells changed"`; other interpolations are text.
public struct LogLine: Equatable, Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    public enum Part: Equatable, Sendable {
        case text(String)
        case code(String)
    }

    public private(set) var parts: [Part]

    public init(parts: [Part]) {
        self.parts = []
        for p in parts { append(p) }
    }

    public init(stringLiteral s: String) { self.init(parts: [.text(s)]) }

    public init(stringInterpolation i: StringInterpolation) { self.init(parts: i.parts) }

    /// Adjacent text parts merge, and empty text parts vanish, so equal lines have equal parts.
    private mutating func append(_ p: Part) {
        if case .text(let s) = p {
            if s.isEmpty { return }
            if case .text(let t)? = parts.last { parts[parts.count - 1] = .text(t + s); return }
        }
        parts.append(p)
    }

    public struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ s: String) { parts.append(.text(s)) }
        public mutating func appendInterpolation(_ v: some Any) { parts.append(.text("\(v)")) }
        public mutating func appendInterpolation(code: String) { parts.append(.code(code)) }
        public mutating func appendInterpolation(_ line: LogLine) { parts += line.parts }
    }

    /// The line as plain text, code spans in backticks (for a terminal).
    public var description: String {
        parts.map { if case .code(let c) = $0 { return "`\(c)`" } else if case .text(let t) = $0 { return t } else { return "" } }.joined()
    }
}

extension LogLine: BinaryCodable {
    public func encode(to w: inout ByteWriter) {
        w.write(parts.count)
        for p in parts {
            switch p {
            case .text(let s): w.write(UInt8(0)); w.write(s)
            case .code(let s): w.write(UInt8(1)); w.write(s)
            }
        }
    }

    public init(from r: inout ByteReader) throws {
        let n = try r.readCount()
        var parts: [Part] = []
        for _ in 0..<n {
            switch try r.readUInt8() {
            case 0: parts.append(.text(try r.readString()))
            case 1: parts.append(.code(try r.readString()))
            case let tag: throw BinaryFormatError.badTag("log line part", tag)
            }
        }
        self.init(parts: parts)
    }
}

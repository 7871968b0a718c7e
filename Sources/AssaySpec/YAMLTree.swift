import AssayCore
import Foundation
import Yams

/// Where a value came from: a line and column in a spec file, or a `--set` override.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int
    /// The `--set` path, when the value came from the command line.
    public let override: String?

    public init(file: String, line: Int, column: Int, override: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.override = override
    }

    public var description: String {
        if let override { return "--set \(override)" }
        return "\(file):\(line):\(column)"
    }
}

/// A YAML document as a Sendable tree whose every node knows its location.
public indirect enum YAMLNode: Sendable {
    public enum ScalarKind: Sendable { case null, bool, int, float, string }
    case scalar(text: String, kind: ScalarKind, at: SourceLocation)
    case map([(key: String, keyAt: SourceLocation, value: YAMLNode)], at: SourceLocation)
    case seq([YAMLNode], at: SourceLocation)

    public var location: SourceLocation {
        switch self {
        case .scalar(_, _, let l), .map(_, let l), .seq(_, let l): return l
        }
    }

    /// Parses YAML text; `file` names it in locations and errors.
    public static func parse(_ text: String, file: String, override: String? = nil) throws -> YAMLNode? {
        let parser: Parser, root: Node?
        do {
            parser = try Parser(yaml: text)
            root = try parser.singleRoot()
        } catch let error as YamlError {
            throw SpecError(at: Self.location(of: error, file: file, override: override), "invalid YAML: \(Self.summary(of: error))")
        }
        guard let root else { return nil }
        var anchors = Set<String>()
        // A node's anchor is a weak reference the parser owns: keep the parser alive while the tree is read.
        return try withExtendedLifetime(parser) { try convert(root, file: file, override: override, depth: 0, anchors: &anchors) }
    }

    /// How deeply values may nest in a spec: far beyond any real spec, and far short of exhausting the stack.
    static let maximumDepth = 64

    /// The tree of `node`. libyaml hands an alias back as the node its anchor names, so a node whose anchor was
    /// seen before is an alias: refused before it is expanded (nine levels of ten aliases each would be 10⁹ values).
    static func convert(_ node: Node, file: String, override: String?, depth: Int, anchors: inout Set<String>) throws -> YAMLNode {
        let loc = SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1, override: override)
        if let anchor = node.anchor?.rawValue, !anchors.insert(anchor).inserted {
            throw SpecError(at: loc, "YAML aliases are not supported (the value anchored here as '&\(anchor)' is reused); write the value out")
        }
        guard depth < maximumDepth else { throw SpecError(at: loc, "values nest more than \(maximumDepth) levels deep") }
        func child(_ n: Node) throws -> YAMLNode { try convert(n, file: file, override: override, depth: depth + 1, anchors: &anchors) }
        switch node {
        case .scalar(let s):
            let kind: ScalarKind
            if s.style != .plain { kind = .string } else {
                switch node.tag.rawValue {
                case Tag.Name.null.rawValue: kind = .null
                case Tag.Name.bool.rawValue: kind = .bool
                case Tag.Name.int.rawValue: kind = .int
                case Tag.Name.float.rawValue: kind = .float
                default: kind = .string
                }
            }
            return .scalar(text: s.string, kind: kind, at: loc)
        case .mapping(let m):
            var pairs: [(key: String, keyAt: SourceLocation, value: YAMLNode)] = []
            for (k, v) in m {
                let key = try child(k)
                guard case .scalar(let text, _, let keyAt) = key else { throw SpecError(at: key.location, "a key must be a plain value") }
                if pairs.contains(where: { $0.key == text }) { throw SpecError(at: keyAt, "duplicate key '\(text)'") }
                pairs.append((text, keyAt, try child(v)))
            }
            return .map(pairs, at: loc)
        case .sequence(let s):
            var items: [YAMLNode] = []
            for n in s { items.append(try child(n)) }
            return .seq(items, at: loc)
        case .alias:
            throw SpecError(at: loc, "YAML aliases are not supported; write the value out")
        }
    }

    static func location(of error: YamlError, file: String, override: String?) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return SourceLocation(file: file, line: mark.line, column: mark.column, override: override)
        case .duplicatedKeysInMapping(_, let context):
            return SourceLocation(file: file, line: context.mark.line, column: context.mark.column, override: override)
        default:
            return SourceLocation(file: file, line: 1, column: 1, override: override)
        }
    }

    static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _), .composer(let context, let problem, _, _):
            return [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key " + duplicates.map { "'\($0)'" }.joined(separator: ", ")
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "parse error"
        }
    }

    /// Replaces (or adds) the value at a dotted path; segments address map keys or, in a sequence, 0-based indices.
    public func setting(_ path: [String], to value: YAMLNode) throws -> YAMLNode {
        guard let head = path.first else { return value }
        let rest = Array(path.dropFirst())
        switch self {
        case .map(var pairs, let at):
            if let i = pairs.firstIndex(where: { $0.key == head }) {
                pairs[i].value = try pairs[i].value.setting(rest, to: value)
            } else if let n = (2...max(2, path.count)).reversed().first(where: { n in
                n <= path.count && pairs.contains { $0.key == path[..<n].joined(separator: ".") }
            }) {
                // A key that itself holds dots, such as a check's `test.roc_auc`.
                let key = path[..<n].joined(separator: ".")
                let i = pairs.firstIndex { $0.key == key }!
                pairs[i].value = try pairs[i].value.setting(Array(path[n...]), to: value)
            } else {
                let empty = YAMLNode.map([], at: value.location)
                pairs.append((head, value.location, try empty.setting(rest, to: value)))
            }
            return .map(pairs, at: at)
        case .seq(var items, let at):
            guard let i = Int(head), items.indices.contains(i) else {
                throw SpecError(at: value.location, "'\(head)' is not an index of the list at \(at) (0..\(items.count - 1))")
            }
            items[i] = try items[i].setting(rest, to: value)
            return .seq(items, at: at)
        case .scalar(_, _, let at):
            throw SpecError(at: value.location, "cannot set '\(path.joined(separator: "."))' inside the plain value at \(at)")
        }
    }
}

/// A problem with a spec, located in the file (or in a `--set` override).
public struct SpecError: Error, Equatable, CustomStringConvertible {
    public let location: SourceLocation?
    public let message: String

    public init(at location: SourceLocation?, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { location.map { "\($0): \(message)" } ?? message }
}

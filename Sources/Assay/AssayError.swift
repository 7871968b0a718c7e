import AssayData
import AssayEngine
import AssayLearn
import AssayReport
import AssaySpec

/// Every error `Assay` surfaces, by layer; the executable maps them to exit codes.
public enum AssayError: Error, CustomStringConvertible {
    /// The spec or the data it names is wrong: the user must change an input (exit 2).
    case spec(SpecError)
    case data(DataError)
    case input(String)
    case report(ReportError)
    /// Running failed (exit 1).
    case learn(LearnError, task: String)
    case engine(EngineError)
    /// `--assemble` found fits no shard has stored (exit 3): how many, then one line each.
    case missingFits(count: Int, lines: [String])

    public var description: String {
        switch self {
        case .spec(let e): return e.description
        case .data(let e): return e.description
        case .input(let s): return s
        case .report(let e): return e.description
        case .learn(let e, let task): return "\(task): \(e)"
        case .engine(let e): return e.description
        case .missingFits(let count, let lines):
            return "\(count) fit\(count == 1 ? " is" : "s are") not in the cache; run the shards that own \(count == 1 ? "it" : "them") (or the whole run) first:\n"
                + lines.map { "  " + $0 }.joined(separator: "\n")
        }
    }

    /// True when the user's input is at fault (exit code 2), false when the run failed (exit code 1).
    public var isBadInput: Bool {
        switch self {
        case .spec, .data, .input, .report: return true
        case .learn, .engine, .missingFits: return false
        }
    }

    static func wrap(_ error: Error, task: String = "run") -> AssayError {
        switch error {
        case let e as AssayError: return e
        case let e as SpecError: return .spec(e)
        case let e as DataError: return .data(e)
        case let e as LearnError: return .learn(e, task: task)
        case let e as EngineError: return .engine(e)
        case let e as ReportError: return .report(e)
        default: return .learn(.badParameter("\(error)"), task: task)
        }
    }
}

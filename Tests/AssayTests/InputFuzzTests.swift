@testable import Assay
import AssayCore
import AssayData
import AssayLearn
import AssaySpec
import Foundation
import TestSupport
import XCTest

/// Seeded mutation fuzzing of every reader of user input: the spec loader (the committed experiments as corpus),
/// the CSV reader with the loader behind it, and the row-expression parser (`FuzzCorpus/`). Each mutated input
/// must be read or refused with an error; a crash or a hang fails the run. `ASSAY_FUZZ_MUTATIONS=N` runs longer.
final class InputFuzzTests: XCTestCase {
    static var mutations: Int { ProcessInfo.processInfo.environment["ASSAY_FUZZ_MUTATIONS"].flatMap(Int.init) ?? 2_000 }
    static let corpus = TestPaths.repository.appendingPathComponent("Tests/AssayTests/FuzzCorpus")
    static let tokens = ["&a ", "*a", "[", "]", "{", "}", "'", "\"", "\n", "\r\n", "\\", ":", "- ", "((((", "1e999", ";", ",", "`", "\t",
                         "null", "-1", "99999999999999999999", "\u{0}", "é", "#", "|", "!", "%"].map { Array($0.utf8) }

    /// One mutation of `input`: flipped bytes, an inserted token, a deleted or repeated slice.
    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0...(rng.next() % 3) {
            let at = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch rng.next() % 4 {
            case 0 where !b.isEmpty: b[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            case 1: b.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
            case 2 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + Int(rng.next() % 16) + 1))
            default:
                let end = min(b.count, at + Int(rng.next() % 64))
                b.insert(contentsOf: Array(b[at..<end]), at: at)
            }
        }
        return b
    }

    func testSpecLoaderNeverCrashes() throws {
        let specs = try FileManager.default.contentsOfDirectory(atPath: TestPaths.repository.appendingPathComponent("experiments").path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
            .map { [UInt8](try Data(contentsOf: TestPaths.repository.appendingPathComponent("experiments/\($0)"))) }
        let catalog = ModelRegistry.standard.catalog
        var rng = SplitMix64(seed: 1), accepted = 0
        for k in 0..<Self.mutations {
            let text = String(decoding: Self.mutate(specs[k % specs.count], &rng), as: UTF8.self)
            if (try? SpecLoader.parse(text, file: "f.yaml", catalog: catalog).drawingRandomPoints(catalog: catalog)) != nil { accepted += 1 }
        }
        XCTAssertGreaterThan(accepted, 0, "some mutations are still valid specs")
    }

    func testCSVReaderAndLoaderNeverCrash() throws {
        let files = try ["quickstart-head.csv", "quirky.csv"].map { [UInt8](try Data(contentsOf: Self.corpus.appendingPathComponent($0))) }
        let options = [
            LoadOptions(target: "purchased", positive: "1", id: "student_id"),
            LoadOptions(csv: CSVOptions(delimiter: UInt8(ascii: ";"), decimal: UInt8(ascii: ",")), target: "y", positive: "yes", id: "id"),
        ]
        var rng = SplitMix64(seed: 2), loaded = 0
        for k in 0..<Self.mutations {
            let bytes = Self.mutate(files[k % 2], &rng), o = options[k % 2]
            guard let csv = try? CSVFile(bytes: bytes, displayName: "f.csv", options: o.csv) else { continue }
            if let data = try? DatasetLoader.load(csv, o) {
                loaded += 1
                _ = ColumnDiagnostics.warnings(data.features, decimal: o.csv.decimal, file: "f.csv")
                _ = TableProfile(data.features, target: data.target, roles: [:])
            }
        }
        XCTAssertGreaterThan(loaded, 0, "some mutations still load")
    }

    func testExpressionParserNeverCrashes() throws {
        let lines = try String(contentsOf: Self.corpus.appendingPathComponent("expressions.txt"), encoding: .utf8)
            .split(separator: "\n").map { Array($0.utf8) }
        var rng = SplitMix64(seed: 3), parsed = 0
        for k in 0..<Self.mutations {
            let text = String(decoding: Self.mutate(lines[k % lines.count], &rng), as: UTF8.self)
            if let e = try? RowExpression.parse(text) {
                parsed += 1
                XCTAssertEqual(try RowExpression.parse(e.display), e, "display text parses back: \(text)")
            }
        }
        XCTAssertGreaterThan(parsed, 0)
    }
}

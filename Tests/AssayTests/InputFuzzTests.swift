import AssayFuzzTargets
import Foundation
import TestSupport
import XCTest

/// The fuzz targets (`fuzz/`) in the test suite: every committed seed is accepted by its reader, and a seeded stream of
/// mutations of them is read or refused, never a crash. Coverage-guided runs with libFuzzer: `fuzz/run`.
/// `ASSAY_FUZZ_MUTATIONS=N` runs N mutations per target here (default 2,000; 1,000 for model files).
final class InputFuzzTests: XCTestCase {
    static let corpus = TestPaths.repository.appendingPathComponent("fuzz/corpus")
    static var mutations: Int? { ProcessInfo.processInfo.environment["ASSAY_FUZZ_MUTATIONS"].flatMap(Int.init) }

    /// The seeds must be valid inputs (a seed the reader refuses teaches the fuzzer little); for model files this
    /// also says the committed bodies are in the current format (`swift run assay-fuzz seed-models fuzz/corpus/model`).
    func testEverySeedIsAccepted() throws {
        for target in FuzzTarget.allCases {
            let seeds = try target.seeds(corpus: Self.corpus)
            XCTAssertGreaterThanOrEqual(seeds.count, target == .csv ? 2 : 5, target.rawValue)
            for (i, seed) in seeds.enumerated() {
                XCTAssertTrue(target.run(seed), "\(target.rawValue) seed \(i) is refused")
            }
        }
    }

    /// Inputs that once crashed a reader (found by `fuzz/run`, kept under `fuzz/regressions/TARGET/`) are refused now.
    func testFormerCrashersAreRefused() throws {
        let folder = TestPaths.repository.appendingPathComponent("fuzz/regressions")
        var count = 0
        for target in FuzzTarget.allCases {
            let dir = folder.appendingPathComponent(target.rawValue)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir.path))?.sorted() ?? [] {
                let bytes = try Data(contentsOf: dir.appendingPathComponent(name))
                XCTAssertFalse(target.run(Array(bytes)), "\(target.rawValue)/\(name) is read as valid")
                count += 1
            }
        }
        XCTAssertGreaterThan(count, 0)
    }

    func testMutatedInputsAreReadOrRefusedNeverCrash() throws {
        for target in FuzzTarget.allCases {
            let count = Self.mutations ?? (target == .model ? 1_000 : 2_000)
            let accepted = target.mutationLoop(seeds: try target.seeds(corpus: Self.corpus), count: count, seed: 2026)
            XCTAssertGreaterThan(accepted, 0, "\(target.rawValue): some mutations are still valid")
            XCTAssertLessThan(accepted, count, "\(target.rawValue): some mutations are refused")
        }
    }
}

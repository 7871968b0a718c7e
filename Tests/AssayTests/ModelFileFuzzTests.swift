@testable import Assay
import AssayCore
import AssayData
import AssayEngine
import Foundation
import XCTest

/// Model files altered on purpose, with a recomputed checksum: reading and scoring either refuse the file with
/// "damaged model file" or score every row with a probability in [0, 1]; never a crash or a runaway allocation.
extension PredictTests {
    /// `mutations` altered copies of each saved model, from a seeded stream.
    func testMutatedModelFilesAreRefusedOrScoredNeverCrash() throws {
        let outcome = try runExperiment()
        let csv = try CSVFile(contentsOf: dir.appendingPathComponent("t.csv"), displayName: "t.csv",
                              options: CSVOptions(delimiter: UInt8(ascii: ";"), decimal: UInt8(ascii: ",")))
        var rng = SplitMix64(seed: 2026)
        let head = SavedPipeline.magic.count + 36
        let interesting: [Int64] = [-1, 0, 1, 2, 255, 256, 1 << 31, 1 << 40, 1 << 62, Int64.max, Int64.min]
        var refused = 0, scored = 0
        for model in outcome.savedModels.keys.sorted() {
            let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: outcome.savedModels[model]!)))
            for _ in 0..<Self.mutations {
                var body = Array(original[head...])
                switch rng.next() % 3 {
                case 0:
                    for _ in 0...(rng.next() % 4) { body[Int(rng.next() % UInt64(body.count))] ^= UInt8(truncatingIfNeeded: rng.next() | 1) }
                case 1:
                    let at = Int(rng.next() % UInt64(body.count - 8))
                    let v = interesting[Int(rng.next() % UInt64(interesting.count))]
                    withUnsafeBytes(of: v.littleEndian) { for k in 0..<8 { body[at + k] = $0[k] } }
                default:
                    body = Array(body.prefix(Int(rng.next() % UInt64(body.count))))
                }
                let file = Array(original[..<(head - 32)]) + SHA256.hash(Data(body)) + body
                do {
                    let pipeline = try SavedPipeline(fileData: Data(file), file: "m")
                    let p = try pipeline.probabilities(for: csv)
                    XCTAssertEqual(p.count, csv.rowCount)
                    XCTAssertTrue(p.allSatisfy { $0.isNaN || ($0 >= 0 && $0 <= 1) }, "\(model): probabilities outside [0, 1]")
                    scored += 1
                } catch let e as AssayError {
                    XCTAssertTrue(e.isBadInput, "\(model): \(e)")
                    refused += 1
                } catch is DataError {
                    refused += 1  // the file's CSV options were altered: the input no longer reads as numbers
                }
            }
        }
        XCTAssertGreaterThan(refused, 0)
        print("model-file fuzz: \(refused) refused, \(scored) scored, no crash")
    }

    /// 120 per model in the test suite; `ASSAY_FUZZ_MUTATIONS=N swift test --filter testMutated` runs longer.
    static var mutations: Int { ProcessInfo.processInfo.environment["ASSAY_FUZZ_MUTATIONS"].flatMap(Int.init) ?? 120 }
}

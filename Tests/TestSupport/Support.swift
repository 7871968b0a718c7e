import AssayCore
import AssayLearn
import Foundation
import XCTest

/// Paths and helpers shared by the test targets.
public enum TestPaths {
    /// The repository root (found from this file's location).
    public static let repository: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/data` beside the repository; when it is absent the calling test is skipped (XCTest counts it
    /// as skipped, never as passed).
    public static func sharedData() throws -> URL {
        let dir = repository.deletingLastPathComponent().appendingPathComponent("shared/data")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("README.md").path) else {
            throw XCTSkip("../shared/data is not beside the repository")
        }
        return dir
    }

    /// A fresh empty temporary directory.
    public static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("assay-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Deterministic synthetic data for estimator tests.
public enum Synthetic {
    /// `rows` × `cols` standard-normal-ish features and labels from a noisy linear rule.
    public static func classification(rows: Int, cols: Int, seed: UInt64) -> (Matrix, [UInt8]) {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var x = Matrix(rows: rows, cols: cols)
        var y = [UInt8]()
        for i in 0..<rows {
            var z = -0.3
            for j in 0..<cols {
                let v = (uniform() + uniform() + uniform() - 1.5) * 2
                x[i, j] = v
                z += v * Double(j % 3 == 0 ? 1 : -0.5)
            }
            y.append(z + (uniform() - 0.5) * 2 > 0 ? 1 : 0)
        }
        return (x, y)
    }
}

/// The contract every estimator passes (house rule 9).
public enum EstimatorContract {
    public static func check<C: Classifier>(_ settings: C, file: StaticString = #filePath, line: UInt = #line) throws where C: Equatable {
        let (x, y) = Synthetic.classification(rows: 200, cols: 5, seed: 11)
        let before = settings
        var rng1 = SplitMix64(seed: 5), rng2 = SplitMix64(seed: 5)
        let a = try settings.fit(x, y, using: &rng1)
        XCTAssertEqual(settings, before, "fit changed the settings", file: file, line: line)
        let b = try settings.fit(x, y, using: &rng2)
        let pa = try a.predictProbabilities(x), pb = try b.predictProbabilities(x)
        XCTAssertEqual(pa, pb, "same seed, different model", file: file, line: line)
        XCTAssertTrue(pa.allSatisfy { $0 >= 0 && $0 <= 1 }, "probabilities outside [0, 1]", file: file, line: line)

        let subset = [3, 17, 42, 199, 0]
        XCTAssertEqual(try a.predictProbabilities(x.rows(subset)), subset.map { pa[$0] }, "subset predictions differ", file: file, line: line)

        var bad = x
        bad[4, 2] = .nan
        XCTAssertThrowsError(try settings.fit(bad, y, using: &rng1), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .nonFinite(row: 4, column: 2), file: file, line: line)
        }
        XCTAssertThrowsError(try a.predictProbabilities(bad), file: file, line: line)
        XCTAssertThrowsError(try settings.fit(Matrix(rows: 0, cols: 5), [], using: &rng1), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .empty, file: file, line: line)
        }
        XCTAssertThrowsError(try a.predictProbabilities(Matrix(rows: 2, cols: 4)), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .wrongWidth(expected: 5, got: 4), file: file, line: line)
        }
        XCTAssertThrowsError(try settings.fit(x, [UInt8](repeating: 1, count: 200), using: &rng1), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .singleClass, file: file, line: line)
        }

        let restored = try C.Fitted(decoding: a.encoded())
        let pr = try restored.predictProbabilities(x)
        XCTAssertEqual(pr.map(\.bitPattern), pa.map(\.bitPattern), "save/load changed predictions", file: file, line: line)
    }
}

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

/// Spec texts shared by the tests that parse specs.
public enum SpecFixtures {
    /// The smallest useful spec: one logistic regression over a two-point grid (`exp/s.yaml` locations assume it).
    public static let minimal = """
    assay: 1
    data:
      path: d.csv
      target: y
    models:
      lr:
        type: logistic_regression
        grid: {C: [0.1, 1]}
    """
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
    /// Checks one classifier's settings (its type must be in `registry`, to be read back).
    public static func check<C: Classifier & Equatable>(_ settings: C, registry: ModelRegistry = .standard,
                                                        file: StaticString = #filePath, line: UInt = #line) throws {
        try check(AnyClassifier(settings, tag: C.definition.tag), registry: registry, file: file, line: line)
    }

    /// Fitting leaves the settings unchanged, the same seed gives the same model, predicting a subset equals a
    /// subset of predicting all, NaN, empty, single-class and wrong-width input are refused with the right error,
    /// and saving and reading back (through `registry`) keeps predictions bit-identical.
    public static func check(_ estimator: AnyClassifier, registry: ModelRegistry = .standard,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let (x, y) = Synthetic.classification(rows: 200, cols: 5, seed: 11)
        let before = estimator
        let a = try estimator.fit(x, y, seed: 5)
        XCTAssertTrue(estimator.hasSameSettings(as: before), "fit changed the settings", file: file, line: line)
        let b = try estimator.fit(x, y, seed: 5)
        let pa = try a.predictProbabilities(x), pb = try b.predictProbabilities(x)
        XCTAssertEqual(pa, pb, "same seed, different model", file: file, line: line)
        XCTAssertTrue(pa.allSatisfy { $0 >= 0 && $0 <= 1 }, "probabilities outside [0, 1]", file: file, line: line)

        let subset = [3, 17, 42, 199, 0]
        XCTAssertEqual(try a.predictProbabilities(x.rows(subset)), subset.map { pa[$0] }, "subset predictions differ", file: file, line: line)

        var bad = x
        bad[4, 2] = .nan
        XCTAssertThrowsError(try estimator.fit(bad, y, seed: 5), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .nonFinite(row: 4, column: 2), file: file, line: line)
        }
        XCTAssertThrowsError(try a.predictProbabilities(bad), file: file, line: line)
        XCTAssertThrowsError(try estimator.fit(Matrix(rows: 0, cols: 5), [], seed: 5), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .empty, file: file, line: line)
        }
        XCTAssertThrowsError(try a.predictProbabilities(Matrix(rows: 2, cols: 4)), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .wrongWidth(expected: 5, got: 4), file: file, line: line)
        }
        XCTAssertThrowsError(try estimator.fit(x, [UInt8](repeating: 1, count: 200), seed: 5), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .singleClass, file: file, line: line)
        }

        var r = ByteReader(a.encoded())
        let restored = try registry.decode(from: &r)
        XCTAssertTrue(r.isAtEnd, "reading back left bytes unread", file: file, line: line)
        XCTAssertEqual(restored.tag, a.tag, file: file, line: line)
        let pr = try restored.predictProbabilities(x)
        XCTAssertEqual(pr.map(\.bitPattern), pa.map(\.bitPattern), "save/load changed predictions", file: file, line: line)
    }
}

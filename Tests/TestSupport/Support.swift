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

    /// A Python with scikit-learn and pandas (the peer's environment): `ASSAY_PEER_PYTHON`, else `/tmp/peer/bin/python`;
    /// when neither imports them the calling test is skipped. CI sets `ASSAY_PEER_PYTHON` to a venv it makes.
    public static func peerPython() throws -> String {
        let candidates = [ProcessInfo.processInfo.environment["ASSAY_PEER_PYTHON"], "/tmp/peer/bin/python"].compactMap { $0 }
        for python in candidates where FileManager.default.isExecutableFile(atPath: python) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: python)
            p.arguments = ["-c", "import sklearn, pandas"]
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
            try p.run(); p.waitUntilExit()
            if p.terminationStatus == 0 { return python }
        }
        throw XCTSkip("no Python with scikit-learn and pandas: set ASSAY_PEER_PYTHON (tried \(candidates.joined(separator: ", ")))")
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

    /// `rows` × `cols` features and a target from a noisy linear rule with one bend (so trees and linear models differ).
    public static func regression(rows: Int, cols: Int, seed: UInt64) -> (Matrix, [Double]) {
        var rng = SplitMix64(seed: seed)
        func uniform() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var x = Matrix(rows: rows, cols: cols)
        var y = [Double]()
        for i in 0..<rows {
            var z = 3.0
            for j in 0..<cols {
                let v = (uniform() + uniform() + uniform() - 1.5) * 2
                x[i, j] = v
                z += v * Double(j % 3 == 0 ? 2 : -1) + (j == 0 && v > 0 ? v * v : 0)
            }
            y.append(z + (uniform() - 0.5))
        }
        return (x, y)
    }
}

/// The contract every estimator passes (house rule 9).
public enum EstimatorContract {
    /// Checks one classifier's settings (its type must be in `registry`, to be read back).
    public static func check<C: Classifier & Equatable>(_ settings: C, registry: ModelRegistry = .standard,
                                                        file: StaticString = #filePath, line: UInt = #line) throws {
        try check(AnyEstimator(settings, tag: C.definition.tag), registry: registry, file: file, line: line)
    }

    /// Fitting leaves the settings unchanged, the same seed gives the same model, predicting a subset equals a
    /// subset of predicting all, NaN, empty, single-class and wrong-width input are refused with the right error,
    /// and saving and reading back (through `registry`) keeps predictions bit-identical.
    public static func check(_ estimator: AnyEstimator, registry: ModelRegistry = .standard,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let (x, y) = Synthetic.classification(rows: 200, cols: 5, seed: 11)
        let before = estimator
        let a = try estimator.fit(x, y, seed: 5)
        XCTAssertTrue(estimator.hasSameSettings(as: before), "fit changed the settings", file: file, line: line)
        let b = try estimator.fit(x, y, seed: 5)
        let pa = try a.predict(x), pb = try b.predict(x)
        XCTAssertEqual(pa, pb, "same seed, different model", file: file, line: line)
        XCTAssertTrue(pa.allSatisfy { $0 >= 0 && $0 <= 1 }, "probabilities outside [0, 1]", file: file, line: line)

        let subset = [3, 17, 42, 199, 0]
        XCTAssertEqual(try a.predict(x.rows(subset)), subset.map { pa[$0] }, "subset predictions differ", file: file, line: line)

        var bad = x
        bad[4, 2] = .nan
        XCTAssertThrowsError(try estimator.fit(bad, y, seed: 5), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .nonFinite(row: 4, column: 2), file: file, line: line)
        }
        XCTAssertThrowsError(try a.predict(bad), file: file, line: line)
        XCTAssertThrowsError(try estimator.fit(Matrix(rows: 0, cols: 5), [], seed: 5), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .empty, file: file, line: line)
        }
        XCTAssertThrowsError(try a.predict(Matrix(rows: 2, cols: 4)), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .wrongWidth(expected: 5, got: 4), file: file, line: line)
        }
        XCTAssertThrowsError(try estimator.fit(x, [UInt8](repeating: 1, count: 200), seed: 5), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .singleClass, file: file, line: line)
        }

        try checkRoundTrip(a, x, pa, registry: registry, file: file, line: line)
    }

    /// Saving and reading back (through `registry`) keeps the predictions `pa` of `x` bit-identical.
    static func checkRoundTrip(_ a: FittedModel, _ x: Matrix, _ pa: [Double], registry: ModelRegistry, file: StaticString, line: UInt) throws {
        var r = ByteReader(a.encoded())
        let restored = try registry.decode(from: &r)
        XCTAssertTrue(r.isAtEnd, "reading back left bytes unread", file: file, line: line)
        XCTAssertEqual(restored.tag, a.tag, file: file, line: line)
        let pr = try restored.predict(x)
        XCTAssertEqual(pr.map(\.bitPattern), pa.map(\.bitPattern), "save/load changed predictions", file: file, line: line)
    }

    /// The multiclass classifier's contract: fitting leaves the settings unchanged, the same seed gives the same model,
    /// each row's class probabilities are finite and sum to 1, predicting a subset equals a subset of predicting all,
    /// NaN input and a missing class are refused, binary labels are refused, and saving and reading back keeps
    /// predictions bit-identical.
    public static func checkMulticlass(_ estimator: AnyEstimator, registry: ModelRegistry = .standard,
                                       file: StaticString = #filePath, line: UInt = #line) throws {
        let (x, z) = Synthetic.regression(rows: 200, cols: 5, seed: 13)
        let sorted = z.sorted()
        let y = z.map { v in UInt8(v < sorted[66] ? 0 : v < sorted[133] ? 1 : 2) }
        let before = estimator
        let a = try estimator.fit(x, .classes(y, count: 3), seed: 5)
        XCTAssertTrue(estimator.hasSameSettings(as: before), "fit changed the settings", file: file, line: line)
        let pa = try a.predict(x), pb = try estimator.fit(x, .classes(y, count: 3), seed: 5).predict(x)
        XCTAssertEqual(pa, pb, "same seed, different model", file: file, line: line)
        XCTAssertEqual(pa.count, 600, "three probabilities per row", file: file, line: line)
        for i in 0..<200 {
            XCTAssertEqual(pa[3 * i] + pa[3 * i + 1] + pa[3 * i + 2], 1, accuracy: 1e-9, "row \(i)'s probabilities", file: file, line: line)
        }
        let subset = [3, 17, 42, 199, 0]
        XCTAssertEqual(try a.predict(x.rows(subset)), subset.flatMap { r in (0..<3).map { pa[3 * r + $0] } }, "subset predictions differ", file: file, line: line)
        var bad = x
        bad[4, 2] = .nan
        XCTAssertThrowsError(try estimator.fit(bad, .classes(y, count: 3), seed: 5), file: file, line: line)
        XCTAssertThrowsError(try a.predict(bad), file: file, line: line)
        XCTAssertThrowsError(try estimator.fit(x, .classes(y.map { min($0, 1) }, count: 3), seed: 5), "a class with no row", file: file, line: line)
        XCTAssertThrowsError(try estimator.fit(x, .labels(y.map { min($0, 1) }), seed: 5), "a multiclass model fitted binary labels", file: file, line: line)
        try checkRoundTrip(a, x, pa, registry: registry, file: file, line: line)
    }

    /// The regressor's contract: fitting leaves the settings unchanged, the same seed gives the same model, predictions
    /// are finite and track the target, predicting a subset equals a subset of predicting all, NaN, empty and
    /// wrong-width input are refused with the right error, binary labels are refused, and saving and reading back
    /// keeps predictions bit-identical.
    public static func checkRegressor(_ estimator: AnyEstimator, registry: ModelRegistry = .standard,
                                      file: StaticString = #filePath, line: UInt = #line) throws {
        let (x, y) = Synthetic.regression(rows: 200, cols: 5, seed: 11)
        let before = estimator
        let a = try estimator.fit(x, .values(y), seed: 5)
        XCTAssertTrue(estimator.hasSameSettings(as: before), "fit changed the settings", file: file, line: line)
        let pa = try a.predict(x), pb = try estimator.fit(x, .values(y), seed: 5).predict(x)
        XCTAssertEqual(pa, pb, "same seed, different model", file: file, line: line)
        XCTAssertTrue(pa.allSatisfy(\.isFinite), "a prediction is not finite", file: file, line: line)
        let subset = [3, 17, 42, 199, 0]
        XCTAssertEqual(try a.predict(x.rows(subset)), subset.map { pa[$0] }, "subset predictions differ", file: file, line: line)
        var bad = x
        bad[4, 2] = .nan
        XCTAssertThrowsError(try estimator.fit(bad, .values(y), seed: 5), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .nonFinite(row: 4, column: 2), file: file, line: line)
        }
        XCTAssertThrowsError(try a.predict(bad), file: file, line: line)
        XCTAssertThrowsError(try estimator.fit(Matrix(rows: 0, cols: 5), .values([]), seed: 5), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .empty, file: file, line: line)
        }
        XCTAssertThrowsError(try a.predict(Matrix(rows: 2, cols: 4)), file: file, line: line) {
            XCTAssertEqual($0 as? LearnError, .wrongWidth(expected: 5, got: 4), file: file, line: line)
        }
        XCTAssertThrowsError(try estimator.fit(x, .labels(y.map { $0 > 3 ? 1 : 0 }), seed: 5), "a regressor fitted binary labels", file: file, line: line)
        try checkRoundTrip(a, x, pa, registry: registry, file: file, line: line)
    }
}

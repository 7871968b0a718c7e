import AssayCore
import Foundation
import XCTest

final class CoreTests: XCTestCase {
    func testSplitMixIsStableAcrossRuns() {
        // Reference outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        var g = SplitMix64(seed: 0)
        XCTAssertEqual(g.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(g.next(), 0x6E78_9E6A_A1B9_65F4)
    }

    /// The same values as numpy 2's `RandomState(42)` / `RandomState(7)` (printed in the peer's environment).
    func testNumpyRandomStateReproducesNumpy() {
        var rs = NumpyRandomState(seed: 42)
        XCTAssertEqual(rs.randomSample(), 0.3745401188473625)
        XCTAssertEqual(rs.uniform(-0.3, 0.3), 0.27042858384594964)
        XCTAssertEqual(rs.permutation(10), [3, 9, 0, 8, 5, 2, 1, 6, 4, 7])
        XCTAssertEqual(Array(rs.permutation(100_000).prefix(5)), [95776, 5040, 19957, 32092, 33982])
        var seven = NumpyRandomState(seed: 7)
        var a = Array(0..<20)
        seven.shuffle(&a)
        XCTAssertEqual(a, [1, 17, 2, 5, 11, 0, 18, 6, 13, 19, 10, 14, 8, 16, 9, 12, 7, 3, 4, 15])
    }

    func testSeedDerivationDependsOnSeedAndPurpose() {
        XCTAssertEqual(Seeds.derive(1, "a"), Seeds.derive(1, "a"))
        XCTAssertNotEqual(Seeds.derive(1, "a"), Seeds.derive(2, "a"))
        XCTAssertNotEqual(Seeds.derive(1, "a"), Seeds.derive(1, "b"))
    }

    func testJSONNumbersHaveFixedSignificantDigits() {
        XCTAssertEqual(NumberFormat.json(0.942187654), "0.942188")
        XCTAssertEqual(NumberFormat.json(0.0051), "0.0051")
        XCTAssertEqual(NumberFormat.json(3), "3")
        XCTAssertEqual(NumberFormat.json(-0.0), "0")
        XCTAssertEqual(NumberFormat.json(1.5e-7), "1.5e-07")
        XCTAssertEqual(NumberFormat.json(.nan), "null")
        XCTAssertEqual(NumberFormat.fixed(-0.00001), "0.0000")
    }

    func testTableRoundTripsThroughBinary() throws {
        let t = Table(columns: [
            Column(name: "x", values: .numeric([1, .nan, -2.5])),
            Column(name: "страна", values: .categorical(codes: [0, -1, 1], levels: ["NA", "US"])),
        ], rowCount: 3)
        let d = Dataset(features: t, target: [1, 0, 1], positiveLabel: "да", negativeLabel: "нет", folds: [0, 1, -1])
        let back = try Dataset(decoding: d.encoded())
        XCTAssertEqual(back.features.columns[1], t.columns[1])
        XCTAssertEqual(back.target, d.target)
        XCTAssertEqual(back.folds, d.folds)
        guard case .numeric(let v) = back.features.columns[0].values else { return XCTFail("not numeric") }
        XCTAssertEqual(v[0], 1); XCTAssertTrue(v[1].isNaN)
    }

    func testTruncatedBinaryThrowsInsteadOfTrapping() {
        let data = Table(columns: [Column(name: "x", values: .numeric([1, 2]))], rowCount: 2).encoded()
        for cut in [0, 5, data.count - 1] {
            XCTAssertThrowsError(try Table(decoding: data.prefix(cut)))
        }
    }

    func testSuggestionsFindTypos() {
        XCTAssertEqual(Suggest.closest(to: "gird", among: ["grid", "params", "type"]), "grid")
        XCTAssertEqual(Suggest.closest(to: "logistic_regresion", among: ["logistic_regression", "knn", "naive_bayes", "dummy"]), "logistic_regression")
        XCTAssertNil(Suggest.closest(to: "zzzzzz", among: ["grid", "params"]))
    }

    func testSeededShuffleIsAPermutationAndRepeatable() {
        var a = Array(0..<50), b = a
        var g1 = SplitMix64(seed: 3), g2 = SplitMix64(seed: 3)
        a.seededShuffle(using: &g1); b.seededShuffle(using: &g2)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.sorted(), Array(0..<50))
        XCTAssertNotEqual(a, Array(0..<50))
    }
}

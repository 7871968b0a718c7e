@testable import AssayCore
@testable import AssayLearn
import Foundation
import TestSupport
import XCTest

/// Preprocessing and resampling against scikit-learn / imbalanced-learn on fixed inputs.
/// The reference numbers come from `Fixtures/preprocessing_reference.py` (run in the peer's environment).
final class PreprocessingReferenceTests: XCTestCase {
    // Rows 0–7 train; rows 8–10 are scored: (a, b) = (NaN, NaN), (3, 4), (0, 0) and c = x, q (unseen), w.
    let table = Table(columns: [
        Column(name: "a", values: .numeric([1, 2, .nan, 4, 10, 6, .nan, 8, .nan, 3, 0])),
        Column(name: "b", values: .numeric([0.5, -1, 3, 3, 2, 7, 1, 0, .nan, 4, 0])),
        Column(name: "c", values: .categorical(codes: [0, 1, 0, -1, 2, 0, 3, 1, 0, 4, 3], levels: ["x", "y", "z", "w", "q"])),
    ], rowCount: 11)
    let train = Array(0..<8)
    let labels: [UInt8] = [1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0]

    func output(_ steps: [PreprocessStep], rows: [Int], columns: Range<Int>? = nil) throws -> [[Double]] {
        let fitted = try Preprocessing(steps).fit(table, rows: train, labels: labels)
        let m = try fitted.transform(table, rows: rows)
        let chosen = columns ?? 0..<m.cols
        return (0..<m.rows).map { r in chosen.map { m.values[r * m.cols + $0] } }
    }

    func assertClose(_ a: [[Double]], _ b: [[Double]], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        for (x, y) in zip(a, b) {
            XCTAssertEqual(x.count, y.count, file: file, line: line)
            for (p, q) in zip(x, y) { XCTAssertEqual(p, q, accuracy: 1e-12, "\(a) vs \(b)", file: file, line: line) }
        }
    }

    func testImputersWithIndicatorMatchSimpleImputer() throws {
        let expected: [ImputeStrategy: [[Double]]] = [.mean: [[5.166666666666667, 1.9375, 1.0], [3.0, 4.0, 0.0]], .median: [[5.0, 1.5, 1.0], [3.0, 4.0, 0.0]],
                                                      .mostFrequent: [[1.0, 3.0, 1.0], [3.0, 4.0, 0.0]]]
        for (strategy, want) in expected {
            assertClose(try output([.impute(ImputeStep(numeric: strategy, addIndicator: true))], rows: [8, 9], columns: 0..<3), want)
        }
        assertClose(try output([.impute(ImputeStep(numeric: .constant, value: .int(-7)))], rows: [8], columns: 0..<1), [[-7]])
    }

    func testScalersMatchScikitLearn() throws {
        let expected: [ScaleMethod: [[Double]]] = [.standard: [[-0.7703435325300544, 0.8873661336210741], [-1.8578873431607195, -0.8335863679470696]], .minmax: [[0.2222222222222222, 0.625], [-0.1111111111111111, 0.125]],
                                                   .robust: [[-0.6666666666666666, 0.9523809523809523], [-1.6666666666666667, -0.5714285714285714]]]
        for (method, want) in expected {
            assertClose(try output([.impute(ImputeStep()), .scale(method, columns: .all)], rows: [9, 10], columns: 0..<2), want)
        }
    }

    func testOneHotInfrequentCategoriesMatchOneHotEncoder() throws {
        let impute = PreprocessStep.impute(ImputeStep(categorical: .constant))
        // min_frequency=2, handle_unknown=infrequent_if_exist: columns x, y, infrequent_sklearn; the unseen 'q' goes to infrequent.
        let minFrequency = try output([impute, .encode(EncodeStep(method: .onehot, handleUnknown: .infrequentIfExist, minFrequency: 2))],
                                      rows: [8, 9, 10], columns: 2..<5)
        assertClose(minFrequency, [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
        let fitted = try Preprocessing([impute, .encode(EncodeStep(method: .onehot, maxCategories: 3))]).fit(table, rows: train)
        XCTAssertEqual(fitted.categorical[0].categories, ["x", "y"])
        XCTAssertEqual(fitted.categorical[0].infrequent, ["missing", "w", "z"])
        assertClose(try output([impute, .encode(EncodeStep(method: .onehot, maxCategories: 3))], rows: [8, 9, 10], columns: 2..<5),
                    [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
        XCTAssertThrowsError(try output([impute, .encode(EncodeStep(method: .onehot, handleUnknown: .error))], rows: [9])) {
            XCTAssertTrue("\($0)".hasSuffix("encode: column 'c' has category 'q', unseen in the training rows (handle_unknown: error)"), "\($0)")
        }
    }

    func testOrdinalOrderMatchesOrdinalEncoderCategories() throws {
        let order = EncodeStep(method: .ordinal, order: ["c": ["z", "y", "x", "w", "missing", "q"]])
        assertClose(try output([.impute(ImputeStep(categorical: .constant)), .encode(order)], rows: [8, 9, 10], columns: 2..<3), [[2.0], [5.0], [3.0]])
        XCTAssertThrowsError(try output([.encode(EncodeStep(method: .ordinal, order: ["c": ["x", "y"]]))], rows: [8]))
    }

    func testTargetEncodingMatchesTargetEncoder() throws {
        let impute = PreprocessStep.impute(ImputeStep(categorical: .constant))
        let auto = try Preprocessing([impute, .encode(EncodeStep(method: .target))]).fit(table, rows: train, labels: labels)
        XCTAssertEqual(auto.categorical[0].categories, ["missing", "w", "x", "y", "z"])
        assertClose([Array(auto.categorical[0].encodings.dropLast())], [[0.0, 0.0, 1.0, 0.5, 0.0]])
        XCTAssertEqual(auto.categorical[0].encodings.last, 0.5)
        assertClose(try output([impute, .encode(EncodeStep(method: .target))], rows: [8, 9, 10], columns: 2..<3), [[1.0], [0.5], [0.0]])
        var two = EncodeStep(method: .target)
        two.smooth = 2
        let smoothed = try Preprocessing([impute, .encode(two)]).fit(table, rows: train, labels: labels)
        assertClose([Array(smoothed.categorical[0].encodings.dropLast())], [[0.3333333333333333, 0.3333333333333333, 0.8, 0.5, 0.3333333333333333]])
        // The training rows get cross-fitted values: each from the other inner folds only.
        let crossFitted = try auto.transform(table, rows: train, training: true)
        XCTAssertEqual(crossFitted.rows, 8)
        XCTAssertNotEqual(crossFitted, try auto.transform(table, rows: train))
        XCTAssertThrowsError(try auto.transform(table, rows: [0, 1], training: true))
    }

    func testLog1pAndQuantileClip() throws {
        assertClose(try output([.impute(ImputeStep()), .log1p(columns: ColumnSelector(names: ["a"]))], rows: [9], columns: 0..<2), [[Foundation.log1p(3), 4]])
        // numpy.percentile of the training rows' b (0.5, -1, 3, 3, 2, 7, 1, 0) at 25 and 75: 0.375 and 3.
        assertClose(try output([.clip(ClipStep(quantiles: [0.25, 0.75], columns: ColumnSelector(names: ["b"])))], rows: [9, 10], columns: 1..<2), [[3], [0.375]])
    }

    static let x: [[Double]] = [
        [1.764052345967664, 0.4001572083672233, 0.9787379841057392],
        [2.240893199201458, 1.8675579901499675, -0.977277879876411],
        [0.9500884175255894, -0.1513572082976979, -0.10321885179355784],
        [0.41059850193837233, 0.144043571160878, 1.454273506962975],
        [0.7610377251469934, 0.12167501649282841, 0.44386323274542566],
        [0.33367432737426683, 1.4940790731576061, -0.20515826376580087],
        [0.31306770165090136, -0.8540957393017248, -2.5529898158340787],
        [0.6536185954403606, 0.8644361988595057, -0.7421650204064419],
        [2.2697546239876076, -1.4543656745987648, 0.04575851730144607],
        [-0.1871838500258336, 1.5327792143584575, 1.469358769900285],
        [0.1549474256969163, 0.37816251960217356, -0.8877857476301128],
        [-1.980796468223927, -0.3479121493261526, 0.15634896910398005],
        [1.2302906807277207, 1.2023798487844113, -0.3873268174079523],
        [-0.30230275057533557, -1.0485529650670926, -1.4200179371789752],
        [-1.7062701906250126, 1.9507753952317897, -0.5096521817516535],
        [-0.4380743016111864, -1.2527953600499262, 0.7774903558319101],
        [-1.6138978475579515, -0.2127402802139687, -0.8954665611936756],
        [0.386902497859262, -0.510805137568873, -1.180632184122412],
        [-0.028182228338654868, 0.42833187053041766, 0.06651722238316789],
        [0.3024718977397814, -0.6343220936809636, -0.3627411659871381],
        [-0.672460447775951, -0.3595531615405413, -0.813146282044454],
        [-1.7262826023316769, 0.17742614225375283, -0.4017809362082619],
        [-1.6301983469660446, 0.4627822555257742, -0.9072983643832422],
        [0.05194539579613895, 0.7290905621775369, 0.12898291075741067],
        [1.1394006845433007, -1.2348258203536526, 0.402341641177549],
        [-0.6848100909403132, -0.8707971491818818, -0.5788496647644155],
        [-0.31155253212737266, 0.05616534222974544, -1.1651498407833565],
        [0.9008264869541871, 0.46566243973045984, -1.5362436862772237],
        [1.4882521937955997, 1.8958891760305832, 1.1787795711596507],
        [-0.17992483581235091, -1.0707526215105425, 1.0544517269311366],
        [-0.40317694697317963, 1.2224450703824274, 0.2082749780768603],
        [0.9766390364837128, 0.3563663971744019, 0.7065731681919482],
        [0.010500020720820478, 1.7858704939058352, 0.12691209270361992],
        [0.40198936344470165, 1.8831506970562544, -1.3477590611424464],
        [-1.2704849984857336, 0.9693967081580112, -1.17312340511416],
        [1.9436211856492926, -0.41361898075974735, -0.7474548114407578],
        [1.9229420264803847, 1.4805147914344243, 1.8675589604265699],
        [0.9060446582753853, -0.8612256850547025, 1.9100649530990337],
        [-0.2680033709513804, 0.8024563957963952, 0.947251967773748],
        [-0.1550100930908342, 0.6140793703460803, 0.9222066715665268],
    ]
    static let y: [UInt8] = [UInt8](repeating: 1, count: 12) + [UInt8](repeating: 0, count: 28)

    func testSmoteNeighboursAndCountsMatchImbalancedLearn() throws {
        let x = Matrix(rows: 40, cols: 3, values: Self.x.flatMap { $0 })
        let members = Array(0..<12)
        let nn = Resampler.neighbours(12, k: 3) { Resampler.squaredDistance(x, members[$0], members[$1], columns: [0, 1, 2]) }
        XCTAssertEqual(nn, [[4, 3, 2], [7, 5, 0], [4, 7, 10], [4, 0, 9], [2, 3, 0], [7, 10, 4], [10, 7, 2], [10, 5, 2], [2, 0, 4], [3, 5, 4], [7, 2, 5], [10, 3, 4]])
        var rng = SplitMix64(seed: 7)
        let (out, labels) = try Resampler.resample(x, Self.y, ResampleStep(method: .smote, kNeighbors: 3), using: &rng)
        XCTAssertEqual(out.rows, 56)
        XCTAssertEqual(labels.filter { $0 == 1 }.count, 28)
        XCTAssertEqual(Array(out.values.prefix(120)), x.values, "the original rows come first, unchanged")
        // Every synthetic row lies on the segment from a minority row to one of its k neighbours.
        for r in 40..<out.rows {
            let p = out.row(r)
            let onSegment = members.contains { i in
                nn[i].contains { j in
                    let a = x.row(i), b = x.row(j)
                    let t = (p[0] - a[0]) / (b[0] - a[0])
                    return t >= 0 && t < 1 && (0..<3).allSatisfy { abs(a[$0] + t * (b[$0] - a[$0]) - p[$0]) < 1e-9 }
                }
            }
            XCTAssertTrue(onSegment, "row \(r) is not between a minority row and one of its neighbours")
        }
        let (_, ratio) = try Resampler.resample(x, Self.y, ResampleStep(method: .smote, kNeighbors: 3, samplingStrategy: 0.6), using: &rng)
        XCTAssertEqual(ratio.count, 44)
        XCTAssertEqual(ratio.filter { $0 == 1 }.count, 16)
    }

    func testRandomUnderAndOversamplingCounts() throws {
        let x = Matrix(rows: 40, cols: 3, values: Self.x.flatMap { $0 })
        var rng = SplitMix64(seed: 1)
        let (under, yu) = try Resampler.resample(x, Self.y, ResampleStep(method: .undersample), using: &rng)
        XCTAssertEqual(yu.filter { $0 == 0 }.count, 12)
        XCTAssertEqual(Array(under.values.prefix(36)), Array(x.values.prefix(36)), "every minority row is kept")
        let (_, half) = try Resampler.resample(x, Self.y, ResampleStep(method: .undersample, samplingStrategy: 0.5), using: &rng)
        XCTAssertEqual(half.filter { $0 == 0 }.count, 24, "int(12 / 0.5)")
        let (over, yo) = try Resampler.resample(x, Self.y, ResampleStep(method: .oversample), using: &rng)
        XCTAssertEqual(yo.filter { $0 == 1 }.count, 28)
        for r in 40..<over.rows { XCTAssertTrue((0..<12).contains { x.row($0) == over.row(r) }, "oversampled rows are copies of minority rows") }
    }

    func testSmoteNCTakesTheNeighboursMostFrequentCategory() throws {
        // Column 0 numeric; columns 1–2 one-hot of a category that every minority row but one has as 'A'.
        var values: [Double] = []
        var y: [UInt8] = []
        for i in 0..<10 { values += [Double(i), i == 9 ? 0 : 1, i == 9 ? 1 : 0]; y.append(1) }
        for i in 0..<30 { values += [Double(i) + 0.5, 0, 1]; y.append(0) }
        let x = Matrix(rows: 40, cols: 3, values: values)
        var rng = SplitMix64(seed: 3)
        let (out, labels) = try Resampler.resample(x, y, ResampleStep(method: .smoteNC, kNeighbors: 3), categoricalBlocks: [1..<3], using: &rng)
        XCTAssertEqual(labels.filter { $0 == 1 }.count, 30)
        for r in 40..<out.rows {
            let row = out.row(r)
            XCTAssertEqual(row[1] + row[2], 1, "the category stays one-hot")
            XCTAssertEqual(row[1], 1, "the most frequent category among any row's 3 neighbours is 'A'")
            XCTAssertTrue(row[0] >= 0 && row[0] <= 9)
        }
        XCTAssertThrowsError(try Resampler.resample(x, y, ResampleStep(method: .smoteNC), using: &rng))
    }
}

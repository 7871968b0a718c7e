import AssayCore
import AssayLearn
@testable import Assay
import TestSupport
import XCTest

/// Fit on rows A, change every other row (B: validation and test rows), and nothing fitted may change.
final class LeakageTests: XCTestCase {
    func data(changed: Bool) -> Dataset {
        let n = 60
        var rng = SplitMix64(seed: 11)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var a: [Double] = [], b: [Double] = [], codes: [Int32] = [], city: [Int32] = [], y: [UInt8] = []
        for i in 0..<n {
            let inB = i >= 40
            let alter = inB && changed
            a.append(alter ? 1000 + u() : (i % 7 == 0 ? .nan : u() * 10))
            b.append(alter ? -500 : u())
            codes.append(alter ? 3 : Int32(i % 3))           // level 3 ('new') appears only in B when changed
            city.append(alter ? 4 : Int32(i % 4))
            y.append(alter ? 1 : UInt8(i % 3 == 0 ? 1 : 0))
        }
        let table = Table(columns: [
            Column(name: "a", values: .numeric(a)), Column(name: "b", values: .numeric(b)),
            Column(name: "plan", values: .categorical(codes: codes, levels: ["free", "basic", "pro", "new"])),
            Column(name: "city", values: .categorical(codes: city, levels: ["c0", "c1", "c2", "c3", "c4"])),
        ], rowCount: n)
        return Dataset(features: table, target: y, positiveLabel: "1", negativeLabel: "0", folds: nil)
    }

    let rowsA = Array(0..<40)

    /// Every fitted step kind, each fitted on rows A only.
    let steps: [PreprocessStep] = [
        .impute(ImputeStep(numeric: .mean, categorical: .mostFrequent, addIndicator: true)),
        .clip(ClipStep(quantiles: [0.05, 0.95], columns: ColumnSelector(names: ["b"]))),
        .log1p(columns: ColumnSelector(names: ["a"])),
        .encode(EncodeStep(method: .onehot, minFrequency: 2, maxCategories: 3, columns: ColumnSelector(names: ["plan"]))),
        .encode(EncodeStep(method: .target, columns: ColumnSelector(names: ["city"]))),
        .scale(.robust, columns: ColumnSelector(names: ["a"])),
        .scale(.standard, columns: ColumnSelector(names: ["b"])),
    ]

    func testNoFittedStepSeesRowsOutsideItsTrainingRows() throws {
        let clean = data(changed: false), dirty = data(changed: true)
        XCTAssertNotEqual(clean.features, dirty.features)
        for k in steps.indices {
            let variant = Preprocessing(Array(steps[...k]))
            let f1 = try variant.fit(clean.features, rows: rowsA, labels: clean.target, seed: 5)
            let f2 = try variant.fit(dirty.features, rows: rowsA, labels: dirty.target, seed: 5)
            XCTAssertEqual(f1, f2, "step \(steps[k].canonical) changed when rows outside its training rows changed")
            XCTAssertEqual(try f1.transform(clean.features, rows: rowsA, training: true), try f2.transform(dirty.features, rows: rowsA, training: true))
        }
    }

    func testNoResamplerSeesRowsOutsideItsTrainingRows() throws {
        let clean = data(changed: false), dirty = data(changed: true)
        let methods: [ResampleStep] = [ResampleStep(method: .smote, kNeighbors: 3), ResampleStep(method: .smoteNC, kNeighbors: 3),
                                       ResampleStep(method: .undersample), ResampleStep(method: .oversample, samplingStrategy: 0.8)]
        let variant = Preprocessing(steps)
        for m in methods {
            let p1 = try variant.fit(clean.features, rows: rowsA, labels: clean.target, seed: 5)
            let p2 = try variant.fit(dirty.features, rows: rowsA, labels: dirty.target, seed: 5)
            let (x1, y1, _) = try Planner.trainingSet(clean, p1, rows: rowsA, resample: m, seed: 9)
            let (x2, y2, _) = try Planner.trainingSet(dirty, p2, rows: rowsA, resample: m, seed: 9)
            XCTAssertEqual(x1, x2, "\(m.method.rawValue) produced different training rows when other rows changed")
            XCTAssertEqual(y1, y2)
            XCTAssertGreaterThan(x1.rows, 0)
            XCTAssertNotEqual(x1.rows, rowsA.count, "\(m.method.rawValue) resampled nothing")
        }
    }
}

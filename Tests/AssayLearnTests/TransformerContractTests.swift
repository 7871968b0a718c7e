import AssayCore
import AssayLearn
import XCTest

/// The contract every preprocessing step passes: it learns from the training rows only, its settings are
/// unchanged, its fitted form saves and reads back bit-exactly, and it handles categories unseen in training.
final class TransformerContractTests: XCTestCase {
    /// One example of every step and option that changes what is learned; `testExamplesCoverEveryStep` keeps it complete.
    static let examples: [PreprocessStep] = [
        .impute(ImputeStep(numeric: .mean)), .impute(ImputeStep(numeric: .median, addIndicator: true)),
        .impute(ImputeStep(numeric: .mostFrequent, categorical: .mostFrequent)), .impute(ImputeStep(numeric: .constant, categorical: .constant, value: .int(-1))),
        .scale(.standard, columns: .all), .scale(.minmax, columns: .all), .scale(.robust, columns: .all),
        .log1p(columns: .all),
        .clip(ClipStep(min: 0, max: 50)), .clip(ClipStep(quantiles: [0.1, 0.9])),
        .encode(EncodeStep(method: .onehot)), .encode(EncodeStep(method: .onehot, handleUnknown: .infrequentIfExist, minFrequency: 5)),
        .encode(EncodeStep(method: .onehot, handleUnknown: .error, maxCategories: 2)),
        .encode(EncodeStep(method: .ordinal)), .encode(EncodeStep(method: .ordinal, order: ["c": ["p", "q", "r", "s", "missing"]])),
        .encode(EncodeStep(method: .target)),
    ]

    /// 100 rows: `a` numeric with missing cells, `b` numeric, `c` categorical with a missing cell and a rare level.
    /// The first 60 rows train; the rest hold values (and the level `zz`) the fit must never see.
    func table(alteringHeldOut: Bool = false) -> (Table, [UInt8]) {
        var rng = SplitMix64(seed: 7)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var a: [Double] = [], b: [Double] = [], codes: [Int32] = [], y: [UInt8] = []
        for i in 0..<100 {
            let heldOut = i >= 60 && alteringHeldOut
            a.append(i % 9 == 0 ? .nan : (heldOut ? 1000 : 0) + u() * 40)
            b.append(heldOut ? -500 : u() * 10)
            codes.append(i == 5 ? -1 : heldOut ? 4 : i == 7 ? 3 : Int32(i % 3))
            y.append(u() < 0.4 ? 1 : 0)
        }
        let levels = ["p", "q", "r", "s", "zz"]
        return (Table(columns: [Column(name: "a", values: .numeric(a)), Column(name: "b", values: .numeric(b)),
                                Column(name: "c", values: .categorical(codes: codes, levels: levels))], rowCount: 100), y)
    }

    func steps(_ step: PreprocessStep) -> [PreprocessStep] {
        // Missing numeric cells must be filled before any other numeric step sees them.
        if case .impute = step { return [step] }
        return [.impute(ImputeStep()), step]
    }

    func testEveryStepLearnsFromTrainingRowsOnlyAndRoundTrips() throws {
        let train = Array(0..<60)
        for step in Self.examples {
            let settings = Preprocessing(steps(step)), before = settings
            let (t, y) = table(), (altered, _) = table(alteringHeldOut: true)
            let fitted = try settings.fit(t, rows: train, labels: y, seed: 3)
            XCTAssertEqual(settings, before, "\(step): fit changed the settings")
            XCTAssertEqual(try settings.fit(altered, rows: train, labels: y, seed: 3), fitted, "\(step): the fit saw held-out rows")
            let back = try FittedPreprocessing(decoding: fitted.encoded())
            XCTAssertEqual(back, fitted, "\(step): save/load")
            let rows = Array(0..<60)
            XCTAssertEqual(try back.transform(t, rows: rows).values.map(\.bitPattern), try fitted.transform(t, rows: rows).values.map(\.bitPattern),
                           "\(step): save/load changed the output")
            XCTAssertEqual(try fitted.transform(t, rows: [3, 70]).values, try fitted.transform(t, rows: [70, 3]).values.suffix(fitted.outputWidth)
                           + fitted.transform(t, rows: [70, 3]).values.prefix(fitted.outputWidth), "\(step): rows are transformed independently")
        }
    }

    /// `rewrite` (permutation importance's one-column update) gives, for every step, exactly the output of
    /// `transform` on the table with that column replaced, and the original column puts the output back.
    /// `columns` gives `transform`'s numbers a column at a time, bit for bit, in any order asked (each input column's
    /// outputs are made together and dropped for the next), for the fitted rows (cross-fitted target encodings) and others.
    func testColumnsEqualTransform() throws {
        let (t, y) = table()
        let train = Array(0..<60)
        let combined = Preprocessing([.impute(ImputeStep(numeric: .median, addIndicator: true)), .log1p(columns: .all), .scale(.standard, columns: .all),
                                      .encode(EncodeStep(method: .onehot, handleUnknown: .infrequentIfExist, minFrequency: 5))])
        for settings in Self.examples.map({ Preprocessing(steps($0)) }) + [combined] {
            let fitted = try settings.fit(t, rows: train, labels: y, seed: 3)
            for (rows, training) in [(train, true), (Array(60..<100).filter { $0 != 70 }, false), ([9, 2, 2], false)] {
                let whole = try fitted.transform(t, rows: rows, training: training), width = fitted.outputWidth
                for order in [Array(0..<width), Array((0..<width).reversed())] {
                    let source = try fitted.columns(t, rows: rows, training: training)
                    XCTAssertEqual(source.rows, rows.count)
                    XCTAssertEqual(source.cols, width)
                    for j in order {
                        XCTAssertEqual(try source.column(j).map(\.bitPattern), (0..<rows.count).map { whole[$0, j].bitPattern },
                                       "\(settings.steps), column \(j)")
                    }
                    source.release()
                    XCTAssertThrowsError(try source.column(0), "a released source gives no columns")
                }
            }
        }
    }

    func testRewritingOneColumnEqualsTransformingTheAlteredTable() throws {
        let train = Array(0..<60), rows = Array(stride(from: 99, to: 0, by: -3))
        let (t, y) = table(), (altered, _) = table(alteringHeldOut: true)
        for step in Self.examples {
            let fitted = try Preprocessing(steps(step)).fit(t, rows: train, labels: y, seed: 3)
            let original = try fitted.transform(t, rows: rows)
            for j in t.columns.indices {
                var swapped = t.columns
                swapped[j] = altered.columns[j]
                var x = original
                do {
                    try fitted.rewrite(input: j, altered.columns[j], rows: rows, in: &x)
                } catch {
                    // Only handle_unknown: error refuses the altered level, as transform does.
                    XCTAssertThrowsError(try fitted.transform(Table(columns: swapped, rowCount: 100), rows: rows), "\(step), column \(j)")
                    continue
                }
                XCTAssertEqual(x.values.map(\.bitPattern), try fitted.transform(Table(columns: swapped, rowCount: 100), rows: rows).values.map(\.bitPattern),
                               "\(step), column \(j)")
                XCTAssertNotEqual(x.values, original.values, "\(step), column \(j): the altered column changes the output")
                try fitted.rewrite(input: j, t.columns[j], rows: rows, in: &x)
                XCTAssertEqual(x.values.map(\.bitPattern), original.values.map(\.bitPattern), "\(step), column \(j): put back")
            }
        }
    }

    /// Rows 60–99 of the altered table hold the level `zz`, never seen in training.
    func testUnseenCategories() throws {
        let (t, y) = table(), (altered, _) = table(alteringHeldOut: true), train = Array(0..<60)
        func output(_ step: EncodeStep) throws -> [Double] {
            let fitted = try Preprocessing([.impute(ImputeStep()), .encode(step)]).fit(t, rows: train, labels: y, seed: 3)
            return Array(try fitted.transform(altered, rows: [80]).values.dropFirst(2))
        }
        XCTAssertEqual(try output(EncodeStep(method: .onehot)), [0, 0, 0, 0], "ignored: all zeros (p, q, r, s)")
        XCTAssertEqual(try output(EncodeStep(method: .onehot, handleUnknown: .infrequentIfExist, minFrequency: 5)), [0, 0, 0, 1], "the infrequent column")
        XCTAssertEqual(try output(EncodeStep(method: .ordinal)), [-1])
        let prior = Double(train.filter { y[$0] == 1 }.count) / 60
        XCTAssertEqual(try output(EncodeStep(method: .target))[0], prior, accuracy: 1e-12, "the training rows' mean")
        let strict = try Preprocessing([.impute(ImputeStep()), .encode(EncodeStep(method: .onehot, handleUnknown: .error))]).fit(t, rows: train, labels: y)
        XCTAssertThrowsError(try strict.transform(altered, rows: [80])) {
            XCTAssertEqual("\($0)", "encode: column 'c' has category 'zz', unseen in the training rows (handle_unknown: error)")
        }
    }

    func testExamplesCoverEveryStep() {
        func kind(_ s: PreprocessStep) -> String {
            switch s {
            case .impute: return "impute"
            case .encode: return "encode"
            case .scale: return "scale"
            case .log1p: return "log1p"
            case .clip: return "clip"
            case .resample: return "resample"
            }
        }
        // Resampling is not a column transform: it changes the training rows of a fit (PreprocessingReferenceTests, LeakageTests).
        XCTAssertEqual(Set(Self.examples.map(kind)), ["impute", "encode", "scale", "log1p", "clip"])
        let methods = Self.examples.compactMap { if case .encode(let e) = $0 { return e.method } else { return nil } }
        XCTAssertEqual(Set(methods), Set(EncodeMethod.allCases))
        let scalers = Self.examples.compactMap { if case .scale(let m, _) = $0 { return m } else { return nil } }
        XCTAssertEqual(Set(scalers), Set(ScaleMethod.allCases))
    }
}

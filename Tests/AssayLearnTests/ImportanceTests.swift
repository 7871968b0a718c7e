import AssayCore
import AssayLearn
import XCTest

final class ImportanceTests: XCTestCase {
    /// 300 rows: `signal` decides the label, `noise` is unrelated, `flat` is constant, `plan` is categorical noise.
    func fixture() throws -> (Table, [UInt8], FittedPreprocessing, FittedModel) {
        var rng = SplitMix64(seed: 21)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var signal: [Double] = [], noise: [Double] = [], flat: [Double] = [], plan: [Int32] = [], y: [UInt8] = []
        for _ in 0..<300 {
            let s = u() * 4 - 2
            signal.append(s); noise.append(u()); flat.append(1); plan.append(Int32(rng.next() % 3))
            y.append(s + (u() - 0.5) > 0 ? 1 : 0)
        }
        let table = Table(columns: [Column(name: "signal", values: .numeric(signal)), Column(name: "noise", values: .numeric(noise)),
                                    Column(name: "flat", values: .numeric(flat)),
                                    Column(name: "plan", values: .categorical(codes: plan, levels: ["a", "b", "c"]))], rowCount: 300)
        let train = Array(0..<200)
        let prep = try Preprocessing([.encode(EncodeStep(method: .onehot)), .scale(.standard, columns: .all)]).fit(table, rows: train)
        let model = try ModelRegistry.standard.estimator(type: "logistic_regression", params: [:]).fit(try prep.transform(table, rows: train), train.map { y[$0] }, seed: 1)
        return (table, y, prep, model)
    }

    func testImportanceFollowsScikitLearnsDefinition() throws {
        let (table, y, prep, model) = try fixture()
        let rows = Array(200..<300)
        var rng = SplitMix64(seed: 5)
        let r = try PermutationImportance.compute(table: table, labels: y, rows: rows, preprocessing: prep, model: model,
                                                  metric: .rocAUC, repeats: 4, using: &rng)
        let baseline = Scoring.rocAUC(rows.map { y[$0] }, try model.predict(try prep.transform(table, rows: rows)))
        XCTAssertEqual(r.baseline, baseline)
        XCTAssertEqual(r.columns.map(\.name), ["signal", "noise", "flat", "plan"])
        XCTAssertTrue(r.columns.allSatisfy { $0.importances.count == 4 })
        XCTAssertGreaterThan(r.columns[0].importances.min()!, 0.25, "shuffling the deciding column costs much AUC")
        XCTAssertEqual(r.columns[2].importances, [0, 0, 0, 0], "shuffling a constant column changes nothing")
        XCTAssertLessThan(r.columns[1].importances.map(abs).max()!, 0.05)

        // A loss counts the other way: shuffling the deciding column raises log loss, a positive importance.
        var rng2 = SplitMix64(seed: 5)
        let loss = try PermutationImportance.compute(table: table, labels: y, rows: rows, preprocessing: prep, model: model,
                                                     metric: .logLoss, repeats: 2, using: &rng2)
        XCTAssertGreaterThan(loss.columns[0].importances.min()!, 0.2)

        // The same numbers, bit for bit, as transforming the whole shuffled table for every shuffle (the definition).
        var rng4 = SplitMix64(seed: 5)
        for (j, column) in table.columns.enumerated() {
            for k in 0..<4 {
                var order = rows
                order.seededShuffle(using: &rng4)
                var columns = table.columns
                switch column.values {
                case .numeric(let v):
                    var w = v
                    for (r, s) in zip(rows, order) { w[r] = v[s] }
                    columns[j] = Column(name: column.name, values: .numeric(w))
                case .categorical(let codes, let levels):
                    var w = codes
                    for (r, s) in zip(rows, order) { w[r] = codes[s] }
                    columns[j] = Column(name: column.name, values: .categorical(codes: w, levels: levels))
                }
                let p = try model.predict(try prep.transform(Table(columns: columns, rowCount: table.rowCount), rows: rows))
                XCTAssertEqual((baseline - Scoring.rocAUC(rows.map { y[$0] }, p)).bitPattern, r.columns[j].importances[k].bitPattern, "column \(j), shuffle \(k)")
            }
        }

        // Parts over the columns, each drawing from the same seed, hold the whole loop's numbers.
        for cut in 0...4 {
            var first = SplitMix64(seed: 5), second = SplitMix64(seed: 5)
            let a = try PermutationImportance.compute(table: table, labels: y, rows: rows, preprocessing: prep, model: model,
                                                      metric: .rocAUC, repeats: 4, columns: 0..<cut, using: &first)
            let b = try PermutationImportance.compute(table: table, labels: y, rows: rows, preprocessing: prep, model: model,
                                                      metric: .rocAUC, repeats: 4, columns: cut..<4, using: &second)
            XCTAssertEqual(PermutationImportance.Result(baseline: a.baseline, columns: a.columns + b.columns), r, "cut at \(cut)")
            XCTAssertEqual(a.baseline.bitPattern, b.baseline.bitPattern)
        }

        // Same seed, same numbers; only the scored rows are shuffled (the others cannot change the result).
        var rng3 = SplitMix64(seed: 5)
        XCTAssertEqual(try PermutationImportance.compute(table: table, labels: y, rows: rows, preprocessing: prep, model: model,
                                                         metric: .rocAUC, repeats: 4, using: &rng3), r)
    }
}

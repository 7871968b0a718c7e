import AssayCore
@testable import AssayLearn
import Foundation
import TestSupport
import XCTest

final class LogisticRegressionTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let C: Double?
            let class_weight: String?
            let penalty: String
            let l1_ratio: Double?
            let coef: [Double]
            let intercept: Double
            let proba_first5: [Double]
        }
        let X: [[Double]]
        let y: [Int]
        let cases: [Case]
    }

    /// Coefficients equal scikit-learn's (tools/make_lr_fixture.py) to 1e-4 relative on standardized data.
    func testMatchesScikitLearnCoefficients() throws {
        let url = Bundle.module.url(forResource: "logistic_regression", withExtension: "json", subdirectory: "Fixtures")!
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let x = Matrix(rows: f.X.count, cols: f.X[0].count, values: f.X.flatMap { $0 })
        let y = f.y.map(UInt8.init)
        for c in f.cases {
            var settings = LogisticRegression(C: c.C ?? 1, classWeight: c.class_weight == nil ? nil : .balanced, maxIter: 10_000, tol: 1e-10)
            settings.penalty = LogisticRegression.Penalty(rawValue: c.penalty)!
            settings.l1Ratio = c.l1_ratio ?? 0.5
            var rng = SplitMix64(seed: 0)
            let m = try settings.fit(x, y, using: &rng)
            XCTAssertTrue(m.converged)
            let scale = max(c.coef.map(abs).max()!, 1e-12)
            for (ours, theirs) in zip(m.coefficients + [m.intercept], c.coef + [c.intercept]) {
                XCTAssertEqual(ours, theirs, accuracy: 1e-4 * max(abs(theirs), scale * 1e-2), "\(c.penalty) C=\(c.C ?? .infinity) class_weight=\(c.class_weight ?? "null")")
            }
            let p = try m.predictProbabilities(x.rows([0, 1, 2, 3, 4]))
            for (a, b) in zip(p, c.proba_first5) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        }
    }

    func testContract() throws {
        try EstimatorContract.check(LogisticRegression(C: 0.5, classWeight: .balanced))
        var l1 = LogisticRegression(C: 0.1)
        l1.penalty = .l1
        try EstimatorContract.check(l1)
        try EstimatorContract.check(LogisticRegression())
    }

    func testParametersFromSpecValues() throws {
        let m = try LogisticRegression(params: ["C": .int(2), "class_weight": .string("balanced"), "max_iter": .int(50), "tol": .double(1e-6)])
        XCTAssertEqual(m, LogisticRegression(C: 2, classWeight: .balanced, maxIter: 50, tol: 1e-6))
        XCTAssertThrowsError(try LogisticRegression(params: ["C": .double(-1)]))
    }

    func testReportsNonConvergence() throws {
        let (x, y) = Synthetic.classification(rows: 100, cols: 4, seed: 2)
        var rng = SplitMix64(seed: 0)
        let m = try LogisticRegression(maxIter: 1, tol: 1e-12).fit(x, y, using: &rng)
        XCTAssertFalse(m.converged)
        XCTAssertNotNil(m.convergenceNote)
    }
}

final class MetricTests: XCTestCase {
    // Reference values from scikit-learn 1.9.1 on these inputs (ties included); threshold 0.5, positive if p > 0.5.
    let y: [UInt8] = [0, 1, 0, 1, 1, 0, 0, 1, 0, 0]
    let p = [0.5, 0.5, 0.2, 0.9, 0.2, 0.7, 0.1, 0.5, 0.5, 0.0]

    func testAgainstScikitLearn() {
        let expected: [(Metric, Double)] = [
            (.rocAUC, 0.6875), (.prAUC, 0.625), (.f1, 1.0 / 3), (.precision, 0.5), (.recall, 0.25), (.accuracy, 0.6),
            (.balancedAccuracy, 0.5416666666666667), (.mcc, 0.10206207261596577), (.logLoss, 0.601986402162968), (.brier, 0.219),
        ]
        for (metric, value) in expected {
            XCTAssertEqual(Scoring.score(metric, labels: y, probabilities: p), value, accuracy: 1e-12, metric.rawValue)
        }
    }

    func testTiesByHand() {
        // Pairs (positive, negative): ties count one half. 4 of 6 pairs → 0.6667.
        let y: [UInt8] = [0, 1, 0, 1, 1], p = [0.5, 0.5, 0.2, 0.9, 0.2]
        XCTAssertEqual(Scoring.rocAUC(y, p), 4.0 / 6, accuracy: 1e-15)
        // Distinct thresholds 0.9, 0.5, 0.2: recall steps of 1/3 at precisions 1, 2/3, 3/5.
        XCTAssertEqual(Scoring.averagePrecision(y, p), (1 + 2.0 / 3 + 3.0 / 5) / 3, accuracy: 1e-15)
        XCTAssertEqual(Scoring.rocAUC([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]), 0.5)
        XCTAssertEqual(Scoring.averagePrecision([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]), 0.5)
    }

    func testUndefinedCases() {
        XCTAssertTrue(Scoring.rocAUC([1, 1], [0.2, 0.3]).isNaN)
        XCTAssertEqual(Scoring.score(.precision, labels: [0, 1], probabilities: [0.1, 0.2]), 0)
        XCTAssertEqual(Scoring.score(.mcc, labels: [0, 1], probabilities: [0.1, 0.2]), 0)
        XCTAssertEqual(Scoring.logLoss([1], [0]), -log(Double.ulpOfOne), accuracy: 1e-9)
    }
}

final class SplitTests: XCTestCase {
    func labels(_ n: Int, positives: Int) -> [UInt8] { (0..<n).map { $0 % (n / positives) == 0 ? 1 : 0 } }

    func testHoldoutAndFoldsAreStratifiedAndPartitionTheRows() {
        let y = labels(1000, positives: 100)
        var rng = SplitMix64(seed: 42)
        let s = StratifiedSplitter.split(labels: y, testSize: 0.2, folds: 5, using: &rng)
        XCTAssertEqual(s.test.count, 200)
        XCTAssertEqual(s.test.filter { y[$0] == 1 }.count, 20)
        XCTAssertEqual(s.folds.map(\.count), [160, 160, 160, 160, 160])
        for f in s.folds { XCTAssertEqual(f.filter { y[$0] == 1 }.count, 16) }
        XCTAssertEqual((s.test + s.folds.flatMap { $0 }).sorted(), Array(0..<1000))
        XCTAssertEqual(Set(s.trainingRows(ofFold: 2)).intersection(s.folds[2]), [])
    }

    func testUnevenCountsDifferByAtMostOne() {
        let y: [UInt8] = (0..<103).map { $0 < 17 ? 1 : 0 }
        var rng = SplitMix64(seed: 1)
        let s = StratifiedSplitter.split(labels: y, testSize: 0, folds: 4, using: &rng)
        let pos = s.folds.map { f in f.filter { y[$0] == 1 }.count }, all = s.folds.map(\.count)
        XCTAssertLessThanOrEqual(pos.max()! - pos.min()!, 1)
        XCTAssertLessThanOrEqual(all.max()! - all.min()!, 1)
        XCTAssertTrue(s.test.isEmpty)
    }

    func testSameSeedSameSplitOtherSeedOtherSplit() {
        let y = labels(500, positives: 50)
        var a = SplitMix64(seed: 7), b = SplitMix64(seed: 7), c = SplitMix64(seed: 8)
        let s1 = StratifiedSplitter.split(labels: y, testSize: 0.25, folds: 3, using: &a)
        XCTAssertEqual(s1, StratifiedSplitter.split(labels: y, testSize: 0.25, folds: 3, using: &b))
        XCTAssertNotEqual(s1, StratifiedSplitter.split(labels: y, testSize: 0.25, folds: 3, using: &c))
    }

    func testPredefinedFolds() {
        let s = StratifiedSplitter.predefined([0, 1, -1, 1, 0, -1])
        XCTAssertEqual(s.test, [2, 5])
        XCTAssertEqual(s.folds, [[0, 4], [1, 3]])
    }
}

final class PreprocessingTests: XCTestCase {
    let table = Table(columns: [
        Column(name: "n", values: .numeric([1, 2, .nan, 4, 100, 200])),
        Column(name: "c", values: .categorical(codes: [0, 1, 1, -1, 2, 2], levels: ["b", "a", "zz"])),
    ], rowCount: 6)

    func testFitsOnlyOnTheGivenRows() throws {
        let steps = Preprocessing([.impute(ImputeStep(numeric: .median, categorical: .mostFrequent)), .encode(EncodeStep(method: .onehot)), .scale(.standard, columns: .all)])
        let fitted = try steps.fit(table, rows: [0, 1, 2, 3])
        // Median of 1, 2, 4 is 2; the validation rows' 100 and 200 are never seen.
        XCTAssertEqual(fitted.numeric[0].ops[0], .fill(2))
        let values = [1.0, 2, 2, 4]
        let mean = values.reduce(0, +) / 4
        let std = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4).squareRoot()
        XCTAssertEqual(fitted.numeric[0].ops[1], .affine(shift: mean, scale: std))
        // Categories from training rows only: "a" (mode, also fills the missing cell) and "b"; "zz" is unknown.
        XCTAssertEqual(fitted.categorical[0].categories, ["a", "b"])
        XCTAssertEqual(fitted.categorical[0].fill, "a")
        let x = try fitted.transform(table, rows: [3, 4])
        XCTAssertEqual(x.cols, 3)
        XCTAssertEqual(Array(x.values[1...2]), [1, 0])  // missing → "a"
        XCTAssertEqual(Array(x.values[4...5]), [0, 0])  // unseen "zz" → all zeros
        XCTAssertEqual(try FittedPreprocessing(decoding: fitted.encoded()), fitted)
    }

    func testChangingValidationRowsDoesNotChangeTheFit() {
        let steps = Preprocessing([.impute(ImputeStep(numeric: .mean, categorical: .constant)), .scale(.robust, columns: .all)])
        let other = Table(columns: [
            Column(name: "n", values: .numeric([1, 2, .nan, 4, -7, 1e9])),
            Column(name: "c", values: .categorical(codes: [0, 1, 1, -1, 0, 0], levels: ["b", "a", "zz"])),
        ], rowCount: 6)
        XCTAssertEqual(try steps.fit(table, rows: [0, 1, 2, 3]), try steps.fit(other, rows: [0, 1, 2, 3]))
    }

    func testOrdinalWithoutEncodeStepAndConstantMissing() throws {
        let fitted = try Preprocessing([]).fit(table, rows: [0, 1, 3])
        XCTAssertEqual(fitted.categorical[0].method, .ordinal)
        XCTAssertEqual(fitted.categorical[0].categories, ["a", "b", "missing"])
        let x = try fitted.transform(table, rows: [0, 3, 4])
        XCTAssertEqual(x.values, [1, 1, 4, 2, 100, -1])
    }

    func testNumericCategoriesSortNumerically() {
        XCTAssertEqual(Preprocessing.sortedCategories(["10", "9", "1"]), ["1", "9", "10"])
        XCTAssertEqual(Preprocessing.sortedCategories(["b", "B", "а"]), ["B", "b", "а"])
    }

    /// Sums, `var()` and a StandardScaler fit equal numpy's and scikit-learn's to the last bit (values printed by
    /// numpy 2 / scikit-learn 1.9; a sequential sum gives 99900007.48547089 and a variance of 6669989831.110877).
    func testPairwiseSumsMatchNumpyBitForBit() {
        let x: [Double] = (0..<1000).map { (i: Int) -> Double in 1.0 / Double(i + 1) + Double(i % 3) * 1e5 }
        XCTAssertEqual(Stats.pairwiseSum(x), 99900007.48547086)
        XCTAssertEqual(Stats.pairwiseSum(Array(x.prefix(100))), 9900005.187377522)
        XCTAssertEqual(Stats.pairwiseSum(Array(x.prefix(5))), 400002.2833333334)
        XCTAssertEqual(Stats.pairwiseSum([]), 0)
        XCTAssertEqual(Stats.variance(x), 6669989831.110874)
        var column = x
        column[3] = Double.nan
        guard case .affine(let shift, let scale) = ScaleTransformer(method: .standard, columns: .all).fit(column) else { return XCTFail("not affine") }
        XCTAssertEqual(shift, 100000.00724271357)
        XCTAssertEqual(scale, 81649.65735482227)
    }

    func testPercentileMatchesNumpyLinear() {
        XCTAssertEqual(Stats.percentile([1, 2, 3, 4], 25), 1.75)
        XCTAssertEqual(Stats.percentile([1, 2, 3, 4], 50), 2.5)
    }
}

final class OtherModelTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let type: String
            let params: [String: Param]
            let proba: [Double]?
            let decision: [Double]?
            let epochs: Int?
        }
        enum Param: Decodable {
            case int(Int), double(Double), bool(Bool), ints([Int]), string(String)
            init(from d: Decoder) throws {
                let c = try d.singleValueContainer()
                if let i = try? c.decode(Int.self) { self = .int(i) } else if let x = try? c.decode(Double.self) { self = .double(x) }
                else if let b = try? c.decode(Bool.self) { self = .bool(b) } else if let l = try? c.decode([Int].self) { self = .ints(l) }
                else { self = .string(try c.decode(String.self)) }
            }
            var value: ParamValue {
                switch self {
                case .int(let i): return .int(i)
                case .double(let x): return .double(x)
                case .bool(let b): return .bool(b)
                case .ints(let l): return .list(l.map { .int($0) })
                case .string(let s): return .string(s)
                }
            }
        }
        let train_rows: Int
        let cases: [Case]
    }

    /// kNN (every weights/p combination), naive Bayes and MLPs with a fixed `random_state` give scikit-learn's
    /// probabilities (the MLP after as many epochs), SVMs (every kernel) its decision values (tools/make_model_fixtures.py).
    func testMatchScikitLearnProbabilities() throws {
        let lr = try JSONDecoder().decode(LogisticRegressionTests.Fixture.self,
                                          from: Data(contentsOf: Bundle.module.url(forResource: "logistic_regression", withExtension: "json", subdirectory: "Fixtures")!))
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: Bundle.module.url(forResource: "models", withExtension: "json", subdirectory: "Fixtures")!))
        let x = Matrix(rows: lr.X.count, cols: lr.X[0].count, values: lr.X.flatMap { $0 })
        let train = Array(0..<f.train_rows), test = Array(f.train_rows..<x.rows)
        let y = train.map { UInt8(lr.y[$0]) }
        for c in f.cases {
            let params = c.params.mapValues(\.value)
            let model = try ModelRegistry.standard.estimator(type: c.type, params: params).fit(x.rows(train), y, seed: 1)
            if let decision = c.decision, let svm = model.fitted as? FittedSupportVectorClassifier {
                // The dual optimum is unique, so decision values agree up to the solvers' tolerance (1e-7 on both sides).
                for (ours, theirs) in zip(try svm.decisionFunction(x.rows(test)), decision) {
                    XCTAssertEqual(ours, theirs, accuracy: 1e-4, "\(c.type) \(params)")
                }
                continue
            }
            let p = try model.predict(x.rows(test))
            XCTAssertEqual(p.count, c.proba?.count)
            // An MLP's matrix products sum in another order than BLAS's, which moves the last digits over the epochs.
            let tolerance = c.type == "mlp" ? 1e-7 : 1e-9
            for (ours, theirs) in zip(p, c.proba ?? []) { XCTAssertEqual(ours, theirs, accuracy: tolerance, "\(c.type) \(params)") }
            if let epochs = c.epochs, let mlp = model.fitted as? FittedMultilayerPerceptron { XCTAssertEqual(mlp.epochs, epochs, "\(params)") }
        }
    }

    struct TieFixture: Decodable {
        struct Tree: Decodable { let leaf_size: Int; let order: [Int] }
        struct Case: Decodable { let params: [String: Fixture.Param]; let proba: [Double] }
        let X: [[Double]], y: [Int], train_rows: Int, trees: [Tree], cases: [Case]
    }

    /// Among exact distance ties, the k-d tree returns scikit-learn's rows: its build order equals `KDTree`'s
    /// (libstdc++'s nth_element) and every probability equals `KNeighborsClassifier(algorithm="kd_tree")`'s
    /// (tools/make_model_fixtures.py; the table has only 256 distinct rows in 600).
    func testKDTreeMatchesScikitLearnAmongTies() throws {
        let f = try JSONDecoder().decode(TieFixture.self, from: Data(contentsOf: Bundle.module.url(forResource: "knn_ties", withExtension: "json", subdirectory: "Fixtures")!))
        let x = Matrix(rows: f.X.count, cols: f.X[0].count, values: f.X.flatMap { $0 })
        let train = x.rows(Array(0..<f.train_rows)), test = x.rows(Array(f.train_rows..<x.rows))
        let y = f.y.prefix(f.train_rows).map { UInt8($0) }
        for t in f.trees { XCTAssertEqual(KDTree(train, leafSize: t.leaf_size).order, t.order, "leaf_size \(t.leaf_size)") }
        var brute = 0
        for c in f.cases {
            let params = c.params.mapValues(\.value)
            let p = try ModelRegistry.standard.estimator(type: "knn", params: params).fit(train, y, seed: 1).predict(test)
            XCTAssertEqual(p.count, c.proba.count)
            for (ours, theirs) in zip(p, c.proba) { XCTAssertEqual(ours, theirs, accuracy: 1e-12, "\(params)") }
            var bruteParams = params
            bruteParams["algorithm"] = .string("brute")
            let q = try ModelRegistry.standard.estimator(type: "knn", params: bruteParams).fit(train, y, seed: 1).predict(test)
            brute += zip(q, c.proba).filter { abs($0 - $1) > 1e-12 }.count
        }
        XCTAssertGreaterThan(brute, 0, "the fixture has ties that the search order decides")
    }

    func testContracts() throws {
        try EstimatorContract.check(GaussianNaiveBayes())
        try EstimatorContract.check(KNearestNeighbors(neighbors: 7, weights: .distance, p: 1))
        try EstimatorContract.check(KNearestNeighbors())
        for algorithm in ["kd_tree", "brute"] {
            try EstimatorContract.check(try KNearestNeighbors(params: ["algorithm": .string(algorithm), "leaf_size": .int(3), "n_neighbors": .int(4)]))
        }
        for s in [DummyClassifier.Strategy.prior, .mostFrequent, .stratified] { try EstimatorContract.check(DummyClassifier(strategy: s)) }
    }

    func testDummyStrategies() throws {
        let x = Matrix(rows: 4, cols: 1, values: [1, 2, 3, 4])
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(try DummyClassifier(strategy: .prior).fit(x, [1, 0, 0, 0], using: &rng).predictProbabilities(x), [0.25, 0.25, 0.25, 0.25])
        XCTAssertEqual(try DummyClassifier(strategy: .mostFrequent).fit(x, [1, 1, 1, 0], using: &rng).predictProbabilities(x), [1, 1, 1, 1])
        XCTAssertEqual(try DummyClassifier(strategy: .mostFrequent).fit(x, [1, 1, 0, 0], using: &rng).predictProbabilities(x), [0, 0, 0, 0])
    }

    func testKNNDistanceWeightsWithExactMatches() throws {
        let x = Matrix(rows: 4, cols: 1, values: [0, 0, 1, 5])
        var rng = SplitMix64(seed: 0)
        let m = try KNearestNeighbors(neighbors: 3, weights: .distance).fit(x, [1, 0, 1, 0], using: &rng)
        // Two training rows sit at distance 0 from the query 0: only they count.
        XCTAssertEqual(try m.predictProbabilities(Matrix(rows: 1, cols: 1, values: [0])), [0.5])
        XCTAssertThrowsError(try KNearestNeighbors(neighbors: 5).fit(x, [1, 0, 1, 0], using: &rng))
    }
}

final class TreeTests: XCTestCase {
    func testContracts() throws {
        try EstimatorContract.check(DecisionTree())
        var settings = TreeSettings()
        settings.criterion = .entropy; settings.maxDepth = 3; settings.minSamplesLeaf = 5; settings.balanced = true
        try EstimatorContract.check(DecisionTree(settings: settings))
        var forest = RandomForest()
        forest.estimators = 10
        try EstimatorContract.check(forest)
    }

    /// A tree separates a threshold rule exactly, with the threshold at scikit-learn's midpoint.
    func testLearnsAThresholdAtTheMidpoint() throws {
        let x = Matrix(rows: 6, cols: 2, values: [1, 9, 2, 9, 3, 9, 10, 9, 11, 9, 12, 9])
        var rng = SplitMix64(seed: 0)
        let m = try DecisionTree().fit(x, [0, 0, 0, 1, 1, 1], using: &rng)
        XCTAssertEqual(m.trees[0].feature, [0, -1, -1])
        XCTAssertEqual(m.trees[0].threshold[0], 6.5)
        XCTAssertEqual(try m.predictProbabilities(Matrix(rows: 2, cols: 2, values: [6.5, 0, 6.6, 0])), [0, 1])
    }

    func testDepthAndLeafLimitsAreKept() throws {
        let (x, y) = Synthetic.classification(rows: 400, cols: 6, seed: 3)
        var s = TreeSettings()
        s.maxDepth = 2
        var rng = SplitMix64(seed: 1)
        let shallow = try DecisionTree(settings: s).fit(x, y, using: &rng).trees[0]
        XCTAssertLessThanOrEqual(shallow.feature.count, 7)
        s.maxDepth = nil; s.minSamplesLeaf = 50
        let leafy = try DecisionTree(settings: s).fit(x, y, using: &rng).trees[0]
        // Every leaf holds at least 50 training rows: count them by routing the training rows.
        var counts = [Int: Int]()
        x.values.withUnsafeBufferPointer { v in
            for i in 0..<x.rows {
                var n = 0
                while leafy.feature[n] >= 0 { n = Int(v[i * x.cols + Int(leafy.feature[n])] <= leafy.threshold[n] ? leafy.left[n] : leafy.right[n]) }
                counts[n, default: 0] += 1
            }
        }
        XCTAssertTrue(counts.values.allSatisfy { $0 >= 50 }, "\(counts)")
    }

    func testForestIsRepeatableAndAveragesTrees() throws {
        let (x, y) = Synthetic.classification(rows: 300, cols: 5, seed: 4)
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        var f = RandomForest()
        f.estimators = 7
        let m1 = try f.fit(x, y, using: &a), m2 = try f.fit(x, y, using: &b)
        XCTAssertEqual(m1, m2)
        XCTAssertEqual(m1.trees.count, 7)
        XCTAssertNotEqual(m1.trees[0], m1.trees[1])
        let p = try m1.predictProbabilities(x)
        let auc = Scoring.rocAUC(y, p)
        XCTAssertGreaterThan(auc, 0.9)
    }
}

final class BoostingTests: XCTestCase {
    func testContract() throws {
        try EstimatorContract.check(GradientBoosting())
        var b = try GradientBoosting(params: ["max_iter": .int(30), "max_leaf_nodes": .int(4), "learning_rate": .double(0.3),
                                              "l2_regularization": .double(1), "early_stopping": .bool(true)])
        try EstimatorContract.check(b)
        b.maxLeafNodes = nil
        b.maxDepth = 2
        try EstimatorContract.check(b)
    }

    /// One iteration with learning rate 1 and a single split: the leaves' log-odds steps are −G/H of their rows.
    func testFirstTreeLeafValuesAreNewtonSteps() throws {
        let x = Matrix(rows: 8, cols: 1, values: [1, 2, 3, 4, 5, 6, 7, 8])
        let y: [UInt8] = [0, 0, 0, 1, 1, 1, 1, 0]
        var m = GradientBoosting()
        m.maxIter = 1; m.learningRate = 1; m.maxLeafNodes = 2; m.minSamplesLeaf = 1
        var rng = SplitMix64(seed: 0)
        let fitted = try m.fit(x, y, using: &rng)
        XCTAssertEqual(fitted.baseline, 0)  // half positive
        let tree = fitted.trees[0]
        XCTAssertEqual(tree.threshold[0], 3.5)  // the largest gain: {1,2,3} all negative
        // Left leaf: 3 rows with p = 0.5, y = 0: G = 1.5, H = 0.75 → −2. Right: G = 0.5 − 4·0.5 = −1.5, H = 1.25 → 1.2.
        XCTAssertEqual(tree.value[Int(tree.left[0])], -2, accuracy: 1e-12)
        XCTAssertEqual(tree.value[Int(tree.right[0])], 1.2, accuracy: 1e-12)
    }

    /// `class_weight: balanced` (HistGradientBoostingClassifier's): rows weigh n / (2·n_class), so the baseline is the
    /// weighted log-odds (0) and the first Newton steps are the weighted −G/H.
    func testBalancedClassWeightWeighsGradientsAndBaseline() throws {
        let x = Matrix(rows: 8, cols: 1, values: [1, 2, 3, 4, 5, 6, 7, 8])
        let y: [UInt8] = [0, 0, 0, 0, 0, 0, 1, 1]
        var m = try GradientBoosting(params: ["class_weight": .string("balanced")])
        m.maxIter = 1; m.learningRate = 1; m.maxLeafNodes = 2; m.minSamplesLeaf = 1
        var rng = SplitMix64(seed: 0)
        let fitted = try m.fit(x, y, using: &rng)
        XCTAssertEqual(fitted.baseline, 0, accuracy: 1e-12, "balanced classes: even log-odds")
        let tree = fitted.trees[0]
        XCTAssertEqual(tree.threshold[0], 6.5)
        // Negatives weigh 8/12, positives 8/4; p = 0.5 everywhere. Left (6 negatives): G = 6·(2/3)·0.5 = 2, H = 6·(2/3)·0.25 = 1 → −2.
        // Right (2 positives): G = 2·2·(−0.5) = −2, H = 2·2·0.25 = 1 → 2.
        XCTAssertEqual(tree.value[Int(tree.left[0])], -2, accuracy: 1e-12)
        XCTAssertEqual(tree.value[Int(tree.right[0])], 2, accuracy: 1e-12)
        m.balanced = false
        XCTAssertEqual(try m.fit(x, y, using: &rng).baseline, log(2.0 / 6.0), accuracy: 1e-12, "unweighted: the plain log-odds")
    }

    func testEarlyStoppingStopsBeforeMaxIter() throws {
        let (x, y) = Synthetic.classification(rows: 600, cols: 4, seed: 8)
        var m = GradientBoosting()
        m.maxIter = 500; m.learningRate = 0.5; m.earlyStopping = true
        var rng = SplitMix64(seed: 2)
        XCTAssertLessThan(try m.fit(x, y, using: &rng).trees.count, 500)
    }
}

final class SupportVectorTests: XCTestCase {
    func testContract() throws {
        try EstimatorContract.check(SupportVectorClassifier())
        for kernel in ["linear", "poly", "sigmoid"] {
            try EstimatorContract.check(try SupportVectorClassifier(params: ["kernel": .string(kernel), "gamma": .string("auto"),
                                                                              "class_weight": .string("balanced")]))
        }
        var noShrink = SupportVectorClassifier()
        noShrink.shrinking = false
        try EstimatorContract.check(noShrink)
    }

    /// A small cache (rows evicted all the time) and shrinking off give the same solution as the defaults.
    func testCacheAndShrinkingDoNotChangeTheSolution() throws {
        let (x, y) = Synthetic.classification(rows: 300, cols: 4, seed: 3)
        var plain = SupportVectorClassifier()
        plain.tol = 1e-8
        var tight = plain
        tight.cacheBytes = 1
        tight.shrinking = false
        let kernel = Kernel(kind: .rbf, gamma: 0.3)
        let a = plain.train(x, y, kernel: kernel, cPositive: 1, cNegative: 1)
        let b = tight.train(x, y, kernel: kernel, cPositive: 1, cNegative: 1)
        for (u, v) in zip(a.decisionValues(x), b.decisionValues(x)) { XCTAssertEqual(u, v, accuracy: 1e-6) }
    }

    /// Platt's fit is a stationary point of the smoothed-target log loss, and the sigmoid rises with the decision value.
    func testPlattSigmoidIsTheLossMinimum() {
        let f: [Double] = [-2, -1.5, -1, -0.5, -0.2, 0.1, 0.3, 0.8, 1.2, 2, -0.7, 0.4]
        let y: [UInt8] = [0, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0, 1]
        let (a, b) = PlattScaling.fit(f, y)
        XCTAssertLessThan(a, 0)
        let hi = 7.0 / 8, lo = 1.0 / 8
        var g1 = 0.0, g2 = 0.0
        for i in f.indices {
            let p = 1 / (1 + exp(a * f[i] + b))
            let t = y[i] == 1 ? hi : lo
            g1 += f[i] * (t - p); g2 += t - p
        }
        XCTAssertEqual(g1, 0, accuracy: 1e-5)
        XCTAssertEqual(g2, 0, accuracy: 1e-5)
    }

    func testSeparableDataIsRankedPerfectly() throws {
        let x = Matrix(rows: 6, cols: 1, values: [-3, -2, -1, 1, 2, 3])
        let y: [UInt8] = [0, 0, 0, 1, 1, 1]
        var rng = SplitMix64(seed: 1)
        let m = try SupportVectorClassifier(params: ["kernel": .string("linear")]).fit(x, y, using: &rng)
        let d = try m.decisionFunction(x)
        XCTAssertEqual(d[2], -1, accuracy: 1e-3)   // the margin's support vectors sit at ±1
        XCTAssertEqual(d[3], 1, accuracy: 1e-3)
        XCTAssertEqual(Scoring.rocAUC(y, try m.predictProbabilities(x)), 1)
    }
}

final class NeuralNetworkTests: XCTestCase {
    func testContract() throws {
        var small = MultilayerPerceptron()
        small.hiddenLayerSizes = [8]
        small.maxIter = 30
        try EstimatorContract.check(small)
        for activation in MultilayerPerceptron.Activation.allCases {
            var m = small
            m.activation = activation
            m.hiddenLayerSizes = [6, 4]
            m.earlyStopping = true
            try EstimatorContract.check(m)
        }
    }

    /// Backpropagation's gradient equals the loss's central finite difference, for every activation and two hidden layers.
    func testGradientMatchesFiniteDifferences() {
        let (x, y) = Synthetic.classification(rows: 7, cols: 3, seed: 4)
        let sizes = [3, 4, 3, 1]
        var rng = SplitMix64(seed: 9)
        var params: [[Double]] = (0..<3).map { l in (0..<(sizes[l] * sizes[l + 1])).map { _ in Double.random(in: -1..<1, using: &rng) } }
        params += (0..<3).map { l in (0..<sizes[l + 1]).map { _ in Double.random(in: -1..<1, using: &rng) } }
        let labels = y.map(Double.init)
        for activation in MultilayerPerceptron.Activation.allCases {
            func loss(_ p: [[Double]]) -> Double {
                var work = Network.Workspace(sizes: sizes, rows: 7)
                var g = p.map { [Double](repeating: 0, count: $0.count) }
                return Network.backpropagate(p, sizes: sizes, activation: activation, alpha: 0.3, x: x.values, y: labels, rows: 7,
                                             work: &work, gradients: &g)
            }
            var work = Network.Workspace(sizes: sizes, rows: 7)
            var grads = params.map { [Double](repeating: 0, count: $0.count) }
            _ = Network.backpropagate(params, sizes: sizes, activation: activation, alpha: 0.3, x: x.values, y: labels, rows: 7,
                                      work: &work, gradients: &grads)
            for a in params.indices {
                for b in params[a].indices {
                    var up = params, down = params
                    up[a][b] += 1e-6; down[a][b] -= 1e-6
                    XCTAssertEqual(grads[a][b], (loss(up) - loss(down)) / 2e-6, accuracy: 1e-6, "\(activation) parameter \(a).\(b)")
                }
            }
        }
    }

    func testLearnsAndStopsEarly() throws {
        let (x, y) = Synthetic.classification(rows: 600, cols: 4, seed: 12)
        var m = try MultilayerPerceptron(params: ["hidden_layer_sizes": .list([.int(16)]), "early_stopping": .bool(true),
                                                  "max_iter": .int(500), "learning_rate_init": .double(0.01)])
        var rng = SplitMix64(seed: 1)
        let fitted = try m.fit(x, y, using: &rng)
        XCTAssertTrue(fitted.converged)
        XCTAssertLessThan(fitted.epochs, 500)
        XCTAssertGreaterThan(Scoring.rocAUC(y, try fitted.predictProbabilities(x)), 0.9)
        m.maxIter = 3
        m.earlyStopping = false
        XCTAssertFalse(try m.fit(x, y, using: &rng).converged)
    }
}

final class GroupSplitterTests: XCTestCase {
    /// No group on both sides of the holdout or of a fold; class shares and sizes near their targets; seeded.
    func testGroupsStayWholeAndClassesStayBalanced() {
        var rng = SplitMix64(seed: 3)
        var classes: [UInt8] = [], groups: [Int] = []
        for g in 0..<500 {
            let size = Int.random(in: 1...4, using: &rng), rate = g % 5 == 0 ? 0.8 : 0.1
            for _ in 0..<size { classes.append(Double.random(in: 0..<1, using: &rng) < rate ? 1 : 0); groups.append(g * 7 % 1009) }
        }
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        let split = GroupSplitter.split(classes: classes, groups: groups, testSize: 0.25, folds: 4, repeats: 2, using: &a)
        XCTAssertEqual(split, GroupSplitter.split(classes: classes, groups: groups, testSize: 0.25, folds: 4, repeats: 2, using: &b))
        let n = classes.count, positives = classes.filter { $0 == 1 }.count
        XCTAssertEqual(split.test.count + split.train.count, n)
        XCTAssertEqual(Double(split.test.count) / Double(n), 0.25, accuracy: 0.01)
        func rate(_ rows: [Int]) -> Double { Double(rows.filter { classes[$0] == 1 }.count) / Double(rows.count) }
        XCTAssertEqual(rate(split.test), Double(positives) / Double(n), accuracy: 0.01)
        let testGroups = Set(split.test.map { groups[$0] })
        XCTAssertTrue(split.train.allSatisfy { !testGroups.contains(groups[$0]) }, "a group on both sides of the holdout")
        XCTAssertEqual(split.folds.count, 8)
        for fold in split.folds {
            let inFold = Set(fold.map { groups[$0] })
            XCTAssertTrue(split.trainingRows(ofFold: split.folds.firstIndex(of: fold)!).allSatisfy { !inFold.contains(groups[$0]) }, "a group on both sides of a fold")
            XCTAssertEqual(Double(fold.count), Double(split.train.count) / 4, accuracy: 6)
            XCTAssertEqual(rate(fold), rate(split.train), accuracy: 0.01)
        }
        XCTAssertNotEqual(split.folds[0], split.folds[4], "each repeat deals the groups anew")
    }
}

import AssayCore
import Foundation
@testable import AssayLearn
import XCTest

/// The regressors and regression metrics against scikit-learn 1.9.1 on fixed input (numbers made by the script in
/// this file's comment at the bottom, with the peer's environment).
final class RegressionReferenceTests: XCTestCase {
    // 40 rows × 4 columns; the fourth is the sum of the first two (collinear, as a full one-hot encoding is).
    static let x = Matrix(rows: 40, cols: 4, values: [1.79, 0.44, 0.1, 2.23, -1.86, -0.28, -0.35, -2.14, -0.08, -0.63, -0.04, -0.71, -0.48, -1.31, 0.88, -1.79, 0.88, 1.71, 0.05, 2.59, -0.4, -0.55, -1.55, -0.9500000000000001, 0.98, -1.1, -1.19, -0.1200000000000001, -0.21, 1.49, 0.24, 1.28, -1.02, -0.71, 0.63, -1.73, -0.16, -0.77, -0.23, -0.93, 0.75, 1.98, -1.24, 2.73, -0.63, -0.8, -2.42, -1.4300000000000002, -0.92, -1.02, 1.12, -1.94, -0.13, -1.62, 0.65, -1.75, -0.36, -1.74, -0.6, -2.1, -0.59, -0.87, 0.03, -1.46, -2.25, -0.27, 1.01, -2.52, 0.85, 1.11, 1.12, 1.96, 1.49, -1.12, 0.85, 0.3699999999999999, -1.86, -0.6, -1.91, -2.46, 1.05, 1.33, -0.2, 2.38, 1.77, -0.67, 0.15, 1.1, 0.15, -1.06, 0.44, -0.91, 1.94, -1.02, 0.9, 0.9199999999999999, -0.15, 1.77, 0.48, 1.62, 0.68, 0.64, 0.25, 1.32, -1.4, 1.39, -1.37, -0.010000000000000009, 0.24, 0.61, -0.84, 0.85, 0.15, 1.17, -0.02, 1.3199999999999998, -0.89, -2.92, -0.97, -3.81, -0.59, -0.52, -0.96, -1.1099999999999999, 0.38, -0.57, -0.11, -0.18999999999999995, 0.68, -0.86, -0.3, -0.17999999999999994, 2.16, 0.87, -1.29, 3.0300000000000002, -0.08, 0.56, 1.23, 0.48000000000000004, 0.15, -0.53, -0.73, -0.38, 0.65, 0.31, -0.52, 0.96, -0.19, -0.42, 0.72, -0.61, -0.69, 0.49, 0.85, -0.19999999999999996, 0.49, -0.83, 1.34, -0.33999999999999997])
    static let y: [Double] = [3.942, -2.251, 1.245, 1.214, 1.119, 2.037, 4.745, -0.798, -0.326, 1.255, 1.238, 4.041, 1.052, 2.415, 2.368, 0.547, -2.857, 2.475, 5.304, -0.799, 1.518, 5.248, 2.495, 6.677, -1.17, 1.971, -2.124, 1.178, 0.381, 2.758, 0.542, 2.658, 2.899, 5.3, 1.037, 2.224, 1.908, 1.289, -0.551, 4.007]
    static let q = Matrix(rows: 5, cols: 4, values: [-0.8, 0.07, -0.26, -0.73, -1.3, 2.68, -0.07, 1.3800000000000001, -1.49, 1.41, -1.07, -0.08000000000000007, 0.37, 0.86, -0.65, 1.23, -0.43, -0.54, -0.13, -0.97])
    static let ols: [Double] = [-0.1462589318314178, -3.869014518971376, -2.6087368183307813, 1.4127513031419654, 1.1570424143196116]
    static let ridge: [Double] = [-0.05544354261317319, -3.54479304269398, -2.384699369577036, 1.4399586264780073, 1.1751455560188582]
    static let lasso: [Double] = [-0.028359118251365834, -3.3726422168032837, -2.362518410358356, 1.4090961011425789, 1.1766403732228712]
    static let enet: [Double] = [0.1564125477476943, -2.8059979984987997, -1.9063242845938753, 1.4622089058866719, 1.2262043569109222]
    static let tree: [Double] = [0.8168461538461537, -2.410666666666667, -2.410666666666667, 0.8168461538461537, 2.2143333333333333]
    static let treeLeaf4: [Double] = [0.10428571428571434, -1.6713999999999998, -1.6713999999999998, 1.6481666666666666, 1.288]
    static let knn: [Double] = [0.89725, -0.9277500000000001, -0.99875, 1.2462499999999999, 1.42625]
    static let knnDistance: [Double] = [0.8848021765088873, -0.97310255144338, -1.6276939449885424, 1.2406653807185475, 1.2477816527599017]
    static let olsCoefficients: [Double] = [1.6293454747332405, -1.3319089881726829, -0.31258619623901823, 0.2974364865605582]
    static let lassoCoefficients: [Double] = [1.794162305032205, -0.9247727291761797, -0.1765532783472988, -0.0]

    /// The first three columns (trees and neighbours are fitted without the collinear one).
    static func firstThree(_ m: Matrix) -> Matrix {
        Matrix(rows: m.rows, cols: 3, values: (0..<m.rows).flatMap { i in (0..<3).map { m[i, $0] } })
    }

    func predictions(_ type: String, _ params: [String: ParamValue], x: Matrix = x, q: Matrix = q) throws -> [Double] {
        try ModelRegistry.standard.estimator(type: type, kind: .regression, params: params).fit(x, .values(Self.y), seed: 1).predict(q)
    }

    func assertClose(_ a: [Double], _ b: [Double], _ tol: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, what, file: file, line: line)
        for (u, v) in zip(a, b) { XCTAssertEqual(u, v, accuracy: tol, "\(what): \(a) vs scikit-learn \(b)", file: file, line: line) }
    }

    func testLinearModelsMatchScikitLearn() throws {
        // The minimum-norm solution where columns are collinear, as lstsq gives it.
        let ols = try LinearRegression().fit(Self.x, Self.y, using: &rng)
        assertClose(ols.coefficients, Self.olsCoefficients, 1e-9, "linear_regression coefficients")
        assertClose(try ols.predict(Self.q), Self.ols, 1e-9, "linear_regression")
        assertClose(try predictions("ridge", ["alpha": .double(2)]), Self.ridge, 1e-9, "ridge")
        let lasso = try Lasso(params: ["alpha": .double(0.1), "tol": .double(1e-10), "max_iter": .int(100_000)]).fit(Self.x, Self.y, using: &rng)
        assertClose(lasso.coefficients, Self.lassoCoefficients, 1e-7, "lasso coefficients (the collinear column is dropped)")
        assertClose(try lasso.predict(Self.q), Self.lasso, 1e-7, "lasso")
        assertClose(try predictions("elastic_net", ["alpha": .double(0.2), "l1_ratio": .double(0.3), "tol": .double(1e-10), "max_iter": .int(100_000)]),
                    Self.enet, 1e-7, "elastic_net")
        XCTAssertNil(lasso.convergenceNote)
        let stopped = try Lasso(params: ["alpha": .double(0.001), "max_iter": .int(1), "tol": .double(1e-12)]).fit(Self.x, Self.y, using: &rng)
        XCTAssertEqual(stopped.convergenceNote, "did not converge in max_iter=1 passes")
    }

    func testTreesAndNeighboursMatchScikitLearn() throws {
        let x = Self.firstThree(Self.x), q = Self.firstThree(Self.q)
        // Fewer than 255 distinct values per column: the split candidates are scikit-learn's.
        assertClose(try predictions("decision_tree", ["max_depth": .int(3)], x: x, q: q), Self.tree, 1e-12, "decision_tree max_depth=3")
        assertClose(try predictions("decision_tree", ["min_samples_leaf": .int(4)], x: x, q: q), Self.treeLeaf4, 1e-12, "decision_tree min_samples_leaf=4")
        assertClose(try predictions("knn", ["n_neighbors": .int(4)], x: x, q: q), Self.knn, 1e-12, "knn")
        assertClose(try predictions("knn", ["n_neighbors": .int(4), "weights": .string("distance")], x: x, q: q), Self.knnDistance, 1e-12, "knn distance")
        // A forest without bootstrap and with every feature is the tree, averaged.
        assertClose(try predictions("random_forest", ["n_estimators": .int(3), "bootstrap": .bool(false), "max_depth": .int(3)], x: x, q: q),
                    Self.tree, 1e-12, "random_forest of unbootstrapped trees")
        assertClose(try predictions("dummy", [:]), [Double](repeating: Self.y.reduce(0, +) / 40, count: 5), 1e-12, "dummy mean")
        assertClose(try predictions("dummy", ["strategy": .string("median")]), [Double](repeating: Stats.percentile(Self.y.sorted(), 50), count: 5), 0, "dummy median")
    }

    /// Columns with 400 distinct values each (more than a histogram's 255 bins): the exact splitter, drawing candidate
    /// features from scikit-learn's stream with `random_state`, grows scikit-learn's tree (`max_features` included).
    func testExactRegressionTreeMatchesScikitLearnOnWideValuedColumns() throws {
        let n = 400, p = 5
        var values: [Double] = [], y: [Double] = []
        for i in 0..<n {
            let row: [Double] = (0..<p).map { j in
                let a: Double = Foundation.sin(Double(i) * 0.37 + Double(j) * 1.3) * Double(1 + j)
                let b: Double = Foundation.cos(Double(i) * 0.11 * Double(j + 1))
                return a + b
            }
            values += row
            let step: Double = row[2] > 0.5 ? 3 : 0
            y.append(row[0] * 2 - row[1] + step + Foundation.sin(Double(i) * 0.7))
        }
        let x = Matrix(rows: n, cols: p, values: values), q = x.rows(Array(stride(from: 0, to: n, by: 37)))
        func tree(_ params: [String: ParamValue]) throws -> [Double] {
            try ModelRegistry.standard.estimator(type: "decision_tree", kind: .regression, params: params).fit(x, .values(y), seed: 1).predict(q)
        }
        assertClose(try tree(["max_depth": .int(4), "random_state": .int(7)]),
                    [1.6841906725797207, 0.9573384306372861, 3.1822909417451264, 3.1822909417451264, -0.01561099945636126, 2.4085854007045304,
                     0.9573384306372861, -0.6188200153705676, 3.1822909417451264, 2.4085854007045304, -0.01561099945636126], 1e-12, "max_depth 4")
        assertClose(try tree(["min_samples_leaf": .int(5), "random_state": .int(7)]),
                    [2.038281393335144, 0.17455865055097486, 3.7910496728607903, 2.7791654546574667, -0.018091352019589634, 1.2990617437492502,
                     -0.05108772606739763, -1.4731975511603568, 3.297751387116679, 3.146327429226484, -0.718310725194864], 1e-12, "min_samples_leaf 5")
        assertClose(try tree(["max_depth": .int(6), "max_features": .int(3), "random_state": .int(11)]),
                    [2.3320964289853294, 0.484813905760296, 3.198727644063395, 2.558164745335058, -0.2641488828953746, 2.75099554542592,
                     -0.3446567178182433, -1.9447352113814391, 3.198727644063395, 2.573105988143014, -1.725061341172571], 1e-12, "max_features 3")
    }

    /// With `random_state`, the network draws scikit-learn's initial weights, validation split and batch orders: the
    /// same rows give the same `MLPRegressor`, up to summation order.
    func testMultilayerPerceptronRegressorMatchesScikitLearn() throws {
        assertClose(try predictions("mlp", ["hidden_layer_sizes": .list([.int(5)]), "max_iter": .int(50), "random_state": .int(0)]),
                    [-0.5097185805092577, 1.8357625410632776, 0.03552203815361338, 0.7811294783257666, -0.6773215214513075], 1e-9, "mlp")
        assertClose(try predictions("mlp", ["hidden_layer_sizes": .list([.int(6), .int(3)]), "activation": .string("tanh"), "max_iter": .int(80),
                                            "random_state": .int(3), "early_stopping": .bool(true), "validation_fraction": .double(0.25),
                                            "n_iter_no_change": .int(3)]),
                    [0.1647950915668754, 0.16412194191776375, 0.2208481134218851, 1.2994944261459789, 0.3158826165338955], 1e-9, "mlp with early stopping")
    }

    /// SVR takes libsvm's path (the same working sets, shrinking and cache), so it stops where scikit-learn's does.
    func testSupportVectorRegressorMatchesScikitLearn() throws {
        let rbf = try SupportVectorRegressor(params: [:]).fit(Self.x, Self.y, using: &rng)
        XCTAssertEqual(rbf.machine.supportVectors.rows, 36, "support vectors")
        assertClose(try rbf.predict(Self.q), [-0.4756088257043083, 0.1034227632869551, -0.41804667862768863, 0.9728449303246332, 0.6338751297573992], 1e-9, "svm rbf")
        let linear = try SupportVectorRegressor(params: ["kernel": .string("linear"), "C": .int(10), "epsilon": .double(0.2)]).fit(Self.x, Self.y, using: &rng)
        XCTAssertEqual(linear.machine.supportVectors.rows, 26, "support vectors")
        assertClose(try linear.predict(Self.q), [-0.25028633433736247, -3.9000697561924254, -2.7273175053420813, 1.3287684915691618, 1.0485691907030439],
                    1e-9, "svm linear")
        assertClose(try predictions("svm", ["kernel": .string("poly"), "C": .double(0.5), "epsilon": .double(0.05), "gamma": .double(0.3),
                                            "coef0": .int(1), "degree": .int(2)], x: Self.firstThree(Self.x), q: Self.firstThree(Self.q)),
                    [-0.5663143206668688, -3.8615970958470642, -2.6637138426093343, 1.110718392521186, 0.7147951652587038], 1e-9, "svm poly")
    }

    /// Metrics on fixed values, unweighted and weighted (a bootstrap resample is a weighting by counts).
    func testMetricsMatchScikitLearn() {
        let y = [3.0, -0.5, 2.0, 7.0, 4.2, 0.0, 1.5, 9.1, 2.2, 5.5], p = [2.5, 0.0, 2.1, 7.8, 3.9, 0.4, 1.0, 8.0, 2.9, 5.0]
        let w: [Double] = [1, 0, 2, 1, 3, 1, 0, 1, 2, 1]
        let expected: [(Metric, Double, Double)] = [
            (.rmse, 0.6, 0.5612486080160911), (.mae, 0.5399999999999998, 0.48333333333333334), (.r2, 0.9573661771672193, 0.9447206785609827),
            (.mape, 180143985094820.06, 150119987579016.66), (.explainedVariance, 0.9575556608242539, 0.9447694257580189), (.medianAE, 0.5, 0.45),
        ]
        for (m, plain, weighted) in expected {
            XCTAssertEqual(RegressionScoring.score(m, values: y, predictions: p), plain, accuracy: abs(plain) * 1e-12, m.rawValue)
            XCTAssertEqual(RegressionScoring.score(m, values: y, predictions: p, weights: w), weighted, accuracy: abs(weighted) * 1e-12, "\(m.rawValue) weighted")
        }
        let yp = y.map(abs), pp = p.map { abs($0) + 0.1 }
        XCTAssertEqual(RegressionScoring.score(.poissonDeviance, values: yp, predictions: pp), 0.2518337669769303, accuracy: 1e-12)
        XCTAssertEqual(RegressionScoring.score(.poissonDeviance, values: yp, predictions: pp, weights: w), 0.1543489438929956, accuracy: 1e-12)
        XCTAssertTrue(RegressionScoring.score(.poissonDeviance, values: y, predictions: pp).isNaN, "a negative target: undefined")
        XCTAssertTrue(RegressionScoring.score(.poissonDeviance, values: yp, predictions: p).isNaN, "a prediction of 0: undefined")
        XCTAssertEqual(RegressionScoring.score(.r2, values: [2, 2, 2], predictions: [2, 2, 2]), 1, "force_finite: exact on a constant target")
        XCTAssertEqual(RegressionScoring.score(.r2, values: [2, 2, 2], predictions: [1, 2, 2]), 0)
        XCTAssertFalse(Metric.rmse.higherIsBetter)
        XCTAssertTrue(Metric.r2.higherIsBetter)
        XCTAssertTrue(Metric.rmse.isBetter(1, than: 2), "lower errors are selected")
    }

    /// Ranking by prediction: deciles and the share of the total, with tied predictions sharing their rows' values.
    func testValueRankingSharesTiesAndCapturesTheTotal() {
        let y: [Double] = [10, 0, 0, 0, 0, 0, 0, 0, 0, 10], p: [Double] = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
        let d = ValueRanking.deciles(values: y, predictions: p)
        XCTAssertEqual(d.map(\.meanActual), [10, 10, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(d.last?.captured, 1)
        // The same rows in another order, and tied: the top decile holds the tie group's mean, whatever the order.
        let tied = ValueRanking.deciles(values: [0, 10, 0, 0, 0, 0, 0, 0, 0, 10], predictions: [Double](repeating: 1, count: 10))
        XCTAssertEqual(tied.map(\.meanActual), [Double](repeating: 2, count: 10))
        let curve = ValueRanking.capture(values: y, predictions: p)
        XCTAssertEqual(curve[1].y, 0.5)
        XCTAssertEqual(curve.last?.y, 1)
        XCTAssertEqual(ValueRanking.capture(values: [0, 0], predictions: [1, 2]).count, 0, "no share of a zero total")
    }

    var rng = SplitMix64(seed: 1)
}

/*
 The reference numbers: /tmp/peer/bin/python with
     import numpy as np; from sklearn import linear_model, tree, neighbors
     rng = np.random.RandomState(3); n = 40
     X = np.round(rng.normal(size=(n, 3)), 2); X = np.column_stack([X, X[:, 0] + X[:, 1]])
     y = np.round(2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] ** 2 + rng.normal(scale=0.3, size=n) + 1, 3)
     Q = np.round(rng.normal(size=(5, 3)), 2); Q = np.column_stack([Q, Q[:, 0] + Q[:, 1]])
     LinearRegression(); Ridge(alpha=2.0); Lasso(alpha=0.1, tol=1e-10, max_iter=100000);
     ElasticNet(alpha=0.2, l1_ratio=0.3, tol=1e-10, max_iter=100000) on X; DecisionTreeRegressor(max_depth=3),
     DecisionTreeRegressor(min_samples_leaf=4), KNeighborsRegressor(4), KNeighborsRegressor(4, weights="distance") on X[:, :3];
     metrics from sklearn.metrics (root_mean_squared_error, mean_absolute_error, r2_score, ...) with and without sample_weight;
     MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0) and MLPRegressor((6, 3), activation="tanh",
     max_iter=80, random_state=3, early_stopping=True, validation_fraction=0.25, n_iter_no_change=3) on X; SVR(),
     SVR(kernel="linear", C=10, epsilon=0.2) on X and SVR(kernel="poly", C=0.5, epsilon=0.05, gamma=0.3, coef0=1, degree=2)
     on X[:, :3]. The wide-valued tree test: n, p = 400, 5; X[i, j] = sin(0.37 i + 1.3 j)(1 + j) + cos(0.11 i (j + 1));
     y = 2 X[:, 0] − X[:, 1] + 3·(X[:, 2] > 0.5) + sin(0.7 i); DecisionTreeRegressor(max_depth=4, random_state=7),
     (min_samples_leaf=5, random_state=7), (max_depth=6, max_features=3, random_state=11), predicting X[::37].
 */

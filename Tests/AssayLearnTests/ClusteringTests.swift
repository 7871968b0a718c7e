import AssayCore
import Foundation
import XCTest
@testable import AssayLearn

/// k-means and cluster scores against scikit-learn (Fixtures/kmeans.json, written by kmeans_reference.py).
final class ClusteringTests: XCTestCase {
    struct Case: Decodable {
        let k: Int
        let init_: [[Double]]
        let max_iter: Int
        let labels: [Int32]
        let inertia: Double
        let n_iter: Int
        let centers: [[Double]]
        let silhouette: Double
        let calinski_harabasz: Double
        let davies_bouldin: Double
        enum CodingKeys: String, CodingKey { case k, init_ = "init", max_iter, labels, inertia, n_iter, centers, silhouette, calinski_harabasz, davies_bouldin }
    }
    struct ARI: Decodable { let labels: [Int32]; let truth: [Int32]; let value: Double }
    struct Fixture: Decodable { let x: [[Double]]; let cases: [Case]; let ari: ARI; let best_of_10: [String: Double] }

    func fixture() throws -> (Matrix, Fixture) {
        let url = Bundle.module.url(forResource: "kmeans", withExtension: "json", subdirectory: "Fixtures")!
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        return (Matrix(rows: f.x.count, cols: 3, values: f.x.flatMap { $0 }), f)
    }

    func testFromTheSameInitialCentresLabelsInertiaAndIterationsEqualScikitLearn() throws {
        let (x, f) = try fixture()
        for c in f.cases {
            let why = "k=\(c.k) max_iter=\(c.max_iter)"
            let fitted = try KMeans(clusters: c.k, nInit: 1, maxIter: c.max_iter).fit(x, initialCenters: Matrix(rows: c.k, cols: 3, values: c.init_.flatMap { $0 }))
            XCTAssertEqual(fitted.labels, c.labels, why)
            XCTAssertEqual(fitted.inertia, c.inertia, accuracy: 1e-9 * c.inertia, why)
            XCTAssertEqual(fitted.iterations, c.n_iter, why)
            for (a, b) in zip(fitted.centers.values, c.centers.flatMap { $0 }) { XCTAssertEqual(a, b, accuracy: 1e-9, why) }
            XCTAssertEqual(try fitted.predict(x).map(Int32.init), c.labels, "predict assigns the training rows as fit did (\(why))")
        }
    }

    func testScoresEqualScikitLearn() throws {
        let (x, f) = try fixture()
        for c in f.cases {
            XCTAssertEqual(ClusterScores.silhouette(x, labels: c.labels, clusters: c.k), c.silhouette, accuracy: 1e-12)
            XCTAssertEqual(ClusterScores.calinskiHarabasz(x, labels: c.labels, clusters: c.k), c.calinski_harabasz, accuracy: 1e-9 * c.calinski_harabasz)
            XCTAssertEqual(ClusterScores.daviesBouldin(x, labels: c.labels, clusters: c.k), c.davies_bouldin, accuracy: 1e-12)
        }
        XCTAssertEqual(ClusterScores.adjustedRand(f.ari.truth, f.ari.labels), f.ari.value, accuracy: 1e-12)
        XCTAssertEqual(ClusterScores.adjustedRand(f.ari.labels, f.ari.labels.map { 5 - $0 }), 1, "a renaming of the clusters is the same partition")
    }

    func testOwnSeedingReachesScikitLearnsBestOfTenInertia() throws {
        let (x, f) = try fixture()
        for (k, theirs) in f.best_of_10 {
            var rng = SplitMix64(seed: 42)
            let ours = try KMeans(clusters: Int(k)!, nInit: 10).fit(x, using: &rng)
            XCTAssertLessThanOrEqual(ours.inertia, theirs * 1.01, "k=\(k)")
            var again = SplitMix64(seed: 42)
            XCTAssertEqual(try KMeans(clusters: Int(k)!, nInit: 10).fit(x, using: &again), ours, "same seed, same clustering")
        }
    }

    func testKAboveTheDistinctRowsIsRefused() {
        let x = Matrix(rows: 6, cols: 1, values: [1, 1, 2, 2, 3, 3])
        var rng = SplitMix64(seed: 1)
        XCTAssertThrowsError(try KMeans(clusters: 4).fit(x, using: &rng)) { error in
            XCTAssertEqual("\(error)", "k = 4 is more than the 3 distinct rows of the table: at most 3 clusters can be told apart")
        }
        XCTAssertEqual(try KMeans(clusters: 3).fit(x, using: &rng).inertia, 0)
    }
}

import AssayCore
import Foundation
import XCTest
@testable import AssayLearn

/// Path-dependent TreeSHAP against the `shap` package on the same fitted trees (Fixtures/treeshap.json, written by
/// treeshap_reference.py from scikit-learn trees exported with their covers).
final class TreeSHAPTests: XCTestCase {
    struct Tree: Decodable { let left, right, feature: [Int32]; let threshold, value, cover: [Double] }
    struct Model: Decodable { let name: String; let trees: [Tree]; let expected: Double; let shap: [[Double]]; let output: [Double] }
    struct Linear: Decodable { let coefficients: [Double]; let intercept: Double; let background: [[Double]]; let expected: Double; let shap: [[Double]] }
    struct Fixture: Decodable { let rows: [[Double]]; let models: [Model]; let linear: Linear }
    struct Logistic: LinearExplainable { let coefficients: [Double]; let intercept: Double; var rawOutput: String { "log-odds" } }

    func testLinearValuesEqualShapsLinearExplainer() throws {
        let url = Bundle.module.url(forResource: "treeshap", withExtension: "json", subdirectory: "Fixtures")!
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        let l = f.linear
        let background = Matrix(rows: l.background.count, cols: l.coefficients.count, values: l.background.flatMap { $0 })
        let rows = Matrix(rows: f.rows.count, cols: l.coefficients.count, values: f.rows.flatMap { $0 })
        let v = ShapValues(linear: Logistic(coefficients: l.coefficients, intercept: l.intercept), training: background, rows: rows)
        XCTAssertEqual(v.expected, l.expected, accuracy: 1e-9)
        for r in 0..<rows.rows { for j in 0..<rows.cols { XCTAssertEqual(v.values[r * v.width + j], l.shap[r][j], accuracy: 1e-9) } }
        XCTAssertLessThan(v.additivityError, 1e-12)
    }

    func testValuesEqualShapsAndAddUpToTheOutput() throws {
        let url = Bundle.module.url(forResource: "treeshap", withExtension: "json", subdirectory: "Fixtures")!
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
        for m in f.models {
            let trees = m.trees.map { t -> (FittedTree, [Double]) in
                var tree = FittedTree()
                // scikit-learn marks a leaf's feature and children with -2 and -1; Assay's trees mark them -1.
                tree.feature = t.feature.map { max($0, -1) }
                tree.threshold = t.threshold
                tree.left = t.left
                tree.right = t.right
                tree.value = t.value
                return (tree, t.cover)
            }
            let expected = trees.reduce(0) { $0 + TreeSHAP.expectedValue($1.0, cover: $1.1) } / Double(trees.count)
            XCTAssertEqual(expected, m.expected, accuracy: 1e-9, m.name)
            for (r, row) in f.rows.enumerated() {
                var phi = [Double](repeating: 0, count: row.count)
                row.withUnsafeBufferPointer { x in
                    for (tree, cover) in trees { TreeSHAP.add(tree, cover: cover, row: x.baseAddress!, scale: 1 / Double(trees.count), to: &phi) }
                }
                for j in phi.indices { XCTAssertEqual(phi[j], m.shap[r][j], accuracy: 1e-6, "\(m.name) row \(r) feature \(j)") }
                XCTAssertEqual(expected + phi.reduce(0, +), m.output[r], accuracy: 1e-9, "\(m.name) row \(r): the values add up to the output")
            }
        }
    }

    func testCoversCountTheRowsReachingEachNode() {
        var tree = FittedTree()
        tree.feature = [0, -1, 1, -1, -1]
        tree.threshold = [0.5, 0, 2, 0, 0]
        tree.left = [1, -1, 3, -1, -1]
        tree.right = [2, -1, 4, -1, -1]
        tree.value = [0, 1, 0, 2, 3]
        let x = Matrix(rows: 4, cols: 2, values: [0, 0, 1, 1, 1, 3, 2, 5])
        XCTAssertEqual(tree.covers(x), [4, 1, 3, 1, 2])
        XCTAssertEqual(tree.maxDepth, 2)
        // The values and the expected value add up to the leaf the row reaches (value 1).
        var phi = [0.0, 0.0]
        [0.0, 9.0].withUnsafeBufferPointer { TreeSHAP.add(tree, cover: tree.covers(x), row: $0.baseAddress!, to: &phi) }
        XCTAssertEqual(TreeSHAP.expectedValue(tree, cover: tree.covers(x)) + phi[0] + phi[1], 1, accuracy: 1e-12)
    }
}

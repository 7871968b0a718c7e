@testable import Assay
import AssayCore
import AssayLearn
import AssaySpec
import Foundation
import TestSupport
import XCTest

/// `assay schema`: the JSON Schema editors use accepts every spec the loader accepts and refuses the mistakes a
/// schema can see; the copy in docs/ is the generated one.
final class SpecSchemaTests: XCTestCase {
    let schema = SpecSchema.document(catalog: ModelRegistry.standard.catalog)

    /// A YAML document as the JSON value an editor's schema check sees (scalars typed as the loader types them).
    func json(_ node: YAMLNode) -> JSONValue {
        switch node {
        case .scalar(let text, let kind, _):
            switch kind {
            case .null: return .null
            case .bool: return .bool(["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"].contains(text))
            case .int: return Int(text).map(JSONValue.integer) ?? .number(Double(text) ?? .nan)
            case .float: return .number(Double(text) ?? .nan)
            case .string: return .string(text)
            }
        case .map(let pairs, _): return .object(Dictionary(pairs.map { ($0.key, json($0.value)) }, uniquingKeysWith: { a, _ in a }))
        case .seq(let items, _): return .array(items.map(json))
        }
    }

    func errors(_ yaml: String) throws -> [String] {
        SchemaValidator(schema).errors(json(try XCTUnwrap(try YAMLNode.parse(yaml, file: "s.yaml"))))
    }

    func testTheCommittedCopyIsTheGeneratedSchema() throws {
        let committed = try String(contentsOf: TestPaths.repository.appendingPathComponent("docs/assay.schema.json"), encoding: .utf8)
        XCTAssertEqual(committed, schema.rendered(), "regenerate it: swift run assay schema > docs/assay.schema.json")
    }

    /// Every committed experiment, the README's spec and a starter spec are valid against the schema.
    func testEverySpecTheLoaderAcceptsIsValid() throws {
        let experiments = TestPaths.repository.appendingPathComponent("experiments")
        let files = try FileManager.default.contentsOfDirectory(atPath: experiments.path).filter { $0.hasSuffix(".yaml") }.sorted()
        XCTAssertGreaterThanOrEqual(files.count, 6)
        var texts = try files.map { try String(contentsOf: experiments.appendingPathComponent($0), encoding: .utf8) }
        let readme = try String(contentsOf: TestPaths.repository.appendingPathComponent("README.md"), encoding: .utf8)
        let tour = try XCTUnwrap(readme.components(separatedBy: "```yaml\n").dropFirst().first?.components(separatedBy: "```").first)
        texts.append(tour)
        texts.append(SpecFixtures.minimal)
        for (i, text) in texts.enumerated() {
            XCTAssertEqual(try errors(text), [], "spec \(i)")
        }
        // Keys the loader knows but no committed spec uses: each option of every step, search and calibration form.
        XCTAssertEqual(try errors("""
            assay: 1
            data: {path: d.csv, target: y, join: [{path: e.csv, on: id, how: left, pivot: {index: id, columns: p, values: v, aggregate: sum}}],
                   clean: [{drop_duplicates: true}, {normalize: {lowercase: true}}, {derive: {r: "a / b"}}, {replace: {plan: {A: a}}}]}
            split: {folds: 3, repeats: 2}
            preprocess:
              - impute: {numeric: constant, value: 0, add_indicator: true, columns: {type: numeric}}
              - clip: {quantiles: [0.01, 0.99], columns: [a, b]}
              - log1p:
              - encode: {method: target, smooth: auto, cv: 5}
              - scale: {method: robust, columns: {pattern: "^x"}}
              - resample: {method: smote, k_neighbors: 3, sampling_strategy: 0.5}
            models:
              m: {type: logistic_regression, search: {method: random, n_iter: 4}, grid: {C: {loguniform: [0.01, 10]}}, calibrate: {method: isotonic, cv: 3}}
              h: {type: gradient_boosting, search: {method: halving, factor: 3, min_resources: exhaust}, grid: {max_leaf_nodes: [15, null], preprocess.scale.method: [standard, minmax]}}
              s: {type: svm, params: {gamma: scale, C: 1.5}, calibrate: sigmoid}
            metrics: [roc_auc, brier]
            threshold: {top: 10%}
            checks: {baseline: b.json, m.cv.roc_auc: {min: 0.7}, test.brier: {max: 0.2, tolerance: 5%}}
            """), [])
    }

    /// Mistakes a schema can see are refused by it as by the loader.
    func testMistakesAreRefused() throws {
        let good = """
            assay: 1
            data: {path: d.csv, target: bought}
            split: {test_size: 0.2, folds: 3}
            preprocess:
              - scale: {method: standard}
            models:
              lr:
                type: logistic_regression
                grid: {C: [0.1, 1]}
            metrics: [roc_auc, f1]

            """
        XCTAssertNoThrow(try SpecLoader.parse(good, file: "s.yaml", catalog: ModelRegistry.standard.catalog))
        XCTAssertEqual(try errors(good), [])
        let mistakes: [(String, String)] = [
            ("assay: 1\n", "assay: 1\nsede: 4\n"),
            ("target: bought", "target: bought, dlimiter: \";\""),
            ("folds: 3", "folds: three"),
            ("folds: 3", "folds: 1"),
            ("method: standard", "method: standrd"),
            ("type: logistic_regression", "type: logistic_regresion"),
            ("C: [0.1, 1]", "C: [-1, 1]"),
            ("C: [0.1, 1]", "Cs: [0.1, 1]"),
            ("metrics: [roc_auc", "metrics: [roc_aux"),
        ]
        for (from, to) in mistakes {
            XCTAssertTrue(good.contains(from), from)
            let bad = good.replacingOccurrences(of: from, with: to)
            XCTAssertNotEqual(try errors(bad), [], "the schema accepts \(to)")
            XCTAssertThrowsError(try SpecLoader.parse(bad, file: "s.yaml", catalog: ModelRegistry.standard.catalog), "the loader accepts \(to)")
        }
    }
}

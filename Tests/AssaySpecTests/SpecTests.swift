import AssayCore
import AssayLearn
@testable import AssaySpec
import TestSupport
import XCTest

final class SpecTests: XCTestCase {
    let base = SpecFixtures.minimal

    func parse(_ text: String, _ overrides: [String] = []) throws -> Spec {
        try SpecLoader.parse(text, file: "exp/s.yaml", overrides: overrides, catalog: ModelRegistry.standard.catalog)
    }

    func error(_ text: String, _ overrides: [String] = []) -> String {
        do { _ = try parse(text, overrides); return "no error" } catch { return "\(error)" }
    }

    /// Nine levels of ten aliases each would expand to 10⁹ values: refused at the first reuse, before any expansion.
    func testYAMLAliasesAreRefusedBeforeTheyExpand() throws {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        for i in 1...9 { lines.append("a\(i): &a\(i) [" + [String](repeating: "*a\(i - 1)", count: 10).joined(separator: ", ") + "]") }
        XCTAssertEqual(error(lines.joined(separator: "\n") + "\n" + base),
                       "exp/s.yaml:1:5: YAML aliases are not supported (the value anchored here as '&a0' is reused); write the value out")
        XCTAssertEqual(error(base.replacingOccurrences(of: "path: d.csv", with: "path: &p d.csv\n  id: *p")),
                       "exp/s.yaml:3:9: YAML aliases are not supported (the value anchored here as '&p' is reused); write the value out")
        XCTAssertNoThrow(try parse(base.replacingOccurrences(of: "path: d.csv", with: "path: &p d.csv")), "an anchor alone is harmless")
    }

    func testDeeplyNestedValuesAreRefused() {
        XCTAssertEqual(error("assay: 1\nx: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n"),
                       "exp/s.yaml:2:67: values nest more than 64 levels deep")
        XCTAssertTrue(error("assay: 1\nx: " + String(repeating: "[", count: 100_000) + "\n").contains("invalid YAML"))
    }

    func testDefaults() throws {
        let s = try parse(base)
        XCTAssertEqual(s.name, "s")
        XCTAssertEqual(s.seed, 0)
        XCTAssertEqual(s.data.resolvedPath, "exp/d.csv")
        XCTAssertEqual(s.data.positive, "1")
        XCTAssertEqual(s.data.missing, ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "#N/A"])
        XCTAssertEqual(s.split, SplitSection(testSize: 0.2, folds: 5, foldColumn: nil))
        XCTAssertEqual(s.metrics, [.rocAUC])
        XCTAssertEqual(s.models[0].points, [["C": .double(0.1)], ["C": .int(1)]])
    }

    func testGridPointsFollowParameterGridOrder() throws {
        let s = try parse(base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "params: {max_iter: 5}\n    grid: {class_weight: [null, balanced], C: [1, 2]}"))
        XCTAssertEqual(s.models[0].gridNames, ["C", "class_weight"])
        XCTAssertEqual(s.models[0].points.map { [$0["C"]!, $0["class_weight"]!] },
                       [[.int(1), .null], [.int(1), .string("balanced")], [.int(2), .null], [.int(2), .string("balanced")]])
        XCTAssertEqual(s.models[0].points[0]["max_iter"], .int(5))
    }

    func testUnknownKeySuggests() {
        XCTAssertEqual(error(base + "\nmetrix: [f1]"), "exp/s.yaml:9:1: unknown key 'metrix' in the spec; did you mean 'metrics'?")
        XCTAssertEqual(error(base.replacingOccurrences(of: "grid:", with: "gird:")),
                       "exp/s.yaml:8:5: unknown key 'gird' in model 'lr'; did you mean 'grid'?")
    }

    func testWrongTypesAndBadValues() {
        XCTAssertEqual(error(base + "\nsplit: {folds: 1}"), "exp/s.yaml:9:16: split.folds must be at least 2, got 1")
        XCTAssertEqual(error(base + "\nsplit: {test_size: 1}"), "exp/s.yaml:9:20: split.test_size must be in [0, 1), got '1'")
        XCTAssertEqual(error(base + "\nsplit: {folds: five}"), "exp/s.yaml:9:16: split.folds must be an integer, got 'five'")
        XCTAssertEqual(error(base.replacingOccurrences(of: "[0.1, 1]", with: "[0.1, 0]")),
                       "exp/s.yaml:8:21: model 'lr': C must be greater than 0, got 0")
        XCTAssertEqual(error(base + "\nseed: [1]"), "exp/s.yaml:9:7: seed must be an integer, got a list")
        XCTAssertEqual(error(base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "params: {class_weight: balancd}")),
                       "exp/s.yaml:8:28: model 'lr': class_weight must be one of null, balanced, got \"balancd\"; did you mean 'balanced'?")
    }

    func testUnknownModelTypeAndParameter() {
        XCTAssertEqual(error(base.replacingOccurrences(of: "type: logistic_regression", with: "type: logistic_regresion")),
                       "exp/s.yaml:7:11: unknown model type 'logistic_regresion'; did you mean 'logistic_regression'?")
        XCTAssertEqual(error(base.replacingOccurrences(of: "{C:", with: "{c:")),
                       "exp/s.yaml:8:12: logistic_regression has no parameter 'c'; did you mean 'C'?")
    }

    func testChecksParseWithTheirLocations() throws {
        let s = try parse(base + """

          my.model: {type: dummy}
        metrics: [roc_auc, log_loss]
        checks:
          baseline: base/metrics.json
          test.roc_auc: {min: 0.8, tolerance: 0.01}
          lr.cv.log_loss: {max: 0.4, tolerance: 5%}
          my.model.cv.roc_auc: {min: 0.5}
        """, ["checks.lr.cv.log_loss.max=0.45"])
        XCTAssertEqual(s.checksBaseline, "exp/base/metrics.json")
        XCTAssertEqual(s.checks.map(\.path.description), ["test.roc_auc", "lr.cv.log_loss", "my.model.cv.roc_auc"])
        XCTAssertEqual(s.checks[0], MetricCheck(path: MetricPath(model: nil, part: .test, metric: .rocAUC), min: 0.8, tolerance: .absolute(0.01),
                                                file: "exp/s.yaml", line: 13, column: 3))
        XCTAssertEqual(s.checks[1].tolerance, .relative(0.05))
        XCTAssertEqual(s.checks[1].max, 0.45)
        XCTAssertEqual(s.checks[2].path.model, "my.model")
    }

    func testCheckErrorsNameTheirLocation() {
        let m = base + "\nmetrics: [roc_auc, f1]\nchecks:\n"
        XCTAssertEqual(error(m + "  test.roc_auk: {min: 0.8}"),
                       "exp/s.yaml:11:3: checks: 'test.roc_auk' is not a metric path; write cv.METRIC, test.METRIC or MODEL.cv.METRIC; did you mean 'roc_auc'?")
        XCTAssertEqual(error(m + "  roc_auc: {min: 0.8}"),
                       "exp/s.yaml:11:3: checks: 'roc_auc' is not a metric path; write cv.METRIC, test.METRIC or MODEL.cv.METRIC")
        XCTAssertEqual(error(m + "  cv.log_loss: {max: 0.3}"), "exp/s.yaml:11:3: checks: metric 'log_loss' is not computed; add it to metrics")
        XCTAssertEqual(error(m + "  rl.cv.f1: {min: 0.3}"), "exp/s.yaml:11:3: checks: no model 'rl' in models; did you mean 'lr'?")
        XCTAssertEqual(error(m + "  cv.f1: {mn: 0.3}"), "exp/s.yaml:11:11: unknown key 'mn' in checks.cv.f1; did you mean 'min'?")
        XCTAssertEqual(error(m + "  cv.f1: {}"), "exp/s.yaml:11:10: checks.cv.f1 needs min, max or tolerance")
        XCTAssertEqual(error(m + "  cv.f1: {min: 0.5, max: 0.4}"), "exp/s.yaml:11:26: checks.cv.f1: max 0.4 is below min 0.5")
        XCTAssertEqual(error(m + "  cv.f1: {min: high}"), "exp/s.yaml:11:16: checks.cv.f1.min must be a number, got 'high'")
        XCTAssertEqual(error(m + "  cv.f1: {tolerance: -1}"),
                       "exp/s.yaml:11:22: checks.cv.f1.tolerance must be a number such as 0.01 or a percentage such as 5%, got '-1'")
        XCTAssertEqual(error(m + "  cv.f1: {tolerance: lots%}"),
                       "exp/s.yaml:11:22: checks.cv.f1.tolerance must be a number such as 0.01 or a percentage such as 5%, got 'lots%'")
        XCTAssertEqual(error(m.replacingOccurrences(of: "data:", with: "split: {test_size: 0}\ndata:") + "  test.f1: {min: 0.3}"),
                       "exp/s.yaml:12:3: checks: 'test.f1' needs a test set, and split.test_size is 0")
        XCTAssertEqual(error(m + "  baseline: [a]"), "exp/s.yaml:11:13: checks.baseline must be a single value, got a list")
        XCTAssertEqual(error(base + "\nchecks: [cv.roc_auc]"),
                       "exp/s.yaml:9:9: checks must map metric paths such as test.roc_auc to {min, max, tolerance}")
        XCTAssertEqual(error(base + "\nchecks: {cv.roc_auc: {min: 0.9}}", ["checks.cv.roc_auc.min=x"]),
                       "--set checks.cv.roc_auc.min: checks.cv.roc_auc.min must be a number, got 'x'")
        XCTAssertEqual(error(base + "\nchecks: {cv.roc_auc: {min: 0.9}}", ["checks.cv.f1.min=0.5"]),
                       "--set checks.cv.f1.min: checks: 'cv' is not a metric path; write cv.METRIC, test.METRIC or MODEL.cv.METRIC; did you mean 'f1'?")
    }

    func testSearchAndPenaltyErrors() {
        XCTAssertEqual(try parse(base.replacingOccurrences(of: "grid:", with: "search: {method: halving, factor: 2, min_resources: 50}\n    grid:")).models[0].halving,
                       HalvingSettings(factor: 2, minResources: .count(50)))
        XCTAssertEqual(error(base.replacingOccurrences(of: "grid:", with: "search: {method: halving, factor: 1}\n    grid:")),
                       "exp/s.yaml:8:39: model 'lr': search.factor must be at least 2, got 1")
        XCTAssertEqual(error(base.replacingOccurrences(of: "grid:", with: "search: {method: halving, min_resources: all}\n    grid:")),
                       "exp/s.yaml:8:46: model 'lr': search.min_resources must be exhaust, smallest or a row count, got 'all'")
        XCTAssertEqual(error(base.replacingOccurrences(of: "grid:", with: "search: {method: grid, factor: 3}\n    grid:")),
                       "exp/s.yaml:8:36: model 'lr': search.factor applies to method halving only")
        XCTAssertEqual(error(base.replacingOccurrences(of: "{C: [0.1, 1]}", with: "{penalty: [l1, elasticnet], l1_ratio: [0.5]}")),
                       "exp/s.yaml:6:3: model 'lr': l1_ratio only applies to penalty: elasticnet (this point has penalty l1)")
        XCTAssertEqual(error(base.replacingOccurrences(of: "{C: [0.1, 1]}", with: "{penalty: [l3]}")),
                       "exp/s.yaml:8:22: model 'lr': penalty must be one of l2, l1, elasticnet, none, got \"l3\"; did you mean 'l2'?")
    }

    /// The parameters added for scikit-learn parity: kNN's search, SVM's cache, the MLP's numpy seed.
    func testNeighbourCacheAndSeedParameters() {
        func model(_ type: String, _ grid: String) -> String {
            base.replacingOccurrences(of: "type: logistic_regression", with: "type: \(type)").replacingOccurrences(of: "{C: [0.1, 1]}", with: grid)
        }
        XCTAssertNoThrow(try parse(model("knn", "{algorithm: [auto, kd_tree, brute], leaf_size: [5, 30]}")))
        XCTAssertEqual(error(model("knn", "{algorithm: [ball_tree]}")),
                       "exp/s.yaml:8:24: model 'lr': algorithm ball_tree is not available: kd_tree and brute search exactly, as auto does")
        XCTAssertEqual(error(model("knn", "{leaf_size: [0]}")), "exp/s.yaml:8:24: model 'lr': leaf_size must be at least 1, got 0")
        XCTAssertEqual(error(model("svm", "{cache_size: [-5]}")), "exp/s.yaml:8:25: model 'lr': cache_size must be greater than 0, got -5")
        XCTAssertNoThrow(try parse(model("mlp", "{random_state: [0, 4294967295]}")))
        XCTAssertEqual(error(model("mlp", "{random_state: [-1]}")),
                       "exp/s.yaml:8:27: model 'lr': random_state must be null or an integer from 0 to 4294967295 (numpy's seed range), got -1")
    }

    func testMissingPiecesAndVersion() {
        XCTAssertEqual(error("assay: 2\n"), "exp/s.yaml:1:8: spec version 2 is not supported; this Assay reads version 1")
        XCTAssertEqual(error("data: {path: x}\n"), "exp/s.yaml:1:1: missing 'assay: 1' (the spec format version)")
        XCTAssertEqual(error(base.replacingOccurrences(of: "  target: y\n", with: "")), "exp/s.yaml:3:3: data.target is required")
        XCTAssertTrue(error("assay: 1\ndata: [\n").hasPrefix("exp/s.yaml:"))
        XCTAssertEqual(error(base + "\nname: a\nname: b"), "exp/s.yaml:9:1: invalid YAML: duplicate key 'name'")
    }

    func testOverrides() throws {
        let s = try parse(base, ["data.path=/tmp/other.csv", "models.lr.grid.C=[10]", "seed=7", "split.folds=3"])
        XCTAssertEqual(s.data.resolvedPath, "/tmp/other.csv")
        XCTAssertEqual(s.models[0].points, [["C": .int(10)]])
        XCTAssertEqual(s.seed, 7)
        XCTAssertEqual(s.split.folds, 3)
        XCTAssertEqual(error(base, ["models.lr.grid.C=[-1]"]), "--set models.lr.grid.C: model 'lr': C must be greater than 0, got -1")
        XCTAssertEqual(error(base, ["nonsense"]), "--set nonsense: expected KEY=VALUE, for example --set models.logreg.grid.C=[1,10]")
    }

    func testPreprocessOrderAndOptions() throws {
        let s = try parse(base + "\npreprocess:\n  - impute: {numeric: constant, value: 0}\n  - encode: {method: ordinal}\n  - scale: {method: minmax}")
        XCTAssertEqual(s.preprocess, [.impute(ImputeStep(numeric: .constant, categorical: .mostFrequent, value: .int(0))), .encode(EncodeStep(method: .ordinal)), .scale(.minmax, columns: .all)])
        XCTAssertEqual(error(base + "\npreprocess:\n  - encode: {}\n  - impute: {}"),
                       "exp/s.yaml:11:5: impute must come before encode (encode is at exp/s.yaml:10:5)")
        XCTAssertEqual(error(base + "\npreprocess:\n  - scale: {method: standrd}"),
                       "exp/s.yaml:10:21: preprocess step 'scale': method must be one of standard, minmax, robust, got 'standrd'; did you mean 'standard'?")
    }

    // MARK: data.join and data.clean

    func withData(_ extra: String) -> String {
        base.replacingOccurrences(of: "  target: y\n", with: "  target: y\n" + extra)
    }

    func testJoinAndCleanParse() throws {
        let s = try parse(withData("""
          join:
            - path: side.csv
              delimiter: ";"
              decimal: ","
              on: id
              how: left
              clean:
                - replace: {period: {prev_typo: prev}}
              pivot: {index: id, columns: period, values: [rev, minutes], aggregate: sum}
          clean:
            - filter: "rev_cur < 100000 and `Тип сервиса` != 'x'"
            - derive: {ratio: "a / b", flag: "if(a > 1, 1, 0)"}
            - drop_duplicates: {ignore: [id]}
            - normalize: {columns: [plan], lowercase: true}

        """))
        let j = s.data.joins[0]
        XCTAssertEqual(j.resolvedPath, "exp/side.csv")
        XCTAssertEqual(j.delimiter, UInt8(ascii: ";"))
        XCTAssertEqual(j.on, ["id"])
        XCTAssertEqual(j.how, .left)
        XCTAssertEqual(j.pivot, PivotSpec(index: ["id"], columns: "period", values: ["rev", "minutes"], aggregate: .sum))
        XCTAssertEqual(j.clean.map(\.canonical), ["replace(\"period\":\"prev_typo\"=\"prev\")"])
        XCTAssertEqual(s.data.clean.map(\.canonical), [
            "filter(((`rev_cur` < 100000) and (`Тип сервиса` != \"x\")))",
            "derive(\"ratio\"=(`a` / `b`))", "derive(\"flag\"=if((`a` > 1), 1, 0))",
            "drop_duplicates(subset=null,ignore=[\"id\"])", "normalize(columns=[\"plan\"],lower=true)",
        ])
        XCTAssertEqual(s.data.clean[1].origin, "exp/s.yaml:16:16")
    }

    func testJoinAndCleanErrorsNameTheirLocation() {
        XCTAssertEqual(error(withData("  join:\n    - {on: id}\n")), "exp/s.yaml:6:7: data.join[0].path is required")
        XCTAssertEqual(error(withData("  join:\n    - {path: s.csv, on: id, decimal: ';'}\n")),
                       "exp/s.yaml:6:38: data.join[0].decimal must be one of '.', ',', got ';'")
        XCTAssertEqual(error(withData("  clean:\n    - drop_duplicates: {subset: []}\n")),
                       "exp/s.yaml:6:33: data.clean drop_duplicates.subset is an empty list")
        XCTAssertEqual(error(withData("  join:\n    - path: side.csv\n")), "exp/s.yaml:6:7: data.join[0].on is required: the key column(s) both tables share")
        XCTAssertEqual(error(withData("  join:\n    - {path: s.csv, on: id, how: outer}\n")),
                       "exp/s.yaml:6:34: data.join[0].how must be one of inner, left, got 'outer'")
        XCTAssertEqual(error(withData("  join:\n    - {path: s.csv, on: id, pivot: {index: id}}\n")),
                       "exp/s.yaml:6:36: data.join[0].pivot needs index, columns and values")
        XCTAssertEqual(error(withData("  join:\n    - {path: s.csv, on: id, pivot: {index: k, columns: p, values: v}}\n")),
                       "exp/s.yaml:6:25: data.join[0].on must be among pivot.index (k): the pivoted table has only those and the new columns")
        XCTAssertEqual(error(withData("  join:\n    - {path: s.csv, on: id, pivot: {index: id, columns: p, values: v, aggregate: median}}\n")),
                       "exp/s.yaml:6:82: data.join[0].pivot.aggregate must be one of sum, mean, min, max, first, count, got 'median'; did you mean 'mean'?")
        XCTAssertEqual(error(withData("  join:\n    - {path: s.csv, on: id, sep: x}\n")),
                       "exp/s.yaml:6:29: unknown key 'sep' in data.join[0]")
        XCTAssertEqual(error(withData("  clean:\n    - filter: \"a >\"\n")),
                       "exp/s.yaml:6:15: data.clean filter: expected a value, found end of expression at character 4 of \"a >\"")
        XCTAssertEqual(error(withData("  clean:\n    - derive: {r: \"lg(a)\"}\n")),
                       "exp/s.yaml:6:19: data.clean derive.r: unknown function 'lg'; did you mean 'log'? at character 1 of \"lg(a)\"")
        XCTAssertEqual(error(withData("  clean:\n    - fitler: \"a > 1\"\n")),
                       "exp/s.yaml:6:7: unknown data.clean step 'fitler'; did you mean 'filter'?")
        XCTAssertEqual(error(withData("  clean:\n    - replace: {plan: x}\n")),
                       "exp/s.yaml:6:23: data.clean replace.plan must map old values to new ones")
        XCTAssertEqual(error(withData("  clean:\n    - drop_duplicates: {keep: last}\n")),
                       "exp/s.yaml:6:25: unknown key 'keep' in data.clean drop_duplicates")
        XCTAssertEqual(error(withData("  clean:\n    - normalize: {lowercase: maybe}\n")),
                       "exp/s.yaml:6:30: data.clean normalize.lowercase must be true or false, got 'maybe'")
    }

    // MARK: preprocessing options

    func testPreprocessingOptionsParse() throws {
        let s = try parse(base + """

        preprocess:
          - impute: {numeric: mean, add_indicator: true, columns: {type: numeric}}
          - log1p: {columns: [minutes, "Book length"]}
          - clip: {quantiles: [0.01, 0.99], columns: {pattern: "^rev_"}}
          - encode: {method: onehot, min_frequency: 5, max_categories: 20, handle_unknown: infrequent_if_exist, columns: country}
          - encode: {method: ordinal, order: {size: [S, M, L]}, columns: size}
          - encode: {method: target, smooth: 2, cv: 3, columns: {names: [city]}}
          - scale: {method: robust, columns: {type: numeric}}
          - resample: {method: smote_nc, k_neighbors: 3, sampling_strategy: 0.5}
        """)
        XCTAssertEqual(s.preprocess, [
            .impute(ImputeStep(numeric: .mean, addIndicator: true, columns: ColumnSelector(kind: .numeric))),
            .log1p(columns: ColumnSelector(names: ["minutes", "Book length"])),
            .clip(ClipStep(quantiles: [0.01, 0.99], columns: ColumnSelector(pattern: "^rev_"))),
            .encode(EncodeStep(method: .onehot, handleUnknown: .infrequentIfExist, minFrequency: 5, maxCategories: 20, columns: ColumnSelector(names: ["country"]))),
            .encode(EncodeStep(method: .ordinal, order: ["size": ["S", "M", "L"]], columns: ColumnSelector(names: ["size"]))),
            .encode({ var e = EncodeStep(method: .target, columns: ColumnSelector(names: ["city"])); e.smooth = 2; e.cv = 3; return e }()),
            .scale(.robust, columns: ColumnSelector(kind: .numeric)),
            .resample(ResampleStep(method: .smoteNC, kNeighbors: 3, samplingStrategy: 0.5)),
        ])
        XCTAssertTrue(ColumnSelector(pattern: "^rev_").matches("rev_cur", .numeric))
        XCTAssertFalse(ColumnSelector(pattern: "^rev_").matches("prev_rev", .numeric))
        XCTAssertFalse(ColumnSelector(names: ["a"], kind: .categorical).matches("a", .numeric))
    }

    func testPreprocessingOptionErrorsNameTheirLocation() {
        func e(_ steps: String) -> String { error(base + "\npreprocess:\n" + steps) }
        XCTAssertEqual(e("  - resample: {method: smote}\n  - scale: {}"),
                       "exp/s.yaml:11:5: resample must be the last step (it is at exp/s.yaml:10:5): it rebalances the transformed training rows")
        XCTAssertEqual(e("  - resample: {method: smot}"),
                       "exp/s.yaml:10:24: preprocess step 'resample': method must be one of smote, smote_nc, undersample, oversample, got 'smot'; did you mean 'smote'?")
        XCTAssertEqual(e("  - resample: {method: undersample, k_neighbors: 3}"),
                       "exp/s.yaml:10:50: preprocess step 'resample': k_neighbors applies to smote and smote_nc only")
        XCTAssertEqual(e("  - resample: {sampling_strategy: 1.5}"),
                       "exp/s.yaml:10:35: preprocess step 'resample': sampling_strategy must be in (0, 1], got '1.5'")
        XCTAssertEqual(e("  - encode: {method: ordinal, min_frequency: 3}"),
                       "exp/s.yaml:10:46: preprocess step 'encode': min_frequency applies to method onehot only")
        XCTAssertEqual(e("  - encode: {min_frequency: 0}"),
                       "exp/s.yaml:10:29: preprocess step 'encode': min_frequency must be a count of at least 1 or a fraction in (0, 1), got 0")
        XCTAssertEqual(e("  - encode: {handle_unknown: warn}"),
                       "exp/s.yaml:10:30: preprocess step 'encode': handle_unknown must be one of ignore, error, infrequent_if_exist, got 'warn'")
        XCTAssertEqual(e("  - encode: {method: ordinal, order: {size: [S, S]}}"),
                       "exp/s.yaml:10:45: preprocess step 'encode': order.size must list each category once")
        XCTAssertEqual(e("  - encode: {method: target, cv: 1}"),
                       "exp/s.yaml:10:34: preprocess step 'encode': cv must be at least 2, got 1")
        XCTAssertEqual(e("  - clip: {quantiles: [0.9, 0.1]}"),
                       "exp/s.yaml:10:23: preprocess step 'clip': quantiles must be [low, high] with 0 ≤ low < high ≤ 1")
        XCTAssertEqual(e("  - encode: {max_categories: 0}"),
                       "exp/s.yaml:10:30: preprocess step 'encode': max_categories must be at least 1, got 0")
        XCTAssertEqual(e("  - encode: {method: target, smooth: -1}"),
                       "exp/s.yaml:10:38: preprocess step 'encode': smooth must be auto or a number ≥ 0, got '-1'")
        XCTAssertEqual(e("  - log1p: {columns: {}}"), "exp/s.yaml:10:22: preprocess step 'log1p': columns needs names, pattern or type")
        XCTAssertEqual(e("  - clip: {}"), "exp/s.yaml:10:5: preprocess step 'clip' needs min, max or quantiles")
        XCTAssertEqual(e("  - scale: {columns: {pattern: \"(\"}}"),
                       "exp/s.yaml:10:32: preprocess step 'scale': columns.pattern is not a valid regular expression: \"(\"")
        XCTAssertEqual(e("  - scale: {columns: {typ: numeric}}"),
                       "exp/s.yaml:10:23: unknown key 'typ' in preprocess step 'scale': columns; did you mean 'type'?")
        XCTAssertEqual(e("  - impute: {add_indicator: 1}"),
                       "exp/s.yaml:10:29: preprocess step 'impute': add_indicator must be true or false, got '1'")
        XCTAssertEqual(e("  - logp1: {}"), "exp/s.yaml:10:5: unknown preprocess step 'logp1'; did you mean 'log1p'?")
    }

    func testGridOverAPreprocessingOption() throws {
        let s = try parse(base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "grid: {C: [1], preprocess.scale.method: [standard, minmax]}") + """

        preprocess:
          - impute: {numeric: median}
          - scale: {method: robust}
        """)
        let m = s.models[0]
        XCTAssertEqual(m.points.count, 2)
        XCTAssertEqual(m.modelParams(m.points[1]), ["C": .int(1)])
        XCTAssertEqual(m.steps(for: m.points[0], default: s.preprocess), [.impute(ImputeStep()), .scale(.standard, columns: .all)])
        XCTAssertEqual(m.steps(for: m.points[1], default: s.preprocess), [.impute(ImputeStep()), .scale(.minmax, columns: .all)])
        func e(_ grid: String) -> String {
            error(base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "grid: {\(grid)}") + "\npreprocess:\n  - scale: {method: robust}\n  - scale: {method: robust}")
        }
        XCTAssertEqual(e("preprocess.scale.method: [standard]"),
                       "exp/s.yaml:8:12: model 'lr': grid key 'preprocess.scale.method': preprocess has 2 'scale' steps; address one by position, like preprocess.0.method")
        XCTAssertEqual(e("preprocess.1.method: [standrd]"),
                       "exp/s.yaml:8:34: preprocess step 'scale': method must be one of standard, minmax, robust, got 'standrd'; did you mean 'standard'?")
        XCTAssertEqual(e("preprocess.impute.numeric: [mean]"),
                       "exp/s.yaml:8:12: model 'lr': grid key 'preprocess.impute.numeric': no 'impute' step in preprocess")
        XCTAssertEqual(e("preprocess.scale: [x]"), "exp/s.yaml:8:12: model 'lr': grid key 'preprocess.scale' must be preprocess.STEP.OPTION, like preprocess.scale.method")
    }

    /// SPEC.md's `task:`: a regression or multiclass spec gets its own metrics and model types, and binary-only settings
    /// are refused where they are written.
    func testTask() throws {
        XCTAssertEqual(try parse(base + "\ntask: binary").kind, .binary)
        let multiclass = try parse(base + "\ntask: multiclass")
        XCTAssertEqual(multiclass.kind, .multiclass)
        XCTAssertEqual(multiclass.select, .rocAUCOvr, "the peer's default")
        XCTAssertEqual(error(base + "\ntask: multiclass\nmetrics: [roc_auc]"),
                       "exp/s.yaml:10:11: metric 'roc_auc' scores task binary, and this spec's task is multiclass (its metrics: accuracy, balanced_accuracy, mcc, log_loss, f1_macro, f1_weighted, precision_macro, recall_macro, roc_auc_ovr)")
        XCTAssertEqual(try parse(base + "\ntask: multiclass\nmetrics: [accuracy, mcc, f1_macro]").metrics, [.accuracy, .mcc, .f1Macro, .rocAUCOvr])
        XCTAssertThrowsError(try parse(base + "\ntask: multiclass\nthreshold: 0.3")) { XCTAssertTrue("\($0)".contains("threshold applies to task binary only"), "\($0)") }
        XCTAssertThrowsError(try parse(base + "\ntask: multiclass\nimportance: {shap: true}")) {
            XCTAssertTrue("\($0)".contains("importance.shap explains one output per row; task multiclass has one per class"), "\($0)")
        }
        XCTAssertNoThrow(try parse(base + "\ntask: multiclass\npreprocess:\n  - resample: {method: smote}"), "imbalanced-learn's auto: every class to the largest")
        XCTAssertThrowsError(try parse(base + "\ntask: multiclass\npreprocess:\n  - resample: {method: smote, sampling_strategy: 0.5}")) {
            XCTAssertTrue("\($0)".contains("sampling_strategy is a minority/majority ratio of two classes; with several classes leave it out (auto)"), "\($0)")
        }
        XCTAssertThrowsError(try parse(base + "\ntask: multiclasss")) { XCTAssertTrue("\($0)".contains("did you mean 'multiclass'?"), "\($0)") }
        XCTAssertThrowsError(try parse(base + "\ntask: regresion")) { XCTAssertTrue("\($0)".contains("did you mean 'regression'?"), "\($0)") }
        XCTAssertEqual(error(base + "\ntask: regression"),
                       "exp/s.yaml:7:11: model type 'logistic_regression' is for task binary, not regression (task regression has: linear_regression, ridge, lasso, elastic_net, decision_tree, random_forest, knn, gradient_boosting, mlp, svm, dummy)")
        let regression = """
        assay: 1
        task: regression
        data: {path: d.csv, target: spend}
        models:
          r:
            type: ridge
            grid: {alpha: [0.1, 1]}
        """
        let s = try parse(regression)
        XCTAssertEqual(s.kind, .regression)
        XCTAssertEqual(s.select, .rmse, "a regression selects by RMSE unless told")
        XCTAssertEqual(s.metrics, [.rmse])
        XCTAssertEqual(try parse(regression + "\nmetrics: [r2, mae]\nselect: mae").metrics, [.r2, .mae])
        XCTAssertEqual(error(regression + "\nmetrics: [roc_auc]"),
                       "exp/s.yaml:8:11: metric 'roc_auc' scores task binary, and this spec's task is regression (its metrics: rmse, mae, r2, mape, median_ae, explained_variance, poisson_deviance)")
        XCTAssertEqual(error(base + "\nmetrics: [rmse]"),
                       "exp/s.yaml:9:11: metric 'rmse' scores task regression, and this spec's task is binary (its metrics: roc_auc, pr_auc, f1, precision, recall, accuracy, balanced_accuracy, mcc, log_loss, brier)")
        XCTAssertEqual(error(regression + "\nthreshold: 0.3"), "exp/s.yaml:8:12: threshold applies to task binary only: a regression model predicts a value, not a probability to cut")
        XCTAssertEqual(error(regression + "\nlabels: {positive: buyers}"), "exp/s.yaml:8:9: labels names the positive rows of task binary; a regression target has none")
        XCTAssertEqual(error(regression + "\npreprocess: [{resample: {method: smote}}]"),
                       "exp/s.yaml:8:15: preprocess step 'resample': resample applies to classification only, and this spec's task is regression")
        XCTAssertEqual(error(regression + "\npreprocess: [{encode: {method: target}}]"),
                       "exp/s.yaml:8:32: preprocess step 'encode': method target encodes a binary target's rate; task regression is not supported by it yet (use onehot or ordinal)")
        XCTAssertEqual(error(regression.replacingOccurrences(of: "type: ridge", with: "type: ridge\n    calibrate: sigmoid")),
                       "exp/s.yaml:7:16: model 'r': calibrate applies to classification only (it calibrates probabilities)")
        XCTAssertEqual(error(regression.replacingOccurrences(of: "type: ridge", with: "type: rigde")),
                       "exp/s.yaml:6:11: unknown model type 'rigde' for task regression; did you mean 'ridge'?")
    }

    func testImportanceForOtherModels() throws {
        XCTAssertEqual(try parse(base).importanceModels, [])
        XCTAssertEqual(try parse(base + "\nimportance: {models: all}").importanceModels, ["lr"])
        XCTAssertEqual(try parse(base + "\nimportance: {models: [lr, lr]}").importanceModels, ["lr"])
        XCTAssertThrowsError(try parse(base + "\nimportance: {models: [lrr]}")) { XCTAssertTrue("\($0)".contains("importance.models: no model 'lrr' in models; did you mean 'lr'?"), "\($0)") }
    }

    func testSegments() throws {
        XCTAssertEqual(try parse(base + "\nsegments: {value: profit}").segments, SegmentsRule(value: "profit", probability: .quantiles(3), valueBands: .quantiles(3)))
        XCTAssertEqual(try parse(base + "\nsegments: {value: profit, probability: [0.3, 0.7], value_bands: {quantiles: 4}}").segments,
                       SegmentsRule(value: "profit", probability: .fixed([0.3, 0.7]), valueBands: .quantiles(4)))
        let lines = base.split(separator: "\n").count + 1
        XCTAssertEqual(error(base + "\nsegments: {probability: [0.5]}"), "exp/s.yaml:\(lines):11: segments.value is required: the numeric column (profit, spend) to cross with the probability")
        XCTAssertEqual(error(base + "\nsegments: {value: profit, probability: [0.7, 0.3]}"), "exp/s.yaml:\(lines):40: segments.probability must list cut points in increasing order, or be {quantiles: N}")
        XCTAssertEqual(error(base + "\nsegments: {value: profit, probability: [1.5]}"), "exp/s.yaml:\(lines):40: segments.probability cut 1.5 is not between 0 and 1")
        XCTAssertEqual(error(base + "\nsegments: {value: profit, value_bands: {quantiles: 1}}"), "exp/s.yaml:\(lines):52: segments.value_bands.quantiles must be 2 to 10, got 1")
        XCTAssertEqual(error(base + "\nsegments: {value: profit, colour: red}"), "exp/s.yaml:\(lines):27: unknown key 'colour' in segments")
    }

    func testProfitThreshold() throws {
        XCTAssertEqual(try parse(base + "\nthreshold: {profit: {tp: 40, fp: -2}}").threshold, .profit(UnitValues(tp: 40, fp: -2)))
        XCTAssertEqual(try parse(base + "\nthreshold: {profit: {tp: 40, fp: -2, fn: -5, tn: 0.5}}").threshold, .profit(UnitValues(tp: 40, fp: -2, fn: -5, tn: 0.5)))
        XCTAssertThrowsError(try parse(base + "\nthreshold: {profit: {tp: 40}}")) { XCTAssertTrue("\($0)".contains("threshold.profit needs tp and fp"), "\($0)") }
        XCTAssertThrowsError(try parse(base + "\nthreshold: {profit: {tp: 1, fp: 2}}")) { XCTAssertTrue("\($0)".contains("tp - fn > fp - tn"), "\($0)") }
        let own = try parse(base + "\nthreshold: {profit: {value: margin, tp: -1, fp: -3}}")
        XCTAssertEqual(own.threshold, .profit(UnitValues(tp: -1, fp: -3, value: "margin")), "with a value column, tp may be a cost")
        XCTAssertEqual(own.threshold?.display, "profit {value: margin, tp: -1, fp: -3, fn: 0, tn: 0}")
        XCTAssertTrue(own.data.columnReferences.contains { $0.role == "threshold.profit.value" && $0.name == "margin" }, "validate checks the column")
        XCTAssertThrowsError(try parse(base + "\nthreshold: {profit: {tp: 1, fpp: -2}}")) { XCTAssertTrue("\($0)".contains("did you mean 'fp'?"), "\($0)") }
    }

    func testLabelsNameThePositiveRows() throws {
        XCTAssertNil(try parse(base).positiveName)
        XCTAssertEqual(try parse(base + "\nlabels: {positive: churners}").positiveName, "churners")
        XCTAssertThrowsError(try parse(base + "\nlabels: {positive: \" \"}")) { XCTAssertTrue("\($0)".contains("labels.positive must name the positive rows"), "\($0)") }
        XCTAssertThrowsError(try parse(base + "\nlabels: {postive: churners}")) { XCTAssertTrue("\($0)".contains("did you mean 'positive'?"), "\($0)") }
    }

    func testThresholdAndCalibrate() throws {
        XCTAssertEqual(try parse(base + "\nthreshold: 0.3").threshold, .fixed(0.3))
        XCTAssertEqual(try parse(base + "\nthreshold: max_f1").threshold, .maxF1)
        XCTAssertEqual(try parse(base + "\nthreshold: {recall: 0.8}").threshold, .recall(0.8))
        XCTAssertEqual(try parse(base + "\nthreshold: {top: 10%}").threshold, .top(0.1))
        XCTAssertEqual(try parse(base + "\nthreshold: {top: 0.25}").threshold, .top(0.25))
        XCTAssertEqual(error(base + "\nthreshold: 1.5"), "exp/s.yaml:9:12: threshold must be a number in (0, 1), max_f1, {recall: 0.8}, {top: 10%} or {profit: {tp: 40, fp: -2}}, got 1.5")
        XCTAssertEqual(error(base + "\nthreshold: max_f"), "exp/s.yaml:9:12: threshold must be a number in (0, 1), max_f1, {recall: 0.8}, {top: 10%} or {profit: {tp: 40, fp: -2}}, got 'max_f'; did you mean 'max_f1'?")
        XCTAssertEqual(error(base + "\nthreshold: {precision: 0.8}"), "exp/s.yaml:9:13: unknown threshold rule 'precision'; threshold must be a number in (0, 1), max_f1, {recall: 0.8}, {top: 10%} or {profit: {tp: 40, fp: -2}}")
        XCTAssertEqual(error(base + "\nthreshold: {top: 150%}"), "exp/s.yaml:9:18: threshold.top must be a share in (0, 100%], got '150%'")
        XCTAssertEqual(error(base + "\nthreshold: {recall: 0}"), "exp/s.yaml:9:21: threshold.recall must be in (0, 1], got '0'")
        let cal = base.replacingOccurrences(of: "type: logistic_regression", with: "type: logistic_regression\n    calibrate: isotonic")
        XCTAssertEqual(try parse(cal).models[0].calibrate, CalibrateStep(method: .isotonic))
        let mapped = base.replacingOccurrences(of: "type: logistic_regression", with: "type: logistic_regression\n    calibrate: {method: sigmoid, cv: 3}")
        XCTAssertEqual(try parse(mapped).models[0].calibrate, CalibrateStep(method: .sigmoid, cv: 3))
        XCTAssertEqual(error(base.replacingOccurrences(of: "type: logistic_regression", with: "type: logistic_regression\n    calibrate: platt")),
                       "exp/s.yaml:8:16: model 'lr': calibrate must be one of sigmoid, isotonic, got 'platt'")
        XCTAssertEqual(error(base.replacingOccurrences(of: "type: logistic_regression", with: "type: logistic_regression\n    calibrate: {cv: 3}")),
                       "exp/s.yaml:8:16: model 'lr': calibrate needs a method (sigmoid or isotonic)")
    }

    /// A random search's settings are read here; its points are drawn when the experiment is validated (SearchTests).
    func testRandomSearchSettings() throws {
        let laws = base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "search: {method: random, n_iter: 50}\n    grid: {C: {loguniform: [0.001, 100]}, max_iter: {randint: [50, 60]}, class_weight: [null, balanced]}")
        let m = try parse(laws).models[0]
        XCTAssertEqual(m.randomIterations, 50)
        XCTAssertNil(m.sampledPoints)
        XCTAssertEqual(m.gridNames, ["C", "class_weight", "max_iter"])
        XCTAssertEqual(m.distributions.map(\.distribution), [.logUniform(0.001, 100), .randint(50, 60)])
        XCTAssertEqual(error(base.replacingOccurrences(of: "grid: {C: [0.1, 1]}", with: "grid: {C: {loguniform: [0.1, 1]}}")),
                       "exp/s.yaml:8:15: model 'lr': grid.C is a distribution; those need search: {method: random}")
        XCTAssertEqual(error(laws.replacingOccurrences(of: "loguniform: [0.001, 100]", with: "lognormal: [0, 1]")),
                       "exp/s.yaml:9:16: model 'lr': grid.C: unknown distribution 'lognormal'")
        XCTAssertEqual(error(laws.replacingOccurrences(of: "loguniform: [0.001, 100]", with: "loguniform: [0, 1]")),
                       "exp/s.yaml:9:28: model 'lr': grid.C.loguniform needs 0 < low < high")
        XCTAssertEqual(error(laws.replacingOccurrences(of: "n_iter: 50", with: "n_iter: 0")), "exp/s.yaml:8:38: model 'lr': search.n_iter must be at least 1, got 0")
    }

    func testRepeatedKFold() throws {
        XCTAssertEqual(try parse(base + "\nsplit: {folds: 5, repeats: 3}").split.repeats, 3)
        XCTAssertEqual(error(base + "\nsplit: {repeats: 0}"), "exp/s.yaml:9:18: split.repeats must be at least 1, got 0")
        XCTAssertEqual(error(base + "\nsplit: {fold_column: f, repeats: 2}"),
                       "exp/s.yaml:9:34: split.repeats cannot be used with fold_column (the file fixes the folds)")
    }

    /// `task: segment` and `task: associate`: their own sections, no models, and every misplaced key refused where written.
    func testSegmentAndAssociateSpecs() throws {
        let segment = """
        assay: 1
        task: segment
        data: {path: t.csv, id: id}
        preprocess: [{scale: {method: standard}}]
        segment: {k: [2, 3, 4], choose: elbow, value: spend, rfm: {recency: r, frequency: f, monetary: m}}
        checks:
          segmentation.silhouette: {min: 0.3}
        """
        let s = try parse(segment)
        XCTAssertEqual(s.kind, .segment)
        XCTAssertEqual(s.segmentation?.ks, [2, 3, 4])
        XCTAssertEqual(s.segmentation?.choose, .elbow)
        XCTAssertEqual(s.segmentation?.rfm, RFMColumns(recency: "r", frequency: "f", monetary: "m"))
        XCTAssertEqual(s.checks.first?.path.description, "segmentation.silhouette")
        XCTAssertEqual(error(segment + "\nmodels: {lr: {type: logistic_regression}}"),
                       "exp/s.yaml:8:9: models does not apply to task segment: it fits no model to a target (segment: says how the rows are clustered)")
        XCTAssertEqual(error(segment.replacingOccurrences(of: "{path: t.csv, id: id}", with: "{path: t.csv, target: y}")),
                       "exp/s.yaml:3:29: data.target does not apply to task segment: it clusters rows, it predicts no target (list a column to leave out under data.drop)")
        XCTAssertEqual(error(segment.replacingOccurrences(of: "[2, 3, 4]", with: "[3, 2]")), "exp/s.yaml:5:14: segment.k must list each k once, in increasing order")
        XCTAssertEqual(error(segment.replacingOccurrences(of: "[2, 3, 4]", with: "[1, 2]")), "exp/s.yaml:5:14: segment.k must be at least 2, got 1")
        XCTAssertEqual(error(segment.replacingOccurrences(of: "segmentation.silhouette", with: "cv.roc_auc")),
                       "exp/s.yaml:7:3: checks: task segment has no models; write segmentation.METRIC (silhouette, calinski_harabasz, davies_bouldin, inertia)")
        XCTAssertTrue(error(segment.replacingOccurrences(of: "segment: {", with: "segmnt: {")).hasPrefix("exp/s.yaml:5:1: unknown key 'segmnt' in the spec; did you mean 'segment"))

        let associate = """
        assay: 1
        task: associate
        data:
          events: {path: log.csv, customer: c, time: t, item: i}
        associate: {min_support: 0.01, min_confidence: 0.2, max_len: 3}
        checks:
          baskets.rules: {min: 10}
        """
        let a = try parse(associate)
        XCTAssertEqual(a.associate?.minSupport, 0.01)
        XCTAssertEqual(a.associate?.maxLength, 3)
        XCTAssertEqual(a.associate?.maxItemsets, 1_000_000)
        XCTAssertEqual(error(associate.replacingOccurrences(of: ", item: i", with: "")),
                       "exp/s.yaml:4:11: data.events.item is required by task associate: the column of each purchase's item")
        XCTAssertEqual(error(associate.replacingOccurrences(of: "min_support: 0.01", with: "min_support: 0")),
                       "exp/s.yaml:5:26: associate.min_support must be a fraction in (0, 1], got 0")
        XCTAssertEqual(error(associate.replacingOccurrences(of: "task: associate", with: "task: binary")),
                       "exp/s.yaml:5:12: associate is the section of task associate; this spec's task is binary")
        XCTAssertEqual(error(associate.replacingOccurrences(of: "baskets.rules", with: "segmentation.rules")),
                       "exp/s.yaml:7:3: checks: task associate has no models; write baskets.METRIC (itemsets, rules)")
    }
}

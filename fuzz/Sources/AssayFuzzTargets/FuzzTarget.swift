import Assay
import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import AssaySpec
import Foundation

/// The readers of untrusted input, as fuzz targets: the spec loader, the CSV reader with the loader and profile
/// behind it, the row-expression parser, and the model-file reader with scoring behind it. Each takes any bytes and
/// either accepts them or refuses them with an error; a trap (a crash, an out-of-range index, a failed check below)
/// is a finding. Driven by libFuzzer (`fuzz/run`) and by a seeded mutation loop (`assay-fuzz`, and the test suite).
public enum FuzzTarget: String, CaseIterable, Sendable {
    case spec, csv, expression, model

    /// Feeds one input to the reader; true when it was accepted.
    public func run(_ bytes: [UInt8]) -> Bool {
        switch self {
        case .spec:
            let text = String(decoding: bytes, as: UTF8.self)
            return (try? SpecLoader.parse(text, file: "f.yaml", catalog: Self.catalog).drawingRandomPoints(catalog: Self.catalog)) != nil
        case .csv:
            var accepted = false
            for options in Self.csvOptions {
                guard let csv = try? CSVFile(bytes: bytes, displayName: "f.csv", options: options.csv),
                      let data = try? DatasetLoader.load(csv, options) else { continue }
                _ = ColumnDiagnostics.warnings(data.features, decimal: options.csv.decimal, file: "f.csv")
                _ = TableProfile(data.features, target: data.target, roles: [:])
                accepted = true
            }
            return accepted
        case .expression:
            let text = String(decoding: bytes, as: UTF8.self)
            guard let e = try? RowExpression.parse(text) else { return false }
            // Saved models store an expression as its display text: it must parse back to the same expression.
            guard let back = try? RowExpression.parse(e.display), back == e else { fatalError("display text does not parse back: \(JSONText.quote(text))") }
            return true
        case .model:
            // The input is a model file's body; the header and checksum are made for it, so the reader gets past them.
            var file = Data(SavedPipeline.magic)
            withUnsafeBytes(of: SavedPipeline.formatVersion.littleEndian) { file.append(contentsOf: $0) }
            file.append(contentsOf: SHA256.hash(Data(bytes)))
            file.append(contentsOf: bytes)
            guard let pipeline = try? SavedPipeline(fileData: file, file: "m") else { return false }
            do {
                let p = try pipeline.probabilities(for: Self.scoringTable)
                // A classifier's scores must be probabilities; a regressor's may be any number (a damaged but finite
                // coefficient can make one infinite), so for it only the row count is checked.
                // A multiclass model gives each row every class's probability.
                guard p.count == Self.scoringTable.rowCount * max(pipeline.classes.count, 1),
                      pipeline.kind == .regression || p.allSatisfy({ $0.isNaN || (0...1).contains($0) }) else {
                    fatalError("a model file was read, and scored \(p.count) rows with probabilities outside [0, 1]")
                }
                return true
            } catch let e as AssayError {
                guard e.isBadInput else { fatalError("scoring failed with a run error instead of refusing the file: \(e)") }
                return false
            } catch is DataError {
                return false  // the file's CSV options were altered: the table no longer reads as its columns
            } catch {
                fatalError("unexpected error \(error)")
            }
        }
    }

    /// The seed inputs: every file in `corpus/<target>/`, and for the spec target the repository's experiments
    /// (`corpus` is `<repository>/fuzz/corpus`).
    public func seeds(corpus: URL) throws -> [[UInt8]] {
        func files(_ folder: URL, _ suffix: String = "") throws -> [[UInt8]] {
            try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(suffix) }.sorted()
                .map { [UInt8](try Data(contentsOf: folder.appendingPathComponent($0))) }
        }
        var seeds = try files(corpus.appendingPathComponent(rawValue))
        if self == .spec { seeds += try files(Self.experiments(corpus: corpus), ".yaml") }
        return seeds
    }

    /// The folder of the repository's experiments, beside `fuzz/`.
    public static func experiments(corpus: URL) -> URL {
        corpus.standardizedFileURL.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("experiments")
    }

    static let catalog = ModelRegistry.standard.catalog

    static let csvOptions = [
        LoadOptions(target: "purchased", positive: "1", id: "student_id"),
        LoadOptions(csv: CSVOptions(delimiter: UInt8(ascii: ";"), decimal: UInt8(ascii: ",")), target: "y", positive: "yes", id: "id"),
    ]

    // MARK: mutation

    static let tokens = ["&a ", "*a", "[", "]", "{", "}", "'", "\"", "\n", "\r\n", "\\", ":", "- ", "((((", "1e999", ";", ",", "`", "\t",
                         "null", "-1", "99999999999999999999", "\u{0}", "é", "#", "|", "!", "%"].map { Array($0.utf8) }
    static let interesting: [Int64] = [-1, 0, 1, 2, 255, 256, 1 << 31, 1 << 40, 1 << 62, Int64.max, Int64.min]

    /// One seeded mutation of `input`: flipped bytes, an inserted token, an 8-byte integer overwritten with an
    /// interesting value (counts and sizes in binary formats), a deleted or a repeated slice.
    public static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0...(rng.next() % 3) {
            let at = b.isEmpty ? 0 : Int(rng.next() % UInt64(b.count))
            switch rng.next() % 5 {
            case 0 where !b.isEmpty: b[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            case 1: b.insert(contentsOf: tokens[Int(rng.next() % UInt64(tokens.count))], at: at)
            case 2 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + Int(rng.next() % 16) + 1))
            case 3 where b.count >= 8:
                let v = interesting[Int(rng.next() % UInt64(interesting.count))], start = min(at, b.count - 8)
                withUnsafeBytes(of: v.littleEndian) { for k in 0..<8 { b[start + k] = $0[k] } }
            default:
                let end = min(b.count, at + Int(rng.next() % 64))
                b.insert(contentsOf: Array(b[at..<end]), at: at)
            }
        }
        return b
    }

    /// Runs `count` seeded mutations of the seeds (one after another, round robin); returns how many were accepted.
    public func mutationLoop(seeds: [[UInt8]], count: Int, seed: UInt64) -> Int {
        var rng = SplitMix64(seed: seed), accepted = 0
        for k in 0..<count where run(Self.mutate(seeds[k % seeds.count], &rng)) { accepted += 1 }
        return accepted
    }

    // MARK: model files

    /// The table the model target scores with, and the seed models are fitted on: 120 customers, `;` and decimal commas,
    /// missing spend, three plans.
    public static let seedTable: String = {
        var rng = SplitMix64(seed: 11)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var lines = ["id;visits;spend;plan;y"]
        for i in 0..<120 {
            let visits = Int(u() * 20), spend = u() * 100, plan = ["free", "basic", "pro"][Int(u() * 3)]
            let z = -2 + 0.15 * Double(visits) + 0.01 * spend + (plan == "pro" ? 1 : 0) + (u() - 0.5) * 2
            let spendText = i % 13 == 0 ? "" : String(format: "%.3f", spend).replacingOccurrences(of: ".", with: ",")
            lines.append("c\(i);\(visits);\(spendText);\(plan);\(z > 0 ? "yes" : "no")")
        }
        return lines.joined(separator: "\n") + "\n"
    }()

    /// One model of every type, small, with a row-wise cleaning step saved with them.
    public static let seedSpec = """
        assay: 1
        name: fuzz-seeds
        seed: 1
        data:
          path: seed.csv
          delimiter: ";"
          decimal: ","
          target: y
          positive: "yes"
          id: id
          clean:
            - derive: {per_visit: "spend / (visits + 1)"}
            - replace: {plan: {free: basic}}
        split: {test_size: 0.25, folds: 3}
        preprocess:
          - impute: {numeric: median, categorical: most_frequent}
          - log1p: {columns: [spend]}
          - encode: {method: onehot}
          - scale: {method: standard}
        models:
          logreg: {type: logistic_regression}
          knn: {type: knn, params: {n_neighbors: 5}}
          nb: {type: naive_bayes}
          dummy: {type: dummy}
          tree: {type: decision_tree, params: {max_depth: 3}}
          forest: {type: random_forest, params: {n_estimators: 3, max_depth: 3}}
          boost: {type: gradient_boosting, params: {max_iter: 3, max_leaf_nodes: 4}}
          svm: {type: svm}
          mlp: {type: mlp, params: {hidden_layer_sizes: [4], max_iter: 20}}
          calibrated: {type: naive_bayes, calibrate: {method: isotonic, cv: 3}}

        """

    /// The regressors, fitted on the seed table's visits (their bodies score the same table as the classifiers').
    public static let regressionSeedSpec = """
        assay: 1
        name: fuzz-seeds
        task: regression
        seed: 1
        data:
          path: seed.csv
          delimiter: ";"
          decimal: ","
          target: visits
          id: id
          drop: [y]
          clean:
            - replace: {plan: {free: basic}}
        split: {test_size: 0.25, folds: 3}
        preprocess:
          - impute: {numeric: median, categorical: most_frequent}
          - encode: {method: onehot}
          - scale: {method: standard}
        models:
          reg_ols: {type: linear_regression}
          reg_ridge: {type: ridge}
          reg_enet: {type: elastic_net, params: {alpha: 0.1}}
          reg_dummy: {type: dummy}
          reg_tree: {type: decision_tree, params: {max_depth: 3}}
          reg_forest: {type: random_forest, params: {n_estimators: 3, max_depth: 3}}
          reg_knn: {type: knn, params: {n_neighbors: 3}}
          reg_boost: {type: gradient_boosting, params: {max_iter: 3, max_leaf_nodes: 4, loss: poisson}}
          reg_mlp: {type: mlp, params: {hidden_layer_sizes: [4], max_iter: 20}}
          reg_svm: {type: svm, params: {C: 10}}

        """

    /// One model of every multiclass type: the plan as the target.
    public static let multiclassSeedSpec = """
        assay: 1
        name: fuzz-seeds
        task: multiclass
        seed: 1
        data:
          path: seed.csv
          delimiter: ";"
          decimal: ","
          target: plan
          id: id
        split: {test_size: 0.25, folds: 3}
        preprocess:
          - impute: {numeric: median, categorical: most_frequent}
          - encode: {method: onehot}
          - scale: {method: standard}
        models:
          mc_logreg: {type: logistic_regression}
          mc_knn: {type: knn, params: {n_neighbors: 3}}
          mc_nb: {type: naive_bayes}
          mc_dummy: {type: dummy}
          mc_tree: {type: decision_tree, params: {max_depth: 3}}
          mc_forest: {type: random_forest, params: {n_estimators: 3, max_depth: 3}}
          mc_boost: {type: gradient_boosting, params: {max_iter: 3, max_leaf_nodes: 4}}
          mc_mlp: {type: mlp, params: {hidden_layer_sizes: [4], max_iter: 20}}
          mc_svm: {type: svm}
          mc_calibrated: {type: naive_bayes, calibrate: sigmoid}

        """

    nonisolated(unsafe) static let scoringTable: CSVFile = {  // immutable once built
        do { return try CSVFile(bytes: Array(seedTable.utf8), displayName: "seed.csv", options: csvOptions[1].csv) }
        catch { fatalError("the seed table does not read: \(error)") }
    }()

    /// Fits the seed models and writes each one's body (the model file without its header and checksum) to `folder`.
    public static func writeModelSeeds(into folder: URL) throws -> [String] {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("assay-fuzz-seeds-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try seedTable.write(to: work.appendingPathComponent("seed.csv"), atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var names: [String] = []
        for spec in [seedSpec, regressionSeedSpec, multiclassSeedSpec] {
            try spec.write(to: work.appendingPathComponent("seed.yaml"), atomically: true, encoding: .utf8)
            let outcome = try Experiment.run(specPath: work.appendingPathComponent("seed.yaml").path, options: RunOptions(
                jobs: 2, outputRoot: work.appendingPathComponent("runs").path, cacheDirectory: nil, modelsDirectory: work.appendingPathComponent("models").path))
            let head = SavedPipeline.magic.count + 36
            for (name, path) in outcome.savedModels {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                try bytes.subdata(in: head..<bytes.count).write(to: folder.appendingPathComponent("\(name).body"))
            }
            names += outcome.savedModels.keys
        }
        return names.sorted()
    }
}

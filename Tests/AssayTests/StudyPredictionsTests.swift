import Assay
import AssayCore
import Foundation
import TestSupport
import XCTest

/// The buyer-activity study's per-row answers against its committed report, recomputed with scikit-learn.
final class StudyPredictionsTests: XCTestCase {
    /// The study's logistic regression and tree (its SVC and k-NN take minutes in a debug build; CI checks all four on
    /// the release run) with `--predictions`: each model's entry in metrics.json equals the committed report's, and
    /// `tools/recompute_predictions.py` recomputes from the file's test rows, with scikit-learn, the committed test
    /// ROC-AUC, PR-AUC, log loss, accuracy and F1, the threshold table and the lift table, and checks that each row's
    /// SHAP values plus the expected value add up to the model's raw output.
    func testBuyerActivityPredictionsReproduceTheCommittedReport() throws {
        _ = try TestPaths.sharedData()
        let python = try TestPaths.peerPython()
        let dir = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let specPath = TestPaths.repository.appendingPathComponent("experiments/buyer_activity.yaml").path
        let committed = TestPaths.repository.appendingPathComponent("runs/buyer-activity/metrics.json")
        // The two models exactly as the spec has them: nothing about a model depends on the others.
        let models = "models={logreg: {type: logistic_regression, params: {max_iter: 1000}, grid: {C: [0.01, 0.1, 1, 10], preprocess.scale.method: [standard, minmax]}}, "
            + "tree: {type: decision_tree, grid: {max_depth: [3, 5, 8], min_samples_leaf: [1, 10]}}}"
        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("runs").path, cacheDirectory: dir.appendingPathComponent("cache").path)
        options.predictionsFile = dir.appendingPathComponent("predictions.csv").path
        _ = try Experiment.run(specPath: specPath, overrides: [models], options: options)

        func json(_ url: URL) throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
        let ours = try json(dir.appendingPathComponent("runs/buyer-activity/metrics.json")), theirs = try json(committed)
        for section in ["models", "shap_by_model"] {
            let a = try XCTUnwrap(ours[section] as? [String: Any]), b = try XCTUnwrap(theirs[section] as? [String: Any])
            for model in ["logreg", "tree"] {
                XCTAssertEqual(a[model] as? NSDictionary, b[model] as? NSDictionary, "\(section).\(model) differs from the committed report's")
            }
        }

        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [TestPaths.repository.appendingPathComponent("tools/recompute_predictions.py").path, options.predictionsFile!, committed.path,
                       "--positive", "Снизилась", "--models", "logreg,tree"]
        let out = Pipe()
        p.standardOutput = out; p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, text)
        XCTAssertTrue(text.contains("logreg: 324 test rows") && text.contains("tree: 324 test rows") && text.contains("SHAP adds up"), text)
    }
}

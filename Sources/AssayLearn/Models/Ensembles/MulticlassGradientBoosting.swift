import AssayCore
import Foundation

/// Histogram gradient boosting for task multiclass (softmax log loss).
///
/// Matches scikit-learn's `HistGradientBoostingClassifier` on more than two classes: a baseline of each class's log
/// share (centred; the softmax ignores the centre), then in each of `max_iter` iterations one tree per class fitted to
/// that class's gradients `p_k − [y = k]` and hessians `p_k (1 − p_k)`, with the binary model's leaf-wise growth,
/// bins, gains and leaf values (`GradientBoosting.growTree`). `class_weight: balanced` weighs each row by
/// `n / (K · n_class)`; `early_stopping` holds out a stratified, seeded 10% and stops when its log loss has not
/// improved by 1e-7 in 10 iterations. Differences are the binary model's.
public struct MulticlassGradientBoosting: WeightedMulticlassClassifier, Equatable {
    public var settings = GradientBoosting()

    public init() {}

    /// The spec's `gradient_boosting` under `task: multiclass`.
    public static let definition = ModelDefinition.multiclass("gradient_boosting", tag: 25, defaults: MulticlassGradientBoosting(),
                                                              parameters: GradientBoosting.classifierParameters.map { $0.lifted(\.settings) })

    public func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], classes k: Int, using rng: inout G) throws -> FittedMulticlassBoosting {
        try fit(consume x, y, classes: k, sampleWeights: nil, using: &rng)
    }

    /// Sample weights multiply the class weights (`balanced` counts rows) everywhere they are used; bins come from
    /// rows of positive weight.
    public func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], classes k: Int, weights: [Double],
                                              using rng: inout G) throws -> FittedMulticlassBoosting {
        try fit(consume x, y, classes: k, sampleWeights: weights, using: &rng)
    }

    func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], classes k: Int, sampleWeights: [Double]?,
                                       using rng: inout G) throws -> FittedMulticlassBoosting {
        try InputCheck.fitting(x, y, classes: k)
        var trainRows = Array(0..<x.rows), validRows: [Int] = []
        if settings.earlyStopping {
            let held = StratifiedSplitter.holdout(y, rows: trainRows, count: Int((0.1 * Double(x.rows)).rounded(.up)), using: &rng)
            validRows = held.sorted()
            let heldSet = Set(held)
            trainRows = trainRows.filter { !heldSet.contains($0) }
        }
        // Per-row weights from the class counts over every given row (all 1 without `balanced`).
        let weight = ClassWeights.times(ClassWeights.balanced(y, classes: k, enabled: settings.balanced), sampleWeights)
        let yt = trainRows.map { y[$0] }, wt = trainRows.map { weight[$0] }
        let yv = validRows.map { y[$0] }, wv = validRows.map { weight[$0] }, width = x.cols
        // scikit-learn bins with the class × sample weights when there are any. The trees need only the bins (and the
        // held-out rows): the matrix goes once they are made.
        let (binned, xv) = try Binned.boosting(ColumnSource(consume x), trainRows: trainRows, validRows: validRows,
                                               weights: settings.balanced || sampleWeights != nil ? wt : nil)
        let n = trainRows.count
        var shares = [Double](repeating: 0, count: k)
        for (label, w) in zip(yt, wt) { shares[Int(label)] += w }
        let totalWeight = shares.reduce(0, +)
        var baseline = shares.map { log(min(max($0 / totalWeight, Double.ulpOfOne), 1 - Double.ulpOfOne)) }
        let centre = baseline.reduce(0, +) / Double(k)
        baseline = baseline.map { $0 - centre }
        var raw = (0..<n).flatMap { _ in baseline }
        var validRaw = (0..<validRows.count).flatMap { _ in baseline }
        var trees: [FittedTree] = []
        var scores: [Double] = []
        var p = [Double](repeating: 0, count: n * k)
        var g = [Double](repeating: 0, count: n), h = g
        let bundles = FeatureBundles(binned)
        for _ in 0..<settings.maxIter {
            Self.softmax(raw, into: &p, classes: k)
            for c in 0..<k {
                for i in 0..<n {
                    let q = p[i * k + c]
                    g[i] = Double(Float((q - (Int(yt[i]) == c ? 1 : 0)) * wt[i])); h[i] = Double(Float(q * (1 - q) * wt[i]))  // float32, as scikit-learn
                }
                let (tree, leafOfRow) = settings.growTree(binned, bundles, g, h)
                for i in 0..<n { raw[i * k + c] += tree.value[leafOfRow[i]] }
                trees.append(tree)
                if settings.earlyStopping {
                    xv.values.withUnsafeBufferPointer { v in
                        for i in 0..<xv.rows { validRaw[i * k + c] += tree.leafValue(v.baseAddress! + i * xv.cols) }
                    }
                }
            }
            if settings.earlyStopping {
                var q = [Double](repeating: 0, count: validRaw.count)
                Self.softmax(validRaw, into: &q, classes: k)
                var loss = 0.0, total = 0.0
                for i in yv.indices {
                    loss -= wv[i] * log(min(max(q[i * k + Int(yv[i])], Double.ulpOfOne), 1 - Double.ulpOfOne))
                    total += wv[i]
                }
                scores.append(-loss / total)
                if scores.count > 10 {
                    let reference = scores[scores.count - 11]
                    if scores.suffix(10).allSatisfy({ $0 <= reference + 1e-7 }) { break }
                }
            }
        }
        return FittedMulticlassBoosting(baselines: baseline, trees: trees, width: width)
    }

    /// Each row's softmax of its `classes` raw scores.
    static func softmax(_ raw: [Double], into p: inout [Double], classes k: Int) {
        raw.withUnsafeBufferPointer { z in
            p.withUnsafeMutableBufferPointer { o in
                for i in 0..<(raw.count / k) { Logistic.softmax(z.baseAddress! + i * k, count: k, into: o.baseAddress! + i * k) }
            }
        }
    }
}

/// A fitted multiclass boosting: per class a baseline, and per iteration one tree per class (class after class).
public struct FittedMulticlassBoosting: FittedMulticlassClassifier, Equatable {
    public let baselines: [Double]
    public let trees: [FittedTree]
    public let width: Int

    public var classCount: Int { baselines.count }
    public var inputWidth: Int { width }

    public var ownImportance: (kind: String, values: [Double])? { ("gain", FittedBoosting.gainImportance(trees, width: width)) }

    public init(baselines: [Double], trees: [FittedTree], width: Int) {
        self.baselines = baselines
        self.trees = trees
        self.width = width
    }

    public func predictClassProbabilities(_ x: Matrix) throws -> Matrix {
        try InputCheck.predicting(x, width: width)
        let k = classCount
        var raw = (0..<x.rows).flatMap { _ in baselines }
        x.values.withUnsafeBufferPointer { v in
            for (t, tree) in trees.enumerated() {
                let c = t % k
                for i in 0..<x.rows { raw[i * k + c] += tree.leafValue(v.baseAddress! + i * x.cols) }
            }
        }
        var p = [Double](repeating: 0, count: raw.count)
        MulticlassGradientBoosting.softmax(raw, into: &p, classes: k)
        return Matrix(rows: x.rows, cols: k, values: p)
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(baselines); w.write(width); w.write(trees.count)
        for t in trees { t.encode(to: &w) }
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("multiclass gradient boosting", version: Self.formatVersion)
        let baselines = try r.readDoubles(), width = try r.readInt()
        let trees = try (0..<r.readCount()).map { _ in try FittedTree(from: &r) }
        try BinaryFormatError.require(baselines.count >= 2 && baselines.allSatisfy(\.isFinite) && width >= 0 && trees.count % baselines.count == 0
                                      && trees.allSatisfy { $0.value.allSatisfy(\.isFinite) }, "multiclass boosting: baselines or trees")
        for t in trees { try t.check(width: width) }
        self.init(baselines: baselines, trees: trees, width: width)
    }
}

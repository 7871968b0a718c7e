import AssayCore
import Foundation

/// Histogram gradient boosting for regression.
///
/// Matches scikit-learn's `HistGradientBoostingRegressor` with its three usual losses, growing each tree as
/// `GradientBoosting` does (the same parameters and the same differences):
/// - `squared_error` (the default): baseline the mean target, gradients `raw − y`, hessians 1;
/// - `absolute_error`: baseline the median, gradients `sign(raw − y)`, hessians 1, and each new leaf's value then
///   replaced by `learning_rate` × the median of its rows' residuals `y − raw` (scikit-learn's leaf update);
/// - `poisson`: a log link, baseline `log(mean y)`, gradients `exp(raw) − y` and hessians `exp(raw)`; predictions are
///   `exp(raw)`. The target must be ≥ 0 with a positive sum.
/// With `early_stopping: true`, a seeded, shuffled 10% of the training rows is held out and fitting stops when the
/// held-out loss has not improved by 1e-7 in 10 iterations (scikit-learn's `scoring="loss"`).
public struct GradientBoostingRegressor: ColumnwiseRegressor, Equatable {
    public typealias Fitted = FittedBoostingRegressor
    public enum Loss: String, Sendable, CaseIterable { case squaredError = "squared_error", absoluteError = "absolute_error", poisson }

    public var booster = GradientBoosting()
    public var loss = Loss.squaredError

    public init() {}

    /// The spec's `gradient_boosting` (task regression): the classifier's parameters and `loss`.
    public static let definition = ModelDefinition.regressor("gradient_boosting", tag: 14, defaults: GradientBoostingRegressor(), parameters: [
        Parameter(.choice("loss", Loss.allCases.map(\.rawValue)), default: .string("squared_error"), accepts: [.string("absolute_error"), .string("poisson")],
                  rejects: [.string("huber"), .string("log_loss")]) { $0.loss = Loss(rawValue: $1.stringValue!)! },
    ] + GradientBoosting.parameters.map { $0.lifted(\.booster) })

    /// Sample weights weigh the baseline (weighted mean, median or log of the mean), the gradients and hessians, the
    /// absolute-error leaf medians and the early-stopping loss, as in scikit-learn; bins come from rows of positive weight.
    public func fit<G: RandomNumberGenerator>(columns x: ColumnSource, _ y: [Double], weights sampleWeights: [Double]?,
                                              using rng: inout G) throws -> FittedBoostingRegressor {
        let width = x.cols
        var trainRows = Array(0..<x.rows), validRows: [Int] = []
        try InputCheck.fittingShape(rows: x.rows, labels: y.count)
        if booster.earlyStopping {
            var order = trainRows
            order.seededShuffle(using: &rng)
            validRows = Array(order.prefix(Int((0.1 * Double(x.rows)).rounded(.up)))).sorted()
            let held = Set(validRows)
            trainRows = trainRows.filter { !held.contains($0) }
        }
        let (binned, xv) = try Binned.boosting(x, trainRows: trainRows, validRows: validRows, weights: sampleWeights.map { w in trainRows.map { w[$0] } })
        try InputCheck.fittingValues(x, y)
        x.release()  // the trees need only the bins (and the held-out rows): the rows go now
        if loss == .poisson {
            if let i = y.firstIndex(where: { $0 < 0 }) { throw LearnError.badParameter("gradient_boosting: loss poisson needs a target ≥ 0; row \(i) is \(NumberFormat.json(y[i]))") }
            guard y.reduce(0, +) > 0 else { throw LearnError.badParameter("gradient_boosting: loss poisson needs a target with a positive sum") }
        }
        let yt = trainRows.map { y[$0] }, yv = validRows.map { y[$0] }
        let wt = sampleWeights.map { w in trainRows.map { w[$0] } }, wv = sampleWeights.map { w in validRows.map { w[$0] } }
        let n = trainRows.count
        let baseline: Double
        if let wt {
            let mean = zip(yt, wt).reduce(0.0) { $0 + $1.0 * $1.1 } / wt.reduce(0, +)
            switch loss {
            case .squaredError: baseline = mean
            case .absoluteError: baseline = Stats.weightedPercentile(yt, wt, 50)
            case .poisson: baseline = log(max(mean, Double.ulpOfOne))  // scikit-learn clips the mean at machine epsilon
            }
        } else {
            switch loss {
            case .squaredError: baseline = yt.reduce(0, +) / Double(n)
            case .absoluteError: baseline = Stats.percentile(yt.sorted(), 50)
            case .poisson: baseline = log(yt.reduce(0, +) / Double(n))
            }
        }
        var raw = [Double](repeating: baseline, count: n)
        var validRaw = [Double](repeating: baseline, count: validRows.count)
        var trees: [FittedTree] = [], scores: [Double] = []
        var g = [Double](repeating: 0, count: n), h = wt ?? [Double](repeating: 1, count: n)
        let bundles = FeatureBundles(binned)
        for _ in 0..<booster.maxIter {
            for i in 0..<n {
                switch loss {
                case .squaredError: g[i] = raw[i] - yt[i]
                case .absoluteError: g[i] = raw[i] > yt[i] ? 1 : -1  // scikit-learn's sign: −1 where the prediction is exact
                case .poisson: let mu = exp(raw[i]); g[i] = mu - yt[i]; h[i] = mu
                }
                if let wt {
                    g[i] *= wt[i]
                    if loss == .poisson { h[i] *= wt[i] }
                }
                g[i] = Double(Float(g[i])); h[i] = Double(Float(h[i]))  // float32, as scikit-learn stores them
            }
            var (tree, leafOfRow) = booster.growTree(binned, bundles, g, h)
            if loss == .absoluteError {
                var residuals: [Int: [Int]] = [:]
                for i in 0..<n { residuals[leafOfRow[i], default: []].append(i) }
                for (leaf, rows) in residuals {
                    let r = rows.map { yt[$0] - raw[$0] }
                    let median = wt.map { w in Stats.weightedPercentile(r, rows.map { w[$0] }, 50) } ?? Stats.percentile(r.sorted(), 50)
                    tree.value[leaf] = booster.learningRate * median
                }
            }
            for i in 0..<n { raw[i] += tree.value[leafOfRow[i]] }
            trees.append(tree)
            if booster.earlyStopping {
                tree.addLeafValues(xv, to: &validRaw)
                scores.append(-Self.meanLoss(loss, yv, validRaw, weights: wv))
                if scores.count > 10 {
                    let reference = scores[scores.count - 11]
                    if scores.suffix(10).allSatisfy({ $0 <= reference + 1e-7 }) { break }
                }
            }
        }
        return FittedBoostingRegressor(baseline: baseline, trees: trees, width: width, logLink: loss == .poisson)
    }

    /// The loss scikit-learn minimizes, averaged over rows with raw predictions `raw` (half squared error, absolute
    /// error, half Poisson deviance without its constant term).
    static func meanLoss(_ loss: Loss, _ y: [Double], _ raw: [Double], weights: [Double]? = nil) -> Double {
        guard !y.isEmpty else { return 0 }
        var s = 0.0, total = 0.0
        for (i, (t, r)) in zip(y, raw).enumerated() {
            let l: Double
            switch loss {
            case .squaredError: l = 0.5 * (t - r) * (t - r)
            case .absoluteError: l = abs(t - r)
            case .poisson: l = exp(r) - t * r
            }
            if let weights { s += weights[i] * l; total += weights[i] } else { s += l }
        }
        return s / (weights == nil ? Double(y.count) : total)
    }
}

/// A fitted boosting regressor: the baseline plus the trees' leaf values, through the log link for Poisson.
public struct FittedBoostingRegressor: FittedRegressor, Equatable {
    public let baseline: Double
    public let trees: [FittedTree]
    public let width: Int
    public let logLink: Bool

    public var inputWidth: Int { width }

    public var ownImportance: (kind: String, values: [Double])? {
        (FittedBoosting(baseline: baseline, trees: trees, width: width).ownImportance)
    }

    public func predict(_ x: Matrix) throws -> [Double] {
        try InputCheck.predicting(x, width: width)
        var z = [Double](repeating: baseline, count: x.rows)
        for t in trees { t.addLeafValues(x, to: &z) }
        return logLink ? z.map { exp($0) } : z
    }

    static let formatVersion: UInt32 = 1

    public func encode(to w: inout ByteWriter) {
        w.writeHeader(version: Self.formatVersion)
        w.write(logLink)
        FittedBoosting(baseline: baseline, trees: trees, width: width).encode(to: &w)
    }

    public init(baseline: Double, trees: [FittedTree], width: Int, logLink: Bool) {
        self.baseline = baseline
        self.trees = trees
        self.width = width
        self.logLink = logLink
    }

    public init(from r: inout ByteReader) throws {
        try r.readHeader("gradient boosting regressor", version: Self.formatVersion)
        let logLink = try r.readBool()
        let inner = try FittedBoosting(from: &r)
        try BinaryFormatError.require(inner.baseline.isFinite, "boosting regressor: baseline")
        self.init(baseline: inner.baseline, trees: inner.trees, width: inner.width, logLink: logLink)
    }
}

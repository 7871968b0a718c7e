import AssayCore
import Foundation

/// A random forest of CART trees.
///
/// Matches scikit-learn's `RandomForestClassifier`: each tree is grown on a bootstrap sample (drawn as
/// per-row counts) with `max_features` candidate features per split (default `sqrt`), and the forest's
/// probability is the mean of its trees'. Tree details and differences are those of `DecisionTree`.
/// Each tree's random stream derives from the fit's seed and the tree's index.
public struct RandomForest: ColumnwiseClassifier, Equatable, GrowsForests {
    public typealias Fitted = FittedForest
    public var estimators = 100
    public var bootstrap = true
    public var settings: TreeSettings = { var s = TreeSettings(); s.maxFeatures = .sqrt; return s }()

    public init() {}

    var treeSettings: TreeSettings {
        get { settings }
        set { settings = newValue }
    }

    /// The spec's `random_forest` (its fitted form and tag are the decision tree's).
    public static let definition = ModelDefinition.classifier("random_forest", tag: 5, defaults: RandomForest(),
                                                               parameters: TreeSettings.forestParameters() + TreeSettings.parameters(maxFeatures: .string("sqrt")))

    /// Each tree's rows count their bootstrap draws times their sample weight (as in scikit-learn); rows of weight 0
    /// are left out.
    public func fit<G: RandomNumberGenerator>(columns x: ColumnSource, _ y: [UInt8], weights sampleWeights: [Double]?,
                                              using rng: inout G) throws -> FittedForest {
        let (n, width) = (x.rows, x.cols)
        let binned = try Binned.checked(x, labels: y.count, weights: sampleWeights) { try InputCheck.fittingValues($0, y) }
        let trees = Self.bootstrapTrees(estimators, rows: n, bootstrap: bootstrap, seed: rng.next()) { counts, rows, g in
            let weights = ClassWeights.times(TreeGrower.classWeights(y, counts: counts, balanced: settings.balanced), sampleWeights)
            return TreeGrower(settings: settings, binned: binned, y: y, weight: weights).grow(rows: ClassWeights.weighted(rows, sampleWeights), using: &g)
        }
        return FittedForest(trees: trees, width: width)
    }

    /// `count` trees, each grown by `grow` on its own bootstrap sample of the `n` rows (drawn as per-row counts; every
    /// count 1 without `bootstrap`), the rows it holds, and its own stream, derived from `seed` and the tree's index —
    /// so the trees are grown on whatever idle workers the executor lends (`Parallel.map`), with the same result.
    static func bootstrapTrees(_ count: Int, rows n: Int, bootstrap: Bool, seed: UInt64,
                               grow: (_ counts: [Double], _ rows: [Int], _ g: inout SplitMix64) -> FittedTree) -> [FittedTree] {
        Parallel.map(count) { t -> FittedTree in
            var g = SplitMix64(seed: Seeds.derive(seed, "tree \(t)"))
            var counts = [Double](repeating: bootstrap ? 0 : 1, count: n)
            if bootstrap { for _ in 0..<n { counts[Int(g.next() % UInt64(n))] += 1 } }
            return grow(counts, (0..<n).filter { counts[$0] > 0 }, &g)
        }
    }
}

/// A random forest of CART regression trees.
///
/// Matches scikit-learn's `RandomForestRegressor`: each tree is grown on a bootstrap sample (drawn as per-row
/// counts) with `max_features` candidate features per split (default 1.0: all of them), and the forest predicts
/// the mean of its trees. Tree details and differences are those of `DecisionTreeRegressor`.
public struct RandomForestRegressor: ColumnwiseRegressor, Equatable, GrowsForests {
    public typealias Fitted = FittedForestRegressor
    public var estimators = 100
    public var bootstrap = true
    public var settings: TreeSettings = { var s = TreeSettings(); s.maxFeatures = .fraction(1); return s }()

    public init() {}

    var treeSettings: TreeSettings {
        get { settings }
        set { settings = newValue }
    }

    /// The spec's `random_forest` (task regression; its fitted form and tag are the regression tree's).
    public static let definition = ModelDefinition.regressor("random_forest", tag: 10, defaults: RandomForestRegressor(),
                                                               parameters: TreeSettings.forestParameters() + TreeSettings.regressionParameters(maxFeatures: .double(1)))

    /// Each tree's rows count their bootstrap draws times their sample weight; rows of weight 0 are left out.
    public func fit<G: RandomNumberGenerator>(columns x: ColumnSource, _ y: [Double], weights sampleWeights: [Double]?,
                                              using rng: inout G) throws -> FittedForestRegressor {
        let (n, width) = (x.rows, x.cols)
        let binned = try Binned.checked(x, labels: y.count, weights: sampleWeights) { try InputCheck.fittingValues($0, y) }
        let trees = RandomForest.bootstrapTrees(estimators, rows: n, bootstrap: bootstrap, seed: rng.next()) { counts, rows, g in
            var grower = TreeGrower(settings: settings, binned: binned, y: [], weight: ClassWeights.times(counts, sampleWeights))
            grower.values = y
            return grower.grow(rows: ClassWeights.weighted(rows, sampleWeights), using: &g)
        }
        return FittedForestRegressor(forest: FittedForest(trees: trees, width: width))
    }
}

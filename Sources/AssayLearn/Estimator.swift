import AssayCore

/// Errors from fitting or applying a model or transform; each names the bad value.
public enum LearnError: Error, Equatable, CustomStringConvertible {
    case empty
    case wrongWidth(expected: Int, got: Int)
    case nonFinite(row: Int, column: Int)
    case singleClass
    case labelCount(rows: Int, labels: Int)
    case badParameter(String)

    public var description: String {
        switch self {
        case .empty: return "no rows to fit or predict"
        case .wrongWidth(let e, let g): return "input has \(g) columns, the model was fitted on \(e)"
        case .nonFinite(let r, let c): return "input row \(r), column \(c) is missing or not finite"
        case .singleClass: return "the training rows hold only one class"
        case .labelCount(let r, let l): return "\(r) rows but \(l) labels"
        case .badParameter(let s): return s
        }
    }
}

/// Settings a definition describes: the model's name, tag and parameters (see `ModelDefinition`); `ModelRegistry` lists them.
public protocol DefinedModel: Sendable {
    static var definition: ModelDefinition { get }
}

extension DefinedModel {
    /// Settings from spec parameters, each checked by the rule its definition gives it.
    public init(params: [String: ParamValue]) throws {
        guard let settings = try Self.definition.estimator(params).settings as? Self else {
            throw LearnError.badParameter("\(Self.definition.name): its definition builds another type of settings")
        }
        self = settings
    }
}

/// A model's settings: hyperparameters that are never changed by fitting (house rule 1).
///
/// Every `fit` takes its matrix as `consuming`: a model that turns the rows into something else (trees bin them)
/// may let the matrix go once it has, so that a big fit does not hold both for its whole length.
public protocol Classifier: DefinedModel {
    associatedtype Fitted: FittedClassifier
    /// Fits on rows `x` with labels `y` (1 positive, 0 negative) and returns a new fitted model.
    func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], using rng: inout G) throws -> Fitted
}

/// A regressor's settings: hyperparameters that are never changed by fitting (house rule 1).
public protocol Regressor: DefinedModel {
    associatedtype Fitted: FittedRegressor
    /// Fits on rows `x` with target values `y` and returns a new fitted model.
    func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [Double], using rng: inout G) throws -> Fitted
}

/// A multiclass classifier's settings: hyperparameters that are never changed by fitting (house rule 1).
public protocol MulticlassClassifier: DefinedModel {
    associatedtype Fitted: FittedMulticlassClassifier
    /// Fits on rows `x` with class indices `y` (0 ..< `classes`, each present) and returns a new fitted model.
    func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], classes: Int, using rng: inout G) throws -> Fitted
}

/// A binary classifier that also fits with per-row sample weights (scikit-learn's `sample_weight`, `data.weight`):
/// each row counts `weights[i]` times in the fit's loss, counts and statistics, on top of any `class_weight`.
public protocol WeightedClassifier: Classifier {
    func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], weights: [Double], using rng: inout G) throws -> Fitted
}

/// A regressor that also fits with per-row sample weights (see `WeightedClassifier`).
public protocol WeightedRegressor: Regressor {
    func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> Fitted
}

/// A multiclass classifier that also fits with per-row sample weights (see `WeightedClassifier`).
public protocol WeightedMulticlassClassifier: MulticlassClassifier {
    func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], classes: Int, weights: [Double], using rng: inout G) throws -> Fitted
}

/// A classifier that reads its training rows only to bin them (trees, forests, boosting): it also fits on rows given a
/// column at a time, so that a fit need never hold the whole matrix (`FittedPreprocessing.columns`); the same model as
/// `fit` on the matrix. `weights`: sample weights, or nil.
public protocol ColumnwiseClassifier: WeightedClassifier {
    func fit<G: RandomNumberGenerator>(columns x: ColumnSource, _ y: [UInt8], weights: [Double]?, using rng: inout G) throws -> Fitted
}

/// A regressor that fits on rows given a column at a time (see `ColumnwiseClassifier`).
public protocol ColumnwiseRegressor: WeightedRegressor {
    func fit<G: RandomNumberGenerator>(columns x: ColumnSource, _ y: [Double], weights: [Double]?, using rng: inout G) throws -> Fitted
}

extension ColumnwiseClassifier {
    /// The matrix's columns, read as the model bins them; the matrix goes once they are.
    public func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], using rng: inout G) throws -> Fitted {
        try fit(columns: ColumnSource(consume x), y, weights: nil, using: &rng)
    }

    public func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [UInt8], weights: [Double], using rng: inout G) throws -> Fitted {
        try fit(columns: ColumnSource(consume x), y, weights: weights, using: &rng)
    }
}

extension ColumnwiseRegressor {
    /// The matrix's columns, read as the model bins them; the matrix goes once they are.
    public func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [Double], using rng: inout G) throws -> Fitted {
        try fit(columns: ColumnSource(consume x), y, weights: nil, using: &rng)
    }

    public func fit<G: RandomNumberGenerator>(_ x: consuming Matrix, _ y: [Double], weights: [Double], using rng: inout G) throws -> Fitted {
        try fit(columns: ColumnSource(consume x), y, weights: weights, using: &rng)
    }
}

/// A fitted model of any kind: it can only come from fitting or from its saved bytes.
public protocol FittedEstimator: Sendable, BinaryCodable {
    /// Number of input columns the model expects.
    var inputWidth: Int { get }
    /// One number per row: the positive class's probability for a classifier, the predicted value for a regressor.
    func predictScores(_ x: Matrix) throws -> [Double]
    /// A note for the report when the fit stopped before converging, else nil.
    var convergenceNote: String? { get }
    /// The model's own importance per input column, if it has one: `impurity` for trees and forests
    /// (scikit-learn's `feature_importances_`), `gain` for boosting (LightGBM's gain importance).
    var ownImportance: (kind: String, values: [Double])? { get }
}

extension FittedEstimator {
    public var convergenceNote: String? { nil }
    public var ownImportance: (kind: String, values: [Double])? { nil }
}

/// A fitted binary classifier: it can only come from `Classifier.fit` or from its saved bytes.
public protocol FittedClassifier: FittedEstimator {
    /// Probability of the positive class for each row.
    func predictProbabilities(_ x: Matrix) throws -> [Double]
}

extension FittedClassifier {
    public func predictScores(_ x: Matrix) throws -> [Double] { try predictProbabilities(x) }
}

/// A fitted multiclass classifier: it can only come from `MulticlassClassifier.fit` or from its saved bytes.
public protocol FittedMulticlassClassifier: FittedEstimator {
    /// How many classes it scores.
    var classCount: Int { get }
    /// Each row's probability of each class: rows × `classCount`, each row summing to 1.
    func predictClassProbabilities(_ x: Matrix) throws -> Matrix
}

extension FittedMulticlassClassifier {
    /// Each row's class probabilities, row after row (rows × `classCount` numbers).
    public func predictScores(_ x: Matrix) throws -> [Double] { try predictClassProbabilities(x).values }
}

/// A fitted regressor: it can only come from `Regressor.fit` or from its saved bytes.
public protocol FittedRegressor: FittedEstimator {
    /// The predicted value of each row.
    func predict(_ x: Matrix) throws -> [Double]
}

extension FittedRegressor {
    public func predictScores(_ x: Matrix) throws -> [Double] { try predict(x) }
}

/// Training rows given one column at a time: `column(j)` is every row's value of column `j`, asked for once per
/// column, in column order. What a model that only bins its input (trees, forests, boosting: `ColumnwiseClassifier`)
/// needs, without the whole matrix in memory (`FittedPreprocessing.columns`). It notes the first value that is not
/// finite (in row-major order), for `InputCheck`.
public final class ColumnSource {
    public let rows: Int
    public let cols: Int
    private var make: ((Int) throws -> [Double])?
    private var firstNonFinite: (row: Int, column: Int)?

    public init(rows: Int, cols: Int, column: @escaping (Int) throws -> [Double]) {
        self.rows = rows
        self.cols = cols
        self.make = column
    }

    /// The columns of `x`.
    public convenience init(_ x: Matrix) {
        self.init(rows: x.rows, cols: x.cols) { j in (0..<x.rows).map { x[$0, j] } }
    }

    /// Every row's value of column `j`.
    public func column(_ j: Int) throws -> [Double] {
        guard let make else { throw LearnError.badParameter("column \(j) was asked of a column source already released") }
        let values = try make(j)
        precondition(values.count == rows, "a column source gave a column of the wrong length")
        if !values.allSatisfy(\.isFinite), let i = values.firstIndex(where: { !$0.isFinite }), i < (firstNonFinite?.row ?? Int.max) {
            firstNonFinite = (i, j)
        }
        return values
    }

    /// Lets go of what the source holds (the matrix, or the last input column's outputs it made): a model calls it
    /// once it has read every column, so that the memory goes before the rest of its fit.
    public func release() { make = nil }

    /// Throws `nonFinite` for the first value that is not finite among the columns read so far.
    func checkFinite() throws {
        if let (row, column) = firstNonFinite { throw LearnError.nonFinite(row: row, column: column) }
    }
}

/// Input checks shared by every estimator.
public enum InputCheck {
    public static func fitting(_ x: Matrix, _ y: [UInt8]) throws {
        try fittingShape(rows: x.rows, labels: y.count)
        try finite(x)
        guard y.contains(0), y.contains(1) else { throw LearnError.singleClass }
    }

    /// A regressor's input: rows, one finite target value per row, finite features.
    public static func fitting(_ x: Matrix, _ y: [Double]) throws {
        try fittingShape(rows: x.rows, labels: y.count)
        try finite(x)
        try finiteTarget(y)
    }

    /// The checks of `fitting` on rows given a column at a time, in the same order: `fittingShape` before the columns
    /// are read, `fittingValues` after.
    static func fittingShape(rows: Int, labels: Int) throws {
        guard rows > 0 else { throw LearnError.empty }
        guard labels == rows else { throw LearnError.labelCount(rows: rows, labels: labels) }
    }

    static func fittingValues(_ x: ColumnSource, _ y: [UInt8]) throws {
        try x.checkFinite()
        guard y.contains(0), y.contains(1) else { throw LearnError.singleClass }
    }

    static func fittingValues(_ x: ColumnSource, _ y: [Double]) throws {
        try x.checkFinite()
        try finiteTarget(y)
    }

    private static func finiteTarget(_ y: [Double]) throws {
        if let i = y.firstIndex(where: { !$0.isFinite }) { throw LearnError.badParameter("target value of row \(i) is not finite") }
    }

    /// A multiclass input: rows, one class index per row below `classes`, every class present, finite features.
    public static func fitting(_ x: Matrix, _ y: [UInt8], classes: Int) throws {
        guard x.rows > 0 else { throw LearnError.empty }
        guard y.count == x.rows else { throw LearnError.labelCount(rows: x.rows, labels: y.count) }
        try finite(x)
        var seen = [Bool](repeating: false, count: classes)
        for label in y {
            guard Int(label) < classes else { throw LearnError.badParameter("class index \(label) is not below the \(classes) classes") }
            seen[Int(label)] = true
        }
        if let missing = seen.firstIndex(of: false) { throw LearnError.badParameter("the training rows hold no row of class \(missing + 1) of \(classes)") }
    }

    /// Sample weights for `rows` rows: one each, finite, not negative, and not all 0.
    public static func weights(_ w: [Double], rows: Int) throws {
        guard w.count == rows else { throw LearnError.badParameter("\(rows) rows but \(w.count) sample weights") }
        if let i = w.firstIndex(where: { !$0.isFinite || $0 < 0 }) { throw LearnError.badParameter("sample weight of row \(i) is \(w[i]); weights must be finite and not negative") }
        guard w.contains(where: { $0 > 0 }) else { throw LearnError.badParameter("every sample weight is 0") }
    }

    /// The same, and every class of `labels` (0 ..< `classes`) with some weight: a class whose rows all weigh 0 would
    /// leave the model nothing to learn it from (and a baseline of log 0).
    public static func weights(_ w: [Double], rows: Int, labels: [UInt8], classes: Int) throws {
        try weights(w, rows: rows)
        var total = [Double](repeating: 0, count: classes)
        for (label, weight) in zip(labels, w) where Int(label) < classes { total[Int(label)] += weight }
        if let c = total.firstIndex(of: 0) {
            throw LearnError.badParameter("every training row of class \(classes == 2 ? (c == 1 ? "positive" : "negative") : "\(c + 1) of \(classes)") weighs 0")
        }
    }

    public static func predicting(_ x: Matrix, width: Int) throws {
        guard x.cols == width else { throw LearnError.wrongWidth(expected: width, got: x.cols) }
        try finite(x)
    }

    static func finite(_ x: Matrix) throws {
        // v * 0 is 0 for a finite v and NaN otherwise: one vectorized pass, then the search only when something is off.
        let allFinite = x.values.withUnsafeBufferPointer { b -> Bool in
            var acc = SIMD8<Double>(repeating: 0)
            var i = 0
            while i + 8 <= b.count {
                acc += UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: SIMD8<Double>.self) * 0
                i += 8
            }
            var tail = 0.0
            while i < b.count { tail += b[i] * 0; i += 1 }
            return !(acc.sum() + tail).isNaN
        }
        if !allFinite, let k = x.values.firstIndex(where: { !$0.isFinite }) {
            throw LearnError.nonFinite(row: k / max(x.cols, 1), column: k % max(x.cols, 1))
        }
    }
}

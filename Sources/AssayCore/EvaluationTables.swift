/// The tables a campaign is planned with, as data: computed by AssayLearn's `Thresholds` and curves, rendered by
/// AssayReport.

/// One row of a threshold table.
public struct ThresholdCut: Sendable, Equatable {
    public var label: String
    public var threshold: Double
    /// Share of rows flagged.
    public var flagged: Double
    public var precision: Double
    public var recall: Double
    public var f1: Double
    /// Recall divided by the share flagged: how many times better than contacting at random.
    public var lift: Double
    /// The cut's total value on these rows under a profit rule's unit values; nil without one.
    public var profit: Double? = nil

    public init(label: String, threshold: Double, flagged: Double, precision: Double, recall: Double, f1: Double, lift: Double) {
        self.label = label
        self.threshold = threshold
        self.flagged = flagged
        self.precision = precision
        self.recall = recall
        self.f1 = f1
        self.lift = lift
    }
}

/// One decile of a lift table.
public struct LiftDecile: Sendable, Equatable {
    /// 1 = the tenth of rows with the highest scores.
    public var decile: Int
    public var rows: Int
    /// Positives among its rows; rows tied on a score that straddle two deciles share their positives in proportion
    /// (the count expected when ties are ordered at random), so a file sorted by outcome cannot flatter the top decile.
    public var positives: Double
    /// Share of all positives in this decile and the ones above it.
    public var captured: Double
    /// Positive rate of this decile over the overall rate.
    public var lift: Double
    /// Positive rate of the deciles so far over the overall rate.
    public var cumulativeLift: Double

    public init(decile: Int, rows: Int, positives: Double, captured: Double, lift: Double, cumulativeLift: Double) {
        self.decile = decile
        self.rows = rows
        self.positives = positives
        self.captured = captured
        self.lift = lift
        self.cumulativeLift = cumulativeLift
    }
}

/// One bin of a calibration curve: the mean predicted probability of its rows, their observed positive rate, their count.
public struct CalibrationBin: Sendable, Equatable {
    public var meanPredicted: Double
    public var observed: Double
    public var count: Int

    public init(meanPredicted: Double, observed: Double, count: Int) {
        self.meanPredicted = meanPredicted
        self.observed = observed
        self.count = count
    }
}

/// One decile of rows ranked by predicted value (regression), highest prediction first.
public struct ValueDecile: Sendable, Equatable {
    /// 1 = the tenth of rows with the highest predictions.
    public var decile: Int
    public var rows: Int
    public var meanPredicted: Double
    /// The mean actual value; rows tied on a prediction that straddle two deciles share their values evenly.
    public var meanActual: Double
    /// Mean absolute error of the decile's rows (tied rows share theirs likewise).
    public var meanAbsoluteError: Double
    /// This decile's share of the total actual value, and the share of the deciles so far.
    public var share: Double
    public var captured: Double

    public init(decile: Int, rows: Int, meanPredicted: Double, meanActual: Double, meanAbsoluteError: Double, share: Double, captured: Double) {
        self.decile = decile
        self.rows = rows
        self.meanPredicted = meanPredicted
        self.meanActual = meanActual
        self.meanAbsoluteError = meanAbsoluteError
        self.share = share
        self.captured = captured
    }
}

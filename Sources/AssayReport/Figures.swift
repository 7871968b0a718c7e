import AssayCore

/// The run's figures as SVG files under `runs/<name>/figures/`: each model's selected point on the test rows
/// (or, without a test set, its out-of-fold predictions on the training rows), and the CV spread of every grid point.
public enum Figures {
    /// File names (relative to `figures/`) with their titles, in the order the report shows them.
    public static func catalog(_ r: RunReport) -> [(file: String, title: String)] {
        let curves: [(file: String, title: String)]
        switch r.kind {
        case .binary:
            curves = [("roc.svg", "ROC curve"), ("pr.svg", "Precision–recall curve"), ("calibration.svg", "Calibration"), ("gains.svg", "Cumulative gains")]
                + (hasProfit(r) ? [("profit.svg", "Profit by share contacted")] : [])
        case .multiclass:
            let best = bestMulticlass(r)
            curves = best == nil ? [] : [("confusion.svg", "Confusion matrix of \(best?.name ?? "")"), ("roc-ovr.svg", "One-vs-rest ROC curves of \(best?.name ?? "")")]
        case .regression, .segment, .associate:  // a RunReport is a supervised run's (segment and associate have their own)
            curves = [("predicted.svg", "Predicted against actual"), ("residuals.svg", "Residuals"), ("capture.svg", "Share of the total by share of rows")]
        }
        return curves + [("cv.svg", "CV score per grid point")] + (r.importance == nil ? [] : [("importance.svg", "Permutation importance")])
            + (r.segments == nil ? [] : [("segments.svg", "Probability × value segments")])
            + r.shap.prefix(1).map { ("shap.svg", "Mean |SHAP| of \($0.model)") }
    }

    /// One sentence saying which predictions the curves show.
    public static func source(_ r: RunReport) -> String {
        r.curvesOnTest ? "Curves: each model's selected point, refit on the training rows, on the \(r.data.testRows) test rows."
            : "Curves: each model's selected point, out-of-fold on the \(r.data.trainRows) training rows (there is no test set)."
    }

    /// Every figure of the run, by file name.
    public static func render(_ r: RunReport) -> [(file: String, svg: String)] {
        let scored: [(name: String, curves: ModelCurves)] = r.models.compactMap { m in m.curves.map { (m.name, $0) } }
        let source = r.curvesOnTest ? "test rows" : "out-of-fold, training rows"
        let curves: [(file: String, svg: String)]
        switch r.kind {
        case .binary:
            curves = [("roc.svg", roc(scored, source)), ("pr.svg", precisionRecall(scored, source)),
                      ("calibration.svg", calibration(scored, source)), ("gains.svg", gains(scored, source, positives: r.positiveName))]
                + (hasProfit(r) ? [("profit.svg", profit(scored, source))] : [])
        case .multiclass:
            if let (name, e) = bestMulticlass(r) {
                curves = [("confusion.svg", e.confusionFigure(model: name)), ("roc-ovr.svg", e.rocFigure(model: name))]
            } else { curves = [] }
        case .regression, .segment, .associate:  // a RunReport is a supervised run's (segment and associate have their own)
            let evaluated: [(name: String, evaluation: RegressionEvaluation)] = r.models.compactMap { m in m.regression.map { (m.name, $0) } }
            let best = evaluated.first { $0.name == r.bestModel } ?? evaluated.first
            curves = [("predicted.svg", predicted(best, source, target: r.data.target)), ("residuals.svg", residuals(best, source, target: r.data.target)),
                      ("capture.svg", capture(evaluated, source, target: r.data.target))]
        }
        return curves + [("cv.svg", cvSpread(r))] + (r.importance.map { [("importance.svg", importance($0))] } ?? [])
            + (r.segments.map { [("segments.svg", $0.figure)] } ?? [])
            + r.shap.prefix(1).map { ("shap.svg", $0.figure) }
            + (r.partialDependence?.figures.map { ($0.file, $0.svg) } ?? [])
    }

    /// The best model's multiclass evaluation (the figures show it alone: one chart per model would be too many curves).
    static func bestMulticlass(_ r: RunReport) -> (name: String, evaluation: MulticlassEvaluation)? {
        guard let m = r.models.first(where: { $0.name == r.bestModel }), let e = m.multiclass else { return nil }
        return (m.name, e)
    }

    /// The most important columns (at most 25) as mean ± std bars, each repeat a ring.
    static func importance(_ imp: ImportanceReport) -> String {
        let rows = imp.columns.prefix(25).map {
            SVGChart.RangeRow(label: $0.name, centre: $0.summary.mean, halfWidth: $0.summary.std, values: $0.values, highlighted: false)
        }
        return SVGChart.ranges(title: "Permutation importance of \(imp.model) (test rows, \(imp.repeats) repeats)",
                               xLabel: "drop in \(imp.metric.rawValue) when the column is shuffled", rows: Array(rows),
                               colors: [Int](repeating: 0, count: rows.count), zeroLine: true)
    }

    static func roc(_ scored: [(name: String, curves: ModelCurves)], _ source: String) -> String {
        var chart = SVGChart(title: "ROC curve (\(source))", xLabel: "false positive rate", yLabel: "true positive rate")
        chart.reference = [(0, 0), (1, 1)]
        chart.referenceName = "chance"
        for (name, curves) in scored {
            guard let (auc, points) = curves.roc else { continue }
            chart.series.append(.init(name: "\(name) (AUC \(NumberFormat.fixed(auc, decimals: 3)))", points: thin(points)))
        }
        return chart.render()
    }

    static func precisionRecall(_ scored: [(name: String, curves: ModelCurves)], _ source: String) -> String {
        var chart = SVGChart(title: "Precision–recall curve (\(source))", xLabel: "recall", yLabel: "precision")
        chart.legendAtTop = true
        let rate = scored.first?.curves.positiveRate ?? 0
        chart.reference = [(0, rate), (1, rate)]
        chart.referenceName = "positive rate \(NumberFormat.fixed(rate, decimals: 3))"
        for (name, curves) in scored {
            guard let (ap, points) = curves.precisionRecall else { continue }
            chart.series.append(.init(name: "\(name) (AP \(NumberFormat.fixed(ap, decimals: 3)))", points: thin(points)))
        }
        return chart.render()
    }

    static func calibration(_ scored: [(name: String, curves: ModelCurves)], _ source: String) -> String {
        var chart = SVGChart(title: "Calibration (\(source), 10 bins)", xLabel: "mean predicted probability", yLabel: "share of positives")
        chart.reference = [(0, 0), (1, 1)]
        chart.referenceName = "perfectly calibrated"
        chart.legendAtTop = true
        chart.legendAtLeft = true
        for (name, curves) in scored {
            chart.series.append(.init(name: name, points: curves.calibration.map { ($0.meanPredicted, $0.observed) }, style: .lineWithMarkers))
        }
        return chart.render()
    }

    static func gains(_ scored: [(name: String, curves: ModelCurves)], _ source: String, positives: String) -> String {
        var chart = SVGChart(title: "Cumulative gains (\(source))", xLabel: "share of rows contacted, highest score first",
                             yLabel: "share of \(positives) reached")
        chart.reference = [(0, 0), (1, 1)]
        chart.referenceName = "random order"
        for (name, curves) in scored {
            let curve = curves.gains
            guard curve.count > 10 else { continue }
            let at10 = curve[Int((Double(curve.count - 1) * 0.1).rounded(.up))].y
            chart.series.append(.init(name: "\(name) (top 10%: \(NumberFormat.fixed(at10 * 100, decimals: 0))% of \(positives))", points: thin(curve)))
        }
        return chart.render()
    }

    /// At most 2,000 of the best model's rows (every k-th, in row order): the actual value against the prediction.
    static func predicted(_ best: (name: String, evaluation: RegressionEvaluation)?, _ source: String, target: String) -> String {
        let pairs = sample(best?.evaluation.pairs ?? [])
        let values = pairs.flatMap { [$0.actual, $0.predicted] }
        let range = paddedRange(values)
        var chart = SVGChart(title: "Predicted against actual \(target) (\(best?.name ?? "no model"), \(source))", xLabel: "predicted", yLabel: "actual",
                             x: range, y: range)
        chart.reference = [(range.lowerBound, range.lowerBound), (range.upperBound, range.upperBound)]
        chart.referenceName = "predicted = actual"
        chart.legendAtTop = true
        chart.legendAtLeft = true
        if let best { chart.series.append(.init(name: best.name, points: pairs.map { ($0.predicted, $0.actual) }, style: .markers)) }
        return chart.render()
    }

    /// At most 2,000 of the best model's rows: actual minus predicted against the prediction.
    static func residuals(_ best: (name: String, evaluation: RegressionEvaluation)?, _ source: String, target: String) -> String {
        let pairs = sample(best?.evaluation.pairs ?? [])
        let points = pairs.map { (x: $0.predicted, y: $0.actual - $0.predicted) }
        var chart = SVGChart(title: "Residuals of \(target) (\(best?.name ?? "no model"), \(source))", xLabel: "predicted", yLabel: "actual − predicted",
                             x: paddedRange(points.map(\.x)), y: paddedRange(points.map(\.y) + [0]))
        chart.reference = [(chart.x.lowerBound, 0), (chart.x.upperBound, 0)]
        chart.referenceName = "no error"
        chart.legendAtTop = true
        if let best { chart.series.append(.init(name: best.name, points: points, style: .markers)) }
        return chart.render()
    }

    /// Each model's share of the total target held by its top-ranked rows.
    static func capture(_ evaluated: [(name: String, evaluation: RegressionEvaluation)], _ source: String, target: String) -> String {
        var chart = SVGChart(title: "Share of the total \(target) by share of rows (\(source))", xLabel: "share of rows, highest prediction first",
                             yLabel: "share of the total \(target)")
        let ys = evaluated.flatMap { $0.evaluation.capture.map(\.y) }.filter(\.isFinite)
        chart.y = min(0, ys.min() ?? 0)...max(1, ys.max() ?? 1)
        chart.reference = [(0, 0), (1, 1)]
        chart.referenceName = "random order"
        for (name, e) in evaluated where e.capture.count > 10 {
            let top = e.topDecileShare.map { "\(NumberFormat.fixed($0 * 100, decimals: 0))%" } ?? "–"
            chart.series.append(.init(name: "\(name) (top tenth: \(top) of the total)", points: thin(e.capture)))
        }
        return chart.render()
    }

    /// Every k-th pair, k the smallest step that keeps at most 2,000.
    static func sample(_ pairs: [(actual: Double, predicted: Double)]) -> [(actual: Double, predicted: Double)] {
        let step = max(1, (pairs.count + 1_999) / 2_000)
        return stride(from: 0, to: pairs.count, by: step).map { pairs[$0] }
    }

    /// The values' range widened by 5% on each side (0…1 when there is none).
    static func paddedRange(_ values: [Double]) -> ClosedRange<Double> {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return 0...1 }
        let pad = hi > lo ? (hi - lo) * 0.05 : max(abs(lo) * 0.05, 1)
        return (lo - pad)...(hi + pad)
    }

    static func hasProfit(_ r: RunReport) -> Bool { r.models.contains { $0.curves?.profit != nil } }

    /// Total value against the share contacted, each model's best cut marked by the curve's peak.
    static func profit(_ scored: [(name: String, curves: ModelCurves)], _ source: String) -> String {
        var chart = SVGChart(title: "Profit by share contacted (\(source))", xLabel: "share of rows contacted, highest score first",
                             yLabel: "total profit (the spec's unit values)")
        let values = scored.flatMap { $0.curves.profit?.map(\.y) ?? [] }.filter(\.isFinite)
        let lo = min(0, values.min() ?? 0), hi = max(0, values.max() ?? 1), pad = max((hi - lo) * 0.05, 1)
        chart.y = (lo - pad)...(hi + pad)
        for (name, curves) in scored {
            guard let curve = curves.profit, let peak = curve.max(by: { $0.y < $1.y }) else { continue }
            chart.series.append(.init(name: "\(name) (best: \(NumberFormat.fixed(peak.y, decimals: 0)) at \(NumberFormat.fixed(peak.x * 100, decimals: 0))%)", points: thin(curve)))
        }
        return chart.render()
    }

    static func cvSpread(_ r: RunReport) -> String {
        var rows: [SVGChart.RangeRow] = [], colors: [Int] = []
        for (k, m) in r.models.enumerated() {
            for (i, p) in m.points.enumerated() {
                let s = p.cv[r.select] ?? FoldSummary(mean: .nan, std: .nan)
                let params = p.params.isEmpty ? "defaults" : p.params.map { "\($0.name)=\($0.value.display)" }.joined(separator: ", ")
                rows.append(.init(label: "\(m.name): \(params)", centre: s.mean, halfWidth: s.std.isFinite ? s.std : 0,
                                  values: p.foldScores[r.select] ?? [], highlighted: i == m.bestIndex))
                colors.append(k)
            }
        }
        return SVGChart.ranges(title: "CV \(r.select.rawValue) per grid point (mean ± std; rings: folds; bold: selected)",
                               xLabel: "CV \(r.select.rawValue)", rows: rows, colors: colors)
    }

    /// Drops points closer than 1/500 of the axis to the last one kept, keeping the first and last: a curve over
    /// thousands of rows stays small and looks the same.
    static func thin(_ points: [(x: Double, y: Double)]) -> [(x: Double, y: Double)] {
        guard points.count > 2 else { return points }
        var out = [points[0]]
        for p in points.dropFirst().dropLast() where max(abs(p.x - out.last!.x), abs(p.y - out.last!.y)) >= 0.002 { out.append(p) }
        out.append(points[points.count - 1])
        return out
    }
}

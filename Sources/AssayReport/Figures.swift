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
        }
        return curves + [("cv.svg", "CV score per grid point")] + (r.importance == nil ? [] : [("importance.svg", "Permutation importance")])
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
        }
        return curves + [("cv.svg", cvSpread(r))] + (r.importance.map { [("importance.svg", importance($0))] } ?? [])
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

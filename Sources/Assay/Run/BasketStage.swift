import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import AssayReport
import AssaySpec
import Foundation

/// Read a purchase log's baskets (the key holds the file's content hash).
struct BasketsTask: TaskDescriptor {
    let options: LoadOptions
    let contentHash: String
    var operation: String { "baskets" }
    var parameters: String { DataFile.canonical(options) + ";sha256=" + contentHash }
}

/// Mine the baskets for frequent itemsets and rules.
struct AssociateTask: TaskDescriptor {
    let settings: AssociateSection
    var operation: String { "associate" }
    var parameters: String { settings.canonical }
}

extension Planner {
    mutating func baskets(contentHash: String) -> TaskKey {
        let options = DataFile.loadOptions(spec), path = spec.data.resolvedPath
        return add(BasketsTask(options: options, contentHash: contentHash), [], label: "baskets of \(path)", kind: "load") { _, _ in
            guard let events = options.events else { throw AssayError.input("task associate reads a purchase log: data.events is required") }
            return try Baskets.build(path: path, displayName: path, events, options: options.csv, kinds: options.columns)
        }
    }

    /// FP-growth and the rules, sorted in the documented order (ties broken by item names).
    mutating func associate(_ baskets: TaskKey, _ settings: AssociateSection) -> TaskKey {
        add(AssociateTask(settings: settings), [baskets], label: "FP-growth and rules", kind: "fit") { _, inputs in
            let log = try BasketLog(decoding: inputs[0])
            let minCount = FPGrowth.minimumCount(minSupport: settings.minSupport, baskets: log.count)
            let itemsets: [Itemset]
            do {
                itemsets = try FPGrowth.mine(log.baskets, itemCount: log.items.count, minCount: minCount, maxLength: settings.maxLength, limit: settings.maxItemsets)
            } catch let e as FPGrowth.TooManyItemsets {
                throw SpecError(at: settings.supportAt, "associate.min_support \(NumberFormat.json(settings.minSupport)) (\(minCount) of \(log.count) baskets) gives \(e); "
                                + "associate.max_itemsets raises the limit")
            }
            var rules = AssociationRules.rules(itemsets, baskets: log.count, minConfidence: settings.minConfidence, minLift: settings.minLift)
            AssociationRules.sort(&rules, names: log.items)
            return BasketAnalysis(baskets: log.count, minCount: minCount, itemsets: itemsets, rules: rules)
        }
    }
}

extension Experiment {
    /// `task: associate`: the log's baskets → FP-growth and rules → the report, and the rules saved for `assay predict`.
    /// Both steps are cached tasks.
    static func runAssociate(_ spec: Spec, _ session: inout RunSession, specPath: String, overrides: [String], options: RunOptions) throws -> (BasketReport, String, [String: String]) {
        guard let settings = spec.associate, let events = spec.data.events else { throw AssayError.input("task associate needs data.events and associate:") }
        let hash = try DataFile.contentHash(spec, statCache: session.statCache)
        let basketsKey = session.planner.baskets(contentHash: hash)
        let mined = session.planner.associate(basketsKey, settings)
        try session.execute([basketsKey, mined])
        let log = try session.value(basketsKey, as: BasketLog.self), analysis = try session.value(mined, as: BasketAnalysis.self)
        let report = basketReport(spec, settings, events, log, analysis)
        let dir = try WriteStage.write(experiment: spec.name, markdown: report.markdown, metrics: report.json, figures: report.figures, outputRoot: options.outputRoot)
        var saved: [String: String] = [:]
        if let folder = options.modelsDirectory {
            let rules = report.rules.map { SavedRules.Rule(antecedent: $0.antecedent, consequent: $0.consequent, support: $0.support, confidence: $0.confidence, lift: $0.lift) }
            let model = SavedRules(assayVersion: AssayVersion.current, specHash: WriteStage.specHash(specPath: specPath, overrides: overrides), experiment: spec.name,
                                   basketColumn: events.order ?? events.customer, itemColumn: events.item ?? "", csv: DataFile.loadOptions(spec).csv, rules: rules)
            let path = folder + "/" + spec.name + "/rules.assaymodel"
            try AtomicFiles.write([(path, model.fileData())])
            saved["rules"] = path
        }
        return (report, dir, saved)
    }

    static func basketReport(_ spec: Spec, _ settings: AssociateSection, _ events: EventsOptions, _ log: BasketLog, _ analysis: BasketAnalysis) -> BasketReport {
        let names = log.items
        func sorted(_ items: [Int32]) -> [String] { items.map { names[Int($0)] }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) } }
        let rules = analysis.rules.map { r in
            BasketReport.Rule(antecedent: sorted(r.antecedent), consequent: sorted(r.consequent), baskets: r.count, antecedentSupport: r.antecedentSupport,
                              consequentSupport: r.consequentSupport, support: r.support, confidence: r.confidence, lift: r.lift, leverage: r.leverage,
                              conviction: r.conviction)
        }
        var byLength = [Int](repeating: 0, count: analysis.itemsets.map(\.items.count).max() ?? 0)
        for s in analysis.itemsets { byLength[s.items.count - 1] += 1 }
        let counts = log.itemCounts
        let frequencies = counts.indices.filter { counts[$0] > 0 }
            .sorted { counts[$0] != counts[$1] ? counts[$0] > counts[$1] : names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
            .map { (item: names[$0], baskets: counts[$0]) }
        let definition: LogLine = events.order.map { "one order (\(code: $0))" } ?? "one customer (\(code: events.customer)) on one day (\(code: events.time))"
        return BasketReport(experiment: spec.name, description: spec.description, path: spec.data.path, basketDefinition: definition,
                            preparation: log.preparation, baskets: log.count, items: frequencies.count, rows: log.rows,
                            basketSizes: (0..<log.count).map { log.offsets[$0 + 1] - log.offsets[$0] }, minSupport: settings.minSupport,
                            minCount: analysis.minCount, minConfidence: settings.minConfidence, minLift: settings.minLift, maxLength: settings.maxLength,
                            itemsetsByLength: byLength, rules: rules, top: settings.top, itemFrequencies: frequencies)
    }
}

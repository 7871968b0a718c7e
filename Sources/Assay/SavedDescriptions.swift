import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import Foundation

/// A segmentation's chosen clustering, saved to assign new rows (`assay predict`): the fitted preprocessing and the
/// centres, numbered as the report numbers the segments. A customer table's model reads the table `assay prepare`
/// writes (plain CSV).
public struct SavedSegments: Sendable {
    static let magic = Array("assay-segments\n".utf8)
    static let formatVersion: UInt32 = 1

    public var assayVersion: String
    public var specHash: String
    public var experiment: String
    /// Row s is segment s + 1's centre, in the preprocessed units.
    public var centres: Matrix
    public var idColumn: String?
    var input: ModelInput
    public var preprocessing: FittedPreprocessing

    /// Which run's segments these are, in one line.
    public var provenance: String {
        "the \(centres.rows) segments of experiment '\(experiment)', spec \(specHash.prefix(12)), saved by Assay \(assayVersion)"
    }

    func fileData() -> Data {
        var w = ByteWriter()
        w.write(assayVersion); w.write(specHash); w.write(experiment); w.write(idColumn ?? "")
        w.write(centres.rows); w.write(centres.cols); w.write(centres.values)
        input.write(to: &w)
        w.write(preprocessing)
        return ModelFile.framed(w.data, magic: Self.magic, version: Self.formatVersion)
    }

    init(assayVersion: String, specHash: String, experiment: String, centres: Matrix, idColumn: String?, input: ModelInput, preprocessing: FittedPreprocessing) {
        self.assayVersion = assayVersion
        self.specHash = specHash
        self.experiment = experiment
        self.centres = centres
        self.idColumn = idColumn
        self.input = input
        self.preprocessing = preprocessing
    }

    init(fileData data: Data, file: String) throws {
        let (_, body) = try ModelFile.body(data, magic: Self.magic, maxVersion: Self.formatVersion, file: file)
        do {
            var r = ByteReader(body)
            assayVersion = try r.readString(); specHash = try r.readString(); experiment = try r.readString()
            let id = try r.readString()
            idColumn = id.isEmpty ? nil : id
            let rows = try r.readInt(), cols = try r.readInt(), values = try r.readDoubles()
            try BinaryFormatError.require(rows >= 1 && cols >= 1 && values.count == rows * cols, "centres")
            centres = Matrix(rows: rows, cols: cols, values: values)
            input = try ModelInput(from: &r)
            preprocessing = try r.read()
            guard r.isAtEnd else { throw BinaryFormatError.trailingBytes }
            try BinaryFormatError.require(input.features.map(\.name) == preprocessing.inputColumns && preprocessing.outputWidth == cols, "segment model columns")
        } catch let e as BinaryFormatError {
            throw AssayError.input("\(file): damaged model file (\(e))")
        }
    }

    /// Each row's segment (1-based, the report's numbering) and its Euclidean distance to that segment's centre.
    func assign(_ csv: CSVFile) throws -> [(segment: Int, distance: Double)] {
        let table = try input.table(of: csv)
        let rows = Array(0..<csv.rowCount)
        let x = try SavedPipeline.scoring(csv, rows, preprocessing) { try preprocessing.transform(table, rows: rows) }
        let fitted = FittedKMeans(centers: centres, labels: [], inertia: 0, iterations: 0)
        let labels = try SavedPipeline.scoring(csv, rows, preprocessing) { try fitted.predict(x) }
        return labels.enumerated().map { r, c in
            var q = 0.0
            for j in 0..<x.cols { let u = x[r, j] - centres[c, j]; q += u * u }
            return (c + 1, q.squareRoot())
        }
    }
}

/// A basket analysis's rules, saved to recommend items (`assay predict`): every rule, and the log's basket and item
/// columns, so that new baskets are read the way the run read its log.
public struct SavedRules: Sendable {
    static let magic = Array("assay-rules\n".utf8)
    static let formatVersion: UInt32 = 1

    public struct Rule: Sendable {
        public var antecedent: [String]
        public var consequent: [String]
        public var support: Double
        public var confidence: Double
        public var lift: Double
    }

    public var assayVersion: String
    public var specHash: String
    public var experiment: String
    /// The columns new baskets are read from: the basket key (the order, else the customer) and the item.
    public var basketColumn: String
    public var itemColumn: String
    var csv: CSVOptions
    /// Every rule, in the report's order.
    public var rules: [Rule]

    public var provenance: String {
        "the \(rules.count) rules of experiment '\(experiment)', spec \(specHash.prefix(12)), saved by Assay \(assayVersion)"
    }

    func fileData() -> Data {
        var w = ByteWriter()
        w.write(assayVersion); w.write(specHash); w.write(experiment); w.write(basketColumn); w.write(itemColumn)
        ModelInput(csv: csv, features: [], rowSteps: []).write(to: &w)
        w.write(rules.count)
        for r in rules { w.write(r.antecedent); w.write(r.consequent); w.write([r.support, r.confidence, r.lift]) }
        return ModelFile.framed(w.data, magic: Self.magic, version: Self.formatVersion)
    }

    init(assayVersion: String, specHash: String, experiment: String, basketColumn: String, itemColumn: String, csv: CSVOptions, rules: [Rule]) {
        self.assayVersion = assayVersion
        self.specHash = specHash
        self.experiment = experiment
        self.basketColumn = basketColumn
        self.itemColumn = itemColumn
        self.csv = csv
        self.rules = rules
    }

    init(fileData data: Data, file: String) throws {
        let (_, body) = try ModelFile.body(data, magic: Self.magic, maxVersion: Self.formatVersion, file: file)
        do {
            var r = ByteReader(body)
            assayVersion = try r.readString(); specHash = try r.readString(); experiment = try r.readString()
            basketColumn = try r.readString(); itemColumn = try r.readString()
            csv = try ModelInput(from: &r).csv
            rules = try (0..<r.readCount()).map { _ in
                let a = try r.readStrings(), c = try r.readStrings(), m = try r.readDoubles()
                try BinaryFormatError.require(!a.isEmpty && !c.isEmpty && m.count == 3, "rule")
                return Rule(antecedent: a, consequent: c, support: m[0], confidence: m[1], lift: m[2])
            }
            guard r.isAtEnd else { throw BinaryFormatError.trailingBytes }
        } catch let e as BinaryFormatError {
            throw AssayError.input("\(file): damaged model file (\(e))")
        }
    }

    /// One suggestion: an item not in the basket, and the rule that suggests it.
    public struct Suggestion: Sendable, Equatable {
        public var item: String
        public var rule: Int
    }

    /// Up to `top` items to suggest for a basket, best first: for each item some rule's consequent holds while the
    /// rule's antecedent is all in the basket, the best such rule (highest confidence, then lift, then support, then
    /// the report's order); items ranked by their rule the same way. An item already in the basket is never suggested.
    func suggestions(for basket: Set<String>, top: Int) -> [Suggestion] {
        var best: [String: Int] = [:]
        func better(_ a: Int, _ b: Int) -> Bool {
            let x = rules[a], y = rules[b]
            if x.confidence != y.confidence { return x.confidence > y.confidence }
            if x.lift != y.lift { return x.lift > y.lift }
            if x.support != y.support { return x.support > y.support }
            return a < b
        }
        for (i, rule) in rules.enumerated() where rule.antecedent.allSatisfy(basket.contains) {
            for item in rule.consequent where !basket.contains(item) {
                if let b = best[item], !better(i, b) { continue }
                best[item] = i
            }
        }
        return best.map { Suggestion(item: $0.key, rule: $0.value) }
            .sorted { $0.rule != $1.rule ? better($0.rule, $1.rule) : $0.item.utf8.lexicographicallyPrecedes($1.item.utf8) }
            .prefix(top).map { $0 }
    }
}

extension ModelInput {
    func write(to w: inout ByteWriter) {
        w.write(csv.delimiter); w.write(csv.decimal); w.write(csv.missing); w.write(csv.header); w.write(csv.names ?? [])
        w.write(features.map(\.name)); w.write(features.map(\.kind.rawValue))
        SavedPipeline.write(rowSteps, to: &w)
    }

    init(from r: inout ByteReader) throws {
        let delimiter = try r.readUInt8(), decimal = try r.readUInt8(), missing = try r.readStrings()
        let header = try r.readBool(), names = try r.readStrings()
        csv = CSVOptions(delimiter: delimiter, decimal: decimal, missing: missing, header: header, names: header ? nil : names)
        let featureNames = try r.readStrings(), kinds = try r.readStrings()
        try BinaryFormatError.require(featureNames.count == kinds.count, "feature columns")
        features = try zip(featureNames, kinds).map { name, k in
            guard let kind = ColumnKind(rawValue: k) else { throw BinaryFormatError.badTag("column kind", 0) }
            return (name, kind)
        }
        rowSteps = try (0..<r.readCount()).map { _ in try SavedPipeline.rowStep(try r.readStrings()) }
    }
}

import AssayCore
import AssayData
import AssayEngine
import AssayLearn
import Foundation

/// This build's version, written into saved pipelines.
public enum AssayVersion {
    public static let current = "0.1.0"
}

/// A model refit on all training rows with every fitted transform: what `assay predict` applies to new rows.
///
/// File layout: the line `assay-model\n`, a format version (UInt32), the SHA-256 of the body, then the body.
/// A file with a newer format version is refused with a message naming both versions.
public struct SavedPipeline: Sendable {
    public static let formatVersion: UInt32 = 1
    static let magic = Array("assay-model\n".utf8)

    public var assayVersion: String
    /// SHA-256 of the spec text and its `--set` overrides.
    public var specHash: String
    public var experiment: String
    public var model: String
    public var type: String
    /// The model's parameters at the selected point (fixed and grid), as canonical JSON.
    public var params: String
    /// Probability above which a row is predicted positive.
    public var threshold: Double
    /// How the training file was written; new files are read the same way.
    public var csv: CSVOptions
    public var positiveLabel: String
    public var negativeLabel: String
    /// The spec's `data.id` column, if any.
    public var idColumn: String?
    /// Feature columns in training order, with their kinds.
    public var features: [(name: String, kind: ColumnKind)]
    public var preprocessing: FittedPreprocessing
    public var fitted: FittedModel

    /// Encoded file bytes.
    public func fileData() -> Data {
        var w = ByteWriter()
        w.write(assayVersion); w.write(specHash); w.write(experiment); w.write(model); w.write(type); w.write(params)
        w.write(threshold)
        w.write(csv.delimiter); w.write(csv.decimal); w.write(csv.missing); w.write(csv.header); w.write(csv.names ?? [])
        w.write(positiveLabel); w.write(negativeLabel); w.write(idColumn ?? "")
        w.write(features.map(\.name)); w.write(features.map(\.kind.rawValue))
        w.write(preprocessing); w.write(fitted)
        var out = Data(Self.magic)
        withUnsafeBytes(of: Self.formatVersion.littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: SHA256.hash(w.data))
        out.append(w.data)
        return out
    }

    /// Reads a saved pipeline; `file` names it in errors.
    public init(fileData data: Data, file: String) throws {
        let bytes = [UInt8](data)
        let head = Self.magic.count
        guard bytes.count >= head + 36, Array(bytes[0..<head]) == Self.magic else {
            throw AssayError.input("\(file): not an Assay model file")
        }
        let version = bytes[head..<(head + 4)].reversed().reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        guard version <= Self.formatVersion else {
            throw AssayError.input("\(file): model format version \(version) is newer than this Assay \(AssayVersion.current) reads (up to \(Self.formatVersion)); use a newer Assay or re-run the experiment")
        }
        let body = Data(bytes[(head + 36)...])
        guard SHA256.hash(body) == Array(bytes[(head + 4)..<(head + 36)]) else {
            throw AssayError.input("\(file): the model file is damaged (checksum mismatch)")
        }
        do {
            var r = ByteReader(body)
            assayVersion = try r.readString(); specHash = try r.readString(); experiment = try r.readString()
            model = try r.readString(); type = try r.readString(); params = try r.readString()
            threshold = try r.readDouble()
            let delimiter = try r.readUInt8(), decimal = try r.readUInt8(), missing = try r.readStrings()
            let header = try r.readBool(), names = try r.readStrings()
            csv = CSVOptions(delimiter: delimiter, decimal: decimal, missing: missing, header: header, names: header ? nil : names)
            positiveLabel = try r.readString(); negativeLabel = try r.readString()
            let id = try r.readString()
            idColumn = id.isEmpty ? nil : id
            let names2 = try r.readStrings(), kinds = try r.readStrings()
            features = try zip(names2, kinds).map { name, k in
                guard let kind = ColumnKind(rawValue: k) else { throw BinaryFormatError.badTag("column kind", 0) }
                return (name, kind)
            }
            preprocessing = try r.read(); fitted = try r.read()
            guard r.isAtEnd else { throw BinaryFormatError.trailingBytes }
        } catch let e as BinaryFormatError {
            throw AssayError.input("\(file): cannot read the model (\(e))")
        }
    }

    public init(assayVersion: String, specHash: String, experiment: String, model: String, type: String, params: String,
                threshold: Double, csv: CSVOptions, positiveLabel: String, negativeLabel: String, idColumn: String?,
                features: [(name: String, kind: ColumnKind)], preprocessing: FittedPreprocessing, fitted: FittedModel) {
        self.assayVersion = assayVersion
        self.specHash = specHash
        self.experiment = experiment
        self.model = model
        self.type = type
        self.params = params
        self.threshold = threshold
        self.csv = csv
        self.positiveLabel = positiveLabel
        self.negativeLabel = negativeLabel
        self.idColumn = idColumn
        self.features = features
        self.preprocessing = preprocessing
        self.fitted = fitted
    }

    /// Checks that a file has every feature column; extra columns are ignored.
    public func checkColumns(_ csv: CSVFile) throws {
        for f in features where !csv.names.contains(f.name) {
            var hint = Suggest.hint(f.name, among: csv.names)
            if csv.names.count == 1, let d = [";", ",", "\t", "|"].first(where: { csv.names[0].contains($0) }) {
                hint = " (the header has one column; is the delimiter '\(d)'?)"
            }
            throw AssayError.input("\(csv.file): feature column '\(f.name)' is missing\(hint)")
        }
    }

    /// Probabilities for every row of a tokenized file, in file order, scored in blocks of `blockRows`.
    public func probabilities(for csv: CSVFile, blockRows: Int = 4096) throws -> [Double] {
        try checkColumns(csv)
        let missing = self.csv.missing.map { Array($0.utf8) }
        let columns = try features.map { f in
            try DatasetLoader.readColumn(csv, csv.names.firstIndex(of: f.name)!, name: f.name, kind: f.kind, missing: missing, decimal: self.csv.decimal)
        }
        let table = Table(columns: columns, rowCount: csv.rowCount)
        var out: [Double] = []
        out.reserveCapacity(csv.rowCount)
        var start = 0
        while start < csv.rowCount {
            let rows = Array(start..<min(start + blockRows, csv.rowCount))
            do {
                out += try fitted.predictProbabilities(try preprocessing.transform(table, rows: rows))
            } catch let e as LearnError {
                throw AssayError.learn(e, task: "scoring \(csv.file)")
            }
            start += blockRows
        }
        return out
    }
}

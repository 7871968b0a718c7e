import AssayCore
import AssayData
import AssayEngine
import AssaySpec
import Foundation

/// `assay init DATA`: a first spec for a table Assay has never seen. It reads the file as it is (guessing the
/// delimiter, decimal mark and header), guesses the target and its positive label (or, for a numeric target named
/// with `--target` or by a target-like name, writes a regression), lists the missing-value tokens
/// the file really uses, sets aside id-like, constant and likely-leaking columns with a comment saying why, and
/// proposes a small default model set. The spec it writes passes `validate` (checked before it is written).
public struct StarterSpec {
    /// The spec's YAML text.
    public let text: String
    /// What was guessed, one line each, for the terminal.
    public let findings: [String]

    /// Writes the starter spec for `dataPath` to `output`, which must not exist unless `force`.
    public static func write(dataPath: String, output: String, target: String?, positive: String?, force: Bool) throws -> StarterSpec {
        if !force, FileManager.default.fileExists(atPath: output) {
            throw AssayError.input("\(output) already exists; pass --force to replace it, or --output to write elsewhere")
        }
        let folder = (output as NSString).deletingLastPathComponent
        if let problem = AtomicFiles.problem(writingInto: folder.isEmpty ? "." : folder) {
            throw AssayError.input("cannot write \(output): \(problem)")
        }
        let starter = try make(dataPath: dataPath, specFolder: folder.isEmpty ? "." : folder, target: target, positive: positive,
                               stem: ((output as NSString).lastPathComponent as NSString).deletingPathExtension)
        // Validated from a temporary file beside the output (relative paths resolve the same), then renamed into place.
        let draft = (folder.isEmpty ? "" : folder + "/") + ".assay-init-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: draft) }
        do {
            try AtomicFiles.write([(draft, Data(starter.text.utf8))])
            _ = try Experiment.validate(specPath: draft)
        } catch {
            throw AssayError.input("the spec written for \(dataPath) does not validate (\(error)); please report this")
        }
        do { try AtomicFiles.write([(output, Data(starter.text.utf8))]) } catch { throw AssayError.wrap(error) }
        return starter
    }

    /// The starter spec for `dataPath`, with its data path written relative to `specFolder`.
    public static func make(dataPath: String, specFolder: String, target: String?, positive: String?, stem: String) throws -> StarterSpec {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dataPath))) } catch {
            throw AssayError.data(.unreadable(file: dataPath, reason: (error as NSError).localizedDescription))
        }
        do {
            let guess = try Guess(bytes: bytes, dataPath: dataPath, target: target, positive: positive)
            return StarterSpec(text: guess.spec(specFolder: specFolder, stem: stem), findings: guess.findings)
        } catch {
            // No target in it: a purchase log, if it has a day column and customers who come back, asks who buys again.
            if target == nil, positive == nil, let csv = try? CSVSniffer.sniff(bytes, file: dataPath),
               let file = try? CSVFile(bytes: bytes, displayName: dataPath, options: csv), let log = LogGuess(file, csv: csv, dataPath: dataPath) {
                return StarterSpec(text: log.spec(specFolder: specFolder, stem: stem), findings: log.findings)
            }
            throw AssayError.wrap(error)
        }
    }

    /// A path to `file` from `folder` (both made absolute).
    static func relativePath(to file: String, from folder: String) -> String {
        func parts(_ p: String) -> [String] {
            URL(fileURLWithPath: p).standardizedFileURL.path.split(separator: "/").map(String.init)
        }
        let f = parts(file), d = parts(folder)
        var common = 0
        while common < min(f.count, d.count), f[common] == d[common] { common += 1 }
        return (Array(repeating: "..", count: d.count - common) + f[common...]).joined(separator: "/")
    }
}

/// What `init` works out about one file.
struct Guess {
    let dataPath: String
    var csv: CSVOptions
    var findings: [String] = []
    var missingComments: [String] = []
    let target: String
    /// Binary (a two-valued target), or regression (a numeric one).
    var kind = ExperimentKind.binary
    var positive = ""
    var labels: [String: Int] = [:]
    var id: String? = nil
    var drops: [(name: String, why: String)] = []
    var manyLevels = false
    var minority = 0
    /// Why the table looks like a long side table, when it does.
    var longTable: String? = nil

    /// Names worth preferring as the target, compared lowercased, best first.
    static let targetWords = ["target", "targets", "label", "y", "class", "outcome", "churn", "churned", "purchased", "converted",
                              "bought", "subscribed", "exited", "fraud", "response", "revenue", "result"]
    /// Default missing tokens `init` looks for.
    static let tokens = CSVOptions.defaultMissing.filter { !$0.isEmpty }

    init(bytes: [UInt8], dataPath: String, target wanted: String?, positive wantedPositive: String?) throws {
        self.dataPath = dataPath
        csv = try CSVSniffer.sniff(bytes, file: dataPath)
        var raw = csv
        raw.missing = []
        let file = try CSVFile(bytes: bytes, displayName: dataPath, options: raw)
        guard file.rowCount > 1 else { throw DataError.empty(file: dataPath) }
        findings.append("read as: delimiter \(Self.show(csv.delimiter)), decimal \(Self.show(csv.decimal)), "
                        + (csv.header ? "header row" : "no header row (columns named column_1…column_\(file.columnCount))")
                        + ", \(file.rowCount) rows × \(file.columnCount) columns")

        // Missing-value tokens the file uses, and cells that only look blank.
        var found: [String: [String]] = [:], blanks: [String: [String]] = [:]
        var values: [[String: Int]] = Array(repeating: [:], count: file.columnCount)
        for c in 0..<file.columnCount {
            for r in 0..<file.rowCount { values[c][file.cell(row: r, column: c), default: 0] += 1 }
            let name = file.names[c]
            for t in Self.tokens where values[c][t] != nil { found[t, default: []].append(name) }
            for v in values[c].keys where !v.isEmpty && v.allSatisfy({ $0 == " " || $0 == "\t" }) { blanks[v, default: []].append(name) }
        }
        var missing = [""]
        for t in Self.tokens {
            guard let columns = found[t] else { continue }
            // "NA" among two-letter upper-case codes is a code (Namibia), not a missing value.
            let asCode = t == "NA" ? columns.filter { c in
                let i = file.names.firstIndex(of: c)!
                let others = values[i].keys.filter { $0 != "NA" && !$0.isEmpty && !Self.tokens.contains($0) }
                return !others.isEmpty && others.allSatisfy { $0.count == 2 && $0.allSatisfy { $0.isUppercase && $0.isLetter } }
            } : []
            if !asCode.isEmpty {
                missingComments.append("\"NA\" is kept as a value: in \(asCode.joined(separator: ", ")) it sits among two-letter codes (Namibia?)")
                continue
            }
            missing.append(t)
            missingComments.append("\(JSONText.quote(t)) in \(Self.list(columns))")
        }
        for b in blanks.keys.sorted() {
            missing.append(b)
            missingComments.append("\(JSONText.quote(b)) (blank-looking) in \(Self.list(blanks[b]!))")
        }
        csv.missing = missing
        let isMissing = Set(missing)

        // The target: a column with exactly two values and no missing cell (binary), or a numeric one with at least
        // three values and no missing cell (regression), named with --target or by a target-like name.
        func twoValued(_ c: Int) -> Bool { values[c].keys.allSatisfy { !isMissing.contains($0) } && values[c].count == 2 }
        let decimal = csv.decimal
        func numeric(_ c: Int) -> Bool {
            values[c].count >= 3 && values[c].keys.allSatisfy { !isMissing.contains($0) && NumberParser.parse($0, decimal: decimal).map(\.isFinite) == true }
        }
        let candidates = (0..<file.columnCount).filter(twoValued)
        let chosen: Int
        if let wanted {
            guard let c = file.names.firstIndex(of: wanted) else {
                throw DataError.unknownColumn(file: dataPath, name: wanted, role: "--target", hint: Suggest.hint(wanted, among: file.names))
            }
            if numeric(c) && wantedPositive == nil { kind = .regression }
            guard twoValued(c) || kind == .regression else {
                let n = values[c].keys.filter { !isMissing.contains($0) }.count
                throw AssayError.input("--target \(wanted): the column has \(n) distinct values\(values[c].keys.contains(where: isMissing.contains) ? " and missing cells" : ""); "
                                       + "Assay predicts a target with exactly two values, or a number (a regression), and none missing")
            }
            chosen = c
        } else {
            let named = Self.targetWords.lazy.compactMap { word in candidates.first { file.names[$0].lowercased() == word } }.first
            if let c = named ?? candidates.first(where: { $0 == file.columnCount - 1 }) ?? candidates.first {
                chosen = c
            } else if let c = Self.targetWords.lazy.compactMap({ word in (0..<file.columnCount).first { file.names[$0].lowercased() == word && numeric($0) } }).first {
                chosen = c
                kind = .regression
            } else {
                throw AssayError.input("\(dataPath): no column has exactly two values and no missing cells, so there is no target to guess; "
                                       + "Assay predicts two-valued targets and numbers (name one with --target; a numeric one is a regression)")
            }
        }
        target = file.names[chosen]
        let counts = values[chosen]
        if kind == .regression {
            let numbers = counts.keys.compactMap { NumberParser.parse($0, decimal: decimal) }
            findings.append("target: \(target)" + (wanted == nil ? " (guessed from its name)" : "")
                            + ", numeric: a regression (\(counts.count) distinct values, \(NumberFormat.json(numbers.min()!)) to \(NumberFormat.json(numbers.max()!)))")
        } else {
            labels = counts
            let others = candidates.filter { $0 != chosen }.map { file.names[$0] }
            if let p = wantedPositive, counts[p] == nil {
                throw DataError.positiveNotFound(file: dataPath, column: file.names[chosen], positive: p, values: counts.keys.sorted())
            }
            positive = wantedPositive ?? Self.positive(counts)
            minority = labels[positive]!
            let share = Double(minority) / Double(file.rowCount)
            findings.append("target: \(target)" + (wanted == nil ? " (guessed" + (others.isEmpty ? ")" : "; also two-valued: \(Self.list(others)); choose with --target)") : "")
                            + ", positive label \(JSONText.quote(positive)) (\(NumberFormat.fixed(share * 100, decimals: 1))% of rows)")
        }

        // A key column whose every value repeats the same number of times: a long table (one row per key and period,
        // say), to be pivoted and joined to a main table rather than predicted from row by row.
        for c in 0..<file.columnCount where Self.looksLikeKey(file.names[c]) {
            let counts = Set(values[c].values)
            if counts.count == 1, let times = counts.first, times > 1 {
                longTable = "every value of \(file.names[c]) appears \(times) times: this looks like a long table (one row per \(file.names[c]) and "
                    + "period or kind) to pivot and join to a table with one row per \(file.names[c]) (data.join with pivot), not one to predict from"
                findings.append("warning: " + longTable!)
                break
            }
        }

        // Columns to set aside, from the data profile's flags (a regression's: identifiers and constants only; the
        // profile's leak flags score columns against a binary target).
        var options = LoadOptions(csv: csv, target: target, positive: positive)
        options.kind = kind
        let data = try DatasetLoader.load(try CSVFile(bytes: bytes, displayName: dataPath, options: csv), options)
        let profile = TableProfile(data.features, target: kind == .binary ? data.target : [UInt8](repeating: 0, count: data.rowCount), roles: [:])
        for var column in profile.columns {
            if kind == .regression { column.flags.removeAll { !$0.hasPrefix("ID-like") && $0 != "constant" } }
            if column.flags.contains(where: { $0.hasPrefix("ID-like") }) && id == nil {
                id = column.name
                findings.append("id: \(column.name) (every value distinct)")
            } else if let flag = column.flags.first {
                drops.append((column.name, flag))
                findings.append("dropped: \(column.name) (\(flag))")
            } else if column.kind == .categorical && column.distinct > 30 {
                manyLevels = true
            }
        }
        if profile.columns.count == drops.count + (id == nil ? 0 : 1) {
            throw AssayError.input("\(dataPath): no column is left to predict \(target) from (only \(Self.list(file.names)))"
                                   + (longTable == nil ? "; this looks like a side table to join to a main one (data.join)" : "; " + longTable!))
        }
    }

    func spec(specFolder: String, stem: String) -> String {
        var y: [String] = []
        let name = Self.specName(stem)
        y += ["# Starter spec written by `assay init` from \(URL(fileURLWithPath: dataPath).lastPathComponent). Every line is a guess: review it,",
              "# then `assay validate` and `assay run` this file. SPEC.md and `assay models` list every key and model parameter."]
        if let longTable { y += ["# Warning: \(longTable)."] }
        let question = kind == .regression ? "Predicts \(target), a number." : "Predicts \(target) = \(positive)."
        y += ["assay: 1", "name: \(Self.yaml(name))", "description: \(Self.yaml(question + " Starter spec from assay init: say here which question the run answers."))"]
        if kind == .regression { y += ["task: regression              # the target is a number"] }
        y += ["seed: 42"]
        y += ["data:", "  path: \(Self.yaml(StarterSpec.relativePath(to: dataPath, from: specFolder)))"]
        if csv.delimiter == CSVOptions.whitespace { y += ["  delimiter: whitespace         # fields padded with runs of spaces"] }
        else if csv.delimiter != UInt8(ascii: ",") { y += ["  delimiter: \(Self.yaml(String(UnicodeScalar(csv.delimiter))))"] }
        if csv.decimal != UInt8(ascii: ".") { y += ["  decimal: \(Self.yaml(String(UnicodeScalar(csv.decimal))))"] }
        if !csv.header {
            y += ["  header: false                # the first row is data", "  names: [" + csv.names!.map(Self.yaml).joined(separator: ", ") + "]"]
        }
        y += ["  missing: [" + csv.missing.map(JSONText.quote).joined(separator: ", ") + "]"
              + (missingComments.isEmpty ? "   # no other missing-value token occurs in the file" : "")]
        y += missingComments.map { "    # \($0)" }
        y += ["  target: \(Self.yaml(target))"] + (kind == .binary ? ["  positive: \(JSONText.quote(positive))"] : [])
        if let id { y += ["  id: \(Self.yaml(id))                  # every value distinct: an identifier, never a feature"] }
        if !drops.isEmpty {
            y += ["  drop:"] + drops.map { "    - \(Self.yaml($0.name))    # \($0.why)" }
        }
        let folds = kind == .regression ? 5 : max(2, min(5, minority / 2))
        y += ["split: {test_size: 0.2, folds: \(folds)}"]
        y += ["preprocess:",
              "  - impute: {numeric: median, categorical: most_frequent}",
              manyLevels ? "  - encode: {method: onehot, min_frequency: 20, handle_unknown: infrequent_if_exist}   # rare levels pooled"
                         : "  - encode: {method: onehot}",
              "  - scale: {method: standard}"]
        y += ["models:"]
        y += kind == .regression
            ? ["  ridge:", "    type: ridge", "    grid: {alpha: [0.1, 1, 10]}"]
            : ["  logreg:", "    type: logistic_regression", "    params: {max_iter: 1000}", "    grid: {C: [0.1, 1, 10]}"]
        y += ["  forest:",
              "    type: random_forest",
              "    params: {n_estimators: 100}",
              "    grid: {min_samples_leaf: [1, 10]}",
              "  boost:",
              "    type: gradient_boosting"]
        y += kind == .regression
            ? ["metrics: [rmse, mae, r2]", "select: rmse", "# checks:                      # after a first run, gate CI on it, e.g.",
               "#   cv.r2: {min: 0.5, tolerance: 0.01}"]
            : ["metrics: [roc_auc, pr_auc, f1, log_loss]", "select: roc_auc", "# checks:                      # after a first run, gate CI on it, e.g.",
               "#   cv.roc_auc: {min: 0.80, tolerance: 0.005}"]
        return y.joined(separator: "\n") + "\n"
    }

    /// A column name that reads as a key: `id`, or ending in `_id`, ` id` or `Id`.
    static func looksLikeKey(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "id" || lower.hasSuffix("_id") || lower.hasSuffix(" id") || (name.hasSuffix("Id") && name.count > 2)
    }

    /// The positive label: 1 of 0/1, yes of yes/no, true of true/false; otherwise the rarer value.
    static func positive(_ labels: [String: Int]) -> String {
        let keys = labels.keys.sorted()
        for yes in ["1", "yes", "true", "y"] {
            if let k = keys.first(where: { $0.lowercased() == yes }) { return k }
        }
        return keys.min { (labels[$0]!, $1) < (labels[$1]!, $0) }!
    }

    static func specName(_ stem: String) -> String {
        let s = String(stem.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
        let trimmed = s.split(separator: "-").joined(separator: "-")
        return trimmed.isEmpty ? "experiment" : trimmed
    }

    /// A YAML scalar: plain when unambiguous, otherwise double-quoted (JSON escaping is valid YAML).
    static func yaml(_ s: String) -> String {
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"]
        let plain = s.first.map { $0.isASCII && ($0.isLetter || $0 == "." || $0 == "/") } ?? false
            && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-./".contains($0)) }
            && !reserved.contains(s.lowercased())
        return plain ? s : JSONText.quote(s)
    }

    static func show(_ b: UInt8) -> String { b == 9 ? "tab" : "'\(String(UnicodeScalar(b)))'" }

    static func list(_ names: [String]) -> String {
        names.count <= 4 ? names.joined(separator: ", ") : names.prefix(4).joined(separator: ", ") + " and \(names.count - 4) more"
    }
}

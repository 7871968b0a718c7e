// Times Assay's own code on one input, without the run around it, and reports the best and median wall time:
//
//     swift run -c release assay-bench csv FILE [--delimiter ';'] [--repeat 10]
//         read and type a delimited file
//     swift run -c release assay-bench fpgrowth FILE --basket COL[,COL] --item COL --min-support S [--min-confidence C] [--repeat 10]
//         FP-growth itemsets and association rules of a log's baskets (built once, not timed)
//     swift run -c release assay-bench kmeans FILE --columns COL,COL,... --k 2..8 [--n-init 10] [--repeat 3]
//         k-means for each k on log1p + standardized columns (prepared once, not timed), one thread; then the silhouettes
//     swift run -c release assay-bench gemm [--size 512] [--repeat 10]
//         one N × N × N matrix product (MatrixProduct), one thread: GFLOP/s of the best and median run
//         (bench/gemm.sh runs it beside numpy's OpenBLAS, single-threaded, on the same shape)
//     swift run -c release assay-bench knn FILE --train-rows N [--neighbors 25] [--weights uniform] [--threads 1] [--repeat 3]
//         k-NN fit + positive probabilities on 1 thread or more (the others lent as the executor lends its idle
//         workers): a numeric CSV whose last column is the 0/1 label, the first N rows to train on, the rest to
//         predict (bench/knn.sh writes the student table so and runs scikit-learn beside it)
import AssayCore
import AssayData
import AssayLearn
import Foundation
import TestSupport

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("assay-bench: \(message)\n".utf8))
    exit(2)
}

/// Best and median of `repeats` timings of `body`, in seconds.
func timed(_ repeats: Int, _ body: () throws -> Void) -> (best: Double, median: Double) {
    var times: [Double] = []
    for _ in 0..<max(1, repeats) {
        let start = DispatchTime.now().uptimeNanoseconds
        do { try body() } catch { fail("\(error)") }
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    times.sort()
    return (times[0], times[times.count / 2])
}

/// `--name value` options after the file argument.
func options(_ args: ArraySlice<String>) -> [String: String] {
    var out: [String: String] = [:]
    var i = args.startIndex
    while i < args.endIndex {
        guard args[i].hasPrefix("--"), i + 1 < args.endIndex else { fail("unexpected argument \(args[i])") }
        out[String(args[i].dropFirst(2))] = args[i + 1]
        i += 2
    }
    return out
}

func read(_ path: String) -> CSVFile {
    do { return try CSVFile(contentsOf: URL(fileURLWithPath: path), displayName: path, options: CSVOptions()) } catch { fail("\(error)") }
}

func column(_ csv: CSVFile, _ name: String) -> Int {
    guard let c = csv.names.firstIndex(of: name) else { fail("\(csv.file) has no column \(name)") }
    return c
}

let all = Array(CommandLine.arguments.dropFirst())
if all.first == "fpgrowth", all.count >= 2 {
    let o = options(all[2...])
    guard let basket = o["basket"], let item = o["item"], let support = o["min-support"].flatMap(Double.init) else {
        fail("usage: assay-bench fpgrowth FILE --basket COL[,COL] --item COL --min-support S [--min-confidence C] [--repeat N]")
    }
    let csv = read(all[1])
    let keys = basket.split(separator: ",").map { column(csv, String($0)) }, itemColumn = column(csv, item)
    var itemCode: [String: Int32] = [:], names: [String] = [], index: [String: Int] = [:], sets: [Set<Int32>] = []
    for r in 0..<csv.rowCount {
        let name = csv.cell(row: r, column: itemColumn)
        let code = itemCode[name] ?? { let c = Int32(names.count); itemCode[name] = c; names.append(name); return c }()
        let key = keys.map { csv.cell(row: r, column: $0) }.joined(separator: "\u{1f}")
        if let b = index[key] { sets[b].insert(code) } else { index[key] = sets.count; sets.append([code]) }
    }
    let baskets = sets.map { $0.sorted() }
    let minCount = FPGrowth.minimumCount(minSupport: support, baskets: baskets.count)
    let confidence = o["min-confidence"].flatMap(Double.init) ?? 0.1
    var itemsets = 0, rules = 0
    let t = timed(Int(o["repeat"] ?? "") ?? 10) {
        let found = try FPGrowth.mine(baskets, itemCount: names.count, minCount: minCount)
        var r = AssociationRules.rules(found, baskets: baskets.count, minConfidence: confidence)
        AssociationRules.sort(&r, names: names)
        (itemsets, rules) = (found.count, r.count)
    }
    print(String(format: "fpgrowth: %d baskets, %d itemsets, %d rules; best %.4f s, median %.4f s", baskets.count, itemsets, rules, t.best, t.median))
    exit(0)
}
if all.first == "kmeans", all.count >= 2 {
    let o = options(all[2...])
    guard let names = o["columns"]?.split(separator: ",").map(String.init), let range = o["k"]?.split(separator: ".").compactMap({ Int($0) }), range.count == 2 else {
        fail("usage: assay-bench kmeans FILE --columns COL,COL,... --k 2..8 [--n-init 10] [--repeat 3]")
    }
    let csv = read(all[1])
    let columns = names.map { column(csv, $0) }
    var x = Matrix(rows: csv.rowCount, cols: columns.count)
    for (j, c) in columns.enumerated() {
        var values = (0..<csv.rowCount).map { log1p(Double(csv.cell(row: $0, column: c)) ?? .nan) }
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        values = values.map { ($0 - mean) / sd }
        for r in 0..<csv.rowCount { x[r, j] = values[r] }
    }
    let ks = Array(range[0]...range[1]), nInit = Int(o["n-init"] ?? "") ?? 10
    var inertias: [Double] = [], labels: [[Int32]] = []
    let fits = timed(Int(o["repeat"] ?? "") ?? 3) {
        inertias = []; labels = []
        for k in ks {
            var rng = SplitMix64(seed: 42)
            let f = try KMeans(clusters: k, nInit: nInit).fit(x, using: &rng)
            inertias.append(f.inertia); labels.append(f.labels)
        }
    }
    var silhouettes: [Double] = []
    let scores = timed(1) { silhouettes = zip(ks, labels).map { ClusterScores.silhouette(x, labels: $1, clusters: $0) } }
    print(String(format: "kmeans: %d rows, k = %d..%d, n_init %d: fits best %.4f s, median %.4f s; silhouettes %.4f s", x.rows, ks[0], ks.last!, nInit, fits.best, fits.median, scores.best))
    print("  inertia " + inertias.map { String(format: "%.2f", $0) }.joined(separator: " ") + "; silhouette " + silhouettes.map { String(format: "%.4f", $0) }.joined(separator: " "))
    exit(0)
}
if all.first == "gemm" {
    let o = options(all[1...])
    guard let n = Int(o["size"] ?? "512"), n > 0 else { fail("usage: assay-bench gemm [--size N] [--repeat R]") }
    var rng = SplitMix64(seed: 1)
    let a = Matrix(rows: n, cols: n, values: (0..<n * n).map { _ in Double.random(in: -1...1, using: &rng) })
    let b = Matrix(rows: n, cols: n, values: (0..<n * n).map { _ in Double.random(in: -1...1, using: &rng) })
    var c = Matrix(rows: 0, cols: 0)
    let t = timed(Int(o["repeat"] ?? "") ?? 10) { c = MatrixProduct.multiply(a, b) }
    let flops = 2 * Double(n) * Double(n) * Double(n)
    print(String(format: "gemm %d x %d x %d (%@): best %.2f GFLOP/s, median %.2f GFLOP/s; checksum %.6e", n, n, n,
                 MatrixProduct.usesFMA ? "AVX2 + FMA tile" : "portable tile", flops / t.best / 1e9, flops / t.median / 1e9,
                 c.values.reduce(0, +)))
    exit(0)
}
if all.first == "knn", all.count >= 2 {
    let o = options(all[2...])
    guard let trainRows = o["train-rows"].flatMap(Int.init) else { fail("usage: assay-bench knn FILE --train-rows N [--neighbors K] [--weights W] [--threads T] [--repeat R]") }
    let csv = read(all[1])
    let p = csv.columnCount - 1
    var values = [Double](repeating: 0, count: csv.rowCount * p), labels = [UInt8](repeating: 0, count: csv.rowCount)
    for r in 0..<csv.rowCount {
        for c in 0..<p { values[r * p + c] = Double(csv.cell(row: r, column: c)) ?? .nan }
        labels[r] = csv.cell(row: r, column: p) == "1" ? 1 : 0
    }
    guard (1..<csv.rowCount).contains(trainRows) else { fail("--train-rows must leave rows to predict") }
    let train = Matrix(rows: trainRows, cols: p, values: Array(values[0..<trainRows * p]))
    let query = Matrix(rows: csv.rowCount - trainRows, cols: p, values: Array(values[(trainRows * p)...]))
    var model = KNearestNeighbors(neighbors: Int(o["neighbors"] ?? "") ?? 25)
    if let w = o["weights"] { guard let weights = KNearestNeighbors.Weights(rawValue: w) else { fail("--weights uniform|distance") }; model.weights = weights }
    guard let threads = Int(o["threads"] ?? "1"), threads >= 1 else { fail("--threads must be a positive number") }
    var probabilities: [Double] = []
    // Threads beyond the first are lent as the executor lends its idle workers.
    let pool = LendingPool(threads - 1)
    let t = timed(Int(o["repeat"] ?? "") ?? 3) {
        var rng = SplitMix64(seed: 1)
        probabilities = try Parallel.lending(threads > 1 ? pool.lender : nil) {
            try model.fit(train, Array(labels[0..<trainRows]), using: &rng).predictProbabilities(query)
        }
    }
    print(String(format: "knn %d train x %d query rows, %d columns, k %d, %@, %d thread%@: fit + predict best %.3f s, median %.3f s; mean probability %.6f",
                 train.rows, query.rows, p, model.neighbors, model.weights.rawValue, threads, threads > 1 ? "s" : "", t.best, t.median,
                 probabilities.reduce(0, +) / Double(probabilities.count)))
    exit(0)
}
var args = all
guard args.first == "csv", args.count >= 2 else { fail("usage: assay-bench csv FILE [--delimiter C] [--repeat N]") }
let path = args[1]
var options = CSVOptions()
var repeats = 10
var i = 2
while i < args.count {
    switch args[i] {
    case "--delimiter" where i + 1 < args.count: options.delimiter = args[i + 1].utf8.first!; i += 2
    case "--repeat" where i + 1 < args.count: repeats = Int(args[i + 1]) ?? repeats; i += 2
    default: fail("unknown argument \(args[i])")
    }
}
var times: [Double] = [], tokenizing: [Double] = []
var cells = 0
for _ in 0..<repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    do {
        let csv = try CSVFile(contentsOf: URL(fileURLWithPath: path), displayName: path, options: options)
        tokenizing.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        // Type every column, as a run's load task does (the first column stands in as the target).
        for c in 0..<csv.columnCount {
            _ = try DatasetLoader.readColumn(csv, c, name: csv.names[c], kind: nil, missing: options.missing.map { Array($0.utf8) }, decimal: options.decimal)
        }
        cells = csv.rowCount * csv.columnCount
    } catch { fail("\(error)") }
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
}
times.sort()
tokenizing.sort()
print(String(format: "%@: %d cells; read and typed: best %.4f s, median %.4f s (tokenizing alone: median %.4f s) over %d reads",
             path, cells, times[0], times[times.count / 2], tokenizing[tokenizing.count / 2], repeats))

// Reads a delimited file with Assay's CSV reader and reports the best and median wall time.
//
//     swift run -c release assay-bench csv FILE [--delimiter ';'] [--repeat 10]
import AssayCore
import AssayData
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("assay-bench: \(message)\n".utf8))
    exit(2)
}

var args = Array(CommandLine.arguments.dropFirst())
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

import AssayFuzzTargets
import Foundation

#if ASSAY_LIBFUZZER
// Built by fuzz/run with -sanitize=fuzzer: libFuzzer's own main drives the input named by ASSAY_FUZZ_TARGET.

nonisolated(unsafe) var target = FuzzTarget.spec

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>) -> Int32 {
    guard let name = ProcessInfo.processInfo.environment["ASSAY_FUZZ_TARGET"], let t = FuzzTarget(rawValue: name) else {
        FileHandle.standardError.write(Data("assay-fuzz: set ASSAY_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
        exit(2)
    }
    target = t
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// SwiftPM links an executable's entry point under this name; it hands over to libFuzzer's driver.
@_cdecl("assay_fuzz_main")
public func assayFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Int32 {
    var count = argc, arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, fuzzerTestOneInput)
}

#else
/// Without libFuzzer: a seeded mutation loop over the committed corpus, and the maker of the model-file seeds.
@main
struct AssayFuzz {
    static let usage = """
        usage: assay-fuzz TARGET [--runs N] [--seed S] [--corpus DIR]   (TARGET: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")), or all)
               assay-fuzz seed-models DIR                                 (writes the model target's seed bodies)
        Coverage-guided fuzzing with libFuzzer: fuzz/run.
        """

    static func main() {
        var args = Array(CommandLine.arguments.dropFirst())
        func fail(_ message: String) -> Never {
            FileHandle.standardError.write(Data("assay-fuzz: \(message)\n".utf8))
            exit(2)
        }
        guard let first = args.first else { fail(usage) }
        args.removeFirst()
        if first == "seed-models" {
            guard let dir = args.first else { fail(usage) }
            do { print("wrote \(try FuzzTarget.writeModelSeeds(into: URL(fileURLWithPath: dir)).joined(separator: ", "))") } catch { fail("\(error)") }
            return
        }
        var runs = 100_000, seed: UInt64 = 1, corpus = "fuzz/corpus"
        while !args.isEmpty {
            let key = args.removeFirst()
            guard let value = args.first else { fail("\(key) needs a value") }
            args.removeFirst()
            switch key {
            case "--runs": guard let n = Int(value), n > 0 else { fail("--runs must be a positive count") }; runs = n
            case "--seed": guard let s = UInt64(value) else { fail("--seed must be a non-negative integer") }; seed = s
            case "--corpus": corpus = value
            default: fail("unknown option \(key)\n\(usage)")
            }
        }
        let targets = first == "all" ? FuzzTarget.allCases : [FuzzTarget(rawValue: first) ?? { fail("unknown target \(first)\n\(usage)") }()]
        for target in targets {
            let start = Date()
            let seeds: [[UInt8]]
            do { seeds = try target.seeds(corpus: URL(fileURLWithPath: corpus)) } catch { fail("cannot read the \(target.rawValue) corpus: \(error)") }
            guard !seeds.isEmpty else { fail("the \(target.rawValue) corpus is empty") }
            let accepted = target.mutationLoop(seeds: seeds, count: runs, seed: seed)
            print("\(target.rawValue): \(runs) executions, \(accepted) accepted, no crash, \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
        }
    }
}
#endif

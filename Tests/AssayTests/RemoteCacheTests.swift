@testable import Assay
import AssayCore
import AssayEngine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestSupport
import XCTest

/// The HTTP cache store against `tools/http_cache_server.py` on 127.0.0.1 (started and stopped here, by PID): a warm
/// run reads every task from it, and a server that errs, truncates, swaps entries, drops every other request or is
/// gone never changes a report: the run recomputes (or fails with one line when it cannot write).
final class RemoteCacheTests: XCTestCase {
    var dir: URL!
    var server: Process?

    override func setUpWithError() throws {
        dir = try TestPaths.temporaryDirectory()
        var rng = SplitMix64(seed: 4)
        func u() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        var lines = ["visits,spend,plan,bought"]
        for _ in 0..<200 {
            let visits = Int(u() * 20), spend = u() * 100, plan = ["free", "pro"][Int(u() * 2)]
            let z = -2 + 0.15 * Double(visits) + 0.01 * spend + (plan == "pro" ? 1 : 0) + (u() - 0.5) * 2
            lines.append("\(visits),\(String(format: "%.2f", spend)),\(plan),\(z > 0 ? "yes" : "no")")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: dir.appendingPathComponent("t.csv"), atomically: true, encoding: .utf8)
        try """
        assay: 1
        name: remote
        data: {path: t.csv, target: bought, positive: "yes"}
        split: {test_size: 0.25, folds: 3}
        preprocess: [{encode: {method: onehot}}, {scale: {method: standard}}]
        models:
          lr: {type: logistic_regression, grid: {C: [0.1, 1]}}
          tree: {type: decision_tree, params: {max_depth: 3}}
        """.write(to: dir.appendingPathComponent("e.yaml"), atomically: true, encoding: .utf8)
    }

    override func tearDownWithError() throws {
        if let server, server.isRunning { server.terminate(); server.waitUntilExit() }
        try? FileManager.default.removeItem(at: dir)
    }

    /// Starts the test server (with `arguments`); returns its base URL.
    func startServer(_ arguments: [String] = []) throws -> String {
        let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let python else { throw XCTSkip("python3 is not installed: the HTTP cache test server needs it") }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [TestPaths.repository.appendingPathComponent("tools/http_cache_server.py").path] + arguments
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        server = p
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            guard !chunk.isEmpty else { throw XCTSkip("the test server did not start") }
            line.append(chunk)
        }
        let port = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "port ", with: "")
        return "http://127.0.0.1:\(port)"
    }

    func setFault(_ base: String, _ mode: String) throws {
        var request = URLRequest(url: URL(string: "\(base)/fault/\(mode)")!)
        request.httpMethod = "POST"
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { _, _, _ in done.signal() }.resume()
        done.wait()
    }

    final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var items: [String] = []
        func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    }

    func run(cache: String, out: String, warnings: Lines = Lines(), environment: [String: String]? = nil) throws -> RunOutcome {
        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent(out).path, cacheDirectory: cache, modelsDirectory: nil,
                                 warn: { warnings.add($0) })
        options.cacheRetryDelay = 0.005
        options.environment = environment
        return try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: options)
    }

    func report(_ out: String) throws -> [Data] {
        try ["report.md", "metrics.json"].map { try Data(contentsOf: dir.appendingPathComponent("\(out)/remote/\($0)")) }
    }

    /// `s3://bucket/prefix` against the server as an S3 stand-in that verifies every request's SigV4 signature: a warm
    /// run reads everything back; a wrong secret is refused (one warning, then one failing line); no credentials, one line.
    func testS3CacheSignsEveryRequest() throws {
        let base = try startServer(["--s3-secret", "s3cr3t/KEY+example"])
        _ = try run(cache: dir.appendingPathComponent("local").path, out: "local")
        let env = ["AWS_ENDPOINT_URL": base, "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "s3cr3t/KEY+example", "AWS_REGION": "eu-west-1"]
        XCTAssertGreaterThan(try run(cache: "s3://assay-cache/team/x", out: "cold", environment: env).stats.executed, 0)
        XCTAssertEqual(try run(cache: "s3://assay-cache/team/x", out: "warm", environment: env).stats.executed, 0, "read back through signed GETs")
        XCTAssertEqual(try report("warm"), try report("local"))
        var wrong = env
        wrong["AWS_SECRET_ACCESS_KEY"] = "not-the-secret"
        let warnings = Lines()
        XCTAssertThrowsError(try run(cache: "s3://assay-cache/team/x", out: "wrong", warnings: warnings, environment: wrong)) {
            XCTAssertTrue("\($0)".hasSuffix(": HTTP 403: access denied; check the credentials"), "\($0)")
        }
        XCTAssertEqual(warnings.items.count, 1, "\(warnings.items)")
        XCTAssertThrowsError(try run(cache: "s3://assay-cache/team/x", out: "none", environment: ["AWS_ENDPOINT_URL": base])) {
            XCTAssertEqual("\($0)", "cache s3://assay-cache/team/x needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment")
        }
    }

    /// A local folder in front of the server: a second machine (a fresh folder) reads everything through it and keeps a
    /// copy, so a third run on that folder alone finds every task.
    func testLocalFolderInFrontOfTheServerReadsAndWritesThrough() throws {
        let base = try startServer()
        func tiered(_ local: String, _ out: String, remote: String?) throws -> RunOutcome {
            var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent(out).path, cacheDirectory: dir.appendingPathComponent(local).path,
                                     modelsDirectory: nil)
            options.remoteCache = remote
            options.cacheRetryDelay = 0.005
            return try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: options)
        }
        XCTAssertGreaterThan(try tiered("a", "first", remote: base).stats.executed, 0)
        XCTAssertEqual(try tiered("b", "second", remote: base).stats.executed, 0, "machine b reads machine a's entries from the server")
        XCTAssertEqual(try tiered("b", "third", remote: nil).stats.executed, 0, "and kept them in its own folder")
        XCTAssertEqual(try report("third"), try report("first"))
        XCTAssertThrowsError(try tiered("c", "bad", remote: dir.path)) {
            XCTAssertTrue("\($0)".contains("must be an http://, https:// or s3:// location"), "\($0)")
        }
    }

    /// Shards on "different machines" meet in the server: each runs its slice into it, assembly reads them all.
    func testShardsMeetInTheRemoteCache() throws {
        let base = try startServer()
        _ = try run(cache: dir.appendingPathComponent("local").path, out: "local")
        var options = RunOptions(jobs: 2, outputRoot: dir.appendingPathComponent("sharded").path, cacheDirectory: base, modelsDirectory: nil)
        options.cacheRetryDelay = 0.005
        var fits = 0
        for i in 0..<3 {
            fits += try Experiment.runShard(specPath: dir.appendingPathComponent("e.yaml").path, options: options, shard: Shard(index: i, count: 3))
                .stats.executedByKind["fit", default: 0]
        }
        XCTAssertEqual(fits, 3 * 3, "three grid points × three folds, once each")
        options.assemble = true
        let assembled = try Experiment.run(specPath: dir.appendingPathComponent("e.yaml").path, options: options)
        XCTAssertEqual(assembled.stats.executedByKind["fit", default: 0], 2, "only the two refits")
        XCTAssertEqual(try report("sharded"), try report("local"))
    }

    func testRemoteCacheServesWarmRunsAndNeverChangesAReport() throws {
        let base = try startServer()
        _ = try run(cache: dir.appendingPathComponent("local").path, out: "local")
        let expected = try report("local")
        let cold = try run(cache: base, out: "cold")
        XCTAssertEqual(try report("cold"), expected)
        XCTAssertGreaterThan(cold.stats.executed, 0)
        let warm = try run(cache: base, out: "warm")
        XCTAssertEqual(warm.stats.executed, 0, "a warm run reads every task from the server")
        XCTAssertEqual(try report("warm"), expected)
        for (fault, warning) in [("truncate", "is damaged"), ("swap", "holds another task's result"), ("error", "with HTTP 500 3 times"), ("flaky", nil)] {
            try setFault(base, fault)
            let warnings = Lines()
            let outcome = try run(cache: base, out: fault, warnings: warnings)
            XCTAssertEqual(try report(fault), expected, "\(fault): the report is the one a healthy cache gives")
            if let warning {
                XCTAssertGreaterThan(outcome.stats.executed, 0, "\(fault): the entries it served were recomputed")
                XCTAssertTrue(warnings.items.contains { $0.contains(warning) }, "\(fault): \(warnings.items.prefix(3))")
            } else {
                XCTAssertEqual(outcome.stats.executed, 0, "flaky: every request gets through on a retry")
            }
        }
        try setFault(base, "none")
        // The server gone: one warning, and the run fails with one line when it must write.
        server?.terminate()
        server?.waitUntilExit()
        let warnings = Lines()
        XCTAssertThrowsError(try run(cache: base, out: "down", warnings: warnings)) {
            XCTAssertTrue("\($0)".hasPrefix("cannot write the cache at \(base): "), "\($0)")
        }
        XCTAssertEqual(warnings.items.filter { $0.contains("cannot be used") }.count, 1, "\(warnings.items)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("down/remote/report.md").path), "no report from a failed run")
    }
}

import AssayEngine
import Foundation
import XCTest

final class SHA256Tests: XCTestCase {
    // NIST FIPS 180-4 example vectors (csrc.nist.gov, "SHA256.pdf" and "SHA2_Additional.pdf").
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testIncrementalUpdatesMatchOneShot() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        for cut in [0, 1, 55, 56, 63, 64, 65, 999] {
            var h = SHA256()
            h.update(bytes[..<cut]); h.update(bytes[cut...])
            XCTAssertEqual(SHA256.hexString(h.finalize()), SHA256.hex(bytes), "cut at \(cut)")
        }
    }
}

final class StoreTests: XCTestCase {
    final class Warnings: @unchecked Sendable {
        var lines: [String] = []
        let lock = NSLock()
        func add(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
    }

    func makeStore() throws -> (DirectoryStore, URL, Warnings) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("assay-store-\(UUID().uuidString)")
        let w = Warnings()
        return (DirectoryStore(root: dir, warn: { w.add($0) }), dir, w)
    }

    func testPutThenGetReturnsTheBytes() throws {
        let (store, _, _) = try makeStore()
        let key = TaskKey(operation: "x", parameters: "", inputs: [], version: 1)
        XCTAssertNil(store.get(key))
        try store.put(key, Data("hello".utf8))
        XCTAssertEqual(store.get(key), Data("hello".utf8))
    }

    func testCorruptOrTruncatedEntryIsAMissWithAWarning() throws {
        let (store, dir, warnings) = try makeStore()
        let key = TaskKey(operation: "x", parameters: "", inputs: [], version: 1)
        try store.put(key, Data("some payload bytes".utf8))
        let file = dir.appendingPathComponent(String(key.hex.prefix(2))).appendingPathComponent(key.hex)
        var bytes = try Data(contentsOf: file)
        bytes[bytes.count - 1] ^= 0xFF
        try bytes.write(to: file)
        XCTAssertNil(store.get(key))
        try bytes.prefix(10).write(to: file)
        XCTAssertNil(store.get(key))
        XCTAssertEqual(warnings.lines.count, 2)
        XCTAssertTrue(warnings.lines[0].contains("damaged"))
    }

    /// Two entries swapped on disk: each is a miss with a warning, never the other task's result.
    func testAnEntryFiledUnderAnotherKeyIsAMiss() throws {
        let (store, dir, warnings) = try makeStore()
        let a = TaskKey(operation: "x", parameters: "a", inputs: [], version: 1), b = TaskKey(operation: "x", parameters: "b", inputs: [], version: 1)
        try store.put(a, Data("result of a".utf8))
        try store.put(b, Data("result of b".utf8))
        func file(_ k: TaskKey) -> URL { dir.appendingPathComponent(String(k.hex.prefix(2))).appendingPathComponent(k.hex) }
        let bytesA = try Data(contentsOf: file(a)), bytesB = try Data(contentsOf: file(b))
        try bytesB.write(to: file(a))
        try bytesA.write(to: file(b))
        XCTAssertNil(store.get(a))
        XCTAssertNil(store.get(b))
        XCTAssertEqual(warnings.lines.count, 2)
        XCTAssertTrue(warnings.lines[0].contains("filed under the wrong key"), warnings.lines[0])
        try store.put(a, Data("result of a".utf8))
        XCTAssertEqual(store.get(a), Data("result of a".utf8), "a recomputed entry heals")
    }

    func testKeysDependOnEveryPart() {
        let a = TaskKey(operation: "fit", parameters: "C=1", inputs: [], version: 1)
        XCTAssertNotEqual(a, TaskKey(operation: "fit", parameters: "C=2", inputs: [], version: 1))
        XCTAssertNotEqual(a, TaskKey(operation: "fit", parameters: "C=1", inputs: [], version: 2))
        XCTAssertNotEqual(a, TaskKey(operation: "fit", parameters: "C=1", inputs: [a], version: 1))
        XCTAssertEqual(a, TaskKey(operation: "fit", parameters: "C=1", inputs: [], version: 1))
    }
}

final class ExecutorTests: XCTestCase {
    final class Counter: @unchecked Sendable {
        var runs: [String] = []
        let lock = NSLock()
        func add(_ s: String) { lock.lock(); runs.append(s); lock.unlock() }
    }

    /// a ← b, a ← c, b and c ← d: d computes "1", b and c append, a joins.
    func graph(_ counter: Counter) -> (TaskGraph, TaskKey) {
        var g = TaskGraph()
        func node(_ name: String, _ inputs: [TaskKey], _ f: @escaping @Sendable ([Data]) -> Data) -> TaskKey {
            let key = TaskKey(operation: name, parameters: "", inputs: inputs, version: 1)
            return g.add(TaskNode(key: key, label: name, kind: name == "a" ? "fit" : "other", inputs: inputs) { data in
                counter.add(name)
                return f(data)
            })
        }
        let d = node("d", []) { _ in Data("1".utf8) }
        let b = node("b", [d]) { Data($0[0] + Data("b".utf8)) }
        let c = node("c", [d]) { Data($0[0] + Data("c".utf8)) }
        let a = node("a", [b, c]) { Data($0[0] + Data("+".utf8) + $0[1]) }
        return (g, a)
    }

    func testComputesDependenciesInOrderAndInParallel() throws {
        for jobs in [1, 4] {
            let counter = Counter()
            let (g, a) = graph(counter)
            let (results, stats) = try Executor(store: NoStore(), jobs: jobs).run(g, want: [a])
            XCTAssertEqual(results[a], Data("1b+1c".utf8))
            XCTAssertEqual(stats.executed, 4)
            XCTAssertEqual(stats.executedByKind["fit"], 1)
            XCTAssertEqual(counter.runs.first, "d")
            XCTAssertEqual(counter.runs.last, "a")
        }
    }

    func testCachedResultsSkipTheirWholeSubgraph() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("assay-exec-\(UUID().uuidString)")
        let store = DirectoryStore(root: dir, warn: { _ in })
        let first = Counter()
        let (g1, a) = graph(first)
        _ = try Executor(store: store, jobs: 2).run(g1, want: [a])
        let second = Counter()
        let (g2, a2) = graph(second)
        let (results, stats) = try Executor(store: store, jobs: 2).run(g2, want: [a2])
        XCTAssertEqual(results[a2], Data("1b+1c".utf8))
        XCTAssertEqual(second.runs, [])
        XCTAssertEqual(stats.executed, 0)
        XCTAssertEqual(stats.cached, 4)
    }

    /// A task may borrow the workers idle while no other task is ready, and only those; outside a worker there are none.
    func testATaskBorrowsOnlyIdleWorkers() throws {
        XCTAssertNil(IdleWorkers.current)
        final class Seen: @unchecked Sendable { var lonely = -1, crowded: [Int] = []; let lock = NSLock() }
        let seen = Seen()
        var g = TaskGraph()
        let lonelyKey = TaskKey(operation: "lonely", parameters: "", inputs: [], version: 1)
        g.add(TaskNode(key: lonelyKey, label: "lonely", kind: "x", inputs: []) { _ in
            let idle = IdleWorkers.current!
            let taken = idle.borrow(5)
            idle.giveBack(taken)
            seen.lonely = taken
            return Data()
        })
        _ = try Executor(store: NoStore(), jobs: 3).run(g, want: [lonelyKey])
        XCTAssertEqual(seen.lonely, 2, "jobs 3, one task running: two idle workers")
        // Eight ready tasks on two workers: while others wait, a task borrows nothing.
        var crowd = TaskGraph()
        let keys = (0..<8).map { i -> TaskKey in
            let key = TaskKey(operation: "crowd \(i)", parameters: "", inputs: [], version: 1)
            crowd.add(TaskNode(key: key, label: "crowd", kind: "x", inputs: []) { _ in
                let taken = IdleWorkers.current!.borrow(4)
                IdleWorkers.current!.giveBack(taken)
                seen.lock.lock(); seen.crowded.append(taken); seen.lock.unlock()
                return Data()
            })
            return key
        }
        _ = try Executor(store: NoStore(), jobs: 2).run(crowd, want: keys)
        XCTAssertEqual(seen.crowded.count, 8)
        XCTAssertEqual(Array(seen.crowded.prefix(5)), [0, 0, 0, 0, 0], "tasks were still waiting")
        XCTAssertTrue(seen.crowded.allSatisfy { $0 <= 1 })
        _ = try Executor(store: NoStore(), jobs: 1).run(g, want: [lonelyKey])
        XCTAssertEqual(seen.lonely, 0, "--jobs 1 lends nothing")
    }

    func testAFailingTaskFailsTheRun() {
        struct Boom: Error {}
        var g = TaskGraph()
        let key = TaskKey(operation: "boom", parameters: "", inputs: [], version: 1)
        g.add(TaskNode(key: key, label: "boom", kind: "x", inputs: []) { _ in throw Boom() })
        XCTAssertThrowsError(try Executor(store: NoStore(), jobs: 2).run(g, want: [key])) { XCTAssertTrue($0 is Boom) }
    }
}

/// HMAC-SHA-256 on the RFC 4231 vectors, and SigV4 on AWS's published examples.
final class SigningTests: XCTestCase {
    func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = [], chars = Array(s)
        while chars.count >= 2 { out.append(UInt8(String(chars[0...1]), radix: 16)!); chars.removeFirst(2) }
        return out
    }

    // RFC 4231, test cases 1, 2 and 6 (a key longer than the block).
    func testHMACOnRFC4231() {
        XCTAssertEqual(SHA256.hexString(HMACSHA256.mac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8))),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(SHA256.hexString(HMACSHA256.mac(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(SHA256.hexString(HMACSHA256.mac(key: [UInt8](repeating: 0xaa, count: 131),
                                                       message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }

    /// The AWS Signature Version 4 test suite's `get-vanilla` (AKIDEXAMPLE, 20150830T123600Z, us-east-1, `service`).
    func testSigV4GetVanilla() {
        let signer = SigV4Signer(accessKey: "AKIDEXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "service")
        let s = signer.sign(method: "GET", path: "/", headers: ["Host": "example.amazonaws.com", "X-Amz-Date": "20150830T123600Z"],
                            payloadHash: SHA256.hex(Data()))
        XCTAssertEqual(SHA256.hex(s.canonicalRequest), "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63")
        XCTAssertEqual(s.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
        XCTAssertEqual(s.authorization, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                       + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    }

    /// The S3 API reference's header-signing example: GET /test.txt with a Range header from examplebucket.
    func testSigV4S3GetObjectExample() {
        let signer = SigV4Signer(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", region: "us-east-1", service: "s3")
        let empty = SHA256.hex(Data())
        let s = signer.sign(method: "GET", path: "/test.txt",
                            headers: ["Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9", "x-amz-content-sha256": empty, "x-amz-date": "20130524T000000Z"],
                            payloadHash: empty)
        XCTAssertEqual(s.stringToSign, "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
        XCTAssertEqual(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
        XCTAssertEqual(SigV4Signer.timestamp(Date(timeIntervalSince1970: 1_369_353_600)), "20130524T000000Z")
    }
}

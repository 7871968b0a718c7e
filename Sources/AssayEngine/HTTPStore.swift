import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A content store behind HTTP, in the layout of Bazel's remote cache protocol: `GET` and `PUT` `<base>/ac/<key>`
/// (64 hex digits), so bazel-remote, nginx with WebDAV `PUT`, or an object store with an HTTP front can serve it; with a
/// `SigV4Signer`, an S3-compatible bucket (path-style `<endpoint>/<bucket>/<prefix>/ac/<key>`, each request signed).
///
/// Entries are `CacheEntry`s, checked on every read: bytes that are truncated, damaged or another key's (a server that
/// answers for the wrong URL) are a miss with a warning, never a result. Any 2xx answers a request; 404 is a miss;
/// transport errors, 408, 429 and 5xx are retried twice, after `retryDelay` and twice that (0.2 s, 0.4 s). When the
/// server cannot be reached, or refuses access (401, 403), every later read is a miss without asking, and the first
/// write fails the run with the reason.
public final class HTTPStore: ContentStore, @unchecked Sendable {
    public let base: URL
    private let warn: @Sendable (String) -> Void
    private let session: URLSession
    private let lock = NSLock()
    /// Set when a request could not reach the server: why.
    private var unreachable: String? = nil
    static let attempts = 3
    private let retryDelay: TimeInterval
    /// Signs every request (an S3-compatible store), when given.
    private let signer: SigV4Signer?

    public init(base: URL, timeout: TimeInterval = 30, retryDelay: TimeInterval = 0.2, signer: SigV4Signer? = nil,
                warn: @escaping @Sendable (String) -> Void) {
        self.base = base
        self.retryDelay = retryDelay
        self.signer = signer
        self.warn = warn
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        session = URLSession(configuration: configuration)
    }

    func url(_ key: TaskKey) -> URL { base.appendingPathComponent("ac").appendingPathComponent(key.hex) }

    /// One request, waited for: the status and body, or the transport error's description.
    private func send(_ method: String, _ key: TaskKey, body: Data? = nil) -> Result<(status: Int, body: Data), TransportFailure> {
        let target = url(key)
        var request = URLRequest(url: target)
        request.httpMethod = method
        if let body {
            request.httpBody = body
            request.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        }
        if let signer {
            // S3's header form of SigV4: host, date and payload hash signed (and the session token, when there is one).
            let payloadHash = SHA256.hex(body ?? Data())
            var headers = ["host": target.host.map { h in target.port.map { "\(h):\($0)" } ?? h } ?? "",
                           "x-amz-date": SigV4Signer.timestamp(Date()), "x-amz-content-sha256": payloadHash]
            if let token = signer.sessionToken { headers["x-amz-security-token"] = token }
            let signature = signer.sign(method: method, path: target.path, headers: headers, payloadHash: payloadHash)
            for (name, value) in headers where name != "host" { request.setValue(value, forHTTPHeaderField: name) }
            request.setValue(signature.authorization, forHTTPHeaderField: "Authorization")
        }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        session.dataTask(with: request) { data, response, error in
            if let error { box.set(.failure(TransportFailure(reason: error.localizedDescription))) }
            else if let http = response as? HTTPURLResponse { box.set(.success((http.statusCode, data ?? Data()))) }
            else { box.set(.failure(TransportFailure(reason: "no HTTP response"))) }
            done.signal()
        }.resume()
        done.wait()
        return box.get()
    }

    /// `send`, retried on transport errors and on answers other than 2xx and 404.
    private func sendRetrying(_ method: String, _ key: TaskKey, body: Data? = nil) -> Result<(status: Int, body: Data), TransportFailure> {
        var last: Result<(status: Int, body: Data), TransportFailure> = .failure(TransportFailure(reason: "not sent"))
        for attempt in 0..<Self.attempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: retryDelay * Double(1 << (attempt - 1))) }
            last = send(method, key, body: body)
            // Worth retrying: a transport error, a timeout, throttling, a server error; any other answer is final.
            if case .success(let answer) = last, !(answer.status == 408 || answer.status == 429 || answer.status >= 500) { return last }
        }
        return last
    }

    private var down: String? { lock.lock(); defer { lock.unlock() }; return unreachable }

    private func markDown(_ reason: String) {
        lock.lock()
        let first = unreachable == nil
        if first { unreachable = reason }
        lock.unlock()
        if first { warn("cache \(base.absoluteString) cannot be used (\(reason)); every task is computed") }
    }

    public func get(_ key: TaskKey) -> Data? {
        if down != nil { return nil }
        switch sendRetrying("GET", key) {
        case .success(let answer) where (200..<300).contains(answer.status):
            return CacheEntry.payload(key, answer.body, warn: warn)
        case .success(let answer) where answer.status == 404:
            return nil
        case .success(let answer) where answer.status == 401 || answer.status == 403:
            markDown("HTTP \(answer.status): access denied; check the credentials")
            return nil
        case .success(let answer):
            warn("cache \(base.absoluteString) answered GET \(key.hex.prefix(12)) with HTTP \(answer.status) \(Self.attempts) times; recomputing it")
            return nil
        case .failure(let failure):
            markDown(failure.reason)
            return nil
        }
    }

    public func put(_ key: TaskKey, _ data: Data) throws {
        if let reason = down { throw EngineError.storeUnwritable(path: base.absoluteString, reason: reason) }
        switch sendRetrying("PUT", key, body: CacheEntry.encode(key, data)) {
        case .success(let answer) where (200..<300).contains(answer.status):
            return
        case .success(let answer):
            throw EngineError.storeUnwritable(path: base.absoluteString, reason: "PUT \(key.hex.prefix(12)) answered HTTP \(answer.status) \(Self.attempts) times")
        case .failure(let failure):
            throw EngineError.storeUnwritable(path: base.absoluteString, reason: failure.reason)
        }
    }

    struct TransportFailure: Error { let reason: String }

    private final class ResultBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value: Result<(status: Int, body: Data), TransportFailure> = .failure(TransportFailure(reason: "no answer"))
        func set(_ v: Result<(status: Int, body: Data), TransportFailure>) { lock.lock(); value = v; lock.unlock() }
        func get() -> Result<(status: Int, body: Data), TransportFailure> { lock.lock(); defer { lock.unlock() }; return value }
    }
}

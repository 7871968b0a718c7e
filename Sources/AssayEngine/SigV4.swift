import Foundation

/// HMAC-SHA-256 (RFC 2104) on the engine's SHA-256.
public enum HMACSHA256 {
    public static func mac(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let block = 64
        var k = key.count > block ? SHA256.hash(key) : key
        k += [UInt8](repeating: 0, count: block - k.count)
        let inner = SHA256.hash(k.map { $0 ^ 0x36 } + message)
        return SHA256.hash(k.map { $0 ^ 0x5c } + inner)
    }
}

/// AWS Signature Version 4 for a request with headers (the `Authorization` header form), as AWS documents it:
/// a canonical request (method, URI path with each segment percent-encoded, sorted query, lower-cased sorted headers
/// with trimmed values, the signed header names, the payload's SHA-256), a string to sign with the credential scope,
/// and an HMAC chain from `AWS4` + secret over date, region, service and `aws4_request`.
public struct SigV4Signer: Sendable {
    public let accessKey: String
    public let secretKey: String
    public let sessionToken: String?
    public let region: String
    public let service: String

    public init(accessKey: String, secretKey: String, sessionToken: String? = nil, region: String, service: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
        self.sessionToken = sessionToken
        self.region = region
        self.service = service
    }

    /// Credentials from the usual environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional
    /// `AWS_SESSION_TOKEN`; region from `AWS_REGION` or `AWS_DEFAULT_REGION`, else us-east-1), or nil without a key.
    public static func fromEnvironment(_ env: [String: String], service: String) -> SigV4Signer? {
        guard let id = env["AWS_ACCESS_KEY_ID"], let secret = env["AWS_SECRET_ACCESS_KEY"], !id.isEmpty, !secret.isEmpty else { return nil }
        return SigV4Signer(accessKey: id, secretKey: secret, sessionToken: env["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
                           region: env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? "us-east-1", service: service)
    }

    /// `YYYYMMDDTHHMMSSZ` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// RFC 3986 unreserved characters stay, everything else is %XX (upper case); `/` stays in paths.
    static func encode(_ s: String, keepSlash: Bool) -> String {
        var out = ""
        for b in s.utf8 {
            let c = Character(UnicodeScalar(b))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~".contains(c) || (keepSlash && c == "/")) { out.append(c) }
            else { out += String(format: "%%%02X", b) }
        }
        return out
    }

    public struct Signature: Sendable, Equatable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signature: String
        public let authorization: String
    }

    /// Signs a request; `headers` must include `host` and `x-amz-date` (`timestamp`); names are matched case-insensitively.
    public func sign(method: String, path: String, query: [(String, String)] = [], headers: [String: String], payloadHash: String) -> Signature {
        let canonicalHeaders = headers.map { (name: $0.key.lowercased(), value: $0.value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")) }
            .sorted { $0.name < $1.name }
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let canonicalQuery = query.map { (Self.encode($0.0, keepSlash: false), Self.encode($0.1, keepSlash: false)) }.sorted { $0 < $1 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let canonicalRequest = [method, Self.encode(path.isEmpty ? "/" : path, keepSlash: true), canonicalQuery,
                                canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(), signedHeaders, payloadHash].joined(separator: "\n")
        let amzDate = canonicalHeaders.first { $0.name == "x-amz-date" }?.value ?? ""
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, SHA256.hex(canonicalRequest)].joined(separator: "\n")
        var key = Array("AWS4\(secretKey)".utf8)
        for part in [day, region, service, "aws4_request"] { key = HMACSHA256.mac(key: key, message: Array(part.utf8)) }
        let signature = SHA256.hexString(HMACSHA256.mac(key: key, message: Array(stringToSign.utf8)))
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signature: signature,
                         authorization: "AWS4-HMAC-SHA256 Credential=\(accessKey)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)")
    }
}

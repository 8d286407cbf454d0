import Manifest

/// HMAC-SHA256 (RFC 2104) over the Manifest module's pure-Swift SHA-256, for GitHub's
/// `X-Hub-Signature-256` header.
enum HMAC {
    static let blockSize = 64

    /// The 32-byte MAC of `message` under `key`.
    static func sha256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var key = key.count > blockSize ? SHA256.digest(key) : key
        key += [UInt8](repeating: 0, count: blockSize - key.count)
        let inner = SHA256.digest(key.map { $0 ^ 0x36 } + message)
        return SHA256.digest(key.map { $0 ^ 0x5c } + inner)
    }

    /// Lowercase hex of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `header` is `sha256=<hex>` of `body` under `secret`, compared in constant time.
    static func verifyGitHub(signature header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256=") else { return false }
        let expected = "sha256=" + hex(sha256(key: Array(secret.utf8), message: body))
        return ConstantTime.equal(Array(header.lowercased().utf8), Array(expected.utf8))
    }
}

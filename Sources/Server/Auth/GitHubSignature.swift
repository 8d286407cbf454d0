import AlmanacCore
import Crypto

/// GitHub's `X-Hub-Signature-256` header: `sha256=` and the hex HMAC-SHA256 of the raw body
/// under the webhook secret (swift-crypto computes and checks it).
enum GitHubSignature {
    /// The header GitHub sends with `body`; tests sign their requests with it.
    static func header(body: [UInt8], secret: String) -> String {
        "sha256=" + Hex.string(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))))
    }

    /// Whether `header` signs `body` under `secret`; swift-crypto compares in constant time.
    static func verify(_ header: String?, body: [UInt8], secret: String) -> Bool {
        guard let header, header.hasPrefix("sha256="), let mac = Hex.bytes(header.dropFirst("sha256=".count)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: SymmetricKey(data: Array(secret.utf8)))
    }
}

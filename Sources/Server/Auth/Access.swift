import Crypto
import Foundation
import Hummingbird

/// Who may read and who may change: bearer tokens compared in constant time.
///
/// With no API token configured, state-changing endpoints are disabled (403), never open; with
/// no read token, reads are open (the API token also reads).
struct Access: Sendable {
    let apiToken: String?
    let readToken: String?

    func read(_ request: Request) throws(APIError) {
        guard let readToken else { return }
        let given = Self.bearer(request)
        if let given, Self.matches(given, readToken) || apiToken.map({ Self.matches(given, $0) }) == true { return }
        throw Self.unauthorized(given == nil ? "this server needs a read token: Authorization: Bearer <token>" : "wrong token")
    }

    func write(_ request: Request) throws(APIError) {
        guard let apiToken else {
            throw APIError(.forbidden, "state-changing endpoints are disabled: start the runner with ALMANAC_API_TOKEN or --api-token-file")
        }
        guard let given = Self.bearer(request) else {
            throw Self.unauthorized("this endpoint needs the API token: Authorization: Bearer <token>")
        }
        guard Self.matches(given, apiToken) else { throw Self.unauthorized("wrong token") }
    }

    /// Whether the request carries the API token or the read token.
    func holdsToken(_ request: Request) -> Bool {
        guard let given = Self.bearer(request) else { return false }
        return [apiToken, readToken].contains { $0.map { Self.matches(given, $0) } == true }
    }

    /// Whether `given` is `token`, in time that does not depend on where they differ: swift-crypto
    /// compares digests without an early exit, and hashing first hides the token's length too.
    static func matches(_ given: String, _ token: String) -> Bool {
        SHA256.hash(data: Array(given.utf8)) == SHA256.hash(data: Array(token.utf8))
    }

    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    static func unauthorized(_ message: String) -> APIError {
        APIError(.unauthorized, message, headers: [.wwwAuthenticate: "Bearer realm=\"almanac\""])
    }
}

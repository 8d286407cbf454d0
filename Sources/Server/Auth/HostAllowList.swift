#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Hummingbird

/// The `Host` names a request may carry when reads need no token: the guard against DNS rebinding.
///
/// A page on an attacker's domain can point that domain at 127.0.0.1 and read an open API from
/// the victim's browser; its requests then carry the attacker's name as `Host`. So without a
/// read token, only names that cannot be someone else's are served: IP literals (a browser's
/// origin is then the address itself, so the same-origin policy holds), `localhost` and
/// `*.localhost` (RFC 6761), this machine's host name, and what `ALMANAC_ALLOWED_HOSTS` or
/// `--allow-host` add (`name`, `.example.com` for a domain and its subdomains, `*` for any).
/// Requests that prove who they are pass anyway: a valid bearer token, or the webhook (its
/// HMAC). A request without `Host` (HTTP/1.0) is served: no browser sends one.
package struct HostAllowList: Sendable {
    package let names: Set<String>
    package let suffixes: [String]
    package let anyHost: Bool

    /// `configured` are the operator's entries; `machine` this host's own name.
    package init(configured: [String], machine: String? = HostAllowList.machineName()) {
        var names: Set<String> = ["localhost"]
        var suffixes = [".localhost"]
        var anyHost = false
        for entry in configured.map({ Self.normalized($0) }) where !entry.isEmpty {
            if entry == "*" { anyHost = true } else if entry.hasPrefix("*.") {
                suffixes.append(String(entry.dropFirst()))
            } else if entry.hasPrefix(".") {
                suffixes.append(entry)
                names.insert(String(entry.dropFirst()))
            } else {
                names.insert(entry)
            }
        }
        if let machine = machine.map(Self.normalized), !machine.isEmpty { names.insert(machine) }
        (self.names, self.suffixes, self.anyHost) = (names, suffixes, anyHost)
    }

    /// Whether a request whose `Host` is `authority` (`name`, `name:port`, `[v6]:port`) is served.
    package func allows(_ authority: String?) -> Bool {
        guard let authority, !anyHost else { return true }
        let host = Self.hostPart(authority)
        if Self.isIPLiteral(host) { return true }
        let name = Self.normalized(host)
        return names.contains(name) || suffixes.contains { name.hasSuffix($0) }
    }

    /// The host of an authority, without the port and an IPv6 literal's brackets.
    static func hostPart(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        guard let colon = authority.lastIndex(of: ":") else { return authority }
        return String(authority[..<colon])
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// Lowercased, without a trailing dot (`Example.COM.` is `example.com`).
    static func normalized(_ name: String) -> String {
        var name = name.trimmingCharacters(in: .whitespaces).lowercased()
        while name.hasSuffix(".") && name.count > 1 { name.removeLast() }
        return name
    }

    package static func machineName() -> String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Refuses, with 421 Misdirected Request, a request for a `Host` the allow-list does not hold,
/// when reads are open and the request carries no valid token (see `HostAllowList`).
struct HostCheckMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowList: HostAllowList
    let access: Access
    /// Paths that authenticate by other means (the webhook's HMAC).
    let exempt: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if access.readToken == nil, !allowList.allows(request.head.authority), !exempt.contains(request.uri.path),
           !access.holdsToken(request) {
            let host = HostAllowList.hostPart(request.head.authority ?? "")
            throw APIError(.misdirectedRequest,
                           "host '\(host.prefix(100))' is not allowed: reads are open (no ALMANAC_READ_TOKEN), so only IP addresses, localhost "
                               + "and this machine's name are served; add the name with ALMANAC_ALLOWED_HOSTS or --allow-host, or set a read token")
        }
        return try await next(request, context)
    }
}

import AsyncHTTPClient
import Foundation

/// Which proxy an outbound request goes through, read from the environment as curl reads it.
///
/// URLSession on Linux (libcurl) honoured `http_proxy`, `https_proxy` and `no_proxy`; this
/// keeps that for AsyncHTTPClient, which only takes an explicit proxy per client:
/// `https_proxy`/`HTTPS_PROXY` for https URLs, `http_proxy`/`HTTP_PROXY` for http URLs (the
/// lowercase name wins), each `http://[user:password@]host[:port]` (port 80 by default, the
/// scheme may be left out) or `socks5://host[:port]` (1080). `no_proxy`/`NO_PROXY` lists hosts
/// and domains that go direct (`example.com` covers its subdomains, `*` covers everything), and
/// loopback hosts always do. Other proxy schemes (`https://`) are not supported and mean direct.
/// Pure: the environment is passed in.
struct ProxyEnvironment: Sendable, Hashable {
    typealias Proxy = HTTPClient.Configuration.Proxy

    /// The proxy for http URLs.
    var http: Proxy?
    /// The proxy for https URLs.
    var https: Proxy?
    /// `no_proxy` entries, lowercased, without a leading `.` or `*.`.
    var bypass: [String]

    init(_ environment: [String: String]) {
        func value(_ name: String) -> String? {
            [environment[name], environment[name.uppercased()]].compactMap { $0 }.first { !$0.isEmpty }
        }
        http = value("http_proxy").flatMap(Self.proxy)
        https = value("https_proxy").flatMap(Self.proxy)
        bypass = (value("no_proxy") ?? "").split(separator: ",").map { entry in
            var host = entry.trimmingCharacters(in: .whitespaces).lowercased()
            if host.hasPrefix("*.") { host.removeFirst(2) } else if host.hasPrefix(".") { host.removeFirst() }
            return host
        }.filter { !$0.isEmpty }
    }

    /// The proxy for `url`, or nil to connect directly.
    func proxy(for url: URL) -> Proxy? {
        let host = (url.host ?? "").lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if Self.isLoopback(host) { return nil }
        if bypass.contains(where: { $0 == "*" || host == $0 || host.hasSuffix("." + $0) }) { return nil }
        return url.scheme?.lowercased() == "https" ? https : http
    }

    /// A proxy from `http://[user:password@]host[:port]`, `host:port` or `socks5://host[:port]`; nil otherwise.
    static func proxy(_ value: String) -> Proxy? {
        let text = value.contains("://") ? value : "http://" + value
        guard let parts = URLComponents(string: text), let host = parts.host, !host.isEmpty else { return nil }
        switch parts.scheme?.lowercased() {
        case "http":
            let authorization = parts.user.map { HTTPClient.Authorization.basic(username: $0, password: parts.password ?? "") }
            return .server(host: host, port: parts.port ?? 80, authorization: authorization)
        case "socks5", "socks5h":
            return .socksServer(host: host, port: parts.port ?? 1080)
        default:
            return nil
        }
    }

    /// `localhost`, `*.localhost`, 127.0.0.0/8 and `::1`: a proxy elsewhere cannot reach them.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasSuffix(".localhost") || host == "::1" || host.hasPrefix("127.")
    }
}

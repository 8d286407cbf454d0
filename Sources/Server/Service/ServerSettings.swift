import Foundation

/// What the server needs to know beyond the runner: where to listen, the tokens, the webhook
/// secret and the limits.
package struct ServerSettings: Sendable {
    /// Request bodies larger than this are refused with 413.
    package static let bodyLimit = 64 * 1024

    package var host: String
    package var port: Int
    /// Bearer token for state-changing endpoints; nil disables them (403), it never opens them.
    package var apiToken: String?
    /// Bearer token for read endpoints; nil leaves them open. The API token is accepted too.
    package var readToken: String?
    /// Secret of `POST /hooks/github`; nil disables the webhook.
    package var webhookSecret: String?
    /// The branch whose pushes start a sync (`refs/heads/<branch>`); nil accepts any branch.
    package var watchedBranch: String?
    /// Manual runs per client per minute.
    package var triggersPerMinute: Int
    /// Whether `/metrics` carries the series with a `job` label (3 to 13 per job, see
    /// `JobMetrics`); `almanac run --per-job-metrics off` turns them off for very large trees.
    package var perJobMetrics = true
    /// Extra `Host` names served while reads are open (`HostAllowList`): `ALMANAC_ALLOWED_HOSTS`
    /// (comma-separated) and `--allow-host`.
    package var allowedHosts: [String] = []

    package init(host: String = "127.0.0.1", port: Int = 8080, apiToken: String? = nil, readToken: String? = nil,
                webhookSecret: String? = nil, watchedBranch: String? = nil, triggersPerMinute: Int = 10) {
        self.host = host
        self.port = port
        self.apiToken = apiToken
        self.readToken = readToken
        self.webhookSecret = webhookSecret
        self.watchedBranch = watchedBranch
        self.triggersPerMinute = triggersPerMinute
    }

    /// Reads `ALMANAC_API_TOKEN` (or the first line of `tokenFile`, which wins),
    /// `ALMANAC_READ_TOKEN` and `ALMANAC_WEBHOOK_SECRET`; empty values count as unset.
    package static func make(listen: String, environment: [String: String], tokenFile: String?) throws(APIError) -> ServerSettings {
        let (host, port) = try parseListen(listen)
        var settings = ServerSettings(host: host, port: port)
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        settings.apiToken = value("ALMANAC_API_TOKEN")
        settings.readToken = value("ALMANAC_READ_TOKEN")
        settings.webhookSecret = value("ALMANAC_WEBHOOK_SECRET")
        settings.allowedHosts = (value("ALMANAC_ALLOWED_HOSTS") ?? "").split(separator: ",").map(String.init)
        if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw APIError(.internalServerError, "cannot read the API token file \(tokenFile)")
            }
            let token = text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard !token.isEmpty else { throw APIError(.internalServerError, "the API token file \(tokenFile) is empty") }
            settings.apiToken = token
        }
        return settings
    }

    /// `127.0.0.1:8080`, `[::1]:8080` or `:8080` (all interfaces is spelled `0.0.0.0:8080`).
    static func parseListen(_ text: String) throws(APIError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw APIError(.badRequest, "--listen wants HOST:PORT, e.g. 127.0.0.1:8080; got '\(text)'")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}

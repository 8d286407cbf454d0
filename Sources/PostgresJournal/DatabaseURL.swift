import Foundation

/// Where the shared journal lives: a `postgres://` URL, its password resolved as libpq does.
///
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`
/// (`postgresql://` too). Without a password in the URL, `PGPASSWORD` is used, then the first
/// matching line of `~/.pgpass` (`PGPASSFILE`), in libpq's format. The password is kept out of
/// `description`, which is what messages and logs print.
package struct DatabaseURL: Sendable, Hashable, CustomStringConvertible {
    package enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    package var user: String
    package var password: String?
    package var host: String
    package var port: Int
    package var database: String
    package var tls: TLSMode

    package init(user: String, password: String? = nil, host: String = "localhost", port: Int = 5432,
                 database: String, tls: TLSMode = .prefer) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
    }

    /// The URL without its password: safe for messages, logs and `status`.
    package var description: String {
        "postgres://\(Self.escape(user))@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(Self.escape(database))"
    }

    /// Why a URL was refused; the message never contains the password.
    package struct Invalid: Error, CustomStringConvertible {
        package let description: String
    }

    /// Parses `text`; `environment` and `home` supply `PGPASSWORD`, `PGPASSFILE` and `~/.pgpass`.
    package static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                              home: URL = FileManager.default.homeDirectoryForCurrentUser) throws(Invalid) -> DatabaseURL {
        let scheme = ["postgres://", "postgresql://"].first { text.hasPrefix($0) }
        guard let scheme else {
            throw Invalid(description: "a database URL starts with postgres:// (for example postgres://almanac@db.internal/almanac)")
        }
        var rest = Substring(text.dropFirst(scheme.count))
        // The user info first, up to the last `@`: a password pasted unescaped may hold `/`,
        // `?` or `:` (base64 ones often do), and must not be read as a path or a port, nor
        // end up in `description` as part of the database name.
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var query = Substring("")
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path = Substring("")
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var user = environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        var password: String?
        if let userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = parts[0].removingPercentEncoding, !name.isEmpty else {
                throw Invalid(description: "the database URL's user name is empty or badly escaped")
            }
            user = name
            if parts.count > 1 {
                guard let secret = parts[1].removingPercentEncoding else {
                    throw Invalid(description: "the database URL's password is badly escaped")
                }
                password = secret
            }
        }
        var host = "localhost"
        var port = 5432
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw Invalid(description: "the database URL's host has an unclosed '['") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            rest = rest[rest.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { throw Invalid(description: "unexpected text after the database URL's host") }
                port = try parsePort(rest.dropFirst())
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            port = try parsePort(rest[rest.index(after: colon)...])
        } else if !rest.isEmpty {
            host = String(rest)
        }
        if host.isEmpty { host = "localhost" }
        guard let database = path.removingPercentEncoding else { throw Invalid(description: "the database URL's database name is badly escaped") }
        var url = DatabaseURL(user: user, password: password, host: host, port: port,
                              database: database.isEmpty ? user : database)
        for pair in query.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let value = kv.count > 1 ? String(kv[1]) : ""
            switch kv[0] {
            case "sslmode":
                switch value {
                case "disable": url.tls = .disable
                case "allow", "prefer": url.tls = .prefer
                case "require": url.tls = .require
                case "verify-ca", "verify-full":
                    // Never quietly weaker than asked: these promise a verified certificate.
                    throw Invalid(description: "sslmode \(value) (certificate verification) is not supported yet; use require")
                default: throw Invalid(description: "sslmode '\(value)' is not one of disable, prefer, require")
                }
            case "application_name", "connect_timeout":
                continue
            default:
                throw Invalid(description: "the database URL parameter '\(kv[0])' is not supported (sslmode is)")
            }
        }
        if url.password == nil {
            url.password = environment["PGPASSWORD"] ?? passwordFile(environment: environment, home: home).flatMap(url.lookUp)
        }
        return url
    }

    private static func parsePort(_ text: Substring) throws(Invalid) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw Invalid(description: "the database URL's port is not a number from 1 to 65535")
        }
        return port
    }

    private static func passwordFile(environment: [String: String], home: URL) -> String? {
        let url = environment["PGPASSFILE"].map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent(".pgpass")
        return try? String(contentsOf: url, encoding: .utf8)
    }

    /// The password of the first `.pgpass` line matching this URL (`*` matches anything; `\`
    /// escapes `:` and `\`).
    private func lookUp(in file: String) -> String? {
        for line in file.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = Self.pgpassFields(line)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields, wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    private static func pgpassFields(_ line: Substring) -> [String] {
        var fields: [String] = [], field = "", escaped = false
        for character in line {
            if escaped {
                field.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" && fields.count < 4 {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }

    private static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlUserAllowed.subtracting(CharacterSet(charactersIn: ":@/"))) ?? text
    }
}

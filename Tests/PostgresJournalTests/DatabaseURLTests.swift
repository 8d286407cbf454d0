import Foundation
import Testing
import PostgresJournal

@Suite("Database URLs")
struct DatabaseURLTests {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-pgpass-\(UUID().uuidString)")

    @Test("user, password, host, port, database and sslmode come from the URL; the password never from description")
    func parsesEveryPart() throws {
        let url = try DatabaseURL.parse("postgres://ops:s%40cret@db.internal:6543/sched?sslmode=require", environment: [:], home: home)
        #expect(url == DatabaseURL(user: "ops", password: "s@cret", host: "db.internal", port: 6543, database: "sched", tls: .require))
        #expect(url.description == "postgres://ops@db.internal:6543/sched")
        #expect(!url.description.contains("cret"))
    }

    @Test("a password pasted unescaped, with / ? : in it, stays the password and out of every message")
    func unescapedPassword() throws {
        let url = try DatabaseURL.parse("postgres://ops:ab/c?d:9@db:5433/sched", environment: [:], home: home)
        #expect(url == DatabaseURL(user: "ops", password: "ab/c?d:9", host: "db", port: 5433, database: "sched"))
        #expect(url.description == "postgres://ops@db:5433/sched")
        #expect { try DatabaseURL.parse("postgres://ops:12/34@db:notaport/x", environment: [:], home: home) } throws: { error in
            !"\(error)".contains("12/34")
        }
    }

    @Test("defaults: port 5432, the user's name as database, TLS preferred; postgresql:// and IPv6 hosts")
    func defaults() throws {
        let url = try DatabaseURL.parse("postgresql://almanac@[::1]", environment: [:], home: home)
        #expect(url == DatabaseURL(user: "almanac", host: "::1", port: 5432, database: "almanac", tls: .prefer))
        #expect(url.description == "postgres://almanac@[::1]:5432/almanac")
    }

    @Test("without a password in the URL: PGPASSWORD, then the first matching ~/.pgpass line")
    func passwordSources() throws {
        #expect(try DatabaseURL.parse("postgres://a@h/d", environment: ["PGPASSWORD": "fromenv"], home: home).password == "fromenv")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try """
        # comment
        other:5432:d:a:wrong
        h:*:d:a:pa\\:ss
        *:*:*:*:fallback
        """.write(to: home.appendingPathComponent(".pgpass"), atomically: true, encoding: .utf8)
        #expect(try DatabaseURL.parse("postgres://a@h/d", environment: [:], home: home).password == "pa:ss")
        #expect(try DatabaseURL.parse("postgres://b@x/y", environment: [:], home: home).password == "fallback")
        #expect(try DatabaseURL.parse("postgres://a:inurl@h/d", environment: ["PGPASSWORD": "env"], home: home).password == "inurl")
    }

    @Test("bad URLs are refused with a reason that never repeats the password",
          arguments: ["mysql://a@h/d", "postgres://a:topsecret@h:99999/d", "postgres://a:topsecret@h/d?sslmode=maybe",
                      "postgres://a:topsecret@h/d?search_path=x", "postgres://a:topsecret@h/d?sslmode=verify-full", "postgres://:topsecret@h/d"])
    func refusesBadURLs(text: String) {
        #expect {
            try DatabaseURL.parse(text, environment: [:], home: home)
        } throws: { error in
            let message = "\(error)"
            return !message.isEmpty && !message.contains("topsecret")
        }
    }
}

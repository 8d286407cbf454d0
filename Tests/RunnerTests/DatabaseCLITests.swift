import Foundation
import PostgresTestSupport
import Testing

/// `almanac db migrate` through the built binary against a real PostgreSQL (TestPostgres).
/// Serialized, like the other suites that run the binary: Foundation's `Process` (in `almanac(_:)`) missed
/// children's exits when several were started from parallel tests (the wait never returned).
@Suite("almanac db, journal import and export", .serialized)
struct DatabaseCLITests {
    @Test("migrates an empty database, then says it is current; the URL's password is never printed")
    func migratesOnce() async throws {
        var url = try await TestPostgres.database()
        url.password = "not-printed-4711"
        let text = "postgres://almanac:not-printed-4711@127.0.0.1:\(url.port)/\(url.database)?sslmode=disable"
        let (first, out1, err1) = try almanac(["db", "migrate", "--database", text])
        #expect(first == 0, "\(err1)")
        #expect(out1.contains("migrated from version 0 to 4"))
        // The URL may come from the environment instead.
        let (second, out2, err2) = try almanac(["db", "migrate"], environment: ["ALMANAC_DATABASE_URL": text])
        #expect(second == 0, "\(err2)")
        #expect(out2.contains("schema is current (version 4)"))
        for output in [out1, err1, out2, err2] { #expect(!output.contains("not-printed-4711")) }
    }

    @Test("a bad URL or an unreachable server: a clear error and a non-zero exit")
    func failsClearly() throws {
        let (bad, _, badError) = try almanac(["db", "migrate", "--database", "mysql://x@y/z"])
        #expect(bad != 0)
        #expect(badError.contains("postgres://"))
        let (none, _, noneError) = try almanac(["db", "migrate"], environment: ["ALMANAC_DATABASE_URL": ""])
        #expect(none != 0)
        #expect(noneError.contains("--database"))
        let port = try TestPostgres.shared().port == 1 ? 2 : 1
        let (down, _, downError) = try almanac(["db", "migrate", "--database", "postgres://almanac:s3cr3t-down@127.0.0.1:\(port)/x?sslmode=disable"])
        #expect(down == 1)
        #expect(downError.contains("error: postgres://almanac@127.0.0.1:\(port)/x"))
        #expect(!downError.contains("s3cr3t-down"))
    }

    @Test("journal import then export: a state directory's journal goes into PostgreSQL and back unchanged")
    func importAndExport() async throws {
        let url = try await TestPostgres.database()
        let text = "postgres://almanac@127.0.0.1:\(url.port)/\(url.database)?sslmode=disable"
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-transfer-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let source = root.appendingPathComponent("from"), target = root.appendingPathComponent("to")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("JournalTests/Fixtures/journal-v1.jsonl")
        try FileManager.default.copyItem(at: fixture, to: source.appendingPathComponent("journal.jsonl"))

        let (imported, importOut, importErr) = try almanac(["journal", "import", "--state", source.path, "--database", text])
        #expect(imported == 0, "\(importErr)")
        #expect(importOut.contains("imported 62 events"))
        let (again, _, againErr) = try almanac(["journal", "import", "--state", source.path, "--database", text])
        #expect(again == 1)
        #expect(againErr.contains("already holds a journal"))

        let (exported, exportOut, exportErr) = try almanac(["journal", "export", "--state", target.path, "--database", text])
        #expect(exported == 0, "\(exportErr)")
        #expect(exportOut.contains("exported 62 lines"))
        #expect(try Data(contentsOf: target.appendingPathComponent("journal.jsonl")) == (try Data(contentsOf: fixture)))
        // A runner's read commands see the history on the exported state directory.
        let (history, historyOut, historyErr) = try almanac(["history", "nightly", "--state", target.path,
                                                             "--path", root.appendingPathComponent("jobs.d").path])
        #expect(history == 0, "\(historyErr)")
        #expect(historyOut.contains("2026-03-08T09:00:00Z"))
    }
}

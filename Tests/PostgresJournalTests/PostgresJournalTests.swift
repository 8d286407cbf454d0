import AlmanacCore
import Foundation
import Journal
import JournalTestSupport
import Logging
import PostgresJournal
import PostgresNIO
import PostgresTestSupport
import Testing

/// The PostgreSQL journal against a real server (TestPostgres): the same state as the file
/// backend from the same events, exactly-once claims between several instances, compaction
/// that a lagging instance follows, and a schema that migrates once.
@Suite("PostgreSQL journal")
struct PostgresJournalTests {
    /// The file backend's fixture journal: one event of every type, as an earlier version wrote them.
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("JournalTests/Fixtures/journal-v1.jsonl")

    static func fixtureEvents() throws -> [JournalEvent] {
        let text = String(decoding: try Data(contentsOf: fixture), as: UTF8.self)
        return try text.split(separator: "\n").enumerated().map { index, line in
            try JournalLine.decode(Array(line.utf8), source: fixture.path, number: index + 1)
        }
    }

    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func started(_ job: String, _ minute: Int, attempt: Int = 1) -> JournalEvent {
        JournalEvent(at: t0, .started(.init(job: job, scheduledAt: t0.addingTimeInterval(Double(minute) * 60), attempt: attempt,
                                            triggeredBy: .schedule)))
    }

    @Test("the fixture journal appended to PostgreSQL replays to the file backend's state, line for line")
    func sameStateAsTheFileBackend() async throws {
        let url = try await TestPostgres.database()
        let events = try Self.fixtureEvents()
        let writer = try await PostgresJournal.open(url, runner: "test:1")
        // In a few batches, as a runner appends them.
        var stored: [JournalEvent] = []
        for batch in stride(from: 0, to: events.count, by: 7) {
            stored += try await writer.append(Array(events[batch..<min(batch + 7, events.count)]))
        }
        #expect(stored.map(\.seq) == Array(1...UInt64(events.count)))
        let expected = try FileJournal.replay(file: Self.fixture).state
        #expect(await writer.state() == expected)
        try await writer.close()

        let reader = try await PostgresJournal.open(url, runner: "test:2", migrate: false)
        #expect(await reader.state() == expected)
        try await reader.close()

        // The rows hold the file's own lines.
        let lines = String(decoding: try Data(contentsOf: Self.fixture), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(try await Self.column("SELECT line FROM almanac.events ORDER BY seq", url) == lines)
    }

    @Test("of three journals claiming the same 300 attempts at once, exactly one wins each, and all see the same state")
    func claimsAreExactlyOnce() async throws {
        let url = try await TestPostgres.database()
        var journals: [PostgresJournal] = []
        for index in 0..<3 { journals.append(try await PostgresJournal.open(url, runner: "runner-\(index)")) }
        let attempts = (0..<100).flatMap { minute in (1...3).map { Self.started("job-\(minute % 10)", minute, attempt: $0) } }
        let results = try await withThrowingTaskGroup(of: [Bool].self) { group in
            for journal in journals {
                group.addTask {
                    var won: [Bool] = []
                    // Batches of 25, in a different order per journal, so batches overlap.
                    for batch in stride(from: 0, to: attempts.count, by: 25) {
                        won += try await journal.claim(Array(attempts[batch..<batch + 25]))
                    }
                    return won
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for index in attempts.indices {
            #expect(results.filter { $0[index] }.count == 1, "attempt \(index) won \(results.filter { $0[index] }.count) times")
        }
        #expect(try await Self.column("SELECT count(*)::text FROM almanac.claims", url) == ["300"])
        #expect(try await Self.column("SELECT count(*)::text FROM almanac.events WHERE type = 'started'", url) == ["300"])
        let states = await journals.asyncMap { await $0.state() }
        #expect(states[0].lastSeq == 300)
        #expect(states.allSatisfy { $0 == states[0] })
        #expect(states[0].jobs.values.reduce(0) { $0 + $1.running.count } == 300)
        // A second claim of a taken attempt loses, in the same batch as a new one that wins.
        #expect(try await journals[1].claim([attempts[0], Self.started("job-new", 0)]) == [false, true])
        for journal in journals { try await journal.close() }
    }

    @Test("the same attempt twice in one batch: the first wins, the second loses")
    func duplicatesInOneBatch() async throws {
        let journal = try await PostgresJournal.open(try await TestPostgres.database())
        #expect(try await journal.claim([Self.started("a", 1), Self.started("a", 1), Self.started("a", 1, attempt: 2)]) == [true, false, true])
        #expect(await journal.state().jobs["a"]?.running.count == 2)
        try await journal.close()
    }

    @Test("compaction leaves one snapshot; a journal that had not seen the deleted rows loads it and goes on")
    func compactionIsFollowed() async throws {
        let url = try await TestPostgres.database()
        let events = try Self.fixtureEvents()
        let writer = try await PostgresJournal.open(url)
        let lagging = try await PostgresJournal.open(url)
        _ = try await writer.append(Array(events[0..<30]))
        #expect(await lagging.state().lastSeq == 30)
        _ = try await writer.append(Array(events[30...]))
        try await writer.compact(now: Self.t0, retention: Retention())
        #expect(try await Self.column("SELECT count(*)::text FROM almanac.events", url) == ["0"])
        #expect(try await Self.column("SELECT seq::text FROM almanac.snapshots", url) == ["\(events.count)"])
        let compacted = await writer.state()
        #expect(await lagging.state() == compacted)
        // Appends after the snapshot are followed as before, by every instance and a fresh one.
        let later = try await writer.append([Self.started("after-compaction", 1)])
        #expect(later.map(\.seq) == [UInt64(events.count + 1)])
        #expect(await lagging.state() == (await writer.state()))
        let fresh = try await PostgresJournal.open(url)
        #expect(await fresh.state() == (await writer.state()))
        for journal in [writer, lagging, fresh] { try await journal.close() }
    }

    @Test("migrations apply once, even from several runners at once; a database not migrated is refused without migrate")
    func migrations() async throws {
        let url = try await TestPostgres.database()
        await #expect {
            try await PostgresJournal.open(url, migrate: false)
        } throws: { error in
            "\(error)".contains("almanac db migrate")
        }
        let versions = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<4 {
                group.addTask { try await Self.withClient(url) { client in try await Migrations.migrate(client, logger: Self.logger) } }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(versions.filter { !$0.isEmpty } == [Migrations.all.map(\.version)])
        #expect(try await Self.column("SELECT version::text FROM almanac.schema_migrations ORDER BY version", url)
                == Migrations.all.map { String($0.version) })
        let journal = try await PostgresJournal.open(url, migrate: false)
        try await journal.close()
    }

    @Test("a database migrated by a newer almanac is refused, not written")
    func newerSchemaIsRefused() async throws {
        let url = try await TestPostgres.database()
        try await Self.withClient(url) { client in
            _ = try await Migrations.migrate(client, logger: Self.logger)
            try await client.query("INSERT INTO almanac.schema_migrations (version, name) VALUES (\(Migrations.latest + 1), 'future')")
        }
        await #expect {
            try await PostgresJournal.open(url)
        } throws: { error in
            "\(error)".contains("newer than this almanac")
        }
    }

    @Test("an unreachable database fails to open with the URL (no password) and the cause, within seconds")
    func unreachable() async throws {
        let server = try TestPostgres.shared()
        var url = server.url(database: "nothing")
        url.port = server.port == 1 ? 2 : 1  // nothing listens on port 1
        url.password = "hunter2"
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            try await PostgresJournal.open(url, timeout: .seconds(3))
        } throws: { error in
            let message = "\(error)"
            return message.contains("127.0.0.1:\(url.port)") && message.contains("connect:") && message.contains("refused")
                && !message.contains("hunter2")
        }
        #expect(clock.now - start < .seconds(3))
    }

    // MARK: helpers

    static let logger = PostgresJournal.logger

    static func withClient<T: Sendable>(_ url: DatabaseURL, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: .init(host: url.host, port: url.port, username: url.user, password: url.password,
                                                         database: url.database, tls: .disable), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }

    /// The first column of every row of `sql`, as text.
    static func column(_ sql: String, _ url: DatabaseURL) async throws -> [String] {
        try await withClient(url) { client in
            var values: [String] = []
            for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(String.self) { values.append(value) }
            return values
        }
    }
}

extension Array where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

/// `importJournal` and `exportJournal`: a file journal into PostgreSQL and back, unchanged.
@Suite("Moving a journal to PostgreSQL and back")
struct JournalTransferTests {
    static func fixture(_ name: String) -> URL {
        PostgresJournalTests.fixture.deletingLastPathComponent().appendingPathComponent("\(name).jsonl")
    }

    @Test("a journal imported and exported comes back byte for byte, and the database holds its state and claims",
          arguments: ["journal-v1", "journal-v1-compacted"])
    func roundTrip(name: String) async throws {
        let url = try await TestPostgres.database()
        let file = Self.fixture(name)
        let events = try FileJournal.events(file: file)
        let journal = try await PostgresJournal.open(url)
        #expect(try await journal.importJournal(events) == events.count)
        let expected = try FileJournal.replay(file: file).state
        #expect(await journal.state() == expected)
        let fresh = try await PostgresJournal.open(url)
        #expect(await fresh.state() == expected)
        // The claims are the file backend's index: a started attempt of the file cannot be claimed again.
        let claimed = try #require(expected.claims.first)
        let again = JournalEvent(at: Date(), .started(.init(job: claimed.key.job, scheduledAt: claimed.key.scheduledAt, attempt: claimed.attempt)))
        #expect(try await fresh.claim([again]) == [false])
        #expect(try await PostgresJournalTests.column("SELECT count(*)::text FROM almanac.claims", url) == ["\(expected.claims.count)"])

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-export-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let exported = directory.appendingPathComponent("journal.jsonl")
        #expect(try await journal.exportJournal(to: exported) == events.count)
        #expect(try Data(contentsOf: exported) == (try Data(contentsOf: file)))
        // Never over a journal that has lines.
        await #expect(throws: JournalError.self) { try await journal.exportJournal(to: exported) }
        for journal in [journal, fresh] { try await journal.close() }
    }

    @Test("import refuses a database that already holds a journal, and changes nothing there")
    func importOnlyIntoAnEmptyDatabase() async throws {
        let url = try await TestPostgres.database()
        let journal = try await PostgresJournal.open(url)
        _ = try await journal.append([PostgresJournalTests.started("existing", 1)])
        let events = try FileJournal.events(file: Self.fixture("journal-v1"))
        await #expect {
            try await journal.importJournal(events)
        } throws: { error in
            "\(error)".contains("already holds a journal")
        }
        #expect(try await PostgresJournalTests.column("SELECT count(*)::text FROM almanac.events", url) == ["1"])
        try await journal.close()
    }
}

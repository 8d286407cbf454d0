import Foundation
import PostgresJournal
import PostgresNIO
import PostgresTestSupport
import Testing

/// Leases on the database's clock (`almanac.leases`) against a real server.
@Suite("Database leases")
struct DatabaseLeaseTests {
    static let logger = PostgresJournal.logger

    static func migrated() async throws -> DatabaseURL {
        let url = try await TestPostgres.database()
        _ = try await PostgresJournal.migrate(url)
        return url
    }

    @Test("one holder at a time; after it lapses the next holder gets a higher term and the old holder's renewal is refused")
    func oneHolderAndFencing() async throws {
        let url = try await Self.migrated()
        let a = DatabaseLease(holder: "a", duration: .milliseconds(800))
        let b = DatabaseLease(holder: "b", duration: .milliseconds(800))
        try await PostgresJournalTests.withClient(url) { client in
            let first = try #require(try await a.acquire(client, logger: Self.logger))
            #expect(try await b.acquire(client, logger: Self.logger) == nil)
            // The holder taking it again while it is live keeps its term.
            #expect(try await a.acquire(client, logger: Self.logger)?.term == first.term)
            #expect(try await a.renew(client, term: first.term, logger: Self.logger)?.term == first.term)
            #expect(try await DatabaseLease.holding(client, logger: Self.logger) == .init(holder: "a", term: first.term, live: true))

            try await Task.sleep(for: .milliseconds(1000))  // a stops renewing: its lease lapses
            let second = try #require(try await b.acquire(client, logger: Self.logger))
            #expect(second.term == first.term + 1)
            #expect(try await a.renew(client, term: first.term, logger: Self.logger) == nil)
            #expect(try await a.acquire(client, logger: Self.logger) == nil)
            // Released by a holder whose term is outdated: nothing happens.
            try await a.release(client, term: first.term, logger: Self.logger)
            #expect(try await DatabaseLease.holding(client, logger: Self.logger) == .init(holder: "b", term: second.term, live: true))
        }
    }

    @Test("a released lease is taken at once; its end is the database's now() plus the duration")
    func releaseAndDatabaseClock() async throws {
        let url = try await Self.migrated()
        let a = DatabaseLease(holder: "a", duration: .seconds(30))
        let b = DatabaseLease(holder: "b", duration: .seconds(30))
        try await PostgresJournalTests.withClient(url) { client in
            let first = try #require(try await a.acquire(client, logger: Self.logger))
            #expect(first.until.timeIntervalSince(first.databaseNow) == 30)
            #expect(try await b.acquire(client, logger: Self.logger) == nil)
            try await a.release(client, term: first.term, logger: Self.logger)
            #expect(try await DatabaseLease.holding(client, logger: Self.logger)?.live == false)
            #expect(try await b.acquire(client, logger: Self.logger)?.term == first.term + 1)
        }
    }

    @Test("of many runners racing for a free lease, exactly one gets it")
    func raceForAFreeLease() async throws {
        let url = try await Self.migrated()
        let winners = try await PostgresJournalTests.withClient(url) { client in
            try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    group.addTask { try await DatabaseLease(holder: "r\(index)").acquire(client, logger: Self.logger) != nil }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
        }
        #expect(winners == 1)
    }

    @Test("a holder fences itself a margin before the earliest end its last renewal allows")
    func fenceDeadline() {
        let lease = DatabaseLease(holder: "a", duration: .seconds(10))
        let sent = ContinuousClock.now
        #expect(lease.fenceDeadline(renewalSent: sent, margin: .seconds(3)) == sent + .seconds(7))
    }
}

/// `LeaseKeeper`: taking over after a clean stop, and giving the lease up in time when cut off.
@Suite("Lease keepers")
struct LeaseKeeperTests {
    /// What a keeper reported, with when (this process's monotonic clock).
    actor Recorder {
        var events: [(LeaseKeeper.Event, ContinuousClock.Instant)] = []
        func record(_ event: LeaseKeeper.Event) { events.append((event, .now)) }
        func first(_ match: (LeaseKeeper.Event) -> Bool) -> ContinuousClock.Instant? { events.first { match($0.0) }?.1 }
    }

    static func waitFor(_ recorder: Recorder, within timeout: Duration, _ match: @escaping @Sendable (LeaseKeeper.Event) -> Bool) async throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let at = await recorder.first(match) { return at }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw Timeout()
    }

    struct Timeout: Error {}

    static func gained(_ event: LeaseKeeper.Event) -> Bool { if case .gained = event { true } else { false } }
    static func lost(_ event: LeaseKeeper.Event) -> Bool { if case .lost = event { true } else { false } }

    @Test("a second keeper waits while the first holds, and takes over at once when the first stops cleanly")
    func takeoverAfterCleanStop() async throws {
        let url = try await DatabaseLeaseTests.migrated()
        let a = LeaseKeeper(lease: DatabaseLease(holder: "a", duration: .seconds(3)), url: url,
                            renewEvery: .milliseconds(300), margin: .seconds(1))
        let b = LeaseKeeper(lease: DatabaseLease(holder: "b", duration: .seconds(3)), url: url,
                            renewEvery: .milliseconds(300), margin: .seconds(1))
        let (ra, rb) = (Recorder(), Recorder())
        let runA = Task { await a.run { await ra.record($0) } }
        _ = try await Self.waitFor(ra, within: .seconds(5), Self.gained)
        let runB = Task { await b.run { await rb.record($0) } }
        // Longer than the lease: A renews it, so B never gets it.
        try await Task.sleep(for: .seconds(4))
        #expect(await rb.events.isEmpty)
        #expect(await ra.events.count == 1)
        let stopped = ContinuousClock.now
        runA.cancel()
        let gained = try await Self.waitFor(rb, within: .seconds(5), Self.gained)
        #expect(gained - stopped < .seconds(2), "released, so B need not wait for the lease to end")
        runB.cancel()
        await runA.value
        await runB.value
    }

    @Test("a keeper cut off from the database gives the lease up before it can end; the next takes it only after")
    func selfFencingWhenCutOff() async throws {
        let url = try await DatabaseLeaseTests.migrated()
        let server = try TestPostgres.shared()
        let role = "cut_" + UUID().uuidString.prefix(8).lowercased()
        try server.psql("CREATE ROLE \(role) LOGIN", database: url.database)
        try server.psql("GRANT USAGE ON SCHEMA almanac TO \(role); GRANT SELECT, UPDATE ON almanac.leases TO \(role)",
                        database: url.database)
        var asRole = url
        asRole.user = role
        let a = LeaseKeeper(lease: DatabaseLease(holder: "a", duration: .seconds(4)), url: asRole,
                            renewEvery: .milliseconds(300), margin: .milliseconds(1500))
        let b = LeaseKeeper(lease: DatabaseLease(holder: "b", duration: .seconds(4)), url: url,
                            renewEvery: .milliseconds(300), margin: .milliseconds(1500))
        let (ra, rb) = (Recorder(), Recorder())
        let runA = Task { await a.run { await ra.record($0) } }
        _ = try await Self.waitFor(ra, within: .seconds(5), Self.gained)
        let runB = Task { await b.run { await rb.record($0) } }
        try await Task.sleep(for: .seconds(1))
        // Cut A off: its role may no longer log in, and its connections are closed.
        let cut = ContinuousClock.now
        try server.psql("ALTER ROLE \(role) NOLOGIN; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '\(role)'",
                        database: url.database)
        let lost = try await Self.waitFor(ra, within: .seconds(8), Self.lost)
        let gained = try await Self.waitFor(rb, within: .seconds(10), Self.gained)
        #expect(lost < gained, "A stopped holding before B could take over")
        #expect(lost - cut < .seconds(4), "A gave up within the lease, a margin before its end")
        #expect(gained - cut >= .milliseconds(2500), "B waited for A's lease to end on the database's clock")
        runA.cancel()
        runB.cancel()
        await runA.value
        await runB.value
    }
}

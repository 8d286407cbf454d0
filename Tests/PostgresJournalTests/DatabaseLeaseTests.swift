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

import Foundation
import Journal
import PostgresJournal
import PostgresTestSupport
import Testing

/// The fences of a joined journal, at the statement level (the binary's view is ClusterTests).
@Suite("Cluster journal fences")
struct ClusterJournalTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func applied(_ job: String) -> JournalEvent {
        JournalEvent(at: t0, .applied(.init(job: job, hash: "h-\(job)", kind: "job", enabled: true)))
    }

    static func started(_ job: String, attempt: Int = 1) -> JournalEvent {
        JournalEvent(at: t0, .started(.init(job: job, scheduledAt: t0, attempt: attempt, triggeredBy: .schedule)))
    }

    static func finished(_ job: String, attempt: Int = 1) -> JournalEvent {
        JournalEvent(at: t0, .finished(.init(job: job, scheduledAt: t0, attempt: attempt, triggeredBy: .schedule,
                                             metrics: .init(outcome: .success))))
    }

    @Test("desired state only from the leader: a runner whose leader lease ended is refused, and the new leader writes")
    func desiredStateNeedsTheLeaderLease() async throws {
        let url = try await TestPostgres.database()
        let first = try await PostgresJournal.open(url, runner: "first")
        let second = try await PostgresJournal.open(url, runner: "second")
        #expect(try await first.join(version: "test") == true)
        #expect(try await second.join(version: "test") == false)
        _ = try await first.append(Self.applied("a"))
        // The first runner's leader lease ends without it hearing (frozen), and the second takes it.
        try TestPostgres.shared().psql("UPDATE almanac.leases SET lease_until = now() - interval '1 second' WHERE name = 'leader'",
                                       database: url.database)
        #expect(try await second.join(version: "test") == true)
        await #expect(throws: JournalError.self) { _ = try await first.append(Self.applied("b")) }
        await #expect(throws: JournalError.self) { try await first.compact(now: Self.t0, retention: Retention(keep: .seconds(86_400), maxPerJob: 10)) }
        _ = try await second.append(Self.applied("b"))
        // Attempts are anyone's to write: the old leader still fires.
        #expect(try await first.claim([Self.started("a")]) == [true])
        let state = await second.state()
        #expect(state.jobs["b"]?.applied?.hash == "h-b")
        #expect(state.jobs["a"]?.running.count == 1)
        try await first.close()
        try await second.close()
    }

    @Test("an end is recorded only by the claim's runner; after a takeover the late end is refused")
    func endsAreFenced() async throws {
        let url = try await TestPostgres.database()
        let owner = try await PostgresJournal.open(url, runner: "owner")
        let peer = try await PostgresJournal.open(url, runner: "peer")
        _ = try await owner.join(version: "test")
        _ = try await peer.join(version: "test")
        #expect(try await owner.claim([Self.started("job")]) == [true])
        // The peer cannot end the owner's attempt, and nothing lapsed yet: nothing to take over.
        await #expect(throws: JournalError.self) { _ = try await peer.append(Self.finished("job")) }
        #expect(try await peer.takeOver(jobs: nil) { _ in [] }.isEmpty)
        // The owner's lease lapses: the peer takes the attempt over, once.
        try TestPostgres.shared().psql("UPDATE almanac.leases SET lease_until = now() - interval '1 second' WHERE name = 'runner:owner'",
                                       database: url.database)
        let taken = try await peer.takeOver(jobs: nil) { lapsed in
            lapsed.map { JournalEvent(at: Self.t0, .finished(.init(job: $0.key.job, scheduledAt: $0.key.scheduledAt, attempt: $0.attempt,
                                                                    triggeredBy: .recovery, metrics: .init(outcome: .interrupted)))) }
        }
        #expect(taken.count == 1)
        #expect(try await peer.takeOver(jobs: nil) { _ in Issue.record("taken over twice"); return [] }.isEmpty)
        // The owner wakes: its end and its next claim are refused.
        do {
            _ = try await owner.append(Self.finished("job"))
            Issue.record("a late end was recorded")
        } catch let error as JournalError {
            #expect(error.kind == .fenced)
        }
        await #expect(throws: JournalError.self) { _ = try await owner.claim([Self.started("other")]) }
        #expect((await peer.state()).jobs["job"]?.history.map(\.metrics.outcome) == [.interrupted])
        try await owner.close()
        try await peer.close()
    }
}

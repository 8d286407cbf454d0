import Foundation
import Journal
@testable import PostgresJournal
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

    /// Two runners, `owner` and `peer`, joined on a fresh database.
    static func joinedPair() async throws -> (DatabaseURL, PostgresJournal, PostgresJournal) {
        let url = try await TestPostgres.database()
        let owner = try await PostgresJournal.open(url, runner: "owner")
        let peer = try await PostgresJournal.open(url, runner: "peer")
        _ = try await owner.join(version: "test")
        _ = try await peer.join(version: "test")
        return (url, owner, peer)
    }

    /// Ends `owner`'s lease in the database and has `peer` take its open attempts over (interrupted).
    static func lapseAndTakeOver(_ url: DatabaseURL, from peer: PostgresJournal) async throws -> [JournalEvent] {
        try TestPostgres.shared().psql("UPDATE almanac.leases SET lease_until = now() - interval '1 second' WHERE name = 'runner:owner'",
                                       database: url.database)
        return try await peer.takeOver(jobs: nil) { lapsed in
            lapsed.map { JournalEvent(at: t0, .finished(.init(job: $0.key.job, scheduledAt: $0.key.scheduledAt, attempt: $0.attempt,
                                                               triggeredBy: .recovery, metrics: .init(outcome: .interrupted)))) }
        }
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
        let (url, owner, peer) = try await Self.joinedPair()
        #expect(try await owner.claim([Self.started("job")]) == [true])
        // The peer cannot end the owner's attempt, and nothing lapsed yet: nothing to take over.
        await #expect(throws: JournalError.self) { _ = try await peer.append(Self.finished("job")) }
        #expect(try await peer.takeOver(jobs: nil) { _ in [] }.isEmpty)
        // The owner's lease lapses: the peer takes the attempt over, once.
        let taken = try await Self.lapseAndTakeOver(url, from: peer)
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

    @Test("a post's publication records carry its claim: a target's end leaves the attempt open; after a takeover, processing and published are refused; the claim names its runner")
    func publicationsAreFenced() async throws {
        let (url, owner, peer) = try await Self.joinedPair()
        #expect(try await owner.claim([Self.started("post")]) == [true])
        #expect((await owner.state()).jobs["post"]?.running.first?.runner == "owner")
        let processing = { (target: String) in
            JournalEvent(at: Self.t0, .processing(.init(job: "post", scheduledAt: Self.t0, attempt: 1, target: target)))
        }
        let published = { (target: String) in
            JournalEvent(at: Self.t0, .published(.init(job: "post", scheduledAt: Self.t0, attempt: 1, target: target, url: "https://x/1")))
        }
        let failedTarget = JournalEvent(at: Self.t0, .finished(.init(job: "post", scheduledAt: Self.t0, attempt: 1,
                                                                     metrics: .init(outcome: .failed), target: "a")))
        _ = try await owner.append([processing("a"), failedTarget, processing("b")])
        await #expect(throws: JournalError.self) { _ = try await peer.append([published("b")]) }
        // The target's end did not end the attempt: its claim is still open, so a lapse is taken over.
        let taken = try await Self.lapseAndTakeOver(url, from: peer)
        #expect(taken.count == 1)
        for late in [[published("b")], [processing("c")]] {
            do {
                _ = try await owner.append(late)
                Issue.record("a late \(late[0].type) was recorded")
            } catch let error as JournalError {
                #expect(error.kind == .fenced)
            }
        }
        #expect((await peer.state()).jobs["post"]?.publications["b"]?.state == .processing)
        try await owner.close()
        try await peer.close()
    }

    @Test("a claim retried after its answer was lost counts what the lost try committed as won, once, without a second started")
    func retriedClaimFindsItsOwn() async throws {
        let (_, owner, peer) = try await Self.joinedPair()
        // The first try committed (its answer is what was lost): the owner holds both attempts.
        #expect(try await owner.claim([Self.started("a"), Self.started("b")]) == [true, true])
        // The retry: its own open claims are won again, a peer's is not, a new one is claimed.
        #expect(try await peer.claim([Self.started("c")]) == [true])
        let retried = [Self.started("a"), Self.started("b"), Self.started("c"), Self.started("d")].map { event -> (event: JournalEvent, claim: OccurrenceKey, attempt: Int) in
            (event, event.key!, event.attempt ?? 1)
        }
        let claimed = try await owner.claimOnce(retried, exclusive: [], fenced: true, resuming: true)
        #expect(claimed.map { $0 != nil } == [true, true, false, true])
        // Found committed by the lost try: given back unnumbered; won now: with its seq.
        #expect(claimed[0]?.seq == 0 && (claimed[3]?.seq ?? 0) > 0, "\(claimed.map { $0?.seq })")
        let state = await peer.state()
        for job in ["a", "b", "c", "d"] { #expect(state.jobs[job]?.running.count == 1, "\(job)") }
        // An attempt that ended is not won again.
        _ = try await owner.append([Self.finished("a")])
        #expect(try await owner.claimOnce(Array(retried.prefix(1)), exclusive: [], fenced: true, resuming: true) == [nil])
        try await owner.close()
        try await peer.close()
    }

    @Test("an attempt's end retried after its answer was lost is written once: a closed claim says the first try committed")
    func retriedEndIsWrittenOnce() async throws {
        let (_, owner, peer) = try await Self.joinedPair()
        #expect(try await owner.claim([Self.started("a"), Self.started("b")]) == [true, true])
        // The first try committed: the retry writes nothing.
        _ = try await owner.append([Self.finished("a")])
        _ = try await owner.appendOnce([Self.finished("a")], leads: false, resuming: true)
        // The first try did not commit: the retry writes it.
        _ = try await owner.appendOnce([Self.finished("b")], leads: false, resuming: true)
        // A first try that commits after its retry did is refused: an end is never journaled twice.
        await #expect(throws: JournalError.self) { _ = try await owner.append([Self.finished("b")]) }
        // An end without a claim (a missed post's) cannot be told apart: not retried.
        await #expect(throws: JournalError.self) { _ = try await owner.appendOnce([Self.finished("none")], leads: false, resuming: true) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ends-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: file) }
        _ = try await peer.exportJournal(to: file)
        let ends = try FileJournal.events(file: file).filter { $0.type == .finished }.compactMap(\.job)
        #expect(ends.sorted() == ["a", "b"], "\(ends)")
        let state = await peer.state()
        #expect(state.jobs["a"]?.running.isEmpty == true && state.jobs["b"]?.running.isEmpty == true)
        try await owner.close()
        try await peer.close()
    }

    @Test("missed occurrences are settled through their claims: one a peer claimed meanwhile is its run, never also missed")
    func missedIsSettledByClaim() async throws {
        let (_, owner, peer) = try await Self.joinedPair()
        #expect(try await peer.claim([Self.started("job")]) == [true])
        let missed = { (at: Date) in
            JournalEvent(at: Self.t0, .skipped(.init(job: "job", scheduledAt: at, attempt: 1, reason: .missed)))
        }
        let later = Self.t0.addingTimeInterval(60)
        let written = try await owner.settle([missed(Self.t0), missed(later)])
        #expect(written.map(\.scheduledAt) == [later])
        // Settled means claimed: no runner starts the missed one afterwards.
        #expect(try await peer.claim([JournalEvent(at: later, .started(.init(job: "job", scheduledAt: later, attempt: 1)))]) == [false])
        let state = await peer.state()
        #expect(state.jobs["job"]?.running.count == 1)
        try await owner.close()
        try await peer.close()
    }
}

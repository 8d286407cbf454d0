import AlmanacCore
import Foundation
import Journal
import Logging
import PostgresNIO

/// The cluster half of the PostgreSQL journal: runners, their leases, the fence on attempt
/// writes, and taking over what a lapsed runner left open.
extension PostgresJournal: ClusterJournal {
    package nonisolated var location: String { url.description }

    /// This runner's own lease: its heartbeat, renewed every 2 s, 10 s long on the database clock.
    package nonisolated var runnerLease: DatabaseLease {
        DatabaseLease(name: "runner:" + runner, holder: runner, duration: .seconds(10))
    }

    /// The lease of the one writer of desired state.
    package nonisolated var leaderLease: DatabaseLease { DatabaseLease(name: "leader", holder: runner, duration: .seconds(10)) }

    package func join(version: String) async throws -> Bool {
        try checkOpen()
        let (runner, runnerLease, leaderLease) = (runner, runnerLease, leaderLease)
        let host = ProcessInfo.processInfo.hostName, pid = Int(ProcessInfo.processInfo.processIdentifier)
        let sent = ContinuousClock.now
        let (own, leader) = try await database("join") { [client, logger] in
            try await client.query("""
                INSERT INTO almanac.runners (id, host, pid, version) VALUES (\(runner), \(host), \(pid), \(version))
                ON CONFLICT (id) DO UPDATE SET started_at = now(), stopped_at = NULL
                """, logger: logger)
            try await client.query("INSERT INTO almanac.leases (name) VALUES (\(runnerLease.name)) ON CONFLICT DO NOTHING",
                                   logger: logger)
            guard let own = try await runnerLease.acquire(client, logger: logger) else {
                throw RunnerLeaseHeld(runner: runner)
            }
            return (own.term, try await leaderLease.acquire(client, logger: logger)?.term)
        }
        joined = (own, leader, sent)
        return leader != nil
    }

    /// The events only the leader writes.
    static let desiredState: Set<EventType> = [.applied, .removed, .diagnostics]

    /// Refuses a desired-state write or a compaction from a runner that does not hold the
    /// leader lease now (it lost it and has not heard yet): one writer of desired state, even
    /// across a change of leader.
    func requireLeaderLease(on connection: PostgresConnection) async throws {
        guard try await !leaderLease.isHeld(on: connection, logger: logger) else { return }
        throw JournalError(kind: .notLeader, path: url.description,
                           message: "this runner no longer holds the leader lease: desired state is the new leader's to write")
    }

    /// Refuses a claim from a runner whose own lease lapsed (it was frozen, or cut off): peers
    /// may already have taken its attempts over, and would take a new claim over at once.
    func requireOwnLease(on connection: PostgresConnection) async throws {
        guard try await !runnerLease.isHeld(on: connection, logger: logger) else { return }
        throw JournalError(kind: .fenced, path: url.description,
                           message: "this runner's lease (\(runnerLease.name)) lapsed: it claims nothing more")
    }

    private struct RunnerLeaseHeld: Error, CustomStringConvertible {
        let runner: String
        var description: String { "another process holds the lease of runner \(runner)" }
    }

    /// A fenced runner only winds down (its last records are refused or cannot be sent): each
    /// statement from now on gets 2 s, so a database that is gone cannot keep it from exiting
    /// for the minutes its drain, reads and close would each wait (seen: 46 s).
    func windDown() {
        timeout = min(timeout, .seconds(2))
    }

    package func hold(_ handler: @escaping @Sendable (Membership) async -> Void) async {
        let url = url, logger = logger, runner = runner
        let own = LeaseKeeper(lease: runnerLease, url: url, holding: joined.map { ($0.runner, $0.sent) }, logger: logger)
        let leader = LeaseKeeper(lease: leaderLease, url: url, holding: joined.flatMap { j in j.leader.map { ($0, j.sent) } },
                                 logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await own.run { event in
                    guard case .lost(let reason) = event else { return }
                    await self.windDown()
                    await handler(.lost(reason: "this runner's lease: " + reason))
                }
            }
            group.addTask {
                await leader.run { event in
                    switch event {
                    case .gained(let term): await handler(.leading(term: term))
                    case .lost(let reason): await handler(.following(reason: reason))
                    }
                }
            }
        }
        // The keepers released their leases; released again here by holder, whatever term a
        // keeper last knew (a keeper whose release failed leaves its lease to end on its own),
        // and the row says when this runner stopped.
        let names = [runnerLease.name, leaderLease.name]
        _ = try? await Self.database("leave", at: url, timeout: .seconds(2)) { [client] in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("""
                    UPDATE almanac.leases SET holder = NULL, lease_until = '-infinity'
                    WHERE name = ANY(\(names)::text[]) AND holder = \(runner)
                    """, logger: logger)
                try await connection.query("UPDATE almanac.runners SET stopped_at = now() WHERE id = \(runner)", logger: logger)
            }
        }
    }

    package func takeOver(jobs: Set<String>?, _ journal: @escaping @Sendable ([LapsedAttempt]) -> [JournalEvent]) async throws -> [JournalEvent] {
        try checkOpen()
        // A read first, without the head row's lock: almost always nothing has lapsed, and
        // every runner asks every second.
        let logger = logger, runner = runner
        let only = jobs.map { Array($0) }, all = jobs == nil
        let any = try await database("take over") { [client] in
            try await client.query("""
                SELECT EXISTS (\(unescaped: Self.lapsedClaims) AND (\(all) OR c.job = ANY(\(only ?? [])::text[])))
                """, logger: logger).collect().first?.decode(Bool.self)
        }
        guard any == true else { return [] }
        return try await write("take over") { connection, head in
            var lapsed: [LapsedAttempt] = []
            let rows = try await connection.query("""
                UPDATE almanac.claims c SET ended_at = now(), taken_over_by = \(runner)
                FROM (\(unescaped: Self.lapsedClaims) AND (\(all) OR c.job = ANY(\(only ?? [])::text[]))) l
                WHERE (c.job, c.scheduled_at, c.attempt) = (l.job, l.scheduled_at, l.attempt) AND c.ended_at IS NULL
                RETURNING c.job, (extract(epoch FROM c.scheduled_at) * 1000)::bigint, c.attempt, c.runner
                """, logger: logger)
            for try await (job, milliseconds, attempt, owner) in rows.decode((String, Int64, Int, String).self) {
                lapsed.append(LapsedAttempt(key: OccurrenceKey(job: job, scheduledAt: RFC3339.date(milliseconds: milliseconds)),
                                            attempt: attempt, runner: owner))
            }
            lapsed.sort { ($0.key.job, $0.key.scheduledAt, $0.attempt) < ($1.key.job, $1.key.scheduledAt, $1.attempt) }
            return (try await self.numbered(journal(lapsed), after: head), ())
        }.events
    }

    /// Open claims whose runner holds no live lease (it stopped, died, or was cut off).
    private static let lapsedClaims = """
        SELECT c.job, c.scheduled_at, c.attempt FROM almanac.claims c
        WHERE c.ended_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM almanac.leases l
                          WHERE l.name = 'runner:' || c.runner AND l.holder = c.runner AND l.lease_until >= now())
        """

    /// How a claim row `c` matches a row `f` of `unnest(jobs, times in ms, attempts) AS f(job, scheduled_at, attempt)`.
    static let claimMatchesRow = """
        c.job = f.job AND c.attempt = f.attempt AND c.scheduled_at = timestamptz 'epoch' + f.scheduled_at * interval '1 millisecond'
        """

    /// The events written about an attempt by the runner that claimed it: its end, and a post
    /// target's `processing`, `published` and failed end. Each carries the claim as its fence.
    static let attemptWrites: Set<EventType> = [.finished, .processing, .published]

    /// Refuses the write when one of the attempts these events are about was taken over (or is
    /// another runner's), so a runner that woke after its lease lapsed cannot record an end, or
    /// announce or record a publication, over the peer's; and when an attempt they end was
    /// ended already (a first try that commits after its retry did, cf. `append`). Then closes
    /// the claims of the attempts the events end (a post target's end leaves its claim open).
    func fenceAndClose(_ events: [JournalEvent], on connection: PostgresConnection) async throws {
        let written = events.filter { Self.attemptWrites.contains($0.type) }
        let claims = written.compactMap { event in event.key.map { Claim(key: $0, attempt: event.attempt ?? 1) } }
        guard !claims.isEmpty else { return }
        let ends = Self.ends(written)
        let rows = try await connection.query("""
            SELECT c.job, (extract(epoch FROM c.scheduled_at) * 1000)::bigint, c.attempt, c.runner,
                   coalesce(c.taken_over_by, ''), c.ended_at IS NOT NULL
            FROM almanac.claims c
            JOIN unnest(\(claims.map(\.key.job))::text[], \(claims.map { RFC3339.milliseconds($0.key.scheduledAt) })::bigint[],
                        \(claims.map(\.attempt))::int[]) AS f(job, scheduled_at, attempt)
              ON \(unescaped: Self.claimMatchesRow)
            """, logger: logger)
        for try await (job, milliseconds, attempt, owner, taker, ended) in rows.decode((String, Int64, Int, String, String, Bool).self) {
            if owner != runner || !taker.isEmpty {
                throw JournalError(kind: .fenced, path: url.description, message: taker.isEmpty
                    ? "attempt \(attempt) of \(job) is runner \(owner)'s, not this runner's (\(runner)): it is not recorded here"
                    : "runner \(taker) took attempt \(attempt) of \(job) over after this runner's lease lapsed: it is not recorded")
            }
            let claim = Claim(key: OccurrenceKey(job: job, scheduledAt: RFC3339.date(milliseconds: milliseconds)), attempt: attempt)
            if ended, ends.contains(claim) {
                throw JournalError(kind: .invalidEvent, path: url.description,
                                   message: "the end of attempt \(attempt) of \(job) is journaled already; not recorded twice")
            }
        }
        try await closeClaims(ends, on: connection)
    }

    /// The attempts these events end: their `finished` records without a post target.
    static func ends(_ events: [JournalEvent]) -> [Claim] {
        events.filter { event in
            guard case .finished(let record) = event.record else { return false }
            return record.target == nil
        }.compactMap { event in event.key.map { Claim(key: $0, attempt: event.attempt ?? 1) } }
    }

    package func settle(_ events: [JournalEvent]) async throws -> [JournalEvent] {
        try checkOpen()
        let leads = joined != nil && events.contains { Self.desiredState.contains($0.type) }
        return try await write("settle") { connection, head in
            if leads { try await self.requireLeaderLease(on: connection) }
            let keyed = events.compactMap { event in event.key.map { (event, Claim(key: $0, attempt: event.attempt ?? 1)) } }
            let taken = try await Self.insertClaims(keyed.map { ($0.1.key, $0.1.attempt) }, runner: self.runner, on: connection,
                                                    logger: self.logger)
            try await self.closeClaims(Array(taken), on: connection)
            var seen = Set<Claim>()
            let won = keyed.filter { taken.contains($0.1) && seen.insert($0.1).inserted }.map(\.0) + events.filter { $0.key == nil }
            return (try await self.numbered(won, after: head), ())
        }.events
    }

    /// Whether a write that ends `claims` committed, told by their claim rows: all closed by
    /// this runner (yes), all still open (no), or unknown (an end without a claim row, such as
    /// a missed post's, or a mixture), when the write is not retried.
    func committed(ending claims: [Claim], on connection: PostgresConnection) async throws -> Bool? {
        let wanted = Array(Set(claims))
        guard !wanted.isEmpty else { return nil }
        let rows = try await connection.query("""
            SELECT count(*) FILTER (WHERE c.ended_at IS NOT NULL), count(*) FILTER (WHERE c.ended_at IS NULL)
            FROM almanac.claims c
            JOIN unnest(\(wanted.map(\.key.job))::text[], \(wanted.map { RFC3339.milliseconds($0.key.scheduledAt) })::bigint[],
                        \(wanted.map(\.attempt))::int[]) AS f(job, scheduled_at, attempt)
              ON \(unescaped: Self.claimMatchesRow)
            WHERE c.runner = \(runner) AND c.taken_over_by IS NULL
            """, logger: logger)
        var (closed, open) = (0, 0)
        for try await counts in rows.decode((Int, Int).self) { (closed, open) = counts }
        if closed == wanted.count { return true }
        if open == wanted.count { return false }
        return nil
    }

    /// The channel peers are woken on, and the events that wake them.
    static let wakeChannel = "almanac_wake"
    static let wakesPeers: Set<EventType> = [.triggered, .paused, .resumed, .cancelled]

    package func wakeups(_ handler: @escaping @Sendable () async -> Void) async {
        let url = url, logger = logger
        while !Task.isCancelled {
            do {
                // Its own session: a pooled connection goes back to the pool between statements.
                let connection = try await Self.connect(url, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Self.wakeChannel) { notifications in
                    for try await _ in notifications { await handler() }
                }
            } catch {
                // Gone (a restart, a terminated backend): the sync's polling covers the gap.
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Which of `jobs` have an attempt claimed and not ended, on any runner.
    func jobsWithOpenClaims(_ jobs: Set<String>, on connection: PostgresConnection) async throws -> Set<String> {
        guard !jobs.isEmpty else { return [] }
        let rows = try await connection.query("""
            SELECT DISTINCT job FROM almanac.claims WHERE job = ANY(\(Array(jobs))::text[]) AND ended_at IS NULL
            """, logger: logger)
        var open = Set<String>()
        for try await job in rows.decode(String.self) { open.insert(job) }
        return open
    }

    /// Which of `claims` this runner holds open: on a claim retried after its answer was lost,
    /// the ones the first try committed.
    func openClaims(_ claims: [Claim], on connection: PostgresConnection) async throws -> Set<Claim> {
        guard !claims.isEmpty else { return [] }
        let rows = try await connection.query("""
            SELECT c.job, (extract(epoch FROM c.scheduled_at) * 1000)::bigint, c.attempt
            FROM almanac.claims c
            JOIN unnest(\(claims.map(\.key.job))::text[], \(claims.map { RFC3339.milliseconds($0.key.scheduledAt) })::bigint[],
                        \(claims.map(\.attempt))::int[]) AS f(job, scheduled_at, attempt)
              ON \(unescaped: Self.claimMatchesRow)
            WHERE c.runner = \(runner) AND c.ended_at IS NULL
            """, logger: logger)
        var open = Set<Claim>()
        for try await (job, milliseconds, attempt) in rows.decode((String, Int64, Int).self) {
            open.insert(Claim(key: OccurrenceKey(job: job, scheduledAt: RFC3339.date(milliseconds: milliseconds)), attempt: attempt))
        }
        return open
    }

    /// Closes claims: the attempts ended, or settled without running (an overlap skipped under `forbid`).
    func closeClaims(_ claims: [Claim], on connection: PostgresConnection) async throws {
        guard !claims.isEmpty else { return }
        try await connection.query("""
            UPDATE almanac.claims c SET ended_at = now()
            FROM unnest(\(claims.map(\.key.job))::text[], \(claims.map { RFC3339.milliseconds($0.key.scheduledAt) })::bigint[],
                        \(claims.map(\.attempt))::int[]) AS f(job, scheduled_at, attempt)
            WHERE \(unescaped: Self.claimMatchesRow) AND c.ended_at IS NULL
            """, logger: logger)
    }

    package func clockOffset(from machine: @escaping @Sendable () -> Date) async throws -> (offset: TimeInterval, roundTrip: TimeInterval) {
        let logger = logger
        return try await database("clock") { [client] in
            // The sample with the shortest round trip bounds the error best (NTP's rule).
            var best: (offset: TimeInterval, roundTrip: TimeInterval)?
            for _ in 0..<3 {
                // The round trip on the monotonic clock: a step of the machine's mid-sample cannot make it negative.
                let sent = machine(), started = ContinuousClock.now
                let rows = try await client.query("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint", logger: logger)
                var micros: Int64 = 0
                for try await value in rows.decode(Int64.self) { micros = value }
                let roundTrip = (ContinuousClock.now - started).timeInterval
                let offset = Double(micros) / 1e6 - (sent.timeIntervalSince1970 + roundTrip / 2)
                if best.map({ roundTrip < $0.roundTrip }) ?? true { best = (offset, roundTrip) }
            }
            return best ?? (0, 0)
        }
    }

    package func describe(revision: String?, differing: Int) async throws {
        let logger = logger, runner = runner
        _ = try await database("describe") { [client] in
            try await client.query("UPDATE almanac.runners SET revision = \(revision), differing = \(differing) WHERE id = \(runner)",
                                   logger: logger)
        }
    }

    /// The runners of the last day, newest first, with their leases: for `status`.
    package func runners() async throws -> [ClusterRunner] {
        let logger = logger, heartbeatToEnd = runnerLease.duration.timeInterval
        return try await database("runners") { [client] in
            let rows = try await client.query("""
                SELECT r.id, r.host, r.pid, r.version, r.revision, r.differing, (extract(epoch FROM r.started_at) * 1000)::bigint,
                       (extract(epoch FROM r.stopped_at) * 1000)::bigint,
                       CASE WHEN l.lease_until > '-infinity' THEN (extract(epoch FROM l.lease_until) * 1000)::bigint END,
                       coalesce(l.lease_until >= now(), false), coalesce(d.holder = r.id AND d.lease_until >= now(), false)
                FROM almanac.runners r
                LEFT JOIN almanac.leases l ON l.name = 'runner:' || r.id
                LEFT JOIN almanac.leases d ON d.name = 'leader'
                WHERE coalesce(r.stopped_at, l.lease_until, r.started_at) > now() - interval '1 day'
                ORDER BY r.started_at DESC
                """, logger: logger)
            var result: [ClusterRunner] = []
            for try await (id, host, pid, version, revision, differing, started, stopped, until, live, leads)
                in rows.decode((String, String, Int, String, String?, Int, Int64, Int64?, Int64?, Bool, Bool).self) {
                let leaseUntil = until.map(RFC3339.date(milliseconds:))
                result.append(ClusterRunner(id: id, host: host, pid: pid, version: version, startedAt: RFC3339.date(milliseconds: started),
                                            stoppedAt: stopped.map(RFC3339.date(milliseconds:)),
                                            lastHeartbeat: leaseUntil.map { $0.addingTimeInterval(-heartbeatToEnd) },
                                            leaseUntil: leaseUntil, live: live, leader: leads, revision: revision, differing: differing))
            }
            return result
        }
    }
}


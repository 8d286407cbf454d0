import AlmanacCore
import Foundation
import Journal
import Logging
import PostgresNIO

/// The journal in PostgreSQL, shared by every runner of a cluster.
///
/// Events are stored as the same JSON lines the file backend writes, one row each, numbered by
/// `almanac.head`: every write locks that row, numbers its events after it and moves it on in
/// the same transaction, so `seq` is commit order without gaps. Each instance keeps the state
/// those rows add up to and catches up by `seq` (its own writes, and its peers' when it reads
/// the state), applying every event exactly once, in order; a snapshot left by compaction is
/// loaded when the rows it replaced are gone.
///
/// A claim is a row in `almanac.claims`, unique on (job, scheduled_at, attempt): one
/// multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` per batch of fires, so of any number
/// of runners claiming the same attempt exactly one gets it, and its `started` event is
/// journaled in the same transaction as its claim.
package actor PostgresJournal: JournalBackend {
    package nonisolated let url: DatabaseURL
    /// Who writes: recorded on each event row and claim (`host:pid` by default).
    package nonisolated let runner: String
    let client: PostgresClient
    private let connections: Task<Void, Never>
    let logger: Logger
    private var current = JournalState()
    private(set) var closed = false
    /// Set by `join`: the leases this runner took, and when the statement taking them was sent.
    var joined: (runner: Int64, leader: Int64?, sent: ContinuousClock.Instant)?
    /// How long one read or write may wait for the database before it fails.
    /// Each statement's bound: 10 s by default, 2 s once this runner was fenced (`windDown`).
    var timeout: Duration

    /// Connects, applies the schema migrations this database lacks (unless `migrate` is false,
    /// when a database that is not current is refused) and replays.
    package static func open(_ url: DatabaseURL, runner: String = PostgresJournal.defaultRunner, migrate: Bool = true,
                             timeout: Duration = .seconds(10), logger: Logger = PostgresJournal.logger) async throws(JournalError) -> PostgresJournal {
        let journal = PostgresJournal(url: url, runner: runner, timeout: timeout, logger: logger)
        do {
            try await journal.prepare(migrate: migrate)
            return journal
        } catch {
            try? await journal.close()
            throw error
        }
    }

    /// `host:pid:nonce`, which `status` shows for each attempt's runner. The nonce keeps a
    /// restarted runner apart from its last life (in a container every runner is pid 1), so
    /// what that life left open is taken over, never mistaken for this one's.
    package static var defaultRunner: String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):"
            + String(UInt32.random(in: .min ... .max), radix: 16)
    }

    /// Errors only: the journal reports what fails in its own words; the pool's reconnect
    /// attempts and start-up notices would repeat them at info level every few seconds.
    package static var logger: Logger {
        var logger = Logger(label: "almanac.postgres")
        logger.logLevel = .error
        return logger
    }

    private init(url: DatabaseURL, runner: String, timeout: Duration, logger: Logger) {
        self.url = url
        self.runner = runner
        self.timeout = timeout
        self.logger = logger
        client = PostgresClient(configuration: Self.configuration(url), backgroundLogger: logger)
        let client = client
        // Detached from any ServiceGroup's graceful shutdown (see LeaseKeeper.run): the journal
        // must outlive the drain's last writes; `close()` ends the pool.
        connections = Task.detached { await client.run() }
    }

    /// TLS as libpq's `prefer` and `require` do it: encrypted, the certificate not verified
    /// (libpq checks it only for `verify-ca`/`verify-full`, which are refused by the parser
    /// rather than half supported), so a server's stock self-signed certificate works.
    static var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }

    static func configuration(_ url: DatabaseURL) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch url.tls {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration)
        case .require: .require(tlsConfiguration)
        }
        var configuration = PostgresClient.Configuration(host: url.host, port: url.port, username: url.user,
                                                         password: url.password, database: url.database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 8
        return configuration
    }

    private func prepare(migrate: Bool) async throws(JournalError) {
        try await Self.probe(url, timeout: timeout, logger: logger)
        try await database("migrate") { [client, logger] in
            if migrate {
                _ = try await Migrations.migrate(client, logger: logger)
            } else {
                let version = try await Migrations.version(client, logger: logger)
                guard version == Migrations.latest else {
                    throw NotMigrated(version: version)
                }
            }
        }
        // The first replay reads the whole journal: bounded generously, not per statement.
        try await catchUp(timeout: .seconds(600))
    }

    private struct NotMigrated: Error, CustomStringConvertible {
        let version: Int
        var description: String {
            version < Migrations.latest
                ? "the database schema is at version \(version), this almanac needs \(Migrations.latest): run `almanac db migrate`"
                : Migrations.SchemaTooNew(database: version, known: Migrations.latest).description
        }
    }

    // MARK: JournalBackend

    package func state() async -> JournalState {
        // Closed: what was read last (a status write or a reload still on its way at exit).
        guard !closed else { return current }
        do {
            try await catchUp()
        } catch {
            logger.error("almanac: journal state may be behind the database: \(error)")
        }
        return current
    }

    package func events(after seq: UInt64, limit: Int) async throws -> [JournalEvent] {
        try checkOpen()
        let (source, logger) = (url.description, logger)
        return try await Self.database("read", at: url, timeout: timeout) { [client] in
            let rows = try await client.query("""
                SELECT seq, line FROM almanac.events WHERE seq > \(Int64(clamping: seq)) ORDER BY seq LIMIT \(limit)
                """, logger: logger)
            var events: [JournalEvent] = []
            for try await (rowSeq, line) in rows.decode((Int64, String).self) {
                events.append(try JournalLine.decode(Array(line.utf8), source: "\(source) almanac.events", number: Int(rowSeq)))
            }
            return events
        }
    }

    package func compact(now: Date, retention: Retention) async throws {
        try checkOpen()
        let source = url.description
        let leads = joined != nil
        let compacted = try await database("compact") { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                if leads { try await self.requireLeaderLease(on: connection) }
                let head = try await self.lockHead(on: connection)
                try await self.apply(after: await self.current.lastSeq, through: head, on: connection)
                var snapshot = await self.current
                _ = snapshot.applyRetention(retention, now: now)
                let (line, event) = try JournalLine.encode(JournalEvent(seq: head, at: now, .snapshot(snapshot)), source: source)
                let text = String(decoding: line.dropLast(), as: UTF8.self)
                let at = RFC3339.milliseconds(now)
                try await connection.query("""
                    INSERT INTO almanac.snapshots (seq, at, line)
                    VALUES (\(Int64(head)), timestamptz 'epoch' + \(at) * interval '1 millisecond', \(text))
                    ON CONFLICT (seq) DO UPDATE SET at = excluded.at, line = excluded.line
                    """, logger: logger)
                try await connection.query("DELETE FROM almanac.snapshots WHERE seq < \(Int64(head))", logger: logger)
                try await connection.query("DELETE FROM almanac.events WHERE seq <= \(Int64(head))", logger: logger)
                // Claims of executions retention dropped are forgotten, as in the file backend:
                // the job's last occurrence keeps catch-up from reaching back to them.
                // The horizon is on the database's clock, and attempts still running keep theirs.
                let running = snapshot.jobs.values.flatMap(\.running)
                let (jobs, times, attempts) = (running.map(\.key.job), running.map { RFC3339.milliseconds($0.key.scheduledAt) },
                                               running.map(\.attempt))
                try await connection.query("""
                    DELETE FROM almanac.claims c
                    WHERE c.scheduled_at < now() - \(retention.keep.milliseconds) * interval '1 millisecond'
                      AND c.ended_at IS NOT NULL
                      AND NOT EXISTS (
                        SELECT 1 FROM unnest(\(jobs)::text[], \(times)::bigint[], \(attempts)::int[]) AS r(job, scheduled_at, attempt)
                        WHERE r.job = c.job AND r.attempt = c.attempt
                          AND timestamptz 'epoch' + r.scheduled_at * interval '1 millisecond' = c.scheduled_at)
                    """, logger: logger)
                // Runners gone for a week, with their leases, once nothing of theirs is open.
                try await connection.query("""
                    DELETE FROM almanac.runners r
                    WHERE coalesce(r.stopped_at, (SELECT l.lease_until FROM almanac.leases l WHERE l.name = 'runner:' || r.id),
                                   r.started_at) < now() - interval '7 days'
                      AND NOT EXISTS (SELECT 1 FROM almanac.claims c WHERE c.runner = r.id AND c.ended_at IS NULL)
                    """, logger: logger)
                try await connection.query("""
                    DELETE FROM almanac.leases l
                    WHERE l.name LIKE 'runner:%' AND NOT EXISTS (SELECT 1 FROM almanac.runners r WHERE l.name = 'runner:' || r.id)
                      AND NOT EXISTS (SELECT 1 FROM almanac.claims c WHERE 'runner:' || c.runner = l.name AND c.ended_at IS NULL)
                    """, logger: logger)
                guard case .snapshot(let state) = event.record else { return nil as JournalState? }
                return state
            }
        }
        // Later events may have been applied meanwhile (this actor is re-entered at each await):
        // the snapshot replaces the state only if nothing after it was.
        if let compacted, current.lastSeq == compacted.lastSeq { current = compacted }
    }

    package func close() async throws {
        guard !closed else { return }
        closed = true
        connections.cancel()
        await connections.value
    }

    // MARK: writing

    /// Runs `body` in a transaction holding the head row, with the head's seq; `body` returns
    /// the events it numbered after it, which move the head on and are applied once committed,
    /// and a result of its own.
    func write<T: Sendable>(
        _ operation: String, _ body: @escaping @Sendable (PostgresConnection, UInt64) async throws -> ([JournalEvent], T)
    ) async throws(JournalError) -> (events: [JournalEvent], result: T) {
        let (head, stored, result) = try await database(operation) { [client, logger] in
            try await client.withTransaction(logger: logger) { connection in
                let head = try await self.lockHead(on: connection)
                let (stored, result) = try await body(connection, head)
                guard !stored.isEmpty else { return (head, stored, result) }
                try await self.insertEvents(stored, on: connection)
                try await connection.query("UPDATE almanac.head SET seq = \(Int64(head) + Int64(stored.count))", logger: logger)
                if stored.contains(where: { Self.wakesPeers.contains($0.type) }) {
                    // Delivered at commit, to every runner listening (PostgresJournal+Cluster).
                    try await connection.query("SELECT pg_notify(\(Self.wakeChannel), '')", logger: logger)
                }
                return (head, stored, result)
            }
        }
        if current.lastSeq == head {
            for event in stored { current.apply(event) }
        } else if !stored.isEmpty {
            // Committed: the write stands even if reading the peers' events before it fails
            // now (a claim won must not look lost); the next read catches up.
            do {
                try await catchUp()
            } catch {
                logger.error("almanac: journal state is behind the database after \(operation): \(error)")
            }
        }
        return (stored, result)
    }

    /// `events` numbered from `head + 1`, as they read back from their lines.
    func numbered(_ events: [JournalEvent], after head: UInt64) throws(JournalError) -> [JournalEvent] {
        var stored: [JournalEvent] = []
        stored.reserveCapacity(events.count)
        for (offset, var event) in events.enumerated() {
            event.seq = head + 1 + UInt64(offset)
            stored.append(try JournalLine.encode(event, source: url.description).event)
        }
        return stored
    }

    private func lockHead(on connection: PostgresConnection) async throws -> UInt64 {
        let rows = try await connection.query("SELECT seq FROM almanac.head FOR UPDATE", logger: logger).collect()
        guard let seq = try rows.first?.decode(Int64.self) else { throw MissingHead() }
        return UInt64(seq)
    }

    private struct MissingHead: Error, CustomStringConvertible {
        var description: String { "almanac.head has no row: the schema was damaged; run `almanac db migrate` on an empty database" }
    }

    private func insertEvents(_ events: [JournalEvent], on connection: PostgresConnection) async throws {
        try await Self.insertEvents(events, runner: runner, source: url.description, on: connection, logger: logger)
    }

    /// Inserts `events` as rows, with the seq each carries, in one statement.
    static func insertEvents(_ events: [JournalEvent], runner: String, source: String, on connection: PostgresConnection,
                             logger: Logger) async throws {
        var (seqs, ats, types, jobs, times, attempts, lines) = ([Int64](), [Int64](), [String](), [String](), [Int64](), [Int](), [String]())
        for event in events {
            let (line, _) = try JournalLine.encode(event, source: source)
            seqs.append(Int64(event.seq))
            ats.append(RFC3339.milliseconds(event.at))
            types.append(event.type.rawValue)
            jobs.append(event.job ?? "")
            times.append(event.scheduledAt.map(RFC3339.milliseconds) ?? .min)
            attempts.append(event.attempt ?? 0)
            lines.append(String(decoding: line.dropLast(), as: UTF8.self))
        }
        try await connection.query("""
            INSERT INTO almanac.events (seq, at, type, job, scheduled_at, attempt, runner, line)
            SELECT seq, timestamptz 'epoch' + at * interval '1 millisecond', type, nullif(job, ''),
                   CASE WHEN scheduled_at = \(Int64.min) THEN NULL ELSE timestamptz 'epoch' + scheduled_at * interval '1 millisecond' END,
                   nullif(attempt, 0), \(runner), line
            FROM unnest(\(seqs)::bigint[], \(ats)::bigint[], \(types)::text[], \(jobs)::text[], \(times)::bigint[],
                        \(attempts)::int[], \(lines)::text[]) AS e(seq, at, type, job, scheduled_at, attempt, line)
            """, logger: logger)
    }

    /// Claim rows for started events appended as they are (not through `claim`): a conflict is
    /// not an error there, as the file backend's index simply records them.
    func insertClaims(of started: [JournalEvent], on connection: PostgresConnection) async throws {
        let claims = started.compactMap { event in event.key.map { ($0, event.attempt ?? 1) } }
        guard !claims.isEmpty else { return }
        _ = try await insertClaims(claims, on: connection)
    }

    func insertClaims(_ claims: [(OccurrenceKey, Int)], on connection: PostgresConnection) async throws -> Set<Claim> {
        try await Self.insertClaims(claims, runner: runner, on: connection, logger: logger)
    }

    /// Inserts claim rows; returns the ones this insert created (the rest were taken before).
    static func insertClaims(_ claims: [(OccurrenceKey, Int)], runner: String, on connection: PostgresConnection,
                             logger: Logger) async throws -> Set<Claim> {
        let jobs = claims.map(\.0.job)
        let times = claims.map { RFC3339.milliseconds($0.0.scheduledAt) }
        let attempts = claims.map(\.1)
        let rows = try await connection.query("""
            INSERT INTO almanac.claims (job, scheduled_at, attempt, runner)
            SELECT job, timestamptz 'epoch' + scheduled_at * interval '1 millisecond', attempt, \(runner)
            FROM unnest(\(jobs)::text[], \(times)::bigint[], \(attempts)::int[]) AS c(job, scheduled_at, attempt)
            ON CONFLICT DO NOTHING
            RETURNING job, (extract(epoch FROM scheduled_at) * 1000)::bigint, attempt
            """, logger: logger)
        var taken = Set<Claim>()
        for try await (job, milliseconds, attempt) in rows.decode((String, Int64, Int).self) {
            taken.insert(Claim(key: OccurrenceKey(job: job, scheduledAt: RFC3339.date(milliseconds: milliseconds)), attempt: attempt))
        }
        return taken
    }

    // MARK: reading

    /// Applies every event committed after the state's last one.
    ///
    /// The snapshot and the rows after it are read in one REPEATABLE READ transaction, so a
    /// compaction committing between the two reads cannot make the rows seem to jump.
    /// Replaying a long journal takes longer than one statement may: `timeout` is per call.
    private func catchUp(timeout: Duration? = nil) async throws(JournalError) {
        let logger = logger
        try await Self.database("read", at: url, timeout: timeout ?? self.timeout) { [client] in
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                try await self.apply(after: await self.current.lastSeq, through: nil, on: connection)
            }
        }
    }

    /// Applies the events after `seq` (through `last` when given), loading the newest snapshot
    /// first when compaction removed rows this state has not seen. Each event is applied only
    /// if it is the next one, so overlapping catch-ups never apply one twice.
    private func apply(after seq: UInt64, through last: UInt64?, on connection: PostgresConnection) async throws {
        let snapshots = try await connection.query("""
            SELECT seq, line FROM almanac.snapshots WHERE seq > \(Int64(seq)) ORDER BY seq DESC LIMIT 1
            """, logger: logger).collect()
        if let row = snapshots.first {
            let (snapshotSeq, line) = try row.decode((Int64, String).self)
            let event = try JournalLine.decode(Array(line.utf8), source: "\(url.description) almanac.snapshots", number: Int(snapshotSeq))
            if current.lastSeq < UInt64(snapshotSeq) { current.apply(event) }
        }
        let from = Int64(current.lastSeq)
        let upTo = last.map { Int64($0) } ?? .max
        let rows = try await connection.query("""
            SELECT seq, line FROM almanac.events WHERE seq > \(from) AND seq <= \(upTo) ORDER BY seq
            """, logger: logger)
        for try await (rowSeq, line) in rows.decode((Int64, String).self) {
            guard UInt64(rowSeq) == current.lastSeq + 1 else {
                if UInt64(rowSeq) <= current.lastSeq { continue }
                throw GapInJournal(expected: current.lastSeq + 1, found: UInt64(rowSeq))
            }
            current.apply(try JournalLine.decode(Array(line.utf8), source: "\(url.description) almanac.events", number: Int(rowSeq)))
        }
    }

    private struct GapInJournal: Error, CustomStringConvertible {
        let expected: UInt64
        let found: UInt64
        var description: String { "almanac.events jumps from seq \(expected - 1) to \(found) with no snapshot covering the gap" }
    }
}

extension PostgresJournal {
    /// `almanac db migrate`: the schema version before, and the migrations applied now.
    package static func migrate(_ url: DatabaseURL, timeout: Duration = .seconds(10),
                                logger: Logger = PostgresJournal.logger) async throws(JournalError) -> (before: Int, applied: [Int]) {
        try await probe(url, timeout: timeout, logger: logger)
        let client = PostgresClient(configuration: configuration(url), backgroundLogger: logger)
        let connections = Task { await client.run() }
        defer { connections.cancel() }
        return try await database("migrate", at: url, timeout: timeout) {
            let before = try await Migrations.version(client, logger: logger)
            return (before, try await Migrations.migrate(client, logger: logger))
        }
    }
}

import AlmanacCore
import Foundation
import Logging
import PostgresNIO

/// A named lease in `almanac.leases`, timed by the database's clock only.
///
/// At most one holder at a time: taking it succeeds when it is free, ended (`lease_until` before
/// the database's `now()`) or already the caller's; renewing succeeds only for the holder of the
/// same term before it ends. Each new holder gets a higher term, the fence token: a holder that
/// was frozen past its lease finds its term outdated and its renewal refused. No machine's own
/// clock is compared with another's, so clock skew between runners changes nothing.
package struct DatabaseLease: Sendable {
    package let name: String
    package let holder: String
    package let duration: Duration

    /// A lease held: its term, and when it ends on the database's clock (and that clock's reading).
    package struct Grant: Sendable, Equatable {
        package var term: Int64
        package var until: Date
        package var databaseNow: Date
    }

    /// Who holds a lease now, as the database sees it.
    package struct Holding: Sendable, Equatable {
        package var holder: String?
        package var term: Int64
        package var live: Bool

        package init(holder: String?, term: Int64, live: Bool) {
            self.holder = holder
            self.term = term
            self.live = live
        }
    }

    package init(name: String = "leader", holder: String, duration: Duration = .seconds(10)) {
        self.name = name
        self.holder = holder
        self.duration = duration
    }

    /// Takes the lease if it is free, ended or already ours; nil when another holds it.
    package func acquire(_ client: PostgresClient, logger: Logger) async throws -> Grant? {
        try await grant(client, logger: logger, """
            UPDATE almanac.leases
            SET term = CASE WHEN holder = \(holder) AND lease_until >= now() THEN term ELSE term + 1 END,
                holder = \(holder),
                lease_until = now() + \(duration.milliseconds) * interval '1 millisecond'
            WHERE name = \(name) AND (holder = \(holder) OR holder IS NULL OR lease_until < now())
            RETURNING term, (extract(epoch FROM lease_until) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint
            """)
    }

    /// Extends the lease of `term`; nil when it is no longer ours (ended, or taken since).
    package func renew(_ client: PostgresClient, term: Int64, logger: Logger) async throws -> Grant? {
        try await grant(client, logger: logger, """
            UPDATE almanac.leases
            SET lease_until = now() + \(duration.milliseconds) * interval '1 millisecond'
            WHERE name = \(name) AND holder = \(holder) AND term = \(term) AND lease_until >= now()
            RETURNING term, (extract(epoch FROM lease_until) * 1000)::bigint, (extract(epoch FROM now()) * 1000)::bigint
            """)
    }

    /// Gives the lease of `term` up at once (a clean stop), so another runner need not wait for it to end.
    package func release(_ client: PostgresClient, term: Int64, logger: Logger) async throws {
        try await client.query("""
            UPDATE almanac.leases SET holder = NULL, lease_until = '-infinity'
            WHERE name = \(name) AND holder = \(holder) AND term = \(term)
            """, logger: logger)
    }

    /// Whether this holder holds the lease now, on the database's clock, read inside the
    /// caller's transaction (the fences of a shared journal's writes).
    package func isHeld(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query("""
            SELECT 1 FROM almanac.leases WHERE name = \(name) AND holder = \(holder) AND lease_until >= now()
            """, logger: logger).collect()
        return !rows.isEmpty
    }

    /// The lease's holder, term and whether it is live now.
    package static func holding(_ client: PostgresClient, name: String = "leader", logger: Logger) async throws -> Holding? {
        let rows = try await client.query("""
            SELECT holder, term, lease_until >= now() FROM almanac.leases WHERE name = \(name)
            """, logger: logger).collect()
        guard let row = rows.first else { return nil }
        let (holder, term, live) = try row.decode((String?, Int64, Bool).self)
        return Holding(holder: holder, term: term, live: live)
    }

    private func grant(_ client: PostgresClient, logger: Logger, _ query: PostgresQuery) async throws -> Grant? {
        let rows = try await client.query(query, logger: logger).collect()
        guard let row = rows.first else { return nil }
        let (term, until, now) = try row.decode((Int64, Int64, Int64).self)
        return Grant(term: term, until: RFC3339.date(milliseconds: until), databaseNow: RFC3339.date(milliseconds: now))
    }

    /// When a holder must consider its lease gone, on its own monotonic clock: the renewal that
    /// succeeded was sent at `sent`, before the database read its `now()`, so the lease cannot
    /// end before `sent + duration`; `margin` is the time the holder needs to stop its work
    /// (children killed) before then.
    package func fenceDeadline(renewalSent sent: ContinuousClock.Instant, margin: Duration) -> ContinuousClock.Instant {
        sent + duration - margin
    }
}

import Logging
import PostgresNIO

/// The schema, as numbered migrations compiled into the binary.
///
/// `almanac db migrate` (and `run`, unless told not to) applies the ones a database lacks, in
/// order, each in its own transaction, while holding a session advisory lock, so runners
/// starting together migrate once. A database migrated by a newer almanac (a version this
/// binary does not know) is refused rather than written with an older idea of the schema.
package enum Migrations {
    package struct Migration: Sendable {
        package let version: Int
        package let name: String
        package let statements: [String]
    }

    /// Append only: a released migration is never edited, the next change is a new one.
    package static let all: [Migration] = [
        Migration(version: 1, name: "journal", statements: [
            // One row whose lock orders every write: a writer locks it, numbers its events
            // from it and bumps it in the same transaction, so `seq` order is commit order
            // and has no gaps, and a reader that has seen seq N has seen everything before it.
            """
            CREATE TABLE almanac.head (
                id boolean PRIMARY KEY DEFAULT true CHECK (id),
                seq bigint NOT NULL
            )
            """,
            "INSERT INTO almanac.head (id, seq) VALUES (true, 0)",
            // The journal's lines, exactly as the file backend writes them, one per row, with
            // the columns a query wants beside them.
            """
            CREATE TABLE almanac.events (
                seq bigint PRIMARY KEY,
                at timestamptz NOT NULL,
                type text NOT NULL,
                job text,
                scheduled_at timestamptz,
                attempt integer,
                runner text,
                line text NOT NULL
            )
            """,
            "CREATE INDEX events_by_job ON almanac.events (job, seq) WHERE job IS NOT NULL",
            // The exactly-once primitive: one row per (occurrence, attempt); the insert that
            // conflicts lost.
            """
            CREATE TABLE almanac.claims (
                job text NOT NULL,
                scheduled_at timestamptz NOT NULL,
                attempt integer NOT NULL,
                runner text NOT NULL,
                claimed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (job, scheduled_at, attempt)
            )
            """,
            // A compaction's state; events up to its seq are deleted with it.
            """
            CREATE TABLE almanac.snapshots (
                seq bigint PRIMARY KEY,
                at timestamptz NOT NULL,
                line text NOT NULL
            )
            """,
        ]),
        Migration(version: 2, name: "leases", statements: [
            // Named leases on the database's clock: a holder, a term that grows with every new
            // holder (the fence token writes carry), and when it ends unless renewed.
            """
            CREATE TABLE almanac.leases (
                name text PRIMARY KEY,
                holder text,
                term bigint NOT NULL DEFAULT 0,
                lease_until timestamptz NOT NULL DEFAULT '-infinity'
            )
            """,
            "INSERT INTO almanac.leases (name) VALUES ('leader')",
        ]),
        Migration(version: 3, name: "runners", statements: [
            // Who runs what: each runner registers once per process life; its lease is the
            // row 'runner:' || id in almanac.leases, renewed as its heartbeat.
            """
            CREATE TABLE almanac.runners (
                id text PRIMARY KEY,
                host text NOT NULL,
                pid integer NOT NULL,
                version text NOT NULL,
                started_at timestamptz NOT NULL DEFAULT now(),
                stopped_at timestamptz
            )
            """,
            // A claim is open until its attempt's end is journaled (by its runner, or by the
            // peer that took it over when its runner's lease lapsed): the fence for writes.
            "ALTER TABLE almanac.claims ADD COLUMN ended_at timestamptz, ADD COLUMN taken_over_by text",
            "UPDATE almanac.claims SET ended_at = claimed_at",
            "CREATE INDEX claims_open ON almanac.claims (runner) WHERE ended_at IS NULL",
        ]),
        Migration(version: 4, name: "runner revisions", statements: [
            // What each runner fires: the revision it reconciled or follows (a commit with
            // --repo), and how many jobs it holds back because its files differ from the applied.
            "ALTER TABLE almanac.runners ADD COLUMN revision text, ADD COLUMN differing integer NOT NULL DEFAULT 0",
        ]),
    ]

    /// The newest version this binary knows.
    package static var latest: Int { all.last?.version ?? 0 }

    /// Arbitrary but fixed: the advisory lock key every almanac migrating this database takes.
    static let lockKey: Int64 = 0x616C_6D61_6E61_6301

    /// Applies what the database lacks; returns the versions applied now (empty when current).
    package static func migrate(_ client: PostgresClient, logger: Logger) async throws -> [Int] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
            do {
                let applied = try await apply(on: connection, logger: logger)
                try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The schema version of the database (0 for one never migrated).
    package static func version(_ client: PostgresClient, logger: Logger) async throws -> Int {
        let exists = try await client.query(
            "SELECT to_regclass('almanac.schema_migrations') IS NOT NULL", logger: logger).collect()
        guard try exists.first?.decode(Bool.self) == true else { return 0 }
        let rows = try await client.query("SELECT coalesce(max(version), 0) FROM almanac.schema_migrations", logger: logger).collect()
        return try rows.first?.decode(Int.self) ?? 0
    }

    private static func apply(on connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        try await connection.query("CREATE SCHEMA IF NOT EXISTS almanac", logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS almanac.schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
        var present = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM almanac.schema_migrations", logger: logger)
            .decode(Int.self) {
            present.insert(version)
        }
        if let newest = present.max(), newest > latest {
            throw SchemaTooNew(database: newest, known: latest)
        }
        var applied: [Int] = []
        for migration in all where !present.contains(migration.version) {
            try await connection.withTransaction(logger: logger) { connection in
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO almanac.schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
            }
            applied.append(migration.version)
        }
        return applied
    }

    /// The database was migrated by a newer almanac.
    package struct SchemaTooNew: Error, CustomStringConvertible {
        package let database: Int
        package let known: Int
        package var description: String {
            "the database schema is at version \(database), newer than this almanac knows (\(known)): upgrade almanac on this machine"
        }
    }
}

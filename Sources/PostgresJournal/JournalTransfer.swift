#if canImport(Glibc)
import Glibc
#endif
import AlmanacCore
import Foundation
import Journal
import Logging
import PostgresNIO

/// Moving a journal between a state directory and PostgreSQL (`almanac journal import` and
/// `export`), so a team outgrowing one machine keeps its history, and can go back.
///
/// The lines move unchanged: an imported journal's rows hold the file's lines, and an export
/// writes them back, the snapshot first when the database was compacted. A journal whose
/// `seq` numbers run without gaps (every journal the file backend writes) comes back byte for
/// byte.
extension PostgresJournal {
    /// Loads `events` (a file journal's, in order) into this database, which must hold no
    /// journal yet; returns how many rows were written. A leading snapshot becomes the
    /// database's snapshot. The events keep their order and are numbered on from the first
    /// one's `seq`, and every attempt the resulting state knows of is claimed.
    package func importJournal(_ events: [JournalEvent]) async throws(JournalError) -> Int {
        guard let first = events.first else { return 0 }
        var numbered = events
        for index in numbered.indices { numbered[index].seq = first.seq + UInt64(index) }
        var state = JournalState()
        for event in numbered { state.apply(event) }
        let claims = Array(state.claims)
        let running = state.jobs.values.flatMap(\.running)
        let source = url.description
        let runner = runner
        let written = try await transfer("import") { [client, numbered, running] logger in
            try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query("""
                    SELECT h.seq, (SELECT count(*) FROM almanac.snapshots) FROM almanac.head h FOR UPDATE
                    """, logger: logger).collect()
                guard let (head, snapshots) = try rows.first?.decode((Int64, Int64).self), head == 0, snapshots == 0 else {
                    throw NotEmpty()
                }
                var rest = numbered[...]
                if case .snapshot = first.record {
                    let (line, _) = try JournalLine.encode(first, source: source)
                    try await connection.query("""
                        INSERT INTO almanac.snapshots (seq, at, line)
                        VALUES (\(Int64(first.seq)), timestamptz 'epoch' + \(RFC3339.milliseconds(first.at)) * interval '1 millisecond',
                                \(String(decoding: line.dropLast(), as: UTF8.self)))
                        """, logger: logger)
                    rest = rest.dropFirst()
                }
                for start in stride(from: rest.startIndex, to: rest.endIndex, by: 2000) {
                    let batch = Array(rest[start..<min(start + 2000, rest.endIndex)])
                    try await Self.insertEvents(batch, runner: runner, source: source, on: connection, logger: logger)
                }
                for start in stride(from: 0, to: claims.count, by: 5000) {
                    let batch = claims[start..<min(start + 5000, claims.count)]
                    _ = try await Self.insertClaims(batch.map { ($0.key, $0.attempt) }, runner: runner, on: connection, logger: logger)
                }
                // Ended, but for the attempts the file journal's runner left running: those
                // stay open under this importer's name, which holds no lease, so the first
                // runner to come up takes them over (journaled interrupted, retried by policy).
                try await connection.query("""
                    UPDATE almanac.claims c SET ended_at = now()
                    WHERE NOT EXISTS (
                        SELECT 1 FROM unnest(\(running.map(\.key.job))::text[],
                                             \(running.map { RFC3339.milliseconds($0.key.scheduledAt) })::bigint[],
                                             \(running.map(\.attempt))::int[]) AS r(job, scheduled_at, attempt)
                        WHERE r.job = c.job AND r.attempt = c.attempt
                          AND c.scheduled_at = timestamptz 'epoch' + r.scheduled_at * interval '1 millisecond')
                    """, logger: logger)
                let last = numbered.last.map { Int64($0.seq) } ?? 0
                try await connection.query("UPDATE almanac.head SET seq = \(last)", logger: logger)
                return numbered.count
            }
        }
        _ = await self.state()
        return written
    }

    /// Writes the database's journal as file-journal lines to `file` (which must not exist or
    /// be empty), read in one consistent snapshot of the database; returns how many lines.
    package func exportJournal(to file: URL) async throws(JournalError) -> Int {
        let source = url.description
        let path = file.path
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0 {
            throw JournalError(kind: .invalidEvent, path: path, message: "the journal file is not empty; export writes only a new journal")
        }
        let partial = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).exporting")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw JournalError(kind: .io(errno: errno), path: partial.path, message: "cannot create the exported journal")
        }
        let written: Int
        do {
            let handle = try FileHandle(forWritingTo: partial)
            defer { try? handle.close() }
            written = try await transfer("export") { [client] logger in
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
                    var lines = 0
                    var buffer: [UInt8] = []
                    func flush() throws {
                        try handle.write(contentsOf: buffer)
                        buffer.removeAll(keepingCapacity: true)
                    }
                    let snapshots = try await connection.query(
                        "SELECT line FROM almanac.snapshots ORDER BY seq DESC LIMIT 1", logger: logger).collect()
                    if let line = try snapshots.first?.decode(String.self) {
                        buffer += Array(line.utf8) + [UInt8(ascii: "\n")]
                        lines += 1
                    }
                    let rows = try await connection.query("SELECT line FROM almanac.events ORDER BY seq", logger: logger)
                    for try await line in rows.decode(String.self) {
                        _ = try JournalLine.decode(Array(line.utf8), source: "\(source) almanac.events", number: lines + 1)
                        buffer += Array(line.utf8) + [UInt8(ascii: "\n")]
                        lines += 1
                        if buffer.count > 1 << 20 { try flush() }
                    }
                    try flush()
                    return lines
                }
            }
            try handle.synchronize()
        } catch let error as JournalError {
            try? FileManager.default.removeItem(at: partial)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw JournalError(kind: .io(errno: EIO), path: path, message: "writing the exported journal failed: \(error)")
        }
        guard rename(partial.path, path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(at: partial)
            throw JournalError(kind: .io(errno: code), path: path, message: "rename failed: \(String(cString: strerror(code)))")
        }
        // The rename itself made durable, as the file backend's compaction does.
        let directory = Glibc.open(file.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            Glibc.fsync(directory)
            Glibc.close(directory)
        }
        return written
    }

    /// Opens the journal at `url`, runs `body` with it and closes it, whatever `body` does.
    package static func using<T: Sendable>(_ url: DatabaseURL, migrate: Bool = true,
                                           _ body: (PostgresJournal) async throws -> T) async throws -> T {
        let journal = try await open(url, migrate: migrate)
        let result: T
        do {
            result = try await body(journal)
        } catch {
            try? await journal.close()
            throw error
        }
        try await journal.close()
        return result
    }

    private struct NotEmpty: Error, CustomStringConvertible {
        var description: String { "the database already holds a journal; import only into a database that holds none" }
    }

    private func transfer<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Logger) async throws -> T) async throws(JournalError) -> T {
        let logger = logger
        // Moving a whole journal takes longer than one statement: a minute per million events is ample.
        return try await Self.database(operation, at: url, timeout: .seconds(600)) { try await body(logger) }
    }
}

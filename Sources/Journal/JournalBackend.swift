import Foundation

/// Where journal events are stored: the file backend, or PostgreSQL for a cluster (PostgresJournal).
///
/// Implementations are actors (or otherwise serialise their writers). The seam is small on
/// purpose: append, claim, read the replayed state, compact, close.
package protocol JournalBackend: Sendable {
    /// Appends `events` in order, assigning their `seq`; returns them as stored, once durable.
    func append(_ events: [JournalEvent]) async throws -> [JournalEvent]

    /// Atomically claims the (occurrence, attempt) of each `started` event, in one durable write.
    ///
    /// Returns, per event and in order, the event as stored (with its seq) if this caller got
    /// the claim and the event is durable, nil if it was already claimed. One call for every
    /// fire due together, so a batch costs one write and one fsync (a PostgreSQL backend: one
    /// multi-row `INSERT … ON CONFLICT DO NOTHING RETURNING` on a unique (job, scheduled_at,
    /// attempt)). The file backend checks an in-memory index under its single writer.
    func claimed(_ started: [JournalEvent]) async throws -> [JournalEvent?]

    /// Journals occurrences settled without running (missed: catch-up's `skipped`, a missed
    /// post's `finished`). A journal of one runner appends them; a shared one takes each one's
    /// claim, closed, and writes only those it got, so an occurrence a peer claimed meanwhile
    /// (its own clock put it inside the window) is left to that run, never both run and missed.
    /// Returns the events written.
    func settle(_ events: [JournalEvent]) async throws -> [JournalEvent]

    /// The state built from every durable event.
    func state() async -> JournalState

    /// Up to `limit` durable events after `seq`, in order, for `GET /api/v1/events` to resume
    /// a stream from (and, on a shared journal, to see peers' events). A compaction leaves a
    /// snapshot instead of the events it covered: the first event returned then has a seq past
    /// `seq + 1`, which tells the caller that some are gone. Snapshot records are left out.
    func events(after seq: UInt64, limit: Int) async throws -> [JournalEvent]

    /// Rewrites storage as a snapshot of the state, dropping history per `retention`.
    func compact(now: Date, retention: Retention) async throws

    /// Waits for pending writes and releases the backend (and its lock).
    func close() async throws
}

extension JournalBackend {
    /// `claimed(_:)`, saying only which claims were won.
    package func claim(_ started: [JournalEvent]) async throws -> [Bool] {
        try await claimed(started).map { $0 != nil }
    }

    /// One runner, one journal: nothing can have claimed them meanwhile.
    package func settle(_ events: [JournalEvent]) async throws -> [JournalEvent] {
        try await append(events)
    }

    /// Appends one event; see `append(_:)`.
    @discardableResult
    package func append(_ event: JournalEvent) async throws -> JournalEvent {
        let stored = try await append([event])
        return stored.first ?? event
    }
}

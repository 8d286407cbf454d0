import Foundation

/// Where journal events are stored: the file backend today, PostgreSQL later.
///
/// Implementations are actors (or otherwise serialise their writers). The seam is small on
/// purpose: append, claim, read the replayed state, compact, close.
package protocol JournalBackend: Sendable {
    /// Appends `events` in order, assigning their `seq`; returns them as stored, once durable.
    func append(_ events: [JournalEvent]) async throws -> [JournalEvent]

    /// Atomically claims (occurrence, attempt) by appending `event` (its `started` record).
    ///
    /// Returns true if this caller got the claim and the event is durable, false if it was
    /// already claimed. The file backend checks an in-memory index under its single writer; a
    /// PostgreSQL backend would `INSERT … ON CONFLICT DO NOTHING` on a unique
    /// (job, scheduled_at, attempt).
    func claim(_ key: OccurrenceKey, attempt: Int, event: JournalEvent) async throws -> Bool

    /// The state built from every durable event.
    func state() async -> JournalState

    /// Rewrites storage as a snapshot of the state, dropping history per `retention`.
    func compact(now: Date, retention: Retention) async throws

    /// Waits for pending writes and releases the backend (and its lock).
    func close() async throws
}

extension JournalBackend {
    /// Appends one event; see `append(_:)`.
    @discardableResult
    package func append(_ event: JournalEvent) async throws -> JournalEvent {
        let stored = try await append([event])
        return stored.first ?? event
    }
}

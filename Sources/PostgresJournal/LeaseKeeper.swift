import Foundation
import Logging
import PostgresNIO

/// Holds a `DatabaseLease` for as long as it may: takes it when it is free, renews it every
/// `renewEvery`, and reports when it is gained and when it must be given up.
///
/// It is given up when a renewal is refused (another runner holds it now: this one was frozen
/// or cut off past its end), or when no renewal has succeeded by the fence deadline — a
/// `margin` before the earliest end the last successful renewal allows, measured on this
/// machine's monotonic clock — so the holder can stop its work before another runner may
/// take the lease and start it again. Every call to the database is bounded by the time left
/// before that deadline, so a database that stops answering cannot hold the keeper past it.
/// A clean stop (cancelling `run`) releases the lease, so the next runner need not wait.
///
/// The keeper has its own connection pool: renewals never queue behind the journal's writes.
package actor LeaseKeeper {
    package enum Event: Sendable, Equatable {
        case gained(term: Int64)
        case lost(reason: String)
    }

    package nonisolated let lease: DatabaseLease
    private let url: DatabaseURL
    private let renewEvery: Duration
    private let margin: Duration
    private let logger: Logger
    private let client: PostgresClient
    /// The term held now; nil while the lease is someone else's or no one's.
    package private(set) var term: Int64?

    /// The renewal a held lease was last granted by: its term, and when it was sent.
    private var seed: (term: Int64, sent: ContinuousClock.Instant)?

    /// `holding` is a grant the caller already has (`PostgresJournal.join` takes the leases
    /// before anything fires): the keeper starts renewing it, and fences by its deadline, with
    /// no `gained` event for it.
    package init(lease: DatabaseLease, url: DatabaseURL, renewEvery: Duration = .seconds(2), margin: Duration = .seconds(3),
                 holding: (term: Int64, sent: ContinuousClock.Instant)? = nil, logger: Logger = PostgresJournal.logger) {
        precondition(margin >= .milliseconds(100) && renewEvery + margin < lease.duration,
                     "a lease must outlast a renewal interval plus a margin of at least 100 ms")
        self.lease = lease
        self.url = url
        self.renewEvery = renewEvery
        self.margin = margin
        self.logger = logger
        seed = holding
        term = holding?.term
        client = PostgresClient(configuration: PostgresJournal.configuration(url), backgroundLogger: logger)
    }

    private var started = false

    /// Keeps the lease until cancelled, calling `handler` on each change; then releases it.
    /// Once per keeper (its connection pool runs once).
    package func run(_ handler: @Sendable (Event) async -> Void) async {
        guard !started else { preconditionFailure("LeaseKeeper.run is called once per keeper") }
        started = true
        let client = client
        // Detached: a task started inside a ServiceGroup inherits its graceful-shutdown
        // task-local, and PostgresClient.run() ends on it, which closed the pool at shutdown
        // before the release below could be sent. The keeper ends its pool itself.
        let connections = Task.detached { await client.run() }
        defer { connections.cancel() }
        var lastRenewalSent = seed?.sent ?? ContinuousClock.now
        while !Task.isCancelled {
            let sent = ContinuousClock.now
            if let held = term {
                let deadline = lease.fenceDeadline(renewalSent: lastRenewalSent, margin: margin)
                do {
                    let grant = try await call("renew", until: deadline) { [lease, logger] in
                        try await lease.renew(client, term: held, logger: logger)
                    }
                    if grant != nil {
                        lastRenewalSent = sent
                    } else {
                        term = nil
                        await handler(.lost(reason: "the \(lease.name) lease was taken over: term \(held) is no longer current"))
                    }
                } catch {
                    if ContinuousClock.now >= deadline {
                        term = nil
                        await handler(.lost(reason: "the \(lease.name) lease could not be renewed in time "
                            + "(it may end \(margin) from now): \(error)"))
                    }
                }
            } else if let grant = try? await call("acquire", until: sent + renewEvery, { [lease, logger] in
                try await lease.acquire(client, logger: logger)
            }) {
                term = grant.term
                lastRenewalSent = sent
                await handler(.gained(term: grant.term))
            }
            var next = sent + renewEvery
            if term != nil { next = min(next, lease.fenceDeadline(renewalSent: lastRenewalSent, margin: margin)) }
            try? await Task.sleep(until: next, clock: .continuous)
        }
        if let held = term {
            do {
                try await call("release", until: .now + .seconds(2)) { [lease, logger] in
                    try await lease.release(client, term: held, logger: logger)
                }
            } catch {
                // The lease then ends on its own; the caller may release it by holder too.
                logger.error("almanac: releasing the \(lease.name) lease failed: \(error)")
            }
            term = nil
        }
    }

    /// One statement, given up at `deadline` (at least a few milliseconds from now).
    private func call<T: Sendable>(_ operation: String, until deadline: ContinuousClock.Instant,
                                   _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let budget = max(deadline - .now, .milliseconds(20))
        return try await PostgresJournal.database(operation, at: url, timeout: budget, body)
    }
}

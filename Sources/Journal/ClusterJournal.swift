import Foundation

/// A journal several runners share (PostgreSQL): what a runner needs beyond `JournalBackend`
/// to work beside its peers without a leader for firing.
///
/// Each runner holds a lease of its own on the database's clock; one of them also holds the
/// leader lease and is the one writer of desired state (reconcile, compaction, status). The
/// claim rows are the fence: a write about an attempt is taken only from the runner whose
/// claim it is, while that claim is open, so a runner frozen past its lease cannot record an
/// end over the peer that took the attempt over.
package protocol ClusterJournal: JournalBackend {
    /// This runner's name on its claims, events and leases: unique for each process's life.
    nonisolated var runner: String { get }
    /// Where the journal is, without a password, for log lines.
    nonisolated var location: String { get }

    /// Registers this runner and takes its lease (and the leader lease when free); true if
    /// this runner leads now. Called once, before anything fires.
    func join(version: String) async throws -> Bool

    /// Keeps this runner's lease and contends for the leader lease until cancelled, telling
    /// `handler` of each change; a clean stop releases both and unregisters.
    func hold(_ handler: @escaping @Sendable (Membership) async -> Void) async

    /// Calls `handler` whenever a peer journals something the others should act on at once (a
    /// manual run, a pause, a resume, a cancel), until cancelled. Only a wake-up: the runners'
    /// once-a-second sync is what is correct without it (and all there is behind a pooler that
    /// does not keep sessions).
    func wakeups(_ handler: @escaping @Sendable () async -> Void) async

    /// Claims as `claimed(_:)`, holding `concurrency: forbid` across the cluster for the jobs in
    /// `exclusive`: while any runner has an open claim of such a job, its new attempt is not
    /// won but journaled `skipped: overlap`, once.
    func claimed(_ started: [JournalEvent], exclusive: Set<String>) async throws -> [JournalEvent?]

    /// Ends the open claims of runners whose lease lapsed: each is closed and the events
    /// `journal(attempts)` builds for them written, in one transaction, so of several peers
    /// doing this at once exactly one records each attempt. Returns the events written.
    /// Only claims of `jobs` are taken over when given (a runner's policy applies to what it holds).
    func takeOver(jobs: Set<String>?, _ journal: @escaping @Sendable ([LapsedAttempt]) -> [JournalEvent]) async throws -> [JournalEvent]

    /// How far the database's clock is ahead of `machine` (seconds), and the round trip it was
    /// measured over: the best of a few samples, each read at its round trip's middle.
    func clockOffset(from machine: @escaping @Sendable () -> Date) async throws -> (offset: TimeInterval, roundTrip: TimeInterval)

    /// Records what this runner fires, for `status` and the dashboard (`ClusterRunner.revision`, `differing`).
    func describe(revision: String?, differing: Int) async throws

    /// The runners of the last day with their leases, newest first (`status`, the API, the dashboard).
    func runners() async throws -> [ClusterRunner]
}

extension ClusterJournal {
    /// `claimed(_:exclusive:)`, saying only which claims were won.
    package func claim(_ started: [JournalEvent], exclusive: Set<String>) async throws -> [Bool] {
        try await claimed(started, exclusive: exclusive).map { $0 != nil }
    }
}

/// A change in a runner's standing in its cluster.
package enum Membership: Sendable, Equatable {
    /// This runner now writes desired state.
    case leading(term: Int64)
    /// Another runner does (or none, for a moment): this one fires, and writes only attempts.
    case following(reason: String)
    /// This runner's own lease could not be kept: it must stop its children and stop.
    case lost(reason: String)
}

/// An attempt whose runner's lease lapsed before it recorded an end.
package struct LapsedAttempt: Sendable, Hashable {
    package var key: OccurrenceKey
    package var attempt: Int
    package var runner: String

    package init(key: OccurrenceKey, attempt: Int, runner: String) {
        self.key = key
        self.attempt = attempt
        self.runner = runner
    }
}

/// One runner of a cluster as `status` shows it: who, where, since when, and its lease.
package struct ClusterRunner: Sendable, Hashable, Codable {
    package var id: String
    package var host: String
    package var pid: Int
    package var version: String
    package var startedAt: Date
    package var stoppedAt: Date?
    /// Its last heartbeat: the renewal that set its lease's current end.
    package var lastHeartbeat: Date?
    package var leaseUntil: Date?
    /// Whether its lease is live now (on the database's clock).
    package var live: Bool
    package var leader: Bool
    /// The revision it fires (the commit it reconciled or follows with `--repo`; nil for a directory).
    package var revision: String?
    /// How many jobs it does not fire because its files differ from the applied version.
    package var differing: Int

    package init(id: String, host: String, pid: Int, version: String, startedAt: Date, stoppedAt: Date?,
                 lastHeartbeat: Date?, leaseUntil: Date?, live: Bool, leader: Bool, revision: String? = nil, differing: Int = 0) {
        (self.id, self.host, self.pid, self.version) = (id, host, pid, version)
        (self.startedAt, self.stoppedAt, self.lastHeartbeat, self.leaseUntil) = (startedAt, stoppedAt, lastHeartbeat, leaseUntil)
        (self.live, self.leader, self.revision, self.differing) = (live, leader, revision, differing)
    }
}

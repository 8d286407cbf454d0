import Foundation

/// The job version that is currently desired, from the last `applied` event.
public struct AppliedVersion: Sendable, Hashable, Codable {
    public var hash: String
    public var revision: String?
    public var fields: [String: String]
    public var source: String?
    /// `job`, `post` or `scan`.
    public var kind: String
    public var enabled: Bool
    public var at: Date

    public init(hash: String, revision: String? = nil, fields: [String: String] = [:], source: String? = nil,
                kind: String = "job", enabled: Bool = true, at: Date) {
        self.hash = hash
        self.revision = revision
        self.fields = fields
        self.source = source
        self.kind = kind
        self.enabled = enabled
        self.at = at
    }
}

/// A retry that is due: which occurrence, which attempt it will be, and when.
public struct PendingRetry: Sendable, Hashable, Codable {
    public var key: OccurrenceKey
    public var attempt: Int
    public var retryAt: Date

    public init(key: OccurrenceKey, attempt: Int, retryAt: Date) {
        self.key = key
        self.attempt = attempt
        self.retryAt = retryAt
    }
}

/// Where one publish target of a post stands: `processing`, `published`, a failure outcome, or `cancelled`.
public struct Publication: Sendable, Hashable, Codable {
    public var target: String
    public var state: String
    public var at: Date
    public var url: String?
    public var status: Int?
    public var message: String?
    /// The occurrence this state belongs to, so a recurring post's targets are judged per occurrence.
    public var scheduledAt: Date?

    public init(target: String, state: String, at: Date, url: String? = nil, status: Int? = nil, message: String? = nil,
                scheduledAt: Date? = nil) {
        self.target = target
        self.state = state
        self.at = at
        self.url = url
        self.status = status
        self.message = message
        self.scheduledAt = scheduledAt
    }
}

/// Lifetime counters of a job; unlike `history` they survive retention.
public struct JobStats: Sendable, Hashable, Codable {
    /// Executions with outcome `success`.
    public var successCount = 0
    /// Executions with any other outcome (failure, timeout, partial, killed, error, interrupted).
    public var failureCount = 0
    public var lastSuccess: Date?
    public var lastFailure: Date?

    public init() {}
}

/// Everything the journal knows about one job, post or scan.
public struct JobState: Sendable, Hashable, Codable {
    /// The desired version; nil before the first `applied` and after `removed`.
    public var applied: AppliedVersion?
    public var removed = false
    public var paused = false
    /// The latest scheduled time that was queued, started, skipped or cancelled; catch-up starts after it.
    public var lastOccurrence: Date?
    /// The next fire time the runner announced with a `scheduled` event.
    public var nextScheduled: Date?
    /// Occurrences queued (e.g. waiting for a concurrency slot), oldest first.
    public var queued: [OccurrenceKey] = []
    /// Started and not finished, in start order.
    public var running: [Execution] = []
    /// Finished executions, oldest first; compaction's retention trims it.
    public var history: [Execution] = []
    public var pendingRetry: PendingRetry?
    /// Last synced commit of a scan.
    public var lastSync: String?
    /// Publish targets of a post, by target name.
    public var publications: [String: Publication] = [:]
    public var stats = JobStats()

    public init() {}

    /// Mean duration over `history`, in milliseconds.
    public var averageDurationMs: Int? {
        let durations = history.compactMap(\.durationMs)
        guard !durations.isEmpty else { return nil }
        return durations.reduce(0, +) / durations.count
    }

    /// 95th percentile (nearest rank) of durations over `history`, in milliseconds.
    public var p95DurationMs: Int? {
        let durations = history.compactMap(\.durationMs).sorted()
        guard !durations.isEmpty else { return nil }
        let rank = Int((0.95 * Double(durations.count)).rounded(.up))
        return durations[max(0, min(durations.count - 1, rank - 1))]
    }

    /// Whether this (occurrence, attempt) was started, so it must not be started again.
    public func isClaimed(_ key: OccurrenceKey, attempt: Int) -> Bool {
        running.contains { $0.key == key && $0.attempt == attempt }
            || history.contains { $0.key == key && $0.attempt == attempt }
    }
}

import Foundation

/// The job version that is currently desired, from the last `applied` event.
package struct AppliedVersion: Sendable, Hashable, Codable {
    package var hash: String
    package var revision: String?
    /// Field name → canonical text (secret-free), as the reconciler diffs them.
    ///
    /// Stored packed (one string, not a dictionary): the state holds one per job.
    package var fields: [String: String] {
        get { packedFields.dictionary }
        set { packedFields = PackedFields(newValue) }
    }
    var packedFields: PackedFields
    package var source: String?
    /// `job`, `post` or `scan`.
    package var kind: String
    package var enabled: Bool
    package var at: Date

    package init(hash: String, revision: String? = nil, fields: [String: String] = [:], source: String? = nil,
                kind: String = "job", enabled: Bool = true, at: Date) {
        self.hash = hash
        self.revision = revision
        self.packedFields = PackedFields(fields)
        self.source = source
        self.kind = kind
        self.enabled = enabled
        self.at = at
    }

    /// One field's canonical text, without building the dictionary.
    package func field(_ name: String) -> String? { packedFields.value(of: name) }

    enum CodingKeys: String, CodingKey {
        case hash, revision, fields, source, kind, enabled, at
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(hash: try c.decode(String.self, forKey: .hash), revision: try c.decodeIfPresent(String.self, forKey: .revision),
                  fields: try c.decode([String: String].self, forKey: .fields),
                  source: try c.decodeIfPresent(String.self, forKey: .source), kind: try c.decode(String.self, forKey: .kind),
                  enabled: try c.decode(Bool.self, forKey: .enabled), at: try c.decode(Date.self, forKey: .at))
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hash, forKey: .hash)
        try c.encodeIfPresent(revision, forKey: .revision)
        try c.encode(fields, forKey: .fields)
        try c.encodeIfPresent(source, forKey: .source)
        try c.encode(kind, forKey: .kind)
        try c.encode(enabled, forKey: .enabled)
        try c.encode(at, forKey: .at)
    }
}

/// A retry that is due: which occurrence, which attempt it will be, and when.
package struct PendingRetry: Sendable, Hashable, Codable {
    package var key: OccurrenceKey
    package var attempt: Int
    package var retryAt: Date

    package init(key: OccurrenceKey, attempt: Int, retryAt: Date) {
        self.key = key
        self.attempt = attempt
        self.retryAt = retryAt
    }
}

/// Where one publish target of a post stands: `processing`, `published`, a failure outcome, or `cancelled`.
package struct Publication: Sendable, Hashable, Codable {
    package var target: String
    package var state: PublicationState
    package var at: Date
    package var url: String?
    package var status: Int?
    package var message: String?
    /// The occurrence this state belongs to, so a recurring post's targets are judged per occurrence.
    package var scheduledAt: Date?

    package init(target: String, state: PublicationState, at: Date, url: String? = nil, status: Int? = nil, message: String? = nil,
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
///
/// They count attempts, and only grow, so `/metrics` can expose them as Prometheus counters;
/// what a person reads per occurrence (a failure retried to success is one success) is
/// derived from `history` by `JobStatus`.
package struct JobStats: Sendable, Hashable, Codable {
    /// Attempts with outcome `success` or `partial`.
    package var successCount = 0
    /// Attempts with any other outcome but `skipped` (failure, timeout, killed, error, interrupted).
    package var failureCount = 0
    package var lastSuccess: Date?
    package var lastFailure: Date?
    /// Finished attempts by outcome (`success`, `failure`, `timeout`, …): the runner's own
    /// small vocabulary, so the keys stay bounded.
    package var outcomes: [String: Int] = [:]
    /// Finished attempts that were retries (attempt 2 and later).
    package var retries = 0
    /// When the latest attempt finished, how it ended and how long it took.
    package var lastFinished: Date?
    package var lastOutcome: Outcome?
    package var lastDurationMs: Int?

    package init() {}

    enum CodingKeys: String, CodingKey {
        case successCount, failureCount, lastSuccess, lastFailure, outcomes, retries, lastFinished, lastOutcome, lastDurationMs
    }

    /// Snapshots written before the per-outcome counts lack them: they start empty.
    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        successCount = try c.decode(Int.self, forKey: .successCount)
        failureCount = try c.decode(Int.self, forKey: .failureCount)
        lastSuccess = try c.decodeIfPresent(Date.self, forKey: .lastSuccess)
        lastFailure = try c.decodeIfPresent(Date.self, forKey: .lastFailure)
        outcomes = try c.decodeIfPresent([String: Int].self, forKey: .outcomes) ?? [:]
        retries = try c.decodeIfPresent(Int.self, forKey: .retries) ?? 0
        lastFinished = try c.decodeIfPresent(Date.self, forKey: .lastFinished)
        lastOutcome = try c.decodeIfPresent(Outcome.self, forKey: .lastOutcome)
        lastDurationMs = try c.decodeIfPresent(Int.self, forKey: .lastDurationMs)
    }

    /// Counts one finished attempt.
    mutating func count(_ execution: Execution, at end: Date) {
        let outcome = execution.metrics.outcome ?? Outcome(rawValue: "unknown")
        if outcome.succeeded {
            successCount += 1
            lastSuccess = end
        } else if outcome != .skipped {
            // A skip (a scan without activity) is neither a success nor a failure.
            failureCount += 1
            lastFailure = end
        }
        outcomes[outcome.rawValue, default: 0] += 1
        if execution.attempt > 1 { retries += 1 }
        lastFinished = end
        lastOutcome = outcome
        lastDurationMs = execution.metrics.durationMs
    }
}

/// Everything the journal knows about one job, post or scan.
package struct JobState: Sendable, Hashable, Codable {
    /// The desired version; nil before the first `applied` and after `removed`.
    package var applied: AppliedVersion? {
        get { storage.values.applied }
        _modify { makeUnique(); yield &storage.values.applied }
    }

    package var removed: Bool {
        get { storage.values.removed }
        _modify { makeUnique(); yield &storage.values.removed }
    }

    /// Paused through the API (a journaled override), until resumed or the definition changes.
    package var paused: Bool {
        get { storage.values.paused }
        _modify { makeUnique(); yield &storage.values.paused }
    }

    /// The content hash of the version that was paused: a different hash in the files ends the pause.
    package var pausedHash: String? {
        get { storage.values.pausedHash }
        _modify { makeUnique(); yield &storage.values.pausedHash }
    }

    /// The latest scheduled time that was queued, started, skipped or cancelled; catch-up starts after it.
    package var lastOccurrence: Date? {
        get { storage.values.lastOccurrence }
        _modify { makeUnique(); yield &storage.values.lastOccurrence }
    }

    /// The next fire time the runner announced with a `scheduled` event.
    package var nextScheduled: Date? {
        get { storage.values.nextScheduled }
        _modify { makeUnique(); yield &storage.values.nextScheduled }
    }

    /// Occurrences queued (e.g. waiting for a concurrency slot), oldest first.
    package var queued: [OccurrenceKey] {
        get { storage.values.queued }
        _modify { makeUnique(); yield &storage.values.queued }
    }

    /// Started and not finished, in start order.
    package var running: [Execution] {
        get { storage.values.running }
        _modify { makeUnique(); yield &storage.values.running }
    }

    /// Finished executions, oldest first; compaction's retention trims it.
    package var history: [Execution] {
        get { storage.values.history }
        _modify { makeUnique(); yield &storage.values.history }
    }

    package var pendingRetry: PendingRetry? {
        get { storage.values.pendingRetry }
        _modify { makeUnique(); yield &storage.values.pendingRetry }
    }

    /// Last synced commit of a scan.
    package var lastSync: String? {
        get { storage.values.lastSync }
        _modify { makeUnique(); yield &storage.values.lastSync }
    }

    /// Publish targets of a post, by target name.
    package var publications: [String: Publication] {
        get { storage.values.publications }
        _modify { makeUnique(); yield &storage.values.publications }
    }

    /// Engagement numbers of a post, per (occurrence, target), oldest first; kept by
    /// retention (at most `maxPerJob` per post) when history is trimmed or the file is gone.
    package var engagement: [PostEngagement] {
        get { storage.values.engagement ?? [] }
        _modify {
            makeUnique()
            var entries = storage.values.engagement ?? []
            defer { storage.values.engagement = entries.isEmpty ? nil : entries }
            yield &entries
        }
    }

    package var stats: JobStats {
        get { storage.values.stats }
        _modify { makeUnique(); yield &storage.values.stats }
    }

    var storage = Storage(Values())

    package init() {}

    /// Copies the storage before a write when another `JobState` shares it.
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.values) }
    }

    package static func == (lhs: JobState, rhs: JobState) -> Bool {
        lhs.storage === rhs.storage || lhs.storage.values == rhs.storage.values
    }

    package func hash(into hasher: inout Hasher) {
        storage.values.hash(into: &hasher)
    }

    package init(from decoder: any Decoder) throws {
        storage = Storage(try Values(from: decoder))
    }

    package func encode(to encoder: any Encoder) throws {
        try storage.values.encode(to: encoder)
    }

    /// Mean duration over `history`, in milliseconds.
    package var averageDurationMs: Int? {
        let durations = history.compactMap(\.metrics.durationMs)
        guard !durations.isEmpty else { return nil }
        return durations.reduce(0, +) / durations.count
    }

    /// 95th percentile (nearest rank) of durations over `history`, in milliseconds.
    package var p95DurationMs: Int? {
        let durations = history.compactMap(\.metrics.durationMs).sorted()
        guard !durations.isEmpty else { return nil }
        let rank = Int((0.95 * Double(durations.count)).rounded(.up))
        return durations[max(0, min(durations.count - 1, rank - 1))]
    }

    /// Whether this (occurrence, attempt) was started, so it must not be started again.
    package func isClaimed(_ key: OccurrenceKey, attempt: Int) -> Bool {
        running.contains { $0.key == key && $0.attempt == attempt }
            || history.contains { $0.key == key && $0.attempt == attempt }
    }
}

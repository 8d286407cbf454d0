import Foundation

/// One run of one occurrence (one attempt): started, and finished once `finishedAt` is set.
package struct Execution: Sendable, Hashable {
    package var key: OccurrenceKey
    package var attempt: Int
    package var triggeredBy: Cause?
    package var startedAt: Date
    package var finishedAt: Date?
    /// What the end measured; `lateUs` and `pid` are known from the start. The lateness is
    /// from the planned instant (the scheduled time plus the job's jitter, or a retry's own due
    /// time) to the launch: the `started` event gives a first figure, `finished` the exact one.
    package var metrics: ExecutionMetrics
    package var message: String?
    /// The cluster runner that claimed it (`host:pid:nonce`); nil on a runner of its own.
    package var runner: String?

    package init(key: OccurrenceKey, attempt: Int, triggeredBy: Cause? = nil, startedAt: Date, pid: Int? = nil, runner: String? = nil) {
        self.key = key
        self.attempt = attempt
        self.triggeredBy = triggeredBy
        self.startedAt = startedAt
        self.metrics = ExecutionMetrics(pid: pid)
        self.runner = runner
    }

    /// How late the attempt started, in whole milliseconds: from the journaled lateness when
    /// there is one, so neither the jitter nor a retry's delay counts as late; else (attempts
    /// journaled before lateness was) from the scheduled time to the recorded start.
    package var lateMs: Int {
        if let lateUs = metrics.lateUs { return max(0, lateUs / 1000) }
        return max(0, Int((startedAt.timeIntervalSince(key.scheduledAt) * 1000).rounded()))
    }

    /// Fills in what a `finished` or `interrupted` record reports; what it leaves out of the
    /// start's figures (lateness, log, pid) stays.
    mutating func finish(with record: JournalRecord.Finished, at end: Date, interrupted: Bool) {
        var ended = record.metrics
        ended.outcome = ended.outcome ?? (interrupted ? .interrupted : nil)
        ended.durationMs = ended.durationMs ?? Int(end.timeIntervalSince(startedAt) * 1000)
        ended.lateUs = ended.lateUs ?? metrics.lateUs
        ended.logPath = ended.logPath ?? metrics.logPath
        ended.pid = ended.pid ?? metrics.pid
        metrics = ended
        finishedAt = end
        message = record.message
    }
}

extension Execution: Codable {
    /// The snapshot's form: the metrics flat beside the execution's own keys, as before they
    /// were a struct of their own.
    enum CodingKeys: String, CodingKey {
        case key, attempt, triggeredBy, startedAt, finishedAt, message, runner
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decode(OccurrenceKey.self, forKey: .key)
        attempt = try c.decode(Int.self, forKey: .attempt)
        triggeredBy = try c.decodeIfPresent(Cause.self, forKey: .triggeredBy)
        startedAt = try c.decode(Date.self, forKey: .startedAt)
        finishedAt = try c.decodeIfPresent(Date.self, forKey: .finishedAt)
        message = try c.decodeIfPresent(String.self, forKey: .message)
        runner = try c.decodeIfPresent(String.self, forKey: .runner)
        metrics = try ExecutionMetrics(from: decoder)
    }

    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(attempt, forKey: .attempt)
        try c.encodeIfPresent(triggeredBy, forKey: .triggeredBy)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encodeIfPresent(finishedAt, forKey: .finishedAt)
        try c.encodeIfPresent(message, forKey: .message)
        try c.encodeIfPresent(runner, forKey: .runner)
        try metrics.encode(to: encoder)
    }
}

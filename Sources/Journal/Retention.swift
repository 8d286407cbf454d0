import Foundation

/// How much execution history compaction keeps: by age and by count per job.
public struct Retention: Sendable, Hashable {
    /// Executions that finished longer ago than this (relative to `now`) are dropped.
    public var keep: Duration = .seconds(30 * 86_400)
    /// At most this many executions are kept per job (the newest).
    public var maxPerJob: Int = 1000

    public init(keep: Duration = .seconds(30 * 86_400), maxPerJob: Int = 1000) {
        self.keep = keep
        self.maxPerJob = maxPerJob
    }
}

extension JournalState {
    /// Drops old history per `retention`, and removed jobs with nothing left to show.
    ///
    /// Lifetime stats, running executions, pending retries and `lastOccurrence` are kept, so
    /// nothing that decides what runs next is lost; only what `history` lists shrinks.
    public mutating func applyRetention(_ retention: Retention, now: Date) {
        let seconds = Double(retention.keep.components.seconds)
            + Double(retention.keep.components.attoseconds) / 1e18
        let cutoff = now.addingTimeInterval(-seconds)
        for name in Array(jobs.keys) {
            guard var job = jobs[name] else { continue }
            job.history.removeAll { ($0.finishedAt ?? $0.startedAt) < cutoff }
            let excess = job.history.count - max(0, retention.maxPerJob)
            if excess > 0 { job.history.removeFirst(excess) }
            if job.removed, job.history.isEmpty, job.running.isEmpty, job.queued.isEmpty {
                jobs[name] = nil
            } else {
                jobs[name] = job
            }
        }
    }
}

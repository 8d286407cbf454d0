import Foundation

/// How much execution history compaction keeps: by age and by count per job.
package struct Retention: Sendable, Hashable {
    /// Executions that finished longer ago than this (relative to `now`) are dropped.
    package var keep: Duration = .seconds(30 * 86_400)
    /// At most this many executions are kept per job (the newest).
    package var maxPerJob: Int = 1000

    package init(keep: Duration = .seconds(30 * 86_400), maxPerJob: Int = 1000) {
        self.keep = keep
        self.maxPerJob = maxPerJob
    }
}

extension JournalState {
    /// Drops old history per `retention`, and removed jobs with nothing left to show.
    ///
    /// Lifetime stats, running executions, pending retries and `lastOccurrence` are kept, so
    /// nothing that decides what runs next is lost; only what `history` lists shrinks.
    /// Returns the log files of the dropped executions that no kept execution names, for the
    /// caller to delete once the smaller state is durable (`FileJournal.compact`).
    @discardableResult
    package mutating func applyRetention(_ retention: Retention, now: Date) -> Set<String> {
        let seconds = Double(retention.keep.components.seconds)
            + Double(retention.keep.components.attoseconds) / 1e18
        let cutoff = now.addingTimeInterval(-seconds)
        var dropped = Set<String>()
        var kept = Set<String>()
        for name in Array(jobs.keys) {
            guard var job = jobs[name] else { continue }
            var old: [Execution] = []
            job.history.removeAll { execution in
                let expired = (execution.finishedAt ?? execution.startedAt) < cutoff
                if expired { old.append(execution) }
                return expired
            }
            let excess = job.history.count - max(0, retention.maxPerJob)
            if excess > 0 {
                old += job.history.prefix(excess)
                job.history.removeFirst(excess)
            }
            // Engagement is what `posts suggest` learns from: kept past the age cutoff, capped by count.
            if job.engagement.count > max(0, retention.maxPerJob) {
                job.engagement.removeFirst(job.engagement.count - max(0, retention.maxPerJob))
            }
            dropped.formUnion(old.compactMap(\.metrics.logPath))
            kept.formUnion(job.history.compactMap(\.metrics.logPath))
            kept.formUnion(job.running.compactMap(\.metrics.logPath))
            if job.removed, job.history.isEmpty, job.running.isEmpty, job.queued.isEmpty, job.engagement.isEmpty {
                jobs[name] = nil
            } else {
                jobs[name] = job
            }
        }
        return dropped.subtracting(kept)
    }
}

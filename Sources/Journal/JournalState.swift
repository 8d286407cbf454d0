import Foundation

/// The state the journal's events add up to; `apply(_:)` is the one reducer.
///
/// Replay folds every line through `apply`, and a live writer applies each event once it is
/// durable, so the state in memory always equals what a replay of the file would build.
package struct JournalState: Sendable, Hashable, Codable {
    package var jobs: [String: JobState] = [:]
    /// The highest `seq` applied so far.
    package var lastSeq: UInt64 = 0
    /// `triggered` events (manual runs) not yet picked up, oldest first.
    package var pendingTriggers: [JournalEvent] = []
    /// The latest diagnostics (manifest problems) the runner reported.
    package var diagnostics: [String] = []
    package var runnerStartedAt: Date?
    package var runnerStoppedAt: Date?
    package var runnerPid: Int?

    package init() {}

    /// Folds one event into the state; unknown jobs are created on first mention.
    package mutating func apply(_ event: JournalEvent) {
        switch event.type {
        case .snapshot:
            if let snapshot = event.snapshot { self = snapshot }
        case .diagnostics:
            diagnostics = event.messages ?? event.message.map { [$0] } ?? []
        case .triggered:
            pendingTriggers.append(event)
        case .runnerStarted:
            runnerStartedAt = event.at
            runnerStoppedAt = nil
            runnerPid = event.pid
        case .runnerStopped:
            runnerStoppedAt = event.at
        default:
            guard let job = event.job else { break }
            jobs[job, default: JobState()].apply(event)
            if event.type == .removed {
                // A removed job owes no `after:` runs; re-adding its file starts it afresh.
                pendingTriggers.removeAll { $0.job == job && $0.isAfterTrigger }
            } else if [.started, .skipped, .cancelled].contains(event.type), let index = pendingTriggerIndex(for: event) {
                pendingTriggers.remove(at: index)
            }
        }
        lastSeq = max(lastSeq, event.seq)
    }

    /// The pending trigger `event` settles: a manual run's oldest for the job, an `after:`
    /// run's by its exact occurrence (a restart runs the `after:` runs left pending).
    private func pendingTriggerIndex(for event: JournalEvent) -> Int? {
        // Never an owed `after:` run: a manual run does not settle what a success owed.
        if event.triggeredBy == "manual" { return pendingTriggers.firstIndex { $0.job == event.job && !$0.isAfterTrigger } }
        guard event.isAfterTrigger, let key = event.key else { return nil }
        return pendingTriggers.firstIndex { $0.key == key && $0.triggeredBy == event.triggeredBy }
    }

    /// Whether (occurrence, attempt) was already started (derived from running and history).
    package func isClaimed(_ key: OccurrenceKey, attempt: Int) -> Bool {
        jobs[key.job]?.isClaimed(key, attempt: attempt) ?? false
    }

    /// Every started (occurrence, attempt) still in the state: the file backend's claim index.
    var claims: Set<Claim> {
        var claims = Set<Claim>()
        for job in jobs.values {
            for execution in job.running { claims.insert(Claim(key: execution.key, attempt: execution.attempt)) }
            for execution in job.history { claims.insert(Claim(key: execution.key, attempt: execution.attempt)) }
        }
        return claims
    }
}

extension JobState {
    /// One job's part of the reducer.
    mutating func apply(_ event: JournalEvent) {
        // One access to the boxed storage per event, not one per field touched.
        withValues { $0.apply(event) }
    }
}

extension JobState.Values {
    mutating func apply(_ event: JournalEvent) {
        switch event.type {
        case .applied:
            applied = AppliedVersion(
                hash: event.hash ?? "", revision: event.revision, fields: event.fields ?? [:],
                source: event.source, kind: event.kind ?? "job", enabled: event.enabled ?? true, at: event.at)
            removed = false
        case .removed:
            applied = nil
            removed = true
            // A removed job's pause ends with it: re-adding the file starts it afresh.
            paused = false
            pausedHash = nil
            pendingRetry = nil
            queued.removeAll()
        case .scheduled:
            nextScheduled = event.scheduledAt
        case .queued:
            if let key = event.key, !queued.contains(key) { queued.append(key) }
            advanceOccurrence(event)
        case .started:
            guard let key = event.key else { break }
            if pendingRetry?.key == key { pendingRetry = nil }
            var execution = Execution(key: key, attempt: event.attempt ?? 1, triggeredBy: event.triggeredBy,
                                      startedAt: event.at, pid: event.pid)
            execution.lateUs = event.lateUs
            running.append(consume execution)
            dequeue(event)
        case .finished, .interrupted:
            // A post target's end (it carries `target`) updates that target only; the post's
            // own attempt ends with its own `finished` event.
            if let target = event.target {
                publish(event, target: target, state: event.outcome ?? "failure")
            } else {
                finish(event)
            }
        case .retry:
            if let key = event.key, let retryAt = event.retryAt {
                pendingRetry = PendingRetry(key: key, attempt: event.attempt ?? 2, retryAt: retryAt)
            }
        case .skipped:
            dequeue(event)
        case .cancelled:
            if let key = event.key, pendingRetry?.key == key { pendingRetry = nil }
            dequeue(event)
            if let target = event.target { publish(event, target: target, state: "cancelled") }
        case .processing:
            publish(event, target: event.target ?? "", state: "processing")
        case .published:
            publish(event, target: event.target ?? "", state: "published")
        case .synced:
            lastSync = event.commit ?? lastSync
        case .paused:
            paused = true
            // Journals written before pauses carried a hash paused the version then applied.
            pausedHash = event.hash ?? applied?.hash
        case .resumed:
            paused = false
            pausedHash = nil
        case .diagnostics, .triggered, .notified, .runnerStarted, .runnerStopped, .snapshot:
            break
        }
    }

    private mutating func advanceOccurrence(_ event: JournalEvent) {
        guard let scheduledAt = event.scheduledAt else { return }
        lastOccurrence = max(lastOccurrence ?? scheduledAt, scheduledAt)
    }

    private mutating func dequeue(_ event: JournalEvent) {
        advanceOccurrence(event)
        if let key = event.key, let index = queued.firstIndex(of: key) { queued.remove(at: index) }
    }

    /// Moves the matching running execution (by key and attempt, else the oldest) to history.
    private mutating func finish(_ event: JournalEvent) {
        let index = running.firstIndex { execution in
            (event.scheduledAt == nil || execution.key.scheduledAt == event.scheduledAt)
                && (event.attempt == nil || execution.attempt == event.attempt)
        }
        if let index {
            history.append(running.remove(at: index))
        } else {
            guard let key = event.key else { return }  // nothing to attach a keyless finish to
            let started = event.at.addingTimeInterval(-Double(event.durationMs ?? 0) / 1000)
            history.append(Execution(key: key, attempt: event.attempt ?? 1, triggeredBy: event.triggeredBy,
                                     startedAt: started, pid: event.pid))
        }
        // Finished in place: the execution (~300 bytes) is moved, never copied.
        let last = history.count - 1
        history[last].finish(with: event)
        stats.count(history[last], at: event.at)
    }

    private mutating func publish(_ event: JournalEvent, target: String, state: String) {
        publications[target] = Publication(target: target, state: state, at: event.at, url: event.url,
                                           status: event.status, message: event.message, scheduledAt: event.scheduledAt)
    }
}

import Foundation

/// The state the journal's events add up to; `apply(_:)` is the one reducer.
///
/// Replay folds every line through `apply`, and a live writer applies each event once it is
/// durable, so the state in memory always equals what a replay of the file would build.
package struct JournalState: Sendable, Hashable, Codable {
    package var jobs: [String: JobState] = [:]
    /// The highest `seq` applied so far.
    package var lastSeq: UInt64 = 0
    /// `triggered` events (manual and `after:` runs) not yet picked up, oldest first.
    package var pendingTriggers: [JournalEvent] = []
    /// The latest diagnostics (manifest problems) the runner reported.
    package var diagnostics: [String] = []
    package var runnerStartedAt: Date?
    package var runnerStoppedAt: Date?
    package var runnerPid: Int?

    package init() {}

    /// Folds one event into the state; unknown jobs are created on first mention.
    package mutating func apply(_ event: JournalEvent) {
        switch event.record {
        case .snapshot(let snapshot):
            self = snapshot
        case .diagnostics(let d):
            diagnostics = d.messages ?? d.message.map { [$0] } ?? []
        case .triggered:
            pendingTriggers.append(event)
        case .runnerStarted(let life):
            runnerStartedAt = event.at
            runnerStoppedAt = nil
            runnerPid = life.pid
        case .runnerStopped:
            runnerStoppedAt = event.at
        default:
            guard let job = event.job else { break }
            jobs[job, default: JobState()].apply(event)
            switch event.record {
            case .removed:
                // A removed job owes no `after:` runs; re-adding its file starts it afresh.
                pendingTriggers.removeAll { $0.job == job && $0.isAfterTrigger }
            case .started, .skipped, .cancelled:
                if let index = pendingTriggerIndex(for: event) { pendingTriggers.remove(at: index) }
            default:
                break
            }
        }
        lastSeq = max(lastSeq, event.seq)
    }

    /// The pending trigger `event` settles: a manual run's oldest for the job, an `after:`
    /// run's by its exact occurrence (a restart runs the `after:` runs left pending).
    private func pendingTriggerIndex(for event: JournalEvent) -> Int? {
        guard !pendingTriggers.isEmpty else { return nil }  // almost always, and the checks below read the record thrice
        // Never an owed `after:` run: a manual run does not settle what a success owed.
        if event.triggeredBy == .manual { return pendingTriggers.firstIndex { $0.job == event.job && !$0.isAfterTrigger } }
        guard event.isAfterTrigger, let key = event.key else { return nil }
        return pendingTriggers.firstIndex { $0.key == key && $0.triggeredBy == event.triggeredBy }
    }

    /// Whether (occurrence, attempt) was already started (derived from running and history).
    package func isClaimed(_ key: OccurrenceKey, attempt: Int) -> Bool {
        jobs[key.job]?.isClaimed(key, attempt: attempt) ?? false
    }

    /// Every started (occurrence, attempt) still in the state: the file backend's claim index,
    /// and the claim rows a journal imported into PostgreSQL starts with.
    package var claims: Set<Claim> {
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
        // One access to the boxed storage per event, not one per field touched; directly, not
        // through a closure, which took a copy of the event (about 300 bytes and its strings).
        makeUnique()
        storage.values.apply(event)
    }
}

extension JobState.Values {
    mutating func apply(_ event: JournalEvent) {
        switch event.record {
        case .applied(let a):
            applied = AppliedVersion(
                hash: a.hash ?? "", revision: a.revision, fields: a.fields ?? [:],
                source: a.source, kind: a.kind ?? "job", enabled: a.enabled ?? true, at: event.at)
            removed = false
        case .removed:
            applied = nil
            removed = true
            // A removed job's pause ends with it: re-adding the file starts it afresh.
            paused = false
            pausedHash = nil
            pendingRetry = nil
            queued.removeAll()
        case .scheduled(let s):
            nextScheduled = s.scheduledAt
        case .queued(let q):
            if let key = q.key, !queued.contains(key) { queued.append(key) }
            advanceOccurrence(q.scheduledAt)
        case .started(let s):
            guard let key = s.key else { break }
            if pendingRetry?.key == key { pendingRetry = nil }
            var execution = Execution(key: key, attempt: s.attempt ?? 1, triggeredBy: s.triggeredBy,
                                      startedAt: event.at, pid: s.pid, runner: s.runner)
            execution.metrics.lateUs = s.lateUs
            running.append(consume execution)
            dequeue(s)
        case .finished(let f), .interrupted(let f):
            // A post target's end (it carries `target`) updates that target only; the post's
            // own attempt ends with its own `finished` event.
            if let target = f.target {
                publish(at: event.at, target: target, state: PublicationState(rawValue: (f.metrics.outcome ?? .failure).rawValue),
                        url: f.url, status: f.status, message: f.message, scheduledAt: f.scheduledAt)
            } else {
                finish(f, at: event.at, interrupted: event.type == .interrupted)
            }
        case .retry(let r):
            if let key = r.key, let retryAt = r.retryAt {
                pendingRetry = PendingRetry(key: key, attempt: r.attempt ?? 2, retryAt: retryAt)
            }
        case .skipped(let s):
            dequeue(s)
        case .cancelled(let c):
            if let key = c.key, pendingRetry?.key == key { pendingRetry = nil }
            dequeue(c)
            if let target = c.target {
                publish(at: event.at, target: target, state: .cancelled, message: c.message, scheduledAt: c.scheduledAt)
            }
        case .processing(let p):
            publish(at: event.at, target: p.target, state: .processing, url: p.url, status: p.status, message: p.message,
                    scheduledAt: p.scheduledAt)
        case .published(let p):
            publish(at: event.at, target: p.target, state: .published, url: p.url, status: p.status, message: p.message,
                    scheduledAt: p.scheduledAt)
        case .synced(let s):
            lastSync = s.commit ?? lastSync
        case .engagement(let e):
            var entries = engagement ?? []
            entries.record(e, at: event.at)
            engagement = entries
        case .paused(let p):
            paused = true
            // Journals written before pauses carried a hash paused the version then applied.
            pausedHash = p.hash ?? applied?.hash
        case .resumed:
            paused = false
            pausedHash = nil
        case .diagnostics, .triggered, .notified, .runnerStarted, .runnerStopped, .snapshot:
            break
        }
    }

    private mutating func advanceOccurrence(_ scheduledAt: Date?) {
        guard let scheduledAt else { return }
        lastOccurrence = max(lastOccurrence ?? scheduledAt, scheduledAt)
    }

    private mutating func dequeue(_ record: some JobRecord) {
        advanceOccurrence(record.scheduledAt)
        if let key = record.key, let index = queued.firstIndex(of: key) { queued.remove(at: index) }
    }

    /// Moves the matching running execution (by key and attempt, else the oldest) to history.
    private mutating func finish(_ f: JournalRecord.Finished, at: Date, interrupted: Bool) {
        let index = running.firstIndex { execution in
            (f.scheduledAt == nil || execution.key.scheduledAt == f.scheduledAt)
                && (f.attempt == nil || execution.attempt == f.attempt)
        }
        var execution: Execution
        if let index {
            execution = running.remove(at: index)
        } else {
            guard let key = f.key else { return }  // nothing to attach a keyless finish to
            let started = at.addingTimeInterval(-Double(f.metrics.durationMs ?? 0) / 1000)
            execution = Execution(key: key, attempt: f.attempt ?? 1, triggeredBy: f.triggeredBy, startedAt: started,
                                  pid: f.metrics.pid)
        }
        // Finished and counted in a local, then moved into the history: the execution (~300
        // bytes and its strings) is never copied.
        execution.finish(with: f, at: at, interrupted: interrupted)
        stats.count(execution, at: at)
        history.append(consume execution)
    }

    private mutating func publish(at: Date, target: String, state: PublicationState, url: String? = nil, status: Int? = nil,
                                  message: String?, scheduledAt: Date?) {
        publications[target] = Publication(target: target, state: state, at: at, url: url, status: status, message: message,
                                           scheduledAt: scheduledAt)
    }
}

import Foundation
import Journal
import Manifest

/// What an override request came to, for the API to turn into a status code.
package enum OverrideResult: Sendable, Equatable {
    /// Journaled and in force.
    case done
    /// Already in the requested state; nothing was journaled.
    case unchanged
    /// No loaded job or post by that name.
    case notFound
    /// The request does not apply (e.g. cancelling a post that already fired); the text says why.
    case conflict(String)
}

extension Runner {
    /// The loaded specs, sorted by name: what the API and dashboard describe (as of the last
    /// reconcile, read without queueing on the runner's thread).
    package nonisolated func specs() -> [JobSpec] {
        published.withLock { $0.specs }
    }

    /// The loaded spec called `name`, if any.
    package func spec(named name: String) -> JobSpec? { jobs[name] }

    /// The journal's replayed state (the same the runner decides from), asked of the journal
    /// directly: no hop through the runner's thread.
    package nonisolated func journalState() async -> JournalState { await journal.state() }

    /// Stops scheduling `name` until `resume(_:)` or until the files bring a different version
    /// of it: journals `paused` with the paused version's content hash, and its queued scheduled
    /// fires go stale. A running attempt finishes; manual triggers still run.
    package func pause(_ name: String, by who: String = "api") async -> OverrideResult {
        guard let job = jobs[name] else { return .notFound }
        if overrides.contains(name) { return .unchanged }
        overrides.paused[name] = job.contentHash
        generations[name, default: 0] += 1
        await record([JournalEvent(at: clock.now(), .paused(.init(job: name, triggeredBy: Cause(rawValue: who), hash: job.contentHash)))])
        return .done
    }

    /// Schedules `name` again from now: journals `resumed`.
    package func resume(_ name: String, by who: String = "api") async -> OverrideResult {
        await endPause(name, by: who, reason: nil)
    }

    /// Ends a pause: occurrences that fell in it are journaled as one `skipped: paused` record,
    /// so catch-up does not run them later, then `resumed` (with `reason` when the files, not a
    /// person, ended it) and the job is scheduled from now.
    func endPause(_ name: String, by who: String, reason: String?) async -> OverrideResult {
        guard let job = jobs[name] else { return .notFound }
        guard overrides.paused[name] != nil else { return .unchanged }
        let now = clock.now()
        overrides.paused[name] = nil
        var events: [JournalEvent] = []
        if case .cron(let schedule) = job.trigger, let last = schedule.previous(before: now),
           let since = await journal.state().jobs[name]?.lastOccurrence, last > since {
            events.append(JournalEvent(at: now, .skipped(.init(
                job: name, scheduledAt: last, attempt: 1, reason: .paused,
                message: "occurrences up to this one fell while the job was paused"))))
        }
        var resumed = JournalRecord.Override(job: name, triggeredBy: Cause(rawValue: who))
        if let reason {
            resumed.reason = reason
            resumed.hash = job.contentHash
            resumed.message = "the definition changed since the pause; the files win"
        }
        events.append(JournalEvent(at: now, .resumed(resumed)))
        await record(events)
        if started { reschedule(job, after: now) }
        poke()
        return .done
    }

    /// Cancels the pending occurrence of the one-shot post `name`: journals `cancelled` for each
    /// target and never fires it. A post that already fired, or a recurring one, is a conflict.
    package func cancelPost(_ name: String, by who: String = "api") async -> OverrideResult {
        guard let post = jobs[name], post.kind == .post else { return .notFound }
        guard case .at(let date) = post.trigger else {
            return .conflict("\(name) is a recurring post; pause it instead")
        }
        if overrides.contains(name) || post.cancelled { return .unchanged }
        let key = OccurrenceKey(job: name, scheduledAt: date)
        if handled(key, in: await journal.state().jobs[name]) || running.keys.contains(where: { $0.key == key }) {
            return .conflict("\(name) already fired at \(Runner.utcText(date))")
        }
        overrides.cancelled[name] = date
        generations[name, default: 0] += 1
        let now = clock.now()
        let events = post.publish.indices.map { index -> JournalEvent in
            JournalEvent(at: now, .cancelled(.init(job: name, scheduledAt: key.scheduledAt, attempt: 1, triggeredBy: Cause(rawValue: who),
                                                   reason: .api, target: post.publish[index].journalName(index: index))))
        }
        await record(events)
        return .done
    }

    /// Rebuilds the overrides from the journal at start: paused jobs (with the hash they were
    /// paused at), and one-shot posts whose every target was cancelled for their occurrence.
    func restoreOverrides(from state: JournalState) {
        for (name, recorded) in state.jobs {
            if recorded.paused {
                // A pause journaled before any `applied` has no hash: it holds the version loaded now.
                guard let hash = recorded.pausedHash ?? jobs[name]?.contentHash else { continue }
                overrides.paused[name] = hash
            } else if let post = jobs[name], post.kind == .post, case .at(let date) = post.trigger {
                let targets = recorded.publications.values.filter { $0.scheduledAt == date }
                if !targets.isEmpty, targets.allSatisfy({ $0.state == .cancelled }) { overrides.cancelled[name] = date }
            }
        }
    }

    /// Ends the overrides the files have overtaken since: a paused job whose definition changed
    /// is resumed (journaled `resumed`, reason `files changed`); a cancelled post given a new
    /// time is scheduled for it. Called after every reconcile and at start, before catch-up.
    func liftOvertakenOverrides() async {
        let (paused, cancelled) = overrides.overtaken(by: jobs)
        for name in paused {
            _ = await endPause(name, by: "files", reason: "files changed")
        }
        for name in cancelled {
            guard let post = jobs[name], let old = overrides.cancelled.removeValue(forKey: name) else { continue }
            notify(.info("↺ \(name): the cancel of \(Runner.utcText(old)) ended: the files give the post a new time"))
            if started { reschedule(post, after: clock.now()) }
        }
        if !cancelled.isEmpty { poke() }
    }

    /// Whether `name` is paused (or a cancelled post) by an override.
    package func isOverridden(_ name: String) -> Bool { overrides.contains(name) }
}

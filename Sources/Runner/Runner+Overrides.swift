import Foundation
import Journal
import Manifest

/// What an override request came to, for the API to turn into a status code.
public enum OverrideResult: Sendable, Equatable {
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
    /// The loaded specs, sorted by name: what the API and dashboard describe.
    public func specs() -> [JobSpec] {
        jobs.values.sorted { $0.name < $1.name }
    }

    /// The loaded spec called `name`, if any.
    public func spec(named name: String) -> JobSpec? { jobs[name] }

    /// The journal's replayed state (the same the runner decides from).
    public func journalState() async -> JournalState { await journal.state() }

    /// Stops scheduling `name` until `resume(_:)`: journals `paused`, and its queued scheduled
    /// fires go stale. A running attempt finishes; manual triggers still run.
    public func pause(_ name: String, by who: String = "api") async -> OverrideResult {
        guard jobs[name] != nil else { return .notFound }
        if overridden.contains(name) { return .unchanged }
        overridden.insert(name)
        generations[name, default: 0] += 1
        var paused = event(.paused, job: name, at: clock.now())
        paused.triggeredBy = who
        await record([paused])
        return .done
    }

    /// Schedules `name` again from now: journals `resumed`. Occurrences that fell in the pause
    /// are journaled as one `skipped: paused` record, so catch-up does not run them later.
    public func resume(_ name: String, by who: String = "api") async -> OverrideResult {
        guard let job = jobs[name] else { return .notFound }
        guard overridden.contains(name) else { return .unchanged }
        let now = clock.now()
        overridden.remove(name)
        var events: [JournalEvent] = []
        if case .cron(let schedule) = job.trigger, let last = schedule.previous(before: now),
           let since = await journal.state().jobs[name]?.lastOccurrence, last > since {
            var skipped = event(.skipped, job: name, at: now, key: OccurrenceKey(job: name, scheduledAt: last), attempt: 1)
            skipped.reason = "paused"
            skipped.message = "occurrences up to this one fell while the job was paused"
            events.append(skipped)
        }
        var resumed = event(.resumed, job: name, at: now)
        resumed.triggeredBy = who
        events.append(resumed)
        await record(events)
        if started { reschedule(job, after: now) }
        poke()
        return .done
    }

    /// Cancels the pending occurrence of the one-shot post `name`: journals `cancelled` for each
    /// target and never fires it. A post that already fired, or a recurring one, is a conflict.
    public func cancelPost(_ name: String, by who: String = "api") async -> OverrideResult {
        guard let post = jobs[name], post.kind == .post else { return .notFound }
        guard case .at(let date) = post.trigger else {
            return .conflict("\(name) is a recurring post; pause it instead")
        }
        if overridden.contains(name) || post.cancelled { return .unchanged }
        let key = OccurrenceKey(job: name, scheduledAt: date)
        if handled(key, in: await journal.state().jobs[name]) || running.keys.contains(where: { $0.key == key }) {
            return .conflict("\(name) already fired at \(PublishRequest.rfc3339(date))")
        }
        overridden.insert(name)
        generations[name, default: 0] += 1
        let now = clock.now()
        let events = post.publish.indices.map { index -> JournalEvent in
            var cancelled = event(.cancelled, job: name, at: now, key: key, attempt: 1)
            cancelled.reason = "api"
            cancelled.triggeredBy = who
            cancelled.target = PostExecutor.targetName(post.publish[index], index: index)
            return cancelled
        }
        await record(events)
        return .done
    }

    /// Rebuilds the overrides from the journal at start: paused jobs, and one-shot posts whose
    /// every target was cancelled for their occurrence.
    func restoreOverrides(from state: JournalState) {
        for (name, recorded) in state.jobs {
            if recorded.paused {
                overridden.insert(name)
            } else if let post = jobs[name], post.kind == .post, case .at(let date) = post.trigger {
                let targets = recorded.publications.values.filter { $0.scheduledAt == date }
                if !targets.isEmpty, targets.allSatisfy({ $0.state == "cancelled" }) { overridden.insert(name) }
            }
        }
    }

    /// Whether `name` is paused (or a cancelled post) by an override.
    public func isOverridden(_ name: String) -> Bool { overridden.contains(name) }
}

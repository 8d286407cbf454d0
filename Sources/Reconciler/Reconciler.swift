import AlmanacCore
import CronSchedule
import Foundation
import Journal
import Manifest

/// Compares the desired tree with the journal's recorded state and says what would change.
///
/// Pure and idempotent (as supercronic's reload is "parse again"): the same manifest, state and
/// instant always give the same plan, and applying a plan then planning again gives no changes.
package enum Reconciler {
    /// The fields an added job shows in a plan, in this order.
    static let addedFields = ["trigger", "timezone", "run", "publish", "repo", "after"]

    /// How many next fires a schedule change shows, old and new.
    package static let previewCount = 5

    package static func plan(desired: Manifest, state: JournalState, now: Date) -> Plan {
        var plan = Plan(diagnostics: desired.diagnostics, now: now)
        var desiredNames = Set<String>()
        for job in desired.jobs {
            desiredNames.insert(job.name)
            if desired.invalidFiles.contains(job.location.file) { continue }
            let recorded = state.jobs[job.name]
            if let change = change(for: job, recorded: recorded, now: now) {
                plan.changes.append(change)
            }
            if let recorded, recorded.paused, !recorded.removed {
                plan.paused.append(PausedJob(name: job.name, ends: recorded.pausedHash.map { $0 != job.contentHash } ?? false))
            }
        }
        plan.paused.sort { $0.name < $1.name }
        for (name, recorded) in state.jobs.sorted(by: { $0.key < $1.key }) {
            guard let applied = recorded.applied, !recorded.removed, !desiredNames.contains(name) else { continue }
            if let file = applied.source.map(fileOf), desired.invalidFiles.contains(file) {
                plan.kept.append(name)
                continue
            }
            plan.changes.append(JobChange(name: name, action: .remove, kind: applied.kind, source: applied.source,
                                          hash: applied.hash))
        }
        plan.kept += desired.jobs.filter { desired.invalidFiles.contains($0.location.file) && state.jobs[$0.name]?.applied != nil }
            .map(\.name)
        plan.kept.sort()
        plan.catchUps = catchUps(jobs: desired.jobs, state: state, now: now)
        return plan
    }

    /// What the runner must do at start for each job that missed fires while it was down.
    package static func catchUps(jobs: [JobSpec], state: JournalState, now: Date) -> [CatchUp] {
        var result: [CatchUp] = []
        for job in jobs where job.enabled {
            guard case .cron(let schedule) = job.trigger,
                  let recorded = state.jobs[job.name], let applied = recorded.applied, !recorded.removed,
                  !recorded.paused
            else { continue }
            let since = max(recorded.lastOccurrence ?? applied.at, applied.at)
            let catchUp = CatchupPlanner.plan(job: job.name, schedule: schedule, since: since, now: now, policy: job.catchup)
            if !catchUp.run.isEmpty || catchUp.skipped > 0 { result.append(catchUp) }
        }
        return result
    }

    static func change(for job: JobSpec, recorded: JobState?, now: Date) -> JobChange? {
        var change = baseChange(for: job, recorded: recorded, now: now)
        change?.timeZone = job.fields["timezone"]
        return change
    }

    static func baseChange(for job: JobSpec, recorded: JobState?, now: Date) -> JobChange? {
        let source = job.location.description
        guard let recorded, let applied = recorded.applied, !recorded.removed else {
            // An added job carries only its defining fields: the plan of a first apply of a large
            // tree stays small, and the rest is in the file anyway.
            let fields = job.fields
            return JobChange(name: job.name, action: .add, kind: job.kind.rawValue, source: source, hash: job.contentHash,
                             fields: addedFields.compactMap { key in fields[key].map { FieldChange(field: key, old: nil, new: $0) } },
                             newNextFires: nextFires(job.trigger, from: now))
        }
        guard applied.hash != job.contentHash else { return nil }
        let old = applied.fields
        let new = job.fields
        let diffs = Set(old.keys).union(new.keys).sorted().compactMap { key -> FieldChange? in
            old[key] == new[key] ? nil : FieldChange(field: key, old: old[key], new: new[key])
        }
        if diffs.isEmpty { return nil }
        var action = JobChange.Action.change
        if diffs.count == 1, diffs[0].field == "enabled" {
            action = job.enabled ? .enable : .suspend
        }
        var change = JobChange(name: job.name, action: action, kind: job.kind.rawValue, source: source, hash: job.contentHash,
                               fields: diffs)
        let scheduleFields: Set<String> = ["trigger", "timezone", "jitter"]
        if diffs.contains(where: { scheduleFields.contains($0.field) }) {
            change.oldNextFires = oldSchedule(fields: old, name: job.name).map { nextFires(.cron($0), from: now) } ?? []
            change.newNextFires = nextFires(job.trigger, from: now)
        }
        return change
    }

    static func nextFires(_ trigger: Trigger, from now: Date) -> [Date] {
        switch trigger {
        case .cron(let schedule):
            var fires: [Date] = []
            var cursor = now
            while fires.count < previewCount, let next = schedule.next(after: cursor) {
                fires.append(next)
                cursor = next
            }
            return fires
        case .at(let date):
            return date > now ? [date] : []
        case .manual:
            return []
        }
    }

    /// Rebuilds the recorded schedule from its journaled `trigger` field (`cron 0 3 * * *` or
    /// `every weekly 09:00 dayOfWeek=1`), to preview the old next fires.
    static func oldSchedule(fields: [String: String], name: String) -> Schedule? {
        guard let trigger = fields["trigger"] else { return nil }
        let zoneName = fields["timezone"] ?? "UTC"
        guard let zone = TimeZone.named(zoneName) else { return nil }
        if trigger.hasPrefix("cron ") {
            return try? Schedule.parse(String(trigger.dropFirst(5)), timeZone: zone, hashKey: name)
        }
        let words = trigger.split(separator: " ").map(String.init)
        guard words.count >= 3, words[0] == "every", let frequency = Every.Frequency(rawValue: words[1]) else { return nil }
        let clock = words[2].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 2 else { return nil }
        var every = Every(frequency: frequency, hour: clock[0], minute: clock[1], dayOfWeek: nil, dayOfMonth: nil)
        for word in words.dropFirst(3) {
            let pair = word.split(separator: "=")
            guard pair.count == 2, let value = Int(pair[1]) else { continue }
            if pair[0] == "dayOfWeek" { every.dayOfWeek = value }
            if pair[0] == "dayOfMonth" { every.dayOfMonth = value }
        }
        return try? Schedule(every: every, timeZone: zone)
    }

    /// `jobs.d/a.yaml:4:11` → `jobs.d/a.yaml`.
    static func fileOf(_ source: String) -> String {
        var parts = source.split(separator: ":", omittingEmptySubsequences: false)
        if parts.count >= 3 { parts.removeLast(2) }
        return parts.joined(separator: ":")
    }
}

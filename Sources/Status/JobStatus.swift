import AlmanacCore
import CronSchedule
import Foundation
import Journal
import Manifest

/// One job's line in `almanac status`, the status files and the API: what it is, when it
/// fires next, and how it has been doing.
package struct JobStatus: Sendable, Hashable, Codable {
    package var name: String
    package var kind: String
    /// The schedule in words ("At 09:00, Monday through Friday, in America/New_York").
    package var schedule: String
    package var timeZone: String
    package var nextFire: Date?
    package var enabled: Bool
    package var paused: Bool
    package var running: Int
    package var lastRun: Date?
    package var lastScheduledAt: Date?
    package var lastOutcome: String?
    package var lastExitCode: Int?
    package var lastSuccess: Date?
    package var lastFailure: Date?
    /// Occurrences (job, scheduled time) in the retained history whose last attempt has ended
    /// with no retry still to come: an occurrence that failed twice and then succeeded is one run.
    package var runs: Int
    /// Of `runs`, those whose final attempt ended `success` or `partial`.
    package var successes: Int
    /// Retry attempts (attempt 2 and later) in the retained history, shown apart from `runs`.
    package var retries: Int
    /// `successes` over `runs`, 0…1; nil before the first occurrence ended.
    package var successRate: Double?
    package var averageDurationMs: Int?
    package var p95DurationMs: Int?
    /// Set when the job's file has errors and the last good version is in force, or the job is gone.
    package var problem: String?
    package var source: String?
    /// The jobs this one runs after (its `after:`): a success of any of them starts it. Nil
    /// when none, so JSON leaves it out.
    package var after: [String]?
    /// The jobs that run after this one (the reverse edges), sorted; nil when none.
    package var dependents: [String]?
    /// Attempts the journal shows running although no runner is up (`almanac status` saw no
    /// lock holder): interrupted, most likely, and unknown until a runner starts and records
    /// them so. Nil when a runner is up or nothing was left running.
    package var runningUnknown: Int? = nil

    /// Builds the status of `name` from its spec (when loaded) and its journaled state.
    /// `dependents` are the reverse `after:` edges, which only the whole tree knows (`AfterGraph`).
    package static func make(name: String, spec: JobSpec?, state: JobState?, now: Date, problem: String? = nil,
                            dependents: [String] = []) -> JobStatus {
        let history = state?.history ?? []
        let finished = history.filter { $0.metrics.outcome != nil }
        let successes = finished.filter { $0.metrics.outcome?.succeeded ?? false }
        let last = finished.last
        let occurrences = state.map(Occurrences.init) ?? Occurrences()
        var status = JobStatus(
            name: name, kind: spec?.kind.rawValue ?? state?.applied?.kind ?? "job",
            schedule: spec.map(describeTrigger) ?? state?.applied?.fields["trigger"] ?? "",
            timeZone: spec?.timeZone.displayName ?? state?.applied?.fields["timezone"] ?? "UTC",
            nextFire: nil, enabled: spec?.enabled ?? state?.applied?.enabled ?? false, paused: state?.paused ?? false,
            running: state?.running.count ?? 0, lastRun: last?.startedAt, lastScheduledAt: last?.key.scheduledAt,
            lastOutcome: last?.metrics.outcome?.rawValue, lastExitCode: last?.metrics.exitCode,
            lastSuccess: successes.last?.startedAt,
            lastFailure: finished.last(where: { !($0.metrics.outcome?.succeeded ?? false) })?.startedAt,
            runs: occurrences.ended, successes: occurrences.succeeded, retries: occurrences.retries,
            successRate: occurrences.ended == 0 ? nil : Double(occurrences.succeeded) / Double(occurrences.ended),
            averageDurationMs: state?.averageDurationMs, p95DurationMs: state?.p95DurationMs, problem: problem, source: spec?.location.description ?? state?.applied?.source)
        let after = spec?.after ?? appliedAfter(state)
        status.after = after.isEmpty ? nil : after
        status.dependents = dependents.isEmpty ? nil : dependents
        if let spec, spec.enabled, !(state?.paused ?? false) {
            switch spec.trigger {
            case .cron(let schedule): status.nextFire = schedule.next(after: now)
            case .at(let date): status.nextFire = date > now ? date : nil
            case .manual: status.nextFire = nil
            }
        }
        return status
    }

    /// The `after:` of the journaled version, for a job whose file is not loaded.
    package static func appliedAfter(_ state: JobState?) -> [String] {
        guard let text = state?.applied?.fields["after"], !text.isEmpty else { return [] }
        return text.split(separator: ",").map(String.init)
    }

    static func describeTrigger(_ spec: JobSpec) -> String {
        switch spec.trigger {
        case .cron(let schedule): schedule.explain()
        case .at(let date): "Once at " + RFC3339.format(date)
        case .manual where !spec.after.isEmpty:
            "After a success of " + (spec.after.count > 1 ? "any of " : "") + spec.after.joined(separator: ", ")
        case .manual: "Manual only"
        }
    }

    /// The retained history counted per occurrence: the final attempt of each (job, scheduled
    /// time) decides, and an occurrence with a retry pending or an attempt running is not over.
    struct Occurrences {
        var ended = 0
        var succeeded = 0
        var retries = 0

        init() {}

        init(_ state: JobState) {
            var final: [Date: (attempt: Int, success: Bool)] = [:]
            final.reserveCapacity(state.history.count)
            for execution in state.history {
                guard let outcome = execution.metrics.outcome else { continue }
                if execution.attempt > 1 { retries += 1 }
                let success = outcome.succeeded
                let at = execution.key.scheduledAt
                if let seen = final[at], seen.attempt > execution.attempt { continue }
                final[at] = (execution.attempt, success)
            }
            if let retry = state.pendingRetry { final[retry.key.scheduledAt] = nil }
            for execution in state.running { final[execution.key.scheduledAt] = nil }
            ended = final.count
            succeeded = final.values.filter(\.success).count
        }
    }
}

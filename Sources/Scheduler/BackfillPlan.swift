import AlmanacCore
import Foundation
import Journal
import Manifest

/// What a backfill of one job over `[from, to)` runs and skips: every occurrence of its cron
/// schedule in the range (exact cron, in the job's zone, DST included), each once.
///
/// An occurrence that already succeeded is skipped unless `rerun`, so a repeated backfill runs
/// nothing new; one that failed, was skipped or never ran gets its next attempt (attempt 1 when
/// nothing ran), so the claim on (job, scheduled time, attempt) keeps it from running twice.
/// Occurrences after `now` are not run early: the range ends at `now`. Pure: the CLI plans with
/// it for `--dry-run`, the runner again on its own journal when it runs the request.
package struct BackfillPlan: Sendable, Equatable {
    package enum Action: String, Sendable, Equatable {
        case run
        /// Its occurrence succeeded already (`--rerun` runs it again).
        case succeeded = "skip: succeeded"
        /// An attempt of it is running now.
        case running = "skip: running"
    }

    package struct Item: Sendable, Equatable {
        package var scheduledAt: Date
        package var attempt: Int
        package var action: Action
    }

    package var job: String
    package var from: Date
    package var to: Date
    package var items: [Item]

    /// What runs, in order.
    package var runs: [Item] { items.filter { $0.action == .run } }

    /// A backfill over more occurrences than this is refused: narrow the range.
    package static let limit = 10_000

    package static func make(job: JobSpec, state: JobState?, from: Date, to: Date, now: Date,
                             rerun: Bool) throws(BackfillError) -> BackfillPlan {
        guard case .cron(let schedule) = job.trigger, job.kind == .job else {
            throw BackfillError("\(job.name) has no cron schedule to backfill (backfill runs the occurrences of a job's `schedule:`)")
        }
        guard from < to else { throw BackfillError("from must be before to") }
        let end = min(to, now)
        var items: [Item] = []
        let executions = Dictionary(grouping: (state?.history ?? []) + (state?.running ?? [])) { $0.key.scheduledAt }
        // `fires(after:)` is strictly after; a millisecond before `from` includes an occurrence at `from`.
        for scheduledAt in schedule.fires(after: from.addingTimeInterval(-0.001)) {
            guard scheduledAt < end else { break }
            guard items.count < limit else {
                throw BackfillError("more than \(limit) occurrences of \(job.name) in the range; narrow it")
            }
            let mine = executions[scheduledAt] ?? []
            let attempt = (mine.map(\.attempt).max() ?? 0) + 1
            let action: Action
            if state?.running.contains(where: { $0.key.scheduledAt == scheduledAt }) == true {
                action = .running
            } else if !rerun, mine.contains(where: { $0.metrics.outcome?.succeeded == true }) {
                action = .succeeded
            } else {
                action = .run
            }
            items.append(Item(scheduledAt: scheduledAt, attempt: attempt, action: action))
        }
        return BackfillPlan(job: job.name, from: from, to: end, items: items)
    }
}

/// Why a backfill cannot be planned, in words for the user.
package struct BackfillError: Error, CustomStringConvertible, Equatable {
    package var description: String
    /// The job is not one this runner has (the API answers 404 for it, 400 for the rest).
    package var isUnknownJob = false
    package init(_ description: String) { self.description = description }

    package static func unknownJob(_ name: String) -> Self {
        var error = Self("no job named '\(name)'")
        error.isUnknownJob = true
        return error
    }
}

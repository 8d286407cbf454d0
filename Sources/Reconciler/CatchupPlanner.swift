import CronSchedule
import Foundation
import Manifest

/// Decides what to do with occurrences that fell while no runner was up.
///
/// Pure, so `plan` can show exactly what `run` will do at start: the runner and the plan
/// call the same function with the same inputs.
package enum CatchupPlanner {
    /// The most occurrences counted one by one; a job that fires every second and was down for
    /// a month is summarised rather than walked forever.
    package static let countLimit = 100_000

    /// Splits the occurrences of `schedule` in `(since, now]` by `policy`.
    package static func plan(job: String, schedule: Schedule, since: Date, now: Date, policy: CatchupPolicy) -> CatchUp {
        let windowStart = now.addingTimeInterval(-policy.window.timeInterval)
        var inWindow: [Date] = []
        var skipped = 0
        var firstSkipped: Date?
        var lastSkipped: Date?
        var cursor = since
        var counted = 0
        while let fire = schedule.next(after: cursor), fire <= now, counted < countLimit {
            counted += 1
            cursor = fire
            if fire >= windowStart {
                inWindow.append(fire)
            } else {
                skipped += 1
                if firstSkipped == nil { firstSkipped = fire }
                lastSkipped = fire
            }
        }
        var run: [Date]
        switch policy.mode {
        case .none:
            run = []
        case .latest:
            run = inWindow.last.map { [$0] } ?? []
        case .all:
            run = inWindow
        }
        let notRun = inWindow.filter { !run.contains($0) }
        if !notRun.isEmpty {
            skipped += notRun.count
            firstSkipped = firstSkipped ?? notRun.first
            lastSkipped = notRun.last
        }
        return CatchUp(job: job, run: run, skipped: skipped, firstSkipped: firstSkipped, lastSkipped: lastSkipped)
    }
}


import Foundation
import Journal
import Manifest
import Reconciler
import Scheduler
import Daemon
import Status

/// One consistent read of the runner for a request: its specs, the journal state, the last
/// plan and the status report built from them (the same rows `almanac status` prints).
struct Snapshot: Sendable {
    var specs: [String: JobSpec]
    var state: JournalState
    var plan: Plan?
    var report: StatusReport
    var now: Date

    static func take(_ handle: RunnerHandle, now: Date) async -> Snapshot {
        let runner = handle.runner
        let specs = runner.specs()
        let plan = runner.lastPlan
        let state = await runner.journalState()
        let diagnostics = plan?.diagnostics ?? []
        let invalid = Set(diagnostics.filter { $0.severity == .error }.map(\.location.file))
        let manifest = Manifest(jobs: specs, diagnostics: diagnostics, invalidFiles: invalid, config: RootConfig())
        let report = StatusReport.make(manifest: manifest, state: state, now: now)
        return Snapshot(specs: Dictionary(specs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }),
                        state: state, plan: plan, report: report, now: now)
    }

    /// The status row of `name`, or 404.
    func job(_ name: String) throws(APIError) -> JobStatus {
        guard let job = report.jobs.first(where: { $0.name == name }) else { throw .notFound("no job named '\(name)'") }
        return job
    }

    /// The next `count` fires of `name` after now (none while paused or disabled).
    func nextFires(_ name: String, count: Int = 5) -> [Date] {
        guard let spec = specs[name], spec.enabled, !(state.jobs[name]?.paused ?? false) else { return [] }
        switch spec.trigger {
        case .cron(let schedule): return Array(schedule.fires(after: now).prefix(count))
        case .at(let date): return date > now ? [date] : []
        case .manual: return []
        }
    }

    /// Running attempts then finished ones, newest first.
    func executions(_ name: String) -> [Execution] {
        let recorded = state.jobs[name]
        return ((recorded?.history ?? []) + (recorded?.running ?? [])).sorted {
            ($0.startedAt, $0.attempt) > ($1.startedAt, $1.attempt)
        }
    }

    /// Every post with its overall state: all targets published → published, some → partial.
    func posts() -> [PostView] {
        report.jobs.filter { $0.kind == "post" }.map { post in
            let recorded = state.jobs[post.name]
            let occurrence = post.nextFire ?? post.lastScheduledAt ?? recorded?.publications.values.compactMap(\.scheduledAt).max()
            let targets = (recorded?.publications.values.filter { $0.scheduledAt == nil || $0.scheduledAt == occurrence } ?? [])
                .sorted { $0.target < $1.target }
            let states = targets.map(\.state)
            let overall: String
            if post.paused {
                overall = "paused"
            } else if states.isEmpty {
                overall = post.nextFire == nil ? "none" : "pending"
            } else if states.allSatisfy({ $0 == .published }) {
                overall = "published"
            } else if states.allSatisfy({ $0 == .cancelled }) {
                overall = "cancelled"
            } else if states.contains(.processing) {
                overall = "processing"
            } else if states.contains(.published) {
                overall = "partial"
            } else {
                overall = "failed"
            }
            return PostView(name: post.name, scheduledAt: occurrence, state: overall, targets: targets, source: post.source)
        }
    }
}

import Foundation
import Journal
import Manifest
import Reconciler

extension Runner {
    /// The `after:` edges of the loaded jobs; rebuilt on first use after `jobs` changed.
    func dependencyGraph() -> AfterGraph {
        if let afterGraph { return afterGraph }
        let graph = AfterGraph(jobs: jobs.values)
        afterGraph = graph
        return graph
    }

    /// The `triggered` events for the runs `after:` owes now that `key` ended with `outcome`.
    ///
    /// The caller journals them in the same append as, and ahead of, the upstream's `finished`
    /// (AfterPlanner says why that makes them exactly once), then queues them with `queueAfter`.
    func owedAfterRuns(_ key: OccurrenceKey, outcome: Outcome, at now: Date) async -> [AfterPlanner.Run] {
        let graph = dependencyGraph()
        guard outcome == .success, !graph.dependents(of: key.job).isEmpty else { return [] }
        return AfterPlanner.due(upstream: key, outcome: outcome, graph: graph, jobs: jobs, state: await journal.state())
    }

    /// The journal record of an owed run, before it is queued.
    func triggeredEvent(_ run: AfterPlanner.Run, at now: Date) -> JournalEvent {
        JournalEvent(at: now, .triggered(.init(job: run.key.job, scheduledAt: run.key.scheduledAt, attempt: 1,
                                               triggeredBy: Cause(rawValue: run.triggeredBy))))
    }

    /// Queues owed runs to start now, under the dependent's own concurrency policy and the
    /// global `maxParallel`, like any other fire.
    func queueAfter(_ runs: [AfterPlanner.Run], at now: Date) {
        for run in runs {
            enqueue(Fire(at: now, key: run.key, attempt: 1, reason: .after,
                         generation: generations[run.key.job, default: 0], upstream: run.upstream))
        }
    }

    /// At start: the runs a crash or a shutdown left owed (journaled, never started) are queued
    /// again; the claim on their key keeps any of them from running twice.
    func queuePendingAfterRuns(state: JournalState, at now: Date) {
        let pending = AfterPlanner.pending(state: state, jobs: jobs, graph: dependencyGraph())
        if !pending.isEmpty { notify(.info("↪ \(pending.count) run(s) owed to after: queued again")) }
        queueAfter(pending, at: now)
    }
}

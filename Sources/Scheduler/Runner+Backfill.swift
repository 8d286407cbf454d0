import Foundation
import Journal
import Manifest

/// One job's backfill in progress: the occurrences still to start, in order, and those started
/// and not yet ended (a retry still queued counts as not ended).
struct BackfillQueue: Sendable {
    var items: [BackfillPlan.Item]
    var parallel: Int
    var inFlight: Set<OccurrenceKey> = []
}

extension Runner {
    /// Runs `plan`'s occurrences, at most `parallel` at once, in order: each is queued as a
    /// fire due now (reason `backfill`: `triggeredBy: backfill`, `ALMANAC_SCHEDULED_AT` its
    /// own time) when a slot frees, under the job's own policies (retries, timeout, the global
    /// `maxParallel`). A `forbid` or `replace` job's backfill waits while another attempt of the
    /// job runs, rather than being skipped or killing it. False when the job is unknown or the
    /// journal refuses writes. A backfill of a job that has one in progress adds to it.
    ///
    /// Not journaled ahead: a runner stopped midway leaves the rest unrun, and the same
    /// backfill run again runs exactly what did not succeed.
    package func backfill(_ plan: BackfillPlan, parallel: Int) async -> Bool {
        guard jobs[plan.job] != nil, journalFault == nil, !isStopping else { return false }
        var queue = backfills[plan.job] ?? BackfillQueue(items: [], parallel: max(1, parallel))
        let known = Set(queue.items.map(\.scheduledAt))
        queue.items += plan.runs.filter { !known.contains($0.scheduledAt) }
        queue.parallel = max(1, parallel)
        backfills[plan.job] = queue
        if pumpBackfills() { await startWaiting() }
        return true
    }

    /// Plans a backfill of `name` on this runner's own journal and runs it: what `almanac
    /// backfill` asks a running runner for (through the trigger inbox) and runs with `--now`.
    package func backfill(_ name: String, from: Date, to: Date, rerun: Bool, parallel: Int) async throws(BackfillError) -> BackfillPlan {
        let plan = try await planBackfill(name, from: from, to: to, rerun: rerun)
        guard await backfill(plan, parallel: parallel) else {
            throw BackfillError(journalFault.map { "the journal refuses writes: \($0.reason)" } ?? "the runner is stopping")
        }
        return plan
    }

    /// What a backfill of `name` would run and skip now, on this runner's journal (`--dry-run`).
    package func planBackfill(_ name: String, from: Date, to: Date, rerun: Bool) async throws(BackfillError) -> BackfillPlan {
        guard let job = jobs[name] else { throw BackfillError.unknownJob(name) }
        return try BackfillPlan.make(job: job, state: await journal.state().jobs[name], from: from, to: to, now: clock.now(),
                                     rerun: rerun)
    }

    /// Occurrences still to run or running for a backfill of `job` (0 when none is in progress).
    package func backfillRemaining(_ job: String) async -> Int {
        if pumpBackfills() { await startWaiting() }
        guard let queue = backfills[job] else { return 0 }
        return queue.items.count + queue.inFlight.count
    }

    /// Moves each backfill's next occurrences into `waiting` while it has free slots; true when
    /// it moved any (the caller starts them with `startWaiting`).
    @discardableResult
    func pumpBackfills() -> Bool {
        var moved = false
        for (name, var queue) in backfills {
            guard let job = jobs[name], !isStopping else {
                backfills[name] = nil
                continue
            }
            // Ended: neither running, waiting, nor with a retry queued. Read from the runner's
            // own queues rather than tracked: a fire skipped, dropped or whose claim was lost
            // ends its occurrence too, whichever path it took.
            queue.inFlight = queue.inFlight.filter { key in
                running.keys.contains { $0.key == key } || waiting.contains { $0.key == key }
                    || self.queue.contains { $0.key == key && $0.reason == .retry }
            }
            let exclusive = job.concurrency == .forbid || job.concurrency == .replace
            while queue.inFlight.count < queue.parallel, let item = queue.items.first {
                if exclusive, running.keys.contains(where: { $0.key.job == name }) || !queue.inFlight.isEmpty { break }
                queue.items.removeFirst()
                let key = OccurrenceKey(job: name, scheduledAt: item.scheduledAt)
                waiting.append(Fire(at: clock.now(), key: key, attempt: item.attempt, reason: .backfill,
                                    generation: generations[name, default: 0]))
                queue.inFlight.insert(key)
                moved = true
            }
            backfills[name] = queue.items.isEmpty && queue.inFlight.isEmpty ? nil : queue
        }
        return moved
    }
}

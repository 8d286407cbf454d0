import CLinux
import AlmanacCore
import CronSchedule
import Foundation
import Journal
import Manifest
import Reconciler

extension Runner {
    /// Most `skipped: missed` records written one by one per job; past it one summary record
    /// carries the count, so a month of a per-second job does not flood the journal.
    static let missedRecordLimit = 1000

    /// Brings the runner up after `apply`: stops the processes a killed runner left behind,
    /// marks executions a crash left behind as interrupted (retrying them under their job's
    /// policy), ends pauses the files have overtaken, applies each job's catch-up policy to the
    /// occurrences missed while no runner was up, and queues every job's next fire.
    package func start() async throws {
        let now = clock.now()
        var state = await journal.state()
        restoreOverrides(from: state)
        let leftovers = await stopLeftovers(state: state)
        var events = [JournalEvent(at: now, .runnerStarted(.init(pid: Int(getpid()))))]
        for (name, recorded) in state.jobs.sorted(by: { $0.key < $1.key }) {
            // Beside peers an attempt still running is a peer's, or a lapsed runner's that the
            // peers take over once its lease ends (Runner+Cluster); only a sole runner knows
            // that everything still running is its own crash's.
            for execution in recorded.running where role == .sole {
                let runKey = RunKey(key: execution.key, attempt: execution.attempt)
                let report = ExecutionReport(outcome: .interrupted, startedAt: execution.startedAt, finishedAt: now,
                                             outputTail: "", errorClass: .interrupted)
                var interrupted = finishedRecord(runKey, report: report, triggeredBy: execution.triggeredBy?.rawValue ?? "schedule")
                interrupted.message = "the runner stopped while this attempt ran"
                if let pids = leftovers[runKey] {
                    interrupted.metrics.pid = pids.min().map(Int.init)
                    interrupted.message = "the runner stopped while this attempt ran; its leftover process(es) "
                        + pids.map(String.init).joined(separator: ", ") + " were stopped at restart"
                }
                events.append(JournalEvent(at: now, .finished(interrupted)))
                if let job = jobs[name], let delay = retryDelay(job, attempt: execution.attempt, errorClass: .interrupted) {
                    let retryAt = now.addingTimeInterval(min(delay.timeInterval, 0))
                    events.append(JournalEvent(at: now, .retry(.init(job: name, scheduledAt: execution.key.scheduledAt,
                                                                      attempt: execution.attempt + 1, triggeredBy: .recovery,
                                                                      errorClass: .interrupted, retryAt: retryAt))))
                    queue.push(Fire(at: retryAt, key: execution.key, attempt: execution.attempt + 1, reason: .recovery,
                                    generation: generations[name, default: 0]))
                }
            }
            if let retry = recorded.pendingRetry, jobs[name] != nil,
               !recorded.running.contains(where: { $0.key == retry.key }) {
                enqueue(Fire(at: max(retry.retryAt, now), key: retry.key, attempt: retry.attempt, reason: .retry,
                             generation: generations[name, default: 0]))
            }
        }
        try await append(events).forEach { notify(.recorded($0)) }
        queuePendingAfterRuns(state: state, at: now)
        // Before catch-up: a pause the files ended while no runner was up skips what fell in it.
        // The leader's to journal; a follower picks the `resumed` up from it (Runner+Cluster).
        if role != .follower { await liftOvertakenOverrides() }
        state = await journal.state()

        var catchUpEvents: [JournalEvent] = []
        for catchUp in Reconciler.catchUps(jobs: jobs.values.sorted { $0.name < $1.name }, state: state, now: now) {
            // Missed occurrences are desired state: the leader journals them (a follower's
            // runs of them are claimed like any fire, so only one runs).
            if role != .follower { catchUpEvents += missedEvents(catchUp, now: now) }
            if role != .follower, catchUp.skipped > 0, let job = jobs[catchUp.job], let last = catchUp.lastSkipped {
                announceMissed(job, key: OccurrenceKey(job: job.name, scheduledAt: last))
            }
            for date in catchUp.run {
                queue.push(Fire(at: now, key: OccurrenceKey(job: catchUp.job, scheduledAt: date), attempt: 1, reason: .catchup,
                                generation: generations[catchUp.job, default: 0]))
            }
        }
        if !catchUpEvents.isEmpty {
            // Journaled one by one, logged as one line per job: a restart after a day of a
            // per-minute job should not scroll the log.
            let written = try await settle(catchUpEvents)
            for (job, events) in Dictionary(grouping: written, by: { $0.job ?? "" }).sorted(by: { $0.key < $1.key }) {
                let dates = events.compactMap(\.scheduledAt)
                if let first = dates.min(), let last = dates.max() {
                    notify(.info("⤼ \(job): \(events.count) missed occurrence(s) skipped, \(RFC3339.format(first)) … \(RFC3339.format(last))"))
                }
            }
        }
        // Missed posts are journaled finished by the leader alone (they are not claimed).
        if role != .follower { await catchUpPosts(state: state, now: now) }
        started = true
        for job in jobs.values.sorted(by: { $0.name < $1.name }) {
            reschedule(job, after: now)
        }
        // The caller has dropped the first manifest and plan by now: give their pages back
        // (glibc's `malloc_trim`: loading a large tree allocates far more than it keeps).
        if jobs.count > 1000 { _ = almanac_malloc_trim() }
        poke()
    }

    func missedEvents(_ catchUp: CatchUp, now: Date) -> [JournalEvent] {
        guard catchUp.skipped > 0, let job = jobs[catchUp.job], case .cron(let schedule) = job.trigger,
              let first = catchUp.firstSkipped
        else { return [] }
        var events: [JournalEvent] = []
        var written = 0
        var cursor: Date? = first
        while let date = cursor, date <= (catchUp.lastSkipped ?? first), written < Self.missedRecordLimit {
            if !catchUp.run.contains(date) {
                events.append(JournalEvent(at: now, .skipped(.init(job: job.name, scheduledAt: date, attempt: 1, reason: .missed))))
                written += 1
            }
            cursor = schedule.next(after: date)
        }
        if catchUp.skipped > written, let last = catchUp.lastSkipped {
            events.append(JournalEvent(at: now, .skipped(.init(
                job: job.name, scheduledAt: last, attempt: 1, reason: .missed,
                message: "\(catchUp.skipped - written) more missed occurrences up to this one"))))
        }
        return events
    }

    /// Stops firing, gives running children the drain timeout, then terminates what is left
    /// and journals it; queued fires are journaled as cancelled. Then waits (at most
    /// `notificationDrain`) for the notifications of attempts that ended, so their deliveries
    /// are journaled before `runnerStopped`.
    package func shutdown() async {
        halted.store(true, ordering: .releasing)
        poke()
        let now = clock.now()
        if !(await waitUntilRunningDone(timeout: options.drainTimeout)) {
            for run in running.values { run.handle?.terminate(grace: options.killGrace) }
            _ = await waitUntilRunningDone(timeout: options.killGrace + .seconds(1))
        }
        if let announcer {
            let undelivered = await announcer.drain(timeout: options.notificationDrain)
            if undelivered > 0 {
                notify(.problem("almanac: \(undelivered) notification(s) still in flight at exit, after waiting "
                                + "\(formatDuration(options.notificationDrain)) for them"))
            }
        }
        var events: [JournalEvent] = []
        for fire in waiting {
            events.append(JournalEvent(at: now, .cancelled(.init(job: fire.key.job, scheduledAt: fire.key.scheduledAt,
                                                                  attempt: fire.attempt, reason: .shutdown))))
        }
        waiting.removeAll()
        let message = running.isEmpty ? "drained" : "\(running.count) attempt(s) still running at exit"
        events.append(JournalEvent(at: clock.now(), .runnerStopped(.init(pid: Int(getpid()), message: message))))
        await record(events)
    }

    func waitUntilRunningDone(timeout: Duration) async -> Bool {
        await poll(every: .milliseconds(10), timeout: timeout) { running.isEmpty }
    }
}

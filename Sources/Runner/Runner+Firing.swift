import Foundation
import Journal
import Manifest

extension Runner {
    /// Acts on one popped fire: drops stale ones, queues the job's next occurrence, applies the
    /// concurrency policy and the global parallelism limit, then claims and starts.
    func handle(_ fire: Fire, now: Date) async {
        guard let job = jobs[fire.key.job] else { return }
        if fire.reason == .schedule {
            guard fire.generation == generations[job.name, default: 0] else { return }
            scheduleNext(job, after: fire.key.scheduledAt)
            // A fire this late (the process was suspended, the machine slept) is a missed
            // occurrence: the catch-up window decides, as after downtime.
            if now.timeIntervalSince(fire.at) > job.catchup.window.timeInterval || job.catchup.mode == .none && now.timeIntervalSince(fire.at) > 60 {
                var skipped = event(.skipped, job: job.name, at: now, key: fire.key, attempt: fire.attempt)
                skipped.reason = "missed"
                await record([skipped])
                return
            }
        }
        await launch(fire, job: job)
    }

    func launch(_ fire: Fire, job: JobSpec) async {
        let now = clock.now()
        let mine = running.filter { $0.key.key.job == job.name }
        if !mine.isEmpty {
            switch job.concurrency {
            case .forbid:
                var skipped = event(.skipped, job: job.name, at: now, key: fire.key, attempt: fire.attempt)
                skipped.reason = "overlap"
                skipped.triggeredBy = fire.reason.rawValue
                await record([skipped])
                return
            case .replace:
                for (runKey, run) in mine {
                    running[runKey]?.replaced = true
                    run.handle?.terminate(grace: options.killGrace)
                }
                for (_, run) in mine { await run.completion?.value }
            case .allow:
                break
            }
        }
        if let limit = options.maxParallel, running.count >= limit {
            waiting.append(fire)
            var queued = event(.queued, job: job.name, at: now, key: fire.key, attempt: fire.attempt)
            queued.triggeredBy = fire.reason.rawValue
            await record([queued])
            return
        }
        await start(fire, job: job)
    }

    /// Claims the occurrence in the journal, then starts it. A claim that fails means this
    /// (job, scheduled time, attempt) already ran: it is never started twice.
    func start(_ fire: Fire, job: JobSpec) async {
        let runKey = RunKey(key: fire.key, attempt: fire.attempt)
        guard running[runKey] == nil else { return }
        var startedEvent = event(.started, job: job.name, at: clock.now(), key: fire.key, attempt: fire.attempt)
        startedEvent.triggeredBy = fire.reason.rawValue
        do {
            guard try await journal.claim(fire.key, attempt: fire.attempt, event: startedEvent) else { return }
            notify(.recorded(startedEvent))
        } catch {
            // Without a durable claim nothing may run; the occurrence is reported, not lost silently.
            var skipped = event(.skipped, job: job.name, at: clock.now(), key: fire.key, attempt: fire.attempt)
            skipped.reason = "journal"
            skipped.message = "\(error)"
            await record([skipped])
            return
        }
        running[runKey] = Running(fire: fire)
        do {
            let handle = try await executor.start(job, occurrence: fire.key, attempt: fire.attempt,
                                                  triggeredBy: fire.reason.rawValue)
            running[runKey]?.handle = handle
            running[runKey]?.completion = Task {
                let report = await handle.wait()
                await self.finished(runKey, report: report)
            }
        } catch {
            let now = clock.now()
            let report = ExecutionReport(outcome: .error, startedAt: now, finishedAt: now, outputTail: "\(error)",
                                         errorClass: "spawn")
            await finished(runKey, report: report)
        }
    }

    /// Journals an attempt's end, schedules its retry when the policy allows, and starts
    /// whatever waited for a free slot.
    func finished(_ runKey: RunKey, report: ExecutionReport) async {
        // The attempt stays in `running` until its end is journaled, so "idle" means "recorded".
        guard let run = running[runKey] else { return }
        var report = report
        if run.replaced {
            report.outcome = .killed
            report.errorClass = "replaced"
        }
        let job = jobs[runKey.key.job]
        if let job, report.outcome == .failure, let code = report.exitCode, job.nonRetryableExitCodes.contains(Int32(code)) {
            report.errorClass = "nonRetryable"
        }
        let now = clock.now()
        var events = [finishedEvent(runKey, report: report, at: now, triggeredBy: run.fire.reason.rawValue)]
        if let job, !report.succeeded, !stopping, let delay = retryDelay(job, attempt: runKey.attempt, errorClass: report.errorClass) {
            let retryAt = now.addingTimeInterval(delay.timeInterval)
            var retry = event(.retry, job: job.name, at: now, key: runKey.key, attempt: runKey.attempt + 1)
            retry.retryAt = retryAt
            retry.errorClass = report.errorClass
            events.append(retry)
            queue.push(Fire(at: retryAt, key: runKey.key, attempt: runKey.attempt + 1, reason: .retry,
                            generation: generations[job.name, default: 0]))
        }
        await record(events)
        running[runKey] = nil
        await startWaiting()
        poke()
    }

    func startWaiting() async {
        while !stopping, !waiting.isEmpty, running.count < (options.maxParallel ?? Int.max) {
            let fire = waiting.removeFirst()
            guard let job = jobs[fire.key.job] else { continue }
            await launch(fire, job: job)
        }
    }

    func finishedEvent(_ runKey: RunKey, report: ExecutionReport, at now: Date, triggeredBy: String) -> JournalEvent {
        var finished = event(.finished, job: runKey.key.job, at: now, key: runKey.key, attempt: runKey.attempt)
        finished.triggeredBy = triggeredBy
        finished.outcome = report.outcome.rawValue
        finished.exitCode = report.exitCode
        finished.signal = report.signal
        finished.durationMs = report.durationMs
        finished.outputTail = report.outputTail
        finished.errorClass = report.errorClass
        finished.cpuUserMs = report.cpuUserMs
        finished.cpuSystemMs = report.cpuSystemMs
        finished.maxRSSKB = report.maxRSSKB
        finished.result = report.result
        finished.logPath = report.logPath
        finished.pid = report.pid
        return finished
    }

    /// The delay before the next attempt, or nil when the policy has none left or the error
    /// class is not worth retrying (a non-retryable exit code, a job that could not be spawned).
    func retryDelay(_ job: JobSpec, attempt: Int, errorClass: String?) -> Duration? {
        if let errorClass, ["nonRetryable", "spawn", "replaced"].contains(errorClass) { return nil }
        guard attempt < job.retry.maxAttempts else { return nil }
        return job.retry.delay(beforeRetry: attempt)
    }

    // MARK: Manual runs

    /// Queues a manual run of `name` now; false when no such job is loaded.
    @discardableResult
    public func trigger(_ name: String, by who: String = "manual") async -> Bool {
        guard jobs[name] != nil else { return false }
        let now = clock.now()
        let at = Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
        let key = OccurrenceKey(job: name, scheduledAt: at)
        var triggered = event(.triggered, job: name, at: now, key: key, attempt: 1)
        triggered.triggeredBy = who
        await record([triggered])
        queue.push(Fire(at: at, key: key, attempt: 1, reason: .manual, generation: generations[name, default: 0]))
        poke()
        return true
    }
}

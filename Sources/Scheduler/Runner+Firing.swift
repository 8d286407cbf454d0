import Foundation
import Journal
import Manifest
import Reconciler

extension Runner {
    /// What to do with one due fire, decided without waiting so a whole batch is decided first.
    enum Decision {
        case start(Fire, JobSpec)
        case replace(Fire, JobSpec, [RunKey])
        case record(JournalEvent)
        case drop
    }

    /// Fires a batch of due fires: decides each (stale, missed, concurrency, parallelism),
    /// journals the skips, then claims all starts at once — concurrent claims share one fsync
    /// through the journal's group commit — and spawns each child at its exact time.
    func fire(_ due: [Fire], now: Date) async {
        var starts: [(Fire, JobSpec)] = []
        var replaces: [(Fire, JobSpec, [RunKey])] = []
        var events: [JournalEvent] = []
        for fire in due {
            switch decide(fire, now: now) {
            case .start(let fire, let job): starts.append((fire, job))
            case .replace(let fire, let job, let victims): replaces.append((fire, job, victims))
            case .record(let event): events.append(event)
            case .drop: break
            }
        }
        if !events.isEmpty { await record(events) }
        for (fire, job, victims) in replaces {
            for victim in victims {
                running[victim]?.replaced = true
                running[victim]?.handle?.terminate(grace: options.killGrace)
            }
            for victim in victims { await running[victim]?.completion?.value }
            if case .start(let fire, let job) = admit(fire, job: job, now: clock.now()) { starts.append((fire, job)) }
        }
        await start(starts)
    }

    /// Drops stale fires, queues the job's next occurrence, and turns a fire later than the
    /// catch-up window (the process was suspended, the machine slept) into `skipped: missed`.
    func decide(_ fire: Fire, now: Date) -> Decision {
        guard let job = jobs[fire.key.job] else { return .drop }
        if fire.reason == .schedule {
            guard fire.generation == generations[job.name, default: 0] else { return .drop }
            scheduleNext(job, after: fire.key.scheduledAt)
            let late = now.timeIntervalSince(fire.at)
            if late > job.catchup.window.timeInterval || (job.catchup.mode == .none && late > 60) {
                // Beside peers a runner this late (suspended, its machine asleep) does not know
                // whether a peer ran it: the claim said nothing yet, so it leaves it to them.
                guard role == .sole else { return .drop }
                return .record(JournalEvent(at: now, .skipped(.init(job: job.name, scheduledAt: fire.key.scheduledAt,
                                                                     attempt: fire.attempt, reason: .missed))))
            }
        }
        return admit(fire, job: job, now: now)
    }

    /// Applies the job's concurrency policy and the global `maxParallel`. A fire admitted to
    /// start is reserved in `running` at once, so the rest of its batch sees it.
    func admit(_ fire: Fire, job: JobSpec, now: Date) -> Decision {
        let mine = running.keys.filter { $0.key.job == job.name }
        if !mine.isEmpty {
            switch job.concurrency {
            case .forbid where role == .sole:
                return .record(JournalEvent(at: now, .skipped(.init(job: job.name, scheduledAt: fire.key.scheduledAt, attempt: fire.attempt,
                                                                     triggeredBy: Cause(rawValue: fire.triggeredBy), reason: .overlap))))
            case .replace:
                return .replace(fire, job, mine)
            case .allow, .forbid:
                // Beside peers `forbid` is the database's to hold (the claim), for every runner at once.
                break
            }
        }
        let runKey = RunKey(key: fire.key, attempt: fire.attempt)
        guard running[runKey] == nil else { return .drop }
        if let limit = options.maxParallel, running.count >= limit {
            waiting.append(fire)
            return .record(JournalEvent(at: now, .queued(.init(job: job.name, scheduledAt: fire.key.scheduledAt, attempt: fire.attempt,
                                                                triggeredBy: Cause(rawValue: fire.triggeredBy)))))
        }
        running[runKey] = Running(fire: fire, secrets: job.secrets)
        return .start(fire, job)
    }

    /// Claims each occurrence in the journal, then starts it. A claim that fails means this
    /// (job, scheduled time, attempt) already ran: it is never started twice.
    func start(_ batch: [(Fire, JobSpec)]) async {
        guard !batch.isEmpty else { return }
        var requests: [(RunKey, JournalEvent)] = []
        for (fire, job) in batch {
            let runKey = RunKey(key: fire.key, attempt: fire.attempt)
            // Claimed up to the claim lead early, the child starts on `fire.at`: that is the
            // start the journal records, so lateness never reads negative.
            let now = clock.now()
            // Lateness from the planned instant (jitter and retry delay included), never the
            // scheduled time; `finished` replaces it with the launch's exact figure.
            let started = JournalEvent(at: max(now, fire.at), .started(.init(
                job: job.name, scheduledAt: fire.key.scheduledAt, attempt: fire.attempt, triggeredBy: Cause(rawValue: fire.triggeredBy),
                lateUs: max(0, Int((now.timeIntervalSince(fire.at) * 1e6).rounded())))))
            requests.append((runKey, started))
        }
        // One claim for the whole batch: one write and one fsync however many are due together.
        var claims: [RunKey: Result<JournalEvent?, any Error>] = [:]
        do {
            let won: [JournalEvent?]
            if let cluster = journal as? any ClusterJournal {
                let exclusive = Set(batch.filter { $0.1.concurrency == .forbid }.map(\.1.name))
                won = try await cluster.claimed(requests.map(\.1), exclusive: exclusive)
            } else {
                won = try await journal.claimed(requests.map(\.1))
            }
            for ((runKey, _), got) in zip(requests, won) { claims[runKey] = .success(got) }
        } catch {
            for (runKey, _) in requests { claims[runKey] = .failure(error) }
        }
        var problems: [JournalEvent] = []
        var ready: [(fire: Fire, job: JobSpec, runKey: RunKey, attempt: any PreparedAttempt)] = []
        for (fire, job) in batch.sorted(by: { $0.0.at < $1.0.at }) {
            let runKey = RunKey(key: fire.key, attempt: fire.attempt)
            switch claims[runKey] {
            case .success(let started?):
                // The event as stored, with its seq: the event stream orders by it.
                notify(.recorded(started))
                ready.append((fire, job, runKey, await prepare(fire, job: job)))
            case .success(nil), .none:
                running[runKey] = nil
            case .failure(let error):
                // Without a durable claim nothing may run; the occurrence is reported, not lost silently.
                journalRefused(error)
                running[runKey] = nil
                problems.append(JournalEvent(at: clock.now(), .skipped(.init(job: job.name, scheduledAt: fire.key.scheduledAt,
                                                                              attempt: fire.attempt, reason: .journal, message: "\(error)"))))
            }
        }
        if !problems.isEmpty { await record(problems) }
        for (fire, job, runKey, attempt) in ready {
            await spawn(runKey, fire: fire, job: job, attempt: attempt)
        }
        // A backfilled occurrence whose claim was lost (or refused) ends there: the next goes.
        if pumpBackfills() { await startWaiting() }
    }

    /// The launcher's preparation; a failure is kept and reported when the instant comes.
    func prepare(_ fire: Fire, job: JobSpec) async -> any PreparedAttempt {
        do {
            return try await launcher.prepare(job, occurrence: fire.key, attempt: fire.attempt, triggeredBy: fire.triggeredBy)
        } catch {
            return FailedAttempt(error: error)
        }
    }

    /// Launches a claimed, prepared attempt at its instant: the runner's thread wakes from its
    /// timed wait and spawns (docs/runner.md, "Threads").
    func spawn(_ runKey: RunKey, fire: Fire, job: JobSpec, attempt: any PreparedAttempt) async {
        do {
            let (handle, launchedAt) = try await launch(attempt, at: fire.at)
            if fire.reason == .schedule { notify(.launched(job: job.name, planned: fire.at, at: launchedAt)) }
            running[runKey]?.lateUs = max(0, Int((launchedAt.timeIntervalSince(fire.at) * 1e6).rounded()))
            running[runKey]?.handle = handle
            // Fenced while this attempt launched (`fence` ran its stop before it had a handle).
            if journalFault != nil { handle.terminate(grace: .milliseconds(500)) }
            running[runKey]?.completion = Task {
                let report = await handle.wait()
                await self.finished(runKey, report: report)
            }
        } catch is Halted {
            attempt.discard()
            await notLaunched(runKey, fire: fire, job: job)
        } catch {
            let now = clock.now()
            let report = ExecutionReport(outcome: .error, startedAt: now, finishedAt: now, outputTail: "\(error)",
                                         errorClass: .spawn)
            await finished(runKey, report: report)
        }
    }

    /// Shutdown came before the instant: nothing is launched.
    private struct Halted: Error {}

    /// Closes the claim of an attempt that shutdown stopped between its early claim and its
    /// instant, and leaves it due for the next start: journaled as ended `interrupted`
    /// (`shutdown`, "not launched"), with the next attempt due at the same instant, which a
    /// restart runs as it runs any pending retry. Its `started` moved the job's last occurrence
    /// past it, so catch-up would never come back for it; and it never ran, so nothing is
    /// announced (a failure alert for a run that did not happen would be wrong).
    private func notLaunched(_ runKey: RunKey, fire: Fire, job: JobSpec) async {
        guard let run = running[runKey] else { return }
        let now = clock.now()
        var report = ExecutionReport(outcome: .interrupted, startedAt: now, finishedAt: now, errorClass: .shutdown)
        report.metrics.durationMs = 0
        var ended = finishedRecord(runKey, report: report, triggeredBy: run.fire.triggeredBy)
        ended.message = "not launched: the runner stopped before its instant; the next start runs it"
        await record([
            JournalEvent(at: now, .finished(ended)),
            JournalEvent(at: now, .retry(.init(job: job.name, scheduledAt: runKey.key.scheduledAt, attempt: runKey.attempt + 1,
                                                triggeredBy: .recovery, errorClass: .shutdown, retryAt: fire.at))),
        ])
        running[runKey] = nil
        poke()
    }

    /// Starts `attempt` at `instant` (now when that is past); returns its handle and when it started.
    private func launch(_ attempt: any PreparedAttempt, at instant: Date) async throws -> (any ExecutionHandle, Date) {
        if instant > clock.now() { try? await clock.sleep(until: instant) }
        if isStopping { throw Halted() }
        return (try await attempt.launch(), clock.now())
    }

    /// Journals an attempt's end, schedules its retry when the policy allows, and starts
    /// whatever waited for a free slot.
    func finished(_ runKey: RunKey, report: ExecutionReport) async {
        // The attempt stays in `running` until its end is journaled, so "idle" means "recorded".
        guard let run = running[runKey] else { return }
        if let refused = report.journalError {
            journalRefused(refused)
            running[runKey] = nil
            poke()
            return
        }
        // Masked before anything sees it: the journal, the notifications, the observer's log.
        var report = report.masked(by: run.secrets)
        if run.replaced {
            report.outcome = .killed
            report.metrics.errorClass = .replaced
        }
        let job = jobs[runKey.key.job]
        if let job, report.outcome == .failure, let code = report.metrics.exitCode, job.nonRetryableExitCodes.contains(Int32(code)) {
            report.metrics.errorClass = .nonRetryable
        }
        let now = clock.now()
        var events = [finishedEvent(runKey, report: report, at: now, triggeredBy: run.fire.triggeredBy, lateUs: run.lateUs)]
        if let commit = report.syncedCommit {
            events.append(JournalEvent(at: now, .synced(.init(job: runKey.key.job, scheduledAt: runKey.key.scheduledAt,
                                                               attempt: runKey.attempt, commit: commit))))
        }
        // A post that reached only some targets retries the rest; a job's `partial` is its own verdict.
        let incomplete = report.outcome != .success && report.outcome != .skipped
            && (report.outcome != .partial || job?.kind == .post)
        var previousOutcome: Outcome?
        if let job, !job.notify.isEmpty {
            previousOutcome = await journal.state().jobs[runKey.key.job]?.history.last?.metrics.outcome
        }
        var retryIn: Duration?
        if let job, incomplete, report.retryable, !isStopping,
           var delay = retryDelay(job, attempt: runKey.attempt, errorClass: report.metrics.errorClass) {
            if let retryAfter = report.retryAfter, retryAfter > delay { delay = min(retryAfter, .seconds(3600)) }
            let retryAt = now.addingTimeInterval(delay.timeInterval)
            events.append(JournalEvent(at: now, .retry(.init(job: job.name, scheduledAt: runKey.key.scheduledAt, attempt: runKey.attempt + 1,
                                                              errorClass: report.metrics.errorClass, retryAt: retryAt))))
            enqueue(Fire(at: retryAt, key: runKey.key, attempt: runKey.attempt + 1, reason: .retry,
                         generation: generations[job.name, default: 0]))
            retryIn = delay
        }
        // Owed `after:` runs go ahead of the upstream's `finished`, in the same write.
        let owed = await owedAfterRuns(runKey.key, outcome: report.outcome, at: now)
        events.insert(contentsOf: owed.map { triggeredEvent($0, at: now) }, at: 0)
        // An end the journal refused (a fenced runner's, say) is neither announced nor followed:
        // whoever records the attempt's end does that, once.
        guard await record(events) else {
            running[runKey] = nil
            poke()
            return
        }
        queueAfter(owed, at: now)
        if let job { announce(job, report: report, attempt: runKey.attempt, key: runKey.key, retryIn: retryIn, previous: previousOutcome) }
        running[runKey] = nil
        // A backfilled occurrence that ended frees its slot (a retry queued keeps it).
        pumpBackfills()
        await startWaiting()
        poke()
    }

    func startWaiting() async {
        var starts: [(Fire, JobSpec)] = []
        var events: [JournalEvent] = []
        while !isStopping, !waiting.isEmpty, running.count < (options.maxParallel ?? Int.max) {
            let fire = waiting.removeFirst()
            guard let job = jobs[fire.key.job] else { continue }
            switch admit(fire, job: job, now: clock.now()) {
            case .start(let fire, let job): starts.append((fire, job))
            case .record(let event): events.append(event)
            case .replace(let fire, let job, _):
                // A queued fire of a `replace` job waits its turn rather than killing.
                waiting.insert(fire, at: 0)
                _ = job
                if !events.isEmpty { await record(events) }
                await start(starts)
                return
            case .drop: break
            }
        }
        if !events.isEmpty { await record(events) }
        await start(starts)
    }

    func finishedEvent(_ runKey: RunKey, report: ExecutionReport, at now: Date, triggeredBy: String,
                       lateUs: Int? = nil) -> JournalEvent {
        JournalEvent(at: now, .finished(finishedRecord(runKey, report: report, triggeredBy: triggeredBy, lateUs: lateUs)))
    }

    nonisolated func finishedRecord(_ runKey: RunKey, report: ExecutionReport, triggeredBy: String, lateUs: Int? = nil) -> JournalRecord.Finished {
        var metrics = report.metrics
        metrics.lateUs = lateUs
        return JournalRecord.Finished(job: runKey.key.job, scheduledAt: runKey.key.scheduledAt, attempt: runKey.attempt,
                                      triggeredBy: Cause(rawValue: triggeredBy), metrics: metrics, reason: report.reason)
    }

    /// When a post without its own `retry:` tries again after a failed publish: on a human
    /// scale, four attempts in about 21 minutes (Publishing's `RetryDelays.default`).
    package static let postRetryDelays: [Duration] = [.seconds(60), .seconds(300), .seconds(900)]

    /// The delay before the next attempt, or nil when the policy has none left or the error
    /// class is not worth retrying (a non-retryable exit code, a job that could not be spawned).
    nonisolated func retryDelay(_ job: JobSpec, attempt: Int, errorClass: FailureClass?) -> Duration? {
        if let errorClass, [.nonRetryable, .spawn, .replaced, .missed].contains(errorClass) { return nil }
        if job.kind == .post && job.retry.maxAttempts <= 1 {
            // Posts retry by default: 1m, 5m, 15m.
            let delays = Runner.postRetryDelays
            return attempt <= delays.count ? delays[attempt - 1] : nil
        }
        guard attempt < job.retry.maxAttempts else { return nil }
        return job.retry.delay(beforeRetry: attempt)
    }

    // MARK: Manual runs

    /// Queues a manual run of `name` now; false when no such job is loaded or the request could
    /// not be journaled.
    @discardableResult
    package func trigger(_ name: String, by who: String = "manual") async -> Bool {
        // A runner whose journal refuses writes is stopping: a request it cannot journal is
        // refused rather than acknowledged and lost.
        guard let job = jobs[name], journalFault == nil else { return false }
        let now = clock.now()
        // Counted in whole milliseconds, as the journal stores instants, so a candidate compares
        // equal to the key it would replay as.
        var milliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        func instant(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
        // A manual run is keyed by its millisecond; when that is also a scheduled occurrence's
        // key (or an earlier manual run's, or an `after:` run's), one claim would silently
        // swallow the other, so the manual run moves to the next free millisecond and both run
        // (or, under `concurrency: forbid`, the later one is journaled `skipped: overlap`).
        let state = await journal.state()
        let dependents = jobs.values.filter { $0.after.contains(name) }
        while isTaken(OccurrenceKey(job: name, scheduledAt: instant(milliseconds)), job: job, state: state)
            || dependents.contains(where: { dependent in
                AfterPlanner.key(for: dependent, after: OccurrenceKey(job: name, scheduledAt: instant(milliseconds)))
                    .map { isTaken($0, job: dependent, state: state) } ?? false
            }) {
            milliseconds += 1
        }
        let at = instant(milliseconds)
        let key = OccurrenceKey(job: name, scheduledAt: at)
        let triggered = JournalEvent(at: now, .triggered(.init(job: name, scheduledAt: key.scheduledAt, attempt: 1,
                                                              triggeredBy: Cause(rawValue: who))))
        guard await record([triggered]) else { return false }
        enqueue(Fire(at: at, key: key, attempt: 1, reason: .manual, generation: generations[name, default: 0]))
        poke()
        return true
    }

    /// Whether `key` already names an occurrence: one of the schedule's, or one the journal
    /// has started or has a manual trigger pending for.
    private func isTaken(_ key: OccurrenceKey, job: JobSpec, state: JournalState) -> Bool {
        if case .cron(let schedule) = job.trigger, schedule.matches(key.scheduledAt) {
            return true
        }
        if state.isClaimed(key, attempt: 1) || state.pendingTriggers.contains(where: { $0.key == key }) {
            return true
        }
        // The key an `after:` run would get from an occurrence of an upstream: taken when that
        // upstream occurrence exists or is scheduled.
        return AfterPlanner.upstreams(of: job, owing: key).contains { upstream in
            if let spec = jobs[upstream.job], case .cron(let schedule) = spec.trigger, schedule.matches(upstream.scheduledAt) {
                return true
            }
            return state.isClaimed(upstream, attempt: 1) || state.pendingTriggers.contains { $0.key == upstream }
        }
    }
}

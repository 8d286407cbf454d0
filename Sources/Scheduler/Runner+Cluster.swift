import Foundation
import Journal
import Manifest
import Reconciler

/// A runner beside peers on a shared journal (`almanac run --database`, docs/cluster.md).
///
/// There is no leader for firing: every runner schedules every job it holds and claims each
/// attempt ahead of its instant; the claim's unique row picks one. The leader is only the one
/// writer of desired state: it reconciles (journals `applied`, `removed`, diagnostics, missed
/// occurrences), and the daemon runs compaction and status write-back there. A follower loads
/// its own files too, but fires a job only at the version the journal says was applied, and
/// says so when its files differ. Once a second each runner takes over what a lapsed peer
/// left open and queues the retries and triggers peers journaled, so work a peer planned is
/// not lost with it.
extension Runner {
    package enum Role: Sendable, Equatable {
        /// The only runner on its journal (the file backend): it does everything.
        case sole
        /// Writes desired state for the cluster.
        case leader
        /// Fires what the leader applied.
        case follower
    }

    /// This runner's standing now.
    package var currentRole: Role { role }

    /// Becomes leader or follower. A new leader's caller reconciles again (its `apply` now
    /// journals what the files say); a new follower keeps what it runs and follows from here.
    package func setRole(_ new: Role) {
        guard new != role else { return }
        role = new
        if new != .follower { followed = nil; declined = [:] }
    }

    /// A follower's reconcile: the jobs whose files match the applied version are held and
    /// scheduled; a job whose file differs is not fired here (and said so once per version)
    /// until the leader applies it; a job the journal says was removed is dropped. Nothing
    /// about desired state is journaled. The returned plan is what the leader would write.
    func follow(_ manifest: Manifest, revision: String?) async -> Plan {
        let now = clock.now()
        let state = await journal.state()
        let plan = Reconciler.plan(desired: manifest, state: state, now: now)
        followed = (manifest, revision)
        // Jobs are dropped at the end, after the checks: `forget` awaits the journal, and a
        // reload or a leadership change may come in meanwhile (the actor is re-entered).
        var dropping: [String] = []
        for job in manifest.jobs where !manifest.invalidFiles.contains(job.location.file) || jobs[job.name] == nil {
            let applied = state.jobs[job.name].flatMap { $0.removed ? nil : $0.applied }
            guard let applied, applied.hash == job.contentHash else {
                if jobs[job.name] != nil { dropping.append(job.name) }
                if declined[job.name] != job.contentHash {
                    declined[job.name] = job.contentHash
                    if let applied {
                        notify(.problem("\(job.name): the file here (\(job.location.description)) differs from the version the cluster "
                            + "applied (hash \(applied.hash.prefix(12))" + (applied.revision.map { " at \($0.prefix(12))" } ?? "")
                            + "); this runner does not fire it until they match"))
                    } else {
                        // Usual for a moment at a cluster's first start or after a push: the leader applies it.
                        notify(.info("\(job.name): not applied by the cluster's leader yet; fired here once it is"))
                    }
                }
                continue
            }
            declined[job.name] = nil
            if let current = jobs[job.name], current.contentHash == job.contentHash { continue }
            jobs[job.name] = job
            specsChanged = true
            afterGraph = nil
            if started { reschedule(job, after: now) }
        }
        dropping += jobs.keys.filter { state.jobs[$0]?.removed ?? true && !dropping.contains($0) }
        if let max = manifest.config.maxParallel { options.maxParallel = max }
        publish(plan)
        for name in dropping where role == .follower && jobs[name] != nil {
            await forget(name, at: now)
        }
        if !dropping.isEmpty { publish(plan) }
        poke()
        return plan
    }

    /// Whether the journal's applied versions moved past what this follower holds.
    private func followedChanged(_ state: JournalState) -> Bool {
        guard let followed else { return false }
        for job in followed.manifest.jobs {
            let applied = state.jobs[job.name].flatMap { $0.removed ? nil : $0.applied }?.hash
            let held = jobs[job.name]?.contentHash
            if (applied == job.contentHash) != (held == job.contentHash) { return true }
        }
        return jobs.keys.contains { state.jobs[$0]?.removed ?? true }
    }

    /// Why the shared journal could not be reached at the last sync, with since when; nil when it could.
    package nonisolated var clusterTrouble: String? {
        databaseTrouble.withLock { $0.map { "database unreachable since \(Runner.utcText($0.since)): \($0.reason)" } }
    }

    /// Once a second beside peers: takes over the attempts of runners whose lease lapsed,
    /// queues the retries and triggers peers journaled, and refollows when the leader applied.
    package func syncWithPeers() async {
        guard let cluster = journal as? any ClusterJournal, journalFault == nil, !isStopping, started else { return }
        await takeOverLapsed(cluster)
        let state = await journal.state()
        adopt(state)
        followOverrides(state)
        if role == .follower, followedChanged(state), let followed {
            _ = await follow(followed.manifest, revision: followed.revision)
        }
        if described.map({ $0.revision != firing || $0.differing != declined.count }) ?? true {
            // Shown beside each runner in `status` and on the dashboard; retried next second if it fails.
            if (try? await cluster.describe(revision: firing, differing: declined.count)) != nil {
                described = (firing, declined.count)
            }
        }
        poke()
    }

    /// Records that the shared journal cannot be reached (said once, until it can again).
    private func noteDatabaseTrouble(_ reason: String, since now: Date) {
        let began = databaseTrouble.withLock { trouble in
            defer { trouble = (reason, trouble?.since ?? now) }
            return trouble == nil
        }
        if began { notify(.problem("the shared journal cannot be reached (not ready until it can): \(reason)")) }
    }

    /// Journals each lapsed peer's open attempt `interrupted`, with its retry due now when the
    /// job's policy has one left; the database lets one runner do it per attempt.
    private func takeOverLapsed(_ cluster: any ClusterJournal) async {
        let specs = jobs, now = clock.now(), me = cluster.runner
        let written: [JournalEvent]
        // A database that is down does not refuse: the pool waits for a session up to the
        // statement bound (10 s). Not-ready is said after 2 s without an answer.
        let watchdog = Task { [self] in
            try await Task.sleep(for: .seconds(2))
            // Answered just as the sleep ended: the cancel came too late to stop it.
            guard !Task.isCancelled else { return }
            noteDatabaseTrouble("no answer from the shared journal for 2 s", since: now)
        }
        defer { watchdog.cancel() }
        do {
            // A follower takes over only what it holds (its retry policy is the applied one);
            // the leader takes over the rest too, so nothing stays open for ever.
            written = try await cluster.takeOver(jobs: role == .leader ? nil : Set(specs.keys)) { [self] lapsed in
                var events: [JournalEvent] = []
                for attempt in lapsed {
                    let runKey = RunKey(key: attempt.key, attempt: attempt.attempt)
                    let report = ExecutionReport(outcome: .interrupted, startedAt: now, finishedAt: now, errorClass: .interrupted)
                    var record = finishedRecord(runKey, report: report, triggeredBy: "recovery")
                    record.metrics.durationMs = nil
                    record.message = "runner \(attempt.runner) lost its lease while this attempt ran; taken over by \(me)"
                    events.append(JournalEvent(at: now, .finished(record)))
                    if let job = specs[attempt.key.job], retryDelay(job, attempt: attempt.attempt, errorClass: .interrupted) != nil {
                        events.append(JournalEvent(at: now, .retry(.init(job: job.name, scheduledAt: attempt.key.scheduledAt,
                                                                          attempt: attempt.attempt + 1, triggeredBy: .recovery,
                                                                          errorClass: .interrupted, retryAt: now))))
                    }
                }
                return events
            }
        } catch let error as JournalError where error.kind == .database {
            // Another runner may do it; said once, and reported not-ready until it passes (the
            // lease keeper fences this runner if the database stays away past the lease).
            noteDatabaseTrouble(String(describing: error), since: now)
            return
        } catch {
            journalRefused(error)
            return
        }
        if let trouble = databaseTrouble.withLock({ trouble in defer { trouble = nil }; return trouble }) {
            notify(.problem("the shared journal answers again (unreachable since \(Runner.utcText(trouble.since)))"))
        }
        for event in written {
            notify(.recorded(event))
            if case .retry(let retry) = event.record, let key = event.key, let attempt = retry.attempt {
                enqueue(Fire(at: retry.retryAt ?? now, key: key, attempt: attempt, reason: .recovery,
                             generation: generations[key.job, default: 0]))
            }
        }
    }

    /// Queues what peers journaled for later and this runner has not queued: pending retries
    /// and manual or `after:` triggers not yet claimed. Every runner queues them; the claim
    /// picks one, so a retry survives the death of the runner that planned it.
    private func adopt(_ state: JournalState) {
        let now = clock.now()
        adopted = adopted.filter { !state.isClaimed($0.key, attempt: $0.attempt) }
        for (name, recorded) in state.jobs where jobs[name] != nil {
            guard let retry = recorded.pendingRetry, !recorded.isClaimed(retry.key, attempt: retry.attempt) else { continue }
            let runKey = RunKey(key: retry.key, attempt: retry.attempt)
            guard running[runKey] == nil, adopted.insert(runKey).inserted else { continue }
            queue.push(Fire(at: max(retry.retryAt, now), key: retry.key, attempt: retry.attempt, reason: .retry,
                            generation: generations[name, default: 0]))
        }
        for trigger in state.pendingTriggers where !trigger.isAfterTrigger {
            guard let key = trigger.key, jobs[key.job] != nil, !state.isClaimed(key, attempt: 1) else { continue }
            let runKey = RunKey(key: key, attempt: 1)
            guard running[runKey] == nil, adopted.insert(runKey).inserted else { continue }
            queue.push(Fire(at: max(key.scheduledAt, now), key: key, attempt: 1, reason: .manual,
                            generation: generations[key.job, default: 0]))
        }
        let owed = AfterPlanner.pending(state: state, jobs: jobs, graph: dependencyGraph())
            .filter { !adopted.contains(RunKey(key: $0.key, attempt: 1)) }
        queueAfter(owed, at: now)
    }

    /// Queues a retry or trigger; beside peers it is remembered, so the same one journaled by
    /// this runner is not queued again when `adopt` finds it pending.
    func enqueue(_ fire: Fire) {
        if role != .sole { adopted.insert(RunKey(key: fire.key, attempt: fire.attempt)) }
        queue.push(fire)
    }

    /// Takes up the pauses, resumes and post cancels a peer journaled (through its API or
    /// CLI): a job paused on any machine stops firing on every runner within a second.
    private func followOverrides(_ state: JournalState) {
        let now = clock.now()
        for (name, job) in jobs {
            guard let recorded = state.jobs[name] else { continue }
            if recorded.paused, overrides.paused[name] == nil {
                overrides.paused[name] = recorded.pausedHash ?? job.contentHash
                // Its scheduled fires go stale, as at a pause made here.
                generations[name, default: 0] += 1
            } else if !recorded.paused, overrides.paused[name] != nil {
                // The peer journaled the `resumed` (and what fell in the pause as skipped).
                overrides.paused[name] = nil
                reschedule(job, after: now)
            }
            if job.kind == .post, case .at(let date) = job.trigger, overrides.cancelled[name] == nil {
                let targets = recorded.publications.values.filter { $0.scheduledAt == date }
                if !targets.isEmpty, targets.allSatisfy({ $0.state == .cancelled }) {
                    overrides.cancelled[name] = date
                    generations[name, default: 0] += 1
                }
            }
        }
    }

    /// This runner's lease could not be kept: a peer may take its attempts over once it lapses,
    /// so its children are stopped now (a short grace, then SIGKILL), nothing more is fired,
    /// and the service exits non-zero as after a journal fault so a supervisor restarts it.
    package func fence(_ reason: String) {
        let now = clock.now()
        let first = fault.withLock { fault in
            guard fault == nil else { return false }
            fault = JournalFault(reason: reason, at: now)
            return true
        }
        guard first else { return }
        notify(.problem("\(reason): stopping this runner's jobs now, before a peer may take them over; "
            + "the runner then exits with status \(Self.journalFaultExitCode) so a supervisor restarts it"))
        for run in running.values { run.handle?.terminate(grace: .milliseconds(500)) }
        stop()
    }
}

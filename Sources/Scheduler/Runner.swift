import CLinux
import AlmanacCore
import CronSchedule
import Foundation
import Journal
import Manifest
import Executors
import Reconciler
import Synchronization

/// The scheduling loop: one actor owns every job, one heap of next fires and one timer.
///
/// Fires are claimed in the journal before anything runs (`claim` is the exactly-once point a
/// PostgreSQL backend can implement the same way), and every decision — started, skipped,
/// queued, retried, cancelled — is journaled, so nothing is silently dropped.
package actor Runner {
    /// Knobs that are not per job.
    package struct Options: Sendable {
        /// The most attempts running at once across all jobs (`maxParallel` in almanac.yaml); nil = no limit.
        package var maxParallel: Int?
        /// How long a terminated child gets between SIGTERM and SIGKILL.
        package var killGrace: Duration
        /// How long shutdown waits for running children before terminating them.
        package var drainTimeout: Duration
        /// How long before a fire its occurrence is claimed (the fsync), so the child starts on
        /// the instant rather than one disk flush late. Zero for virtual-clock tests.
        package var claimLead: Duration
        /// How long shutdown waits, after the children, for notifications still on their way
        /// (a delivery retries for up to about 40 s; a stop should not wait that long).
        package var notificationDrain: Duration
        /// Told of every journaled event and every problem: the log, notifications and metrics hang here.
        package var observer: (@Sendable (RunnerNotice) -> Void)?

        package init(maxParallel: Int? = nil, killGrace: Duration = .seconds(5), drainTimeout: Duration = .seconds(30),
                    claimLead: Duration = .zero, notificationDrain: Duration = .seconds(10),
                    observer: (@Sendable (RunnerNotice) -> Void)? = nil) {
            self.maxParallel = maxParallel
            self.claimLead = claimLead
            self.observer = observer
            self.killGrace = killGrace
            self.drainTimeout = drainTimeout
            self.notificationDrain = notificationDrain
        }
    }

    struct RunKey: Hashable, Sendable {
        var key: OccurrenceKey
        var attempt: Int
    }

    struct Running: Sendable {
        var fire: Fire
        var handle: (any ExecutionHandle)?
        var completion: Task<Void, Never>?
        var replaced = false
        /// Microseconds from `fire.at` to the launch, once launched.
        var lateUs: Int?
        /// The started spec's secrets: its end is masked by them even if the spec is gone by then.
        var secrets: SecretMask = .none
    }

    package let clock: any RunnerClock
    package nonisolated let journal: any JournalBackend
    let launcher: any JobLauncher
    var options: Options
    /// Tells `notify:` targets how attempts ended (Publishing's `NotifyingAnnouncer`).
    var announcer: (any AttemptAnnouncer)?
    var jobs: [String: JobSpec] = [:]
    /// Whether `jobs` changed since `published` last got its specs.
    var specsChanged = false
    /// The `after:` edges of `jobs`, built on first use after they change (Runner+After).
    var afterGraph: AfterGraph?
    var generations: [String: Int] = [:]
    var queue = FireQueue()
    var running: [RunKey: Running] = [:]
    var waiting: [Fire] = []
    /// Backfills in progress, by job (Runner+Backfill).
    var backfills: [String: BackfillQueue] = [:]
    /// Whether the runner stopped firing (`stop()`, `shutdown()`, a journal fault): kept in
    /// `halted`, so it is readable off the actor too (`/readyz` says "draining").
    package nonisolated var isStopping: Bool { halted.load(ordering: .acquiring) }
    var sleeper: Task<Void, Never>?
    var started = false
    /// Jobs paused through the API, and posts cancelled through it: not scheduled until resumed
    /// or overtaken by the files (Runner+Overrides).
    var overrides = Overrides()
    /// Sharing a journal with peers (Runner+Cluster): whether this runner writes desired state.
    var role: Role = .sole
    /// A follower's last manifest, refollowed when the leader's applied versions change.
    var followed: (manifest: Manifest, revision: String?)?
    /// A follower's jobs whose files differ from the applied version (name → hash), said once each.
    var declined: [String: String] = [:]
    /// The revision this runner last reconciled or followed, and what it last told peers it fires.
    var firing: String?
    var described: (revision: String?, differing: Int)?
    /// Retries and triggers a peer journaled that this runner queued too (the claim decides who runs them).
    var adopted: Set<RunKey> = []
    /// What the API and dashboard read, published at each reconcile and read under a lock: a
    /// request never queues on the runner's thread, where a fire may be due (sorting 1,000
    /// specs there per request once delayed fires by a millisecond under `wrk`).
    package nonisolated let published = Mutex(Published())
    /// The runner's own thread: the actor, and the fire path run under `run(until:)`, never wait
    /// in the cooperative pool's queue behind the HTTP server's handlers (Executors module).
    package nonisolated let thread: DedicatedExecutor
    package nonisolated var unownedExecutor: UnownedSerialExecutor { thread.asUnownedSerialExecutor() }
    /// Bumped on every journaled event and reconcile; read without queueing on the actor, so
    /// the API can tell whether its cached answer is still good at thousands of requests a second.
    package nonisolated let changes = Atomic<UInt64>(0)
    /// Whether the runner is stopping, readable off the actor (set before `poke()` wakes the loop).
    nonisolated let halted = Atomic<Bool>(false)
    /// Set once when the journal refuses a write (Runner+JournalFault); read off the actor by
    /// `/readyz`, `/metrics` and the service that turns it into a non-zero exit.
    nonisolated let fault = Mutex<JournalFault?>(nil)
    /// Beside peers: why the last sync could not reach the shared journal, and since when; nil
    /// once it can again. `/readyz` reports it (the lease keeper fences if it lasts).
    nonisolated let databaseTrouble = Mutex<(reason: String, since: Date)?>(nil)

    package init(clock: any RunnerClock, journal: any JournalBackend, launcher: any JobLauncher, options: Options = Options(),
                thread: DedicatedExecutor = .runner) {
        self.clock = clock
        self.journal = journal
        self.launcher = launcher
        self.options = options
        self.thread = thread
    }

    /// The read model `published` holds.
    package struct Published: Sendable {
        /// The loaded specs, sorted by name.
        package var specs: [JobSpec] = []
        /// The last reconcile's problems and kept jobs. Only the summary is kept: the change
        /// list of a first apply of a large tree is not worth holding.
        package var plan: Plan?
    }

    /// The last reconcile's summary, for `status` and the API.
    package nonisolated var lastPlan: Plan? { published.withLock { $0.plan } }

    // MARK: Reconcile

    /// Makes `manifest` the desired state: journals what changed and reschedules changed jobs.
    ///
    /// Jobs of a file that has errors keep their last good version (whatever this runner holds);
    /// a removed job loses its pending fires, and its history stays in the journal.
    @discardableResult
    package func apply(_ manifest: Manifest, revision: String? = nil) async throws -> Plan {
        let plan = try await reconcile(manifest, revision: revision)
        // Trimmed once the reconcile's temporaries (the desired map, a copy-on-write copy of the
        // journal state, encoded lines) are freed, not while they are still alive.
        if plan.changes.count > 1000 { _ = almanac_malloc_trim() }
        poke()
        return plan
    }

    private func reconcile(_ manifest: Manifest, revision: String?) async throws -> Plan {
        firing = revision
        if role == .follower { return await follow(manifest, revision: revision) }
        let now = clock.now()
        let state = await journal.state()
        let plan = Reconciler.plan(desired: manifest, state: state, now: now)
        let desired = Dictionary(manifest.jobs.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        // Appended in chunks: a first apply of 100,000 jobs should not hold 100,000 encoded
        // events in memory at once.
        var events: [JournalEvent] = []
        for change in plan.changes {
            if change.action == .remove {
                events.append(JournalEvent(at: now, .removed(.init(job: change.name))))
            } else if let job = desired[change.name] {
                events.append(appliedEvent(job, revision: revision, at: now))
            }
            if events.count >= 1000 {
                try await append(events).forEach { notify(.recorded($0)) }
                events.removeAll(keepingCapacity: true)
            }
        }
        let messages = manifest.diagnostics.map(\.description)
        if messages != state.diagnostics {
            events.append(JournalEvent(at: now, .diagnostics(.init(messages: messages))))
        }
        if !events.isEmpty { try await append(events).forEach { notify(.recorded($0)) } }
        if let max = manifest.config.maxParallel { options.maxParallel = max }

        await cancelPosts(plan: plan, desired: desired, state: state, now: now)
        for change in plan.changes where change.action == .remove {
            await forget(change.name, at: now)
        }
        for job in manifest.jobs where !manifest.invalidFiles.contains(job.location.file) || jobs[job.name] == nil {
            if let current = jobs[job.name], current.contentHash == job.contentHash { continue }
            jobs[job.name] = job
            specsChanged = true
            afterGraph = nil
            if started { reschedule(job, after: now) }
        }
        await liftOvertakenOverrides()
        publish(plan)
        return plan
    }

    /// Hands the reconcile's summary, and the specs when they changed, to the read model.
    func publish(_ plan: Plan) {
        var summary = plan
        summary.changes = []
        let specs = specsChanged ? jobs.values.sorted { $0.name < $1.name } : nil
        specsChanged = false
        published.withLock {
            $0.plan = summary
            if let specs { $0.specs = specs }
        }
        changes.add(1, ordering: .relaxed)
    }

    /// Drops a removed job: its scheduled fires go stale and its queued fires are cancelled.
    func forget(_ name: String, at now: Date) async {
        jobs[name] = nil
        specsChanged = true
        afterGraph = nil
        // Its `removed` event ends a pause in the journal too (JournalState).
        overrides.remove(name)
        generations[name, default: 0] += 1
        // Its adopted retries and triggers went stale with its fires: queued again if it comes back.
        adopted = adopted.filter { $0.key.job != name }
        let dropped = waiting.filter { $0.key.job == name }
        waiting.removeAll { $0.key.job == name }
        var events: [JournalEvent] = []
        for fire in dropped {
            events.append(JournalEvent(at: now, .cancelled(.init(job: name, scheduledAt: fire.key.scheduledAt, attempt: fire.attempt,
                                                                  reason: .removed))))
        }
        if !events.isEmpty { await record(events) }
    }

    /// Queues the job's next scheduled occurrence strictly after `date`.
    func reschedule(_ job: JobSpec, after date: Date) {
        generations[job.name, default: 0] += 1
        scheduleNext(job, after: date)
    }

    func scheduleNext(_ job: JobSpec, after date: Date) {
        guard job.enabled, !job.cancelled, !overrides.contains(job.name) else { return }
        let next: Date
        switch job.trigger {
        case .cron(let schedule):
            guard let date = schedule.next(after: date) else { return }
            next = date
        case .at(let at):
            // A one-shot post: its single occurrence, if it is still ahead.
            guard at > date else { return }
            next = at
        case .manual:
            return
        }
        let fire = Fire(at: next.addingTimeInterval(jitterOffset(job)), key: OccurrenceKey(job: job.name, scheduledAt: next),
                        attempt: 1, reason: .schedule, generation: generations[job.name, default: 0])
        queue.push(fire)
    }

    /// A deterministic offset in `[0, jitter)` from a hash of the name, so a fleet of `0 * * * *`
    /// jobs spreads out the same way on every restart and every machine.
    func jitterOffset(_ job: JobSpec) -> TimeInterval {
        let ms = UInt64(max(0, job.jitter.milliseconds))
        guard ms > 0 else { return 0 }
        return TimeInterval(stableHash(job.name) % ms) / 1000
    }

    // MARK: Loop

    /// Fires everything that is due now. The loop calls it after each wake; tests call it after
    /// moving a virtual clock.
    package func step() async {
        let now = clock.now()
        let horizon = now.addingTimeInterval(options.claimLead.timeInterval)
        var due: [Fire] = []
        while let fire = queue.first, fire.at <= horizon {
            _ = queue.pop()
            due.append(fire)
        }
        if !due.isEmpty { await fire(due, now: now) }
    }

    /// The instant the loop must wake for the earliest queued fire (its time less the claim lead).
    package func nextWake() -> Date? { queue.first.map { $0.at.addingTimeInterval(-options.claimLead.timeInterval) } }

    /// Runs until `end` (the `--for` duration) or `shutdown()`. The whole loop prefers the
    /// runner's thread, so the nonisolated parts of a fire (claims, spawning) run there too.
    package func run(until end: Date? = nil) async {
        await withTaskExecutorPreference(thread) { await loop(until: end) }
    }

    private func loop(until end: Date?) async {
        while !isStopping {
            await step()
            let now = clock.now()
            if let end, now >= end { break }
            var wake = nextWake() ?? now.addingTimeInterval(3600)
            if let end { wake = min(wake, end) }
            if wake <= now { continue }
            let clock = self.clock
            let sleeper = Task(executorPreference: thread) { _ = try? await clock.sleep(until: wake) }
            self.sleeper = sleeper
            await sleeper.value
            self.sleeper = nil
        }
    }

    /// Wakes the loop early (a reload, a trigger, shutdown); it re-reads the heap and the clock.
    package func poke() {
        sleeper?.cancel()
    }

    /// The number of attempts running now.
    package var runningCount: Int { running.count }

    /// Waits (on the real clock) until nothing runs or `timeout` passes; true when idle.
    package func waitUntilIdle(timeout: Duration) async -> Bool {
        await poll(every: .milliseconds(5), timeout: timeout) { running.isEmpty && waiting.isEmpty }
    }

    func appliedEvent(_ job: JobSpec, revision: String?, at: Date) -> JournalEvent {
        JournalEvent(at: at, .applied(.init(job: job.name, hash: job.contentHash, revision: revision, kind: job.kind.rawValue,
                                            enabled: job.enabled, source: job.location.description, fields: job.fields)))
    }
}


extension Runner {
    /// Ends `run(until:)` at its next wake; `shutdown()` then drains.
    package func stop() {
        halted.store(true, ordering: .releasing)
        poke()
    }
}

extension Runner {
    /// Changes the global limit on attempts running at once.
    package func setMaxParallel(_ limit: Int?) {
        options.maxParallel = limit
    }
}

extension Runner {
    /// Fires waiting in the heap (scheduled, retries, manual), for diagnostics and benchmarks.
    package var queuedCount: Int { queue.count }
}

/// What the runner tells its observer.
package enum RunnerNotice: Sendable {
    /// An event is in the journal (durable).
    case recorded(JournalEvent)
    /// Something went wrong outside any one job, e.g. the journal refused a write.
    case problem(String)
    /// A summary worth a log line (e.g. how many missed occurrences were skipped at start).
    case info(String)
    /// A scheduled attempt's child (or publisher) started, at `at`, for the instant `planned`:
    /// the lateness metric. The journal's `started` cannot say it, because a claim made ahead
    /// of the instant records the instant itself.
    case launched(job: String, planned: Date, at: Date)
}

extension Runner {
    func notify(_ notice: RunnerNotice) {
        if case .recorded = notice { changes.add(1, ordering: .relaxed) }
        options.observer?(notice)
    }

    /// Appends to the journal and tells the observer; a failed write is reported, never silent
    /// (a refused write stops the runner, Runner+JournalFault).
    @discardableResult
    package func record(_ events: [JournalEvent]) async -> Bool {
        // A message or tail of any job's event is masked of its secrets before it is written.
        let events = events.map { event in event.job.flatMap { jobs[$0]?.secrets }.map(event.masked) ?? event }
        do {
            for event in try await journal.append(events) { notify(.recorded(event)) }
            return true
        } catch {
            journalRefused(error)
            return false
        }
    }
}

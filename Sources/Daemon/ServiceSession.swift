import Executors
import Foundation
import GitSync
import Journal
import Manifest
import Scheduler
import Processes
import Publishing
import ServiceLifecycle

/// What `almanac run` is in both modes once the journal is open: the runner wired to its
/// executors and observers, then the loops around `Runner.run` and the shutdown in reverse order.
///
/// Only where the desired state comes from differs (a watched directory, a polled repository),
/// so `RunnerService` and `RepoRunnerService` each supply that and share the rest from here.
struct ServiceSession {
    let runner: Runner
    let journal: any JournalBackend
    /// The shared journal when beside peers (`--database`); nil with the file journal.
    let cluster: (any ClusterJournal)?
    /// With a shared journal, the state directory's lock (JournalStore).
    let lock: LockFile?
    let clock: SystemClock
    let stateDirectory: URL
    let hooks: RunnerHooks
    let writeBack: StatusWriteBack?
    let log: RunnerLog

    /// The runner with processes, posts and scans routed to their executors; every notice is
    /// logged, then passed to the status write-back and the hooks (metrics). Webhooks and
    /// notifications go through `sender`, which the caller owns and shuts down.
    static func make(root: URL, stateDirectory: URL, environment: [String: String], sender: HTTPSender, credentials: GitCredentials = .none,
                     journal opened: (journal: any JournalBackend, cluster: (any ClusterJournal)?, lock: LockFile?),
                     clock: SystemClock, options: Runner.Options, hooks: RunnerHooks,
                     writeBack: StatusWriteBack?, log: RunnerLog) async -> ServiceSession {
        let journal = opened.journal
        var options = options
        // 50 ms: room for an fsync on a busy machine before the instant, so a fire never waits for its claim.
        if options.claimLead == .zero { options.claimLead = .milliseconds(50) }
        options.observer = ServiceLoops.observer(log: log, also: { notice in
            writeBack?.observe(notice)
            hooks.observer?(notice)
        })
        let launcher = ProcessLauncher()
        let executor = ServiceLoops.executor(root: root, stateDirectory: stateDirectory, environment: environment,
                                             journal: journal, clock: clock, launcher: launcher, sender: sender, credentials: credentials,
                                             observer: options.observer)
        let runner = Runner(clock: clock, journal: journal, launcher: executor, options: options)
        if runner.thread.nice >= 0 {
            log(.notice, "almanac: the runner's thread runs at normal priority (raising it needs CAP_SYS_NICE or "
                + "RLIMIT_NICE, e.g. LimitNICE=-5 in the systemd unit); fires may start late while the machine is saturated")
        }
        await ServiceLoops.notifier(runner, stateDirectory: stateDirectory, launcher: launcher, sender: sender)
        writeBack?.setWriting(opened.cluster == nil)
        return ServiceSession(runner: runner, journal: journal, cluster: opened.cluster, lock: opened.lock, clock: clock,
                              stateDirectory: stateDirectory, hooks: hooks, writeBack: writeBack, log: log)
    }

    /// Runs the started runner as one ServiceGroup (DaemonServices.swift) until SIGINT/SIGTERM,
    /// `Runner.stop()` or `duration`, with `source` (the watcher or poller), the trigger inbox,
    /// compaction, status write-back and the hooks' services (the HTTP server) beside it; the
    /// group shuts them down in reverse order, then the journal is closed.
    /// `setup` is the first reconcile and `Runner.start()`; it runs inside the group, first.
    func drive(for duration: Duration?, git: GitHealth? = nil, setup: @escaping @Sendable () async throws -> Void,
               reload: @escaping @Sendable () async -> ReloadOutcome,
               history: @escaping @Sendable () async -> RootConfig.History?, source: LoopService) async throws {
        let runner = self.runner, log = self.log, clock = self.clock, journal = self.journal, stateDirectory = self.stateDirectory
        let cluster = self.cluster, writeBack = self.writeBack
        var setup = setup
        let joined = StartGate()
        // On the database's clock from the start (ClusterClock): `--for` and the first reconcile read it.
        if let cluster { await ClusterClock.measure(cluster, for: clock, log: log) }
        if let cluster {
            // Before anything fires: registered, with this runner's lease, leading or following.
            setup = { [setup] in
                let leads: Bool
                do {
                    leads = try await cluster.join(version: AlmanacVersion.current)
                } catch {
                    joined.open(started: false)
                    throw error
                }
                // The role first: the lease keepers start once `joined` opens, and their
                // changes must land on it, not be overwritten by it.
                await runner.setRole(leads ? .leader : .follower)
                writeBack?.setWriting(leads)
                joined.open(started: true)
                log("almanac: joined the cluster on \(cluster.location) as \(cluster.runner), "
                    + (leads ? "leading (this runner writes desired state, compaction and status)" : "following"))
                try await setup()
            }
        }
        let journalPath = stateDirectory.appendingPathComponent("journal.jsonl").path
        await hooks.started?(RunnerHandle(runner: runner, journal: journal, journalPath: journalPath, git: git, reload: reload))
        let end = duration.map { clock.now().addingTimeInterval($0.timeInterval) }
        let gate = StartGate()
        var source = source
        source.gate = gate
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = hooks.services.map { .init(service: $0) }
        if let cluster {
            // Stopped after the drain and the last status write: the leases outlast this
            // runner's last attempt, and a status write it makes as leader.
            services.append(.init(service: ClusterService(cluster: cluster, runner: runner, writeBack: writeBack, reload: reload,
                                                          clock: clock, log: log, joined: joined, gate: gate)))
        }
        if let writeBack { services.append(.init(service: StatusWriterService(writeBack: writeBack, log: log, gate: gate))) }
        services += [
            .init(service: DrainService(runner: runner, gate: gate)),
            .init(service: LoopService(start: { ServiceLoops.triggers(stateDirectory, runner: runner, log: log) }, gate: gate)),
            .init(service: LoopService(start: {
                ServiceLoops.compaction(journal, clock: clock, history: history, log: log,
                                        leads: { await runner.currentRole != .follower })
            }, gate: gate)),
            .init(service: source),
            .init(service: FireLoopService(runner: runner, end: end, log: log, gate: gate, setup: setup),
                  successTerminationBehavior: .gracefullyShutdownGroup),
        ]
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: hooks.logger ?? .quiet))
        do {
            try await group.run()
        } catch {
            // The start failed, or a service did (the server could not bind, say): the group
            // cancelled the rest, and DrainService drained what ran before it returned.
            try? await journal.close()
            lock?.release()
            try stopIfFaulted()
            throw error
        }
        try await journal.close()
        lock?.release()
        log("almanac: stopped")
        try stopIfFaulted()
    }

    /// Throws `journalFailed` when the journal refused a write: at start (the first apply) as
    /// after a drain, so `almanac run` exits non-zero and its supervisor restarts it.
    func stopIfFaulted() throws {
        if let fault = runner.journalFault { throw ProcessError.journalFailed(reason: fault.reason) }
    }
}

import Executors
import Foundation
import GitSync
import Journal
import Manifest

/// What `almanac run` is in both modes once the journal is open: the runner wired to its
/// executors and observers, then the loops around `Runner.run` and the shutdown in reverse order.
///
/// Only where the desired state comes from differs (a watched directory, a polled repository),
/// so `RunnerService` and `RepoRunnerService` each supply that and share the rest from here.
struct ServiceSession {
    let runner: Runner
    let journal: FileJournal
    let clock: SystemClock
    let stateDirectory: URL
    let hooks: RunnerHooks
    let writeBack: StatusWriteBack?
    let log: RunnerLog

    /// The runner with processes, posts and scans routed to their executors; every notice is
    /// logged, then passed to the status write-back and the hooks (metrics).
    static func make(root: URL, stateDirectory: URL, environment: [String: String], credentials: GitCredentials = .none,
                     journal: FileJournal, clock: SystemClock, options: Runner.Options, hooks: RunnerHooks,
                     writeBack: StatusWriteBack?, log: RunnerLog) async -> ServiceSession {
        var options = options
        // 50 ms: room for an fsync on a busy machine before the instant, so a fire never waits for its claim.
        if options.claimLead == .zero { options.claimLead = .milliseconds(50) }
        options.observer = ServiceLoops.observer(log: log, also: { notice in
            writeBack?.observe(notice)
            hooks.observer?(notice)
        })
        let launcher = ProcessLauncher()
        let executor = ServiceLoops.executor(root: root, stateDirectory: stateDirectory, environment: environment,
                                             journal: journal, clock: clock, launcher: launcher, credentials: credentials,
                                             observer: options.observer)
        let runner = Runner(clock: clock, journal: journal, executor: executor, options: options)
        if runner.thread.nice >= 0 {
            log(.notice, "almanac: the runner's thread runs at normal priority (raising it needs CAP_SYS_NICE or "
                + "RLIMIT_NICE, e.g. LimitNICE=-5 in the systemd unit); fires may start late while the machine is saturated")
        }
        await ServiceLoops.notifier(runner, stateDirectory: stateDirectory, launcher: launcher)
        return ServiceSession(runner: runner, journal: journal, clock: clock, stateDirectory: stateDirectory, hooks: hooks,
                              writeBack: writeBack, log: log)
    }

    /// Runs the started runner until a signal, `Runner.stop()` or `duration`, with the trigger
    /// inbox, compaction and status loops beside it; then stops `source` (the watcher or poller),
    /// drains, writes status a last time and closes the journal.
    func drive(for duration: Duration?, git: GitHealth? = nil, reload: @escaping @Sendable () async -> ReloadOutcome,
               history: @escaping @Sendable () async -> RootConfig.History?, stopSource: () -> Void) async throws {
        let runner = self.runner, log = self.log
        let journalPath = stateDirectory.appendingPathComponent("journal.jsonl").path
        await hooks.started?(RunnerHandle(runner: runner, journal: journal, journalPath: journalPath, git: git, reload: reload))
        let triggers = ServiceLoops.triggers(stateDirectory, runner: runner, log: log)
        let maintenance = ServiceLoops.compaction(journal, clock: clock, history: history, log: log)
        let signals = !hooks.trapsSignals ? nil : SignalTrap(signals: [SIGINT, SIGTERM]) { signal in
            log(.notice, "almanac: signal \(signal): draining")
            Task { await runner.stop() }
        }
        let writer = writeBack.map { back in Task { await back.run(log: log) } }
        let end = duration.map { clock.now().addingTimeInterval($0.timeInterval) }
        await runner.run(until: end)
        signals?.cancel()
        stopSource()
        triggers.cancel()
        maintenance.cancel()
        await runner.shutdown()
        writer?.cancel()
        if let writeBack {
            do { try await writeBack.flush() } catch { log(.error, "almanac: final status write-back failed: \(error)") }
        }
        try await journal.close()
        log("almanac: stopped")
        try stopIfFaulted()
    }

    /// Throws `journalFailed` when the journal refused a write: at start (the first apply) as
    /// after a drain, so `almanac run` exits non-zero and its supervisor restarts it.
    func stopIfFaulted() throws {
        if let fault = runner.journalFault { throw ProcessError.journalFailed(reason: fault.reason) }
    }
}

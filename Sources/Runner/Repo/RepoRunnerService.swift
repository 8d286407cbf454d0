import Foundation
import GitSync
import Journal
import Manifest
import Synchronization

/// `almanac run --repo URL`: the runner fed from a git repository instead of a directory.
///
/// A poller fetches every `poll` interval and applies each new tip with its commit id as the
/// `applied` events' revision; a failed fetch or a broken file keeps the last good revision.
/// Status files are written back (debounced) to the status branch by the bot identity, whose
/// commits the poller ignores. Manual triggers, compaction and signals work as in directory mode.
public struct RepoRunnerService: Sendable {
    public var source: RepoSource.Options
    /// How often the remote is fetched.
    public var poll: Duration
    public var options: Runner.Options
    /// How often status is written back at most; nil turns write-back off.
    public var statusInterval: Duration?
    public var identity: StatusIdentity
    public var log: @Sendable (String) -> Void

    public init(source: RepoSource.Options, poll: Duration = .seconds(30), options: Runner.Options = .init(),
                statusInterval: Duration? = .seconds(10), identity: StatusIdentity = .init(),
                log: @escaping @Sendable (String) -> Void) {
        self.source = source
        self.poll = poll
        self.options = options
        self.statusInterval = statusInterval
        self.identity = identity
        self.log = log
    }

    /// Runs until SIGINT/SIGTERM or until `duration` has passed, then drains and returns.
    public func run(for duration: Duration?) async throws {
        let stateDirectory = source.stateDirectory
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let journal = try FileJournal(directory: stateDirectory)
        let clock = SystemClock()
        let log = self.log
        var sourceOptions = source
        sourceOptions.botEmail = identity.email
        let repo = RepoSource(options: sourceOptions)
        guard case .apply(let first, let revision) = try await repo.poll(now: clock.now()) else {
            throw ProcessError.invalidSpec("\(source.url): nothing to reconcile")
        }
        report(first)
        await repo.setStatusPath(first.config.status.path)
        let latest = Mutex(first)
        var statusWriter: StatusWriteBack?
        if let statusInterval {
            let sink = GitStatusSink(repository: try await repo.open(), branch: first.config.status.branch,
                                     path: first.config.status.path, identity: identity, credentials: source.credentials)
            statusWriter = StatusWriteBack(sink: sink, journal: journal, clock: clock, interval: statusInterval)
            statusWriter?.update(first)
        }
        let writeBack = statusWriter
        var options = self.options
        if options.claimLead == .zero { options.claimLead = .milliseconds(20) }
        options.observer = ServiceLoops.observer(log: log, also: { notice in writeBack?.observe(notice) })
        let launcher = ProcessLauncher()
        let executor = ServiceLoops.executor(root: repo.jobsRoot, stateDirectory: stateDirectory, environment: source.environment,
                                             journal: journal, clock: clock, launcher: launcher, credentials: source.credentials,
                                             observer: options.observer)
        let runner = Runner(clock: clock, journal: journal, executor: executor, options: options)
        await ServiceLoops.notifier(runner, stateDirectory: stateDirectory, launcher: launcher)
        try await runner.apply(first, revision: revision.hex)
        try await runner.start()
        log("almanac: running \(first.jobs.count) job(s) from \(source.url) \(source.branch) at \(revision.short); state in \(stateDirectory.path)")

        let poller = Task { [poll] in
            while !Task.isCancelled {
                try? await Task.sleep(for: poll)
                if Task.isCancelled { break }
                do {
                    switch try await repo.poll(now: clock.now()) {
                    case .apply(let manifest, let revision):
                        report(manifest)
                        latest.withLock { $0 = manifest }
                        writeBack?.update(manifest)
                        let plan = try await runner.apply(manifest, revision: revision.hex)
                        log("almanac: \(revision.short): " + (plan.changes.isEmpty ? "no changes"
                            : plan.changes.map { "\($0.action.rawValue) \($0.name)" }.joined(separator: ", ")))
                    case .ignored(let tip):
                        log("almanac: \(tip.short): only status or bot commits; nothing to reconcile")
                    case .unchanged:
                        break
                    }
                } catch {
                    let current = await repo.applied.map(\.short) ?? "?"
                    log("almanac: poll of \(source.url) failed, keeping \(current): \(error)")
                }
            }
        }
        let writer = writeBack.map { back in Task { await back.run(log: log) } }
        let triggers = ServiceLoops.triggers(stateDirectory, runner: runner, log: log)
        let maintenance = ServiceLoops.compaction(journal, clock: clock, history: { latest.withLock { $0.config.history } }, log: log)
        let signals = SignalTrap(signals: [SIGINT, SIGTERM]) { signal in
            log("almanac: signal \(signal): draining")
            Task { await runner.stop() }
        }
        let end = duration.map { clock.now().addingTimeInterval($0.timeInterval) }
        await runner.run(until: end)
        signals.cancel()
        poller.cancel()
        triggers.cancel()
        maintenance.cancel()
        writer?.cancel()
        await runner.shutdown()
        if let writeBack {
            do { try await writeBack.flush() } catch { log("almanac: final status write-back failed: \(error)") }
        }
        try await journal.close()
        log("almanac: stopped")
    }

    private func report(_ manifest: Manifest) {
        for diagnostic in manifest.diagnostics {
            log(source.path + "/" + diagnostic.description)
        }
    }
}

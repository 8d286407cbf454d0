import Foundation
import Journal
import Manifest
import Scheduler
import Processes
import Publishing

/// `almanac run` in directory mode: the journal, the loop, the watcher and the trigger inbox,
/// one ServiceGroup shut down in reverse order on SIGINT/SIGTERM (ServiceSession.drive).
package struct RunnerService: HookedRunnerService {
    package var root: URL
    package var stateDirectory: URL
    package var environment: [String: String]
    package var options: Runner.Options
    /// Where progress lines go (stderr in the CLI).
    package var log: RunnerLog
    /// When set, status files are written here (debounced, only changed bytes): `--status-dir`.
    package var statusDirectory: URL?
    /// How often status is written at most.
    package var statusInterval: Duration = .seconds(10)
    /// The file journal in the state directory, or a database shared with peers (`--database`).
    package var store: JournalStore = .file
    /// The HTTP server's hooks (RunnerHooks.swift); empty for a plain `almanac run`.
    package var hooks = RunnerHooks()

    package init(root: URL, stateDirectory: URL, environment: [String: String], options: Runner.Options = .init(),
                log: RunnerLog) {
        self.root = root
        self.stateDirectory = stateDirectory
        self.environment = environment
        self.options = options
        self.log = log
    }

    /// Directory mode has no branch: any verified push webhook starts a reload.
    package var watchedBranch: String? { nil }

    /// Runs until SIGINT/SIGTERM or until `duration` has passed, then drains and returns.
    package func run(for duration: Duration?) async throws {
        // One HTTP client for the runner's whole life, shut down on every way out (a bad start,
        // a drained stop, the journal-fault exit).
        try await HTTPSender.with(environment: environment) { sender in try await run(for: duration, sender: sender) }
    }

    private func run(for duration: Duration?, sender: HTTPSender) async throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let opened = try await store.open(stateDirectory: stateDirectory)
        let journal = opened.journal
        let clock = SystemClock.daemon(environment: environment)
        let writeBack = statusDirectory.map {
            StatusWriteBack(sink: DirectoryStatusSink(directory: $0), journal: journal, clock: clock, interval: statusInterval)
        }
        let log = self.log
        let session = await ServiceSession.make(root: root, stateDirectory: stateDirectory, environment: environment, sender: sender,
                                                journal: opened, clock: clock, options: options, hooks: hooks,
                                                writeBack: writeBack, log: log)
        let runner = session.runner
        let source = ManifestSource(root: root, stateDirectory: stateDirectory, environment: environment)

        let root = self.root
        let setup: @Sendable () async throws -> Void = {
            let first = try source.load(now: clock.now())
            report(first)
            writeBack?.update(first)
            try await runner.apply(first)
            try await runner.start()
            log("almanac: running \(first.jobs.count) job(s) from \(root.path); state in \(stateDirectory.path)")
        }

        let reload: @Sendable () async -> ReloadOutcome = {
            do {
                let manifest = try source.load(now: clock.now())
                report(manifest)
                writeBack?.update(manifest)
                let plan = try await runner.apply(manifest)
                if !plan.changes.isEmpty {
                    log("almanac: reloaded: " + plan.changes.map { "\($0.action.rawValue) \($0.name)" }.joined(separator: ", "))
                }
                return .done
            } catch {
                log(.error, "almanac: reload failed: \(error)")
                return .failed("reload failed: \(error)")
            }
        }
        let watcher = TreeWatcher(tree: source.tree)
        try await session.drive(for: duration, setup: setup, reload: reload, history: {
            (try? source.load(now: clock.now()))?.config.history
        }, source: LoopService(start: { watcher.start(onChange: { _ = await reload() }) }, stop: { watcher.stop() }))
    }

    private func report(_ manifest: Manifest) {
        for diagnostic in manifest.diagnostics {
            log(diagnostic.severity == .error ? .error : .warning, root.lastPathComponent + "/" + diagnostic.description)
        }
    }
}

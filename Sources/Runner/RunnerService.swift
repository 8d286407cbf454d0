import Dispatch
import Foundation
import Journal
import Manifest

/// `almanac run` in directory mode: the journal, the loop, the watcher, the trigger inbox and
/// the signals, wired together and shut down in reverse order.
public struct RunnerService: Sendable {
    public var root: URL
    public var stateDirectory: URL
    public var environment: [String: String]
    public var options: Runner.Options
    /// Where progress lines go (stderr in the CLI).
    public var log: @Sendable (String) -> Void
    /// The HTTP server's hooks (RunnerHooks.swift); empty for a plain `almanac run`.
    public var hooks = RunnerHooks()

    public init(root: URL, stateDirectory: URL, environment: [String: String], options: Runner.Options = .init(),
                log: @escaping @Sendable (String) -> Void) {
        self.root = root
        self.stateDirectory = stateDirectory
        self.environment = environment
        self.options = options
        self.log = log
    }

    /// Runs until SIGINT/SIGTERM or until `duration` has passed, then drains and returns.
    public func run(for duration: Duration?) async throws {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let journal = try FileJournal(directory: stateDirectory)
        let clock = SystemClock()
        var options = self.options
        if options.claimLead == .zero { options.claimLead = .milliseconds(20) }
        let log = self.log
        let hooks = self.hooks
        options.observer = { notice in
            defer { hooks.observer?(notice) }
            switch notice {
            case .recorded(let event): if let line = EventLog.line(event) { log(line) }
            case .problem(let message): log("almanac: \(message)")
            case .info(let message): log(message)
            }
        }
        let launcher = ProcessLauncher()
        let executor = RoutingExecutor(
            job: ProcessExecutor(root: root, stateDirectory: stateDirectory, environment: environment),
            post: PostExecutor(journal: journal, clock: clock, root: root, stateDirectory: stateDirectory,
                               environment: environment, launcher: launcher, observer: options.observer))
        let runner = Runner(clock: clock, journal: journal, executor: executor, options: options)
        let notifyLog = stateDirectory.appendingPathComponent("logs/notify.log").path
        await runner.setNotifier(Notifier(launcher: launcher, logPath: notifyLog) { delivery in
            Task { await runner.recordDelivery(delivery) }
        })
        let source = ManifestSource(root: root, stateDirectory: stateDirectory, environment: environment)

        let first = try source.load(now: clock.now())
        report(first)
        try await runner.apply(first)
        try await runner.start()
        log("almanac: running \(first.jobs.count) job(s) from \(root.path); state in \(stateDirectory.path)")

        let reload: @Sendable () async -> Void = {
            do {
                let manifest = try source.load(now: clock.now())
                report(manifest)
                let plan = try await runner.apply(manifest)
                if !plan.changes.isEmpty {
                    log("almanac: reloaded: " + plan.changes.map { "\($0.action.rawValue) \($0.name)" }.joined(separator: ", "))
                }
            } catch {
                log("almanac: reload failed: \(error)")
            }
        }
        let watcher = TreeWatcher(tree: source.tree)
        let watching = watcher.start(onChange: reload)
        let journalPath = stateDirectory.appendingPathComponent("journal.jsonl").path
        await hooks.started?(RunnerHandle(runner: runner, journal: journal, journalPath: journalPath, reload: reload))
        let inbox = TriggerInbox(stateDirectory: stateDirectory)
        let triggers = Task {
            while !Task.isCancelled {
                for request in inbox.pending() {
                    if !(await runner.trigger(request.job, by: request.requestedBy)) {
                        log("almanac: trigger for unknown job '\(request.job)' ignored")
                    }
                    inbox.remove(request)
                }
                try? await Task.sleep(for: .milliseconds(250))
            }
        }
        // Compaction keeps the journal short: at start when the file passed 64 MiB, then
        // whenever 100,000 events were appended or a day passed, with retention from
        // almanac.yaml `history:`. A small journal keeps every line, readable as it was written.
        let journalFile = stateDirectory.appendingPathComponent("journal.jsonl").path
        let maintenance = Task {
            var lastCompaction = ContinuousClock.now
            let size = (try? FileManager.default.attributesOfItem(atPath: journalFile)[.size] as? Int) ?? 0
            var eventsAtLastCompaction = size > 64 << 20 ? -1 : 0
            while !Task.isCancelled {
                let appended = await journal.appendedEvents
                if eventsAtLastCompaction < 0 || appended - eventsAtLastCompaction >= 100_000
                    || ContinuousClock.now - lastCompaction > .seconds(86_400) {
                    let history = (try? source.load(now: clock.now()))?.config.history
                    let retention = Retention(keep: history?.keep ?? .seconds(30 * 86_400), maxPerJob: history?.maxPerJob ?? 1000)
                    do {
                        try await journal.compact(now: clock.now(), retention: retention)
                    } catch {
                        log("almanac: journal compaction failed: \(error)")
                    }
                    lastCompaction = ContinuousClock.now
                    eventsAtLastCompaction = await journal.appendedEvents
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
        let signals = !hooks.trapsSignals ? nil : SignalTrap(signals: [SIGINT, SIGTERM]) { signal in
            log("almanac: signal \(signal): draining")
            Task { await runner.stop() }
        }
        let end = duration.map { clock.now().addingTimeInterval($0.timeInterval) }
        await runner.run(until: end)
        signals?.cancel()
        watcher.stop()
        watching.cancel()
        triggers.cancel()
        maintenance.cancel()
        await runner.shutdown()
        try await journal.close()
        log("almanac: stopped")
    }

    private func report(_ manifest: Manifest) {
        for diagnostic in manifest.diagnostics {
            log(root.lastPathComponent + "/" + diagnostic.description)
        }
    }
}

/// Turns SIGINT/SIGTERM into a callback instead of the default exit, so the runner can drain.
final class SignalTrap {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], handler: @escaping @Sendable (Int32) -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { handler(number) }
            source.resume()
            return source
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}

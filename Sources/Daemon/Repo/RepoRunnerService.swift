import Foundation
import GitSync
import Journal
import Manifest
import Synchronization
import Scheduler
import Processes
import Publishing

/// `almanac run --repo URL`: the runner fed from a git repository instead of a directory.
///
/// A poller fetches every `poll` interval and applies each new tip with its commit id as the
/// `applied` events' revision; a failed fetch or a broken file keeps the last good revision.
/// Status files are written back (debounced) to the status branch by the bot identity, whose
/// commits the poller ignores. Manual triggers, compaction and signals work as in directory mode;
/// `POST /api/v1/sync` and a verified push webhook fetch at once, between polls.
package struct RepoRunnerService: HookedRunnerService {
    package var source: RepoSource.Options
    /// How often the remote is fetched.
    package var poll: Duration
    package var options: Runner.Options
    /// How often status is written back at most; nil turns write-back off.
    package var statusInterval: Duration?
    package var identity: StatusIdentity
    package var log: RunnerLog
    /// The file journal in the state directory, or a database shared with peers (`--database`).
    package var store: JournalStore = .file
    /// The HTTP server's hooks; empty for a plain `almanac run --repo`.
    package var hooks = RunnerHooks()

    package init(source: RepoSource.Options, poll: Duration = .seconds(30), options: Runner.Options = .init(),
                statusInterval: Duration? = .seconds(10), identity: StatusIdentity = .init(),
                log: RunnerLog) {
        self.source = source
        self.poll = poll
        self.options = options
        self.statusInterval = statusInterval
        self.identity = identity
        self.log = log
    }

    /// A verified push webhook for this branch starts a fetch at once.
    package var watchedBranch: String? { source.branch }

    /// Runs until SIGINT/SIGTERM or until `duration` has passed, then drains and returns.
    package func run(for duration: Duration?) async throws {
        // One HTTP client for the runner's whole life, shut down on every way out (a bad start,
        // a drained stop, the journal-fault exit).
        try await HTTPSender.with(environment: source.environment) { sender in try await run(for: duration, sender: sender) }
    }

    private func run(for duration: Duration?, sender: HTTPSender) async throws {
        let stateDirectory = source.stateDirectory
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let opened = try await store.open(stateDirectory: stateDirectory)
        let journal = opened.journal
        let clock = SystemClock.daemon(environment: source.environment)
        let log = self.log
        var sourceOptions = source
        sourceOptions.botEmail = identity.email
        let repo = RepoSource(options: sourceOptions)
        let (first, revision, fetchError) = try await repo.start(now: clock.now())
        let health = GitHealth(revision: revision.hex, fetchedAt: fetchError == nil ? clock.now() : nil)
        if let fetchError {
            let message = source.credentials.redacted("\(fetchError)")
            health.failed(message)
            log(.warning, "almanac: fetch of \(source.credentials.redacted(source.url)) failed; running \(revision.short), "
                + "the revision fetched last, until a fetch works: \(message)")
        }
        report(first)
        await repo.setStatusPath(first.config.status.path)
        let latest = Mutex(first)
        var writeBack: StatusWriteBack?
        if let statusInterval {
            let sink = GitStatusSink(repository: try await repo.open(), branch: first.config.status.branch,
                                     path: first.config.status.path, identity: identity, credentials: source.credentials)
            writeBack = StatusWriteBack(sink: sink, journal: journal, clock: clock, interval: statusInterval)
            writeBack?.update(first)
        }
        let session = await ServiceSession.make(root: repo.jobsRoot, stateDirectory: stateDirectory, environment: source.environment, sender: sender,
                                                credentials: source.credentials, journal: opened, clock: clock,
                                                options: options, hooks: hooks, writeBack: writeBack, log: log)
        let runner = session.runner
        let setup: @Sendable () async throws -> Void = { [source] in
            try await runner.apply(first, revision: revision.hex)
            try await runner.start()
            log("almanac: running \(first.jobs.count) job(s) from \(source.credentials.redacted(source.url)) \(source.branch) at \(revision.short); state in \(stateDirectory.path)")
        }

        let poller = SerialPoller { [source, writeBack] () -> ReloadOutcome in
            let update: RepoSource.Update
            do {
                update = try await repo.poll(now: clock.now())
            } catch {
                let message = source.credentials.redacted("\(error)")
                health.failed(message)
                let current = await repo.applied.map(\.short) ?? "?"
                log(.warning, "almanac: poll of \(source.credentials.redacted(source.url)) failed, keeping \(current): \(message)")
                return .remoteFailed("fetch of \(source.credentials.redacted(source.url)) failed, keeping \(current): \(message)")
            }
            do {
                switch update {
                case .apply(let manifest, let revision):
                    health.fetched(at: clock.now(), revision: revision.hex)
                    report(manifest)
                    latest.withLock { $0 = manifest }
                    writeBack?.update(manifest)
                    let plan = try await runner.apply(manifest, revision: revision.hex)
                    log("almanac: \(revision.short): " + (plan.changes.isEmpty ? "no changes"
                        : plan.changes.map { "\($0.action.rawValue) \($0.name)" }.joined(separator: ", ")))
                case .ignored(let tip):
                    health.fetched(at: clock.now(), revision: nil)
                    log("almanac: \(tip.short): only status or bot commits; nothing to reconcile")
                case .unchanged:
                    health.fetched(at: clock.now(), revision: nil)
                }
                return .done
            } catch {
                let message = source.credentials.redacted("\(error)")
                log(.error, "almanac: applying the fetched revision failed: \(message)")
                return .failed("apply failed: \(message)")
            }
        }
        let polling = LoopService(start: { [poll] in
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: poll)
                    if Task.isCancelled { break }
                    _ = await poller.poll()
                }
            }
        })
        try await session.drive(for: duration, git: health, setup: setup, reload: { await poller.poll() },
                                history: { latest.withLock { $0.config.history } }, source: polling)
    }

    private func report(_ manifest: Manifest) {
        for diagnostic in manifest.diagnostics {
            log(diagnostic.severity == .error ? .error : .warning, source.path + "/" + diagnostic.description)
        }
    }
}

/// One fetch-and-apply at a time: the poll timer, `POST /api/v1/sync` and push webhooks may all
/// ask at once, and each caller returns only after a poll that started after its request ended.
actor SerialPoller {
    private let body: @Sendable () async -> ReloadOutcome
    private var last: Task<ReloadOutcome, Never>?

    init(_ body: @escaping @Sendable () async -> ReloadOutcome) {
        self.body = body
    }

    /// This caller's own poll's outcome.
    func poll() async -> ReloadOutcome {
        let previous = last
        let body = self.body
        let next = Task {
            _ = await previous?.value
            return await body()
        }
        last = next
        return await next.value
    }
}

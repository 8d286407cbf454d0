import Foundation
import Journal

/// What an embedding process (the HTTP server) plugs into `RunnerService`.
///
/// A hook rather than a restructure: the service keeps owning the journal, loop, watcher and
/// signals; the server only observes notices and gets a handle once the runner is up.
public struct RunnerHooks: Sendable {
    /// Told of every notice after the log line (metrics hang here).
    public var observer: (@Sendable (RunnerNotice) -> Void)?
    /// Called once the runner has started, with what the API needs to read and steer it.
    public var started: (@Sendable (RunnerHandle) async -> Void)?
    /// False under swift-service-lifecycle, whose ServiceGroup owns SIGINT/SIGTERM.
    public var trapsSignals: Bool

    public init(observer: (@Sendable (RunnerNotice) -> Void)? = nil, started: (@Sendable (RunnerHandle) async -> Void)? = nil,
                trapsSignals: Bool = true) {
        self.observer = observer
        self.started = started
        self.trapsSignals = trapsSignals
    }
}

/// A running runner as the server sees it.
public struct RunnerHandle: Sendable {
    public let runner: Runner
    public let journal: any JournalBackend
    /// The journal file, for its size in the metrics.
    public let journalPath: String
    /// Re-reads the tree now (a `POST /api/v1/sync` in directory mode).
    public let reload: @Sendable () async -> Void

    public init(runner: Runner, journal: any JournalBackend, journalPath: String, reload: @escaping @Sendable () async -> Void) {
        self.runner = runner
        self.journal = journal
        self.journalPath = journalPath
        self.reload = reload
    }
}

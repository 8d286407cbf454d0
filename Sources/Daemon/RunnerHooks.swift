import Foundation
import Journal
import Synchronization
import Scheduler
import Processes
import Publishing
import Logging
import ServiceLifecycle

/// What an embedding process (the HTTP server) plugs into a runner service.
///
/// The service keeps owning the journal, the loop, the watcher and the lifecycle; the server
/// adds its own services to the group, observes notices and gets a handle once the runner is up.
package struct RunnerHooks: Sendable {
    /// Told of every notice after the log line (metrics hang here).
    package var observer: (@Sendable (RunnerNotice) -> Void)?
    /// Called once the runner has started, with what the API needs to read and steer it.
    package var started: (@Sendable (RunnerHandle) async -> Void)?
    /// Run in the runner's ServiceGroup and shut down after everything else (the HTTP server,
    /// which answers `/readyz` "draining" while the runner drains).
    package var services: [any Service]
    /// Where the group logs its own lifecycle (the server's logger); quiet when nil.
    package var logger: Logger?

    package init(observer: (@Sendable (RunnerNotice) -> Void)? = nil, started: (@Sendable (RunnerHandle) async -> Void)? = nil,
                services: [any Service] = [], logger: Logger? = nil) {
        self.observer = observer
        self.started = started
        self.services = services
        self.logger = logger
    }
}

/// `almanac run` in either mode, as the server embeds it: the one seam with two implementations
/// (`RunnerService` for a directory, `RepoRunnerService` for a git repository).
package protocol HookedRunnerService: Sendable {
    var hooks: RunnerHooks { get set }
    /// Replaces where progress lines go (the server routes them through swift-log).
    var log: RunnerLog { get set }
    /// The branch a push webhook must name to start a sync; nil in directory mode (any push).
    var watchedBranch: String? { get }
    /// Runs until SIGINT/SIGTERM, `Runner.stop()` or until `duration` has passed; drains.
    func run(for duration: Duration?) async throws
}

/// A running runner as the server sees it.
package struct RunnerHandle: Sendable {
    package let runner: Runner
    package let journal: any JournalBackend
    /// The journal file, for its size in the metrics.
    package let journalPath: String
    /// The state directory (the journal file's, also beside a database): attempts' logs are under it.
    package var stateDirectory: URL { URL(fileURLWithPath: journalPath).deletingLastPathComponent() }
    /// Re-reads the desired state now: the tree in directory mode, a fetch in repository mode
    /// (`POST /api/v1/sync` and the push webhook); says how it went, so the API never answers
    /// "done" for a fetch that failed.
    package let reload: @Sendable () async -> ReloadOutcome
    /// The git poller's last fetch, in repository mode; nil for a directory.
    package let git: GitHealth?

    package init(runner: Runner, journal: any JournalBackend, journalPath: String, git: GitHealth? = nil,
                reload: @escaping @Sendable () async -> ReloadOutcome) {
        self.runner = runner
        self.journal = journal
        self.journalPath = journalPath
        self.git = git
        self.reload = reload
    }
}

/// How a reload went: `POST /api/v1/sync` answers 200, 502 or 503 from it.
package enum ReloadOutcome: Sendable, Equatable {
    /// The desired state was read and applied (perhaps with no changes).
    case done
    /// The remote could not be fetched (repository mode); the last good revision stays in force.
    case remoteFailed(String)
    /// The files could not be read or applied here (a missing directory, a journal refusing writes).
    case failed(String)
}

/// How the repository poller is doing: `/readyz` says "not ready" while the remote can't be
/// fetched, and `/metrics` exports the time of the last good fetch.
package final class GitHealth: Sendable {
    package struct Reading: Sendable, Equatable {
        /// The last fetch that worked.
        package var lastFetch: Date?
        /// Why the latest fetch failed; nil once one works again. Never holds a credential:
        /// libgit2's messages name the URL as configured, and tokens travel in callbacks.
        package var lastError: String?
        /// The commit in force.
        package var revision: String?
    }

    private let state: Mutex<Reading>

    package init(revision: String? = nil, fetchedAt: Date? = nil) {
        state = Mutex(Reading(lastFetch: fetchedAt, lastError: nil, revision: revision))
    }

    package var reading: Reading { state.withLock { $0 } }

    func fetched(at date: Date, revision: String?) {
        state.withLock {
            $0.lastFetch = date
            $0.lastError = nil
            if let revision { $0.revision = revision }
        }
    }

    func failed(_ message: String) {
        state.withLock { $0.lastError = message }
    }
}

import Foundation
import GitSync
import Journal
import Manifest
import Synchronization
import Scheduler
import Processes
import Publishing

/// Runs `kind: scan`: fetches the scanned repository, collects activity since the last synced
/// commit and, when there is some, runs `run:` with it.
///
/// Each scan has its own bare clone cache in `STATE/scans/<name>`. The sync point is the
/// journal's (`synced` events, read through `state()`), so it survives restarts and compaction.
/// No new commit → the attempt ends `skipped` ("no activity") without a child; otherwise the
/// activity JSON goes to the child's stdin and to the file named by `$ALMANAC_ACTIVITY`, and a
/// successful child moves the sync point to the scanned tip. A first run looks back `since:`
/// (default 7 days).
package struct ScanLauncher: JobLauncher {
    package let processes: ProcessJobLauncher
    package let journal: any JournalBackend
    package let clock: any RunnerClock
    package let credentials: GitCredentials
    /// How far back a scan without a sync point looks when its spec has no `since:`.
    package static let defaultSince: Duration = .seconds(7 * 86_400)

    /// The marker id of its children: they are started by `processes`.
    package var runInstance: String? { processes.instance }

    package init(processes: ProcessJobLauncher, journal: any JournalBackend, clock: any RunnerClock,
                credentials: GitCredentials = .none) {
        self.processes = processes
        self.journal = journal
        self.clock = clock
        self.credentials = credentials
    }

    package func start(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle {
        guard let repo = job.repo else { throw ProcessError.invalidSpec("scan \(job.name) has no repo:") }
        let handle = ScanHandle()
        let task = Task { () -> ExecutionReport in
            let startedAt = clock.now()
            let activity: ScanActivity
            do {
                activity = try await collect(job, repo: repo)
            } catch {
                return ExecutionReport(outcome: .error, startedAt: startedAt, finishedAt: clock.now(),
                                       outputTail: "scan of \(repo) failed: \(error)", errorClass: .scan)
            }
            if activity.isEmpty {
                var report = ExecutionReport(outcome: .skipped, startedAt: startedAt, finishedAt: clock.now())
                report.reason = "no activity"
                if activity.from != activity.to { report.syncedCommit = activity.to.hex }
                return report
            }
            return await run(job, activity: activity, occurrence: occurrence, attempt: attempt,
                             triggeredBy: triggeredBy, handle: handle, startedAt: startedAt)
        }
        handle.task.withLock { $0 = task }
        return handle
    }

    /// Fetches and reads the commits, pull requests and tags after the sync point.
    func collect(_ job: JobSpec, repo url: String) async throws -> ScanActivity {
        let cache = processes.stateDirectory.appendingPathComponent("scans/\(job.name)", isDirectory: true)
        let repository: GitRepository
        if FileManager.default.fileExists(atPath: cache.appendingPathComponent("HEAD").path) {
            repository = try GitRepository.open(cache)
            try await repository.fetch(credentials: credentials)
        } else {
            try? FileManager.default.removeItem(at: cache)
            try FileManager.default.createDirectory(at: cache.deletingLastPathComponent(), withIntermediateDirectories: true)
            repository = try await GitRepository.clone(url: url, to: cache, bare: true, credentials: credentials)
        }
        let (branch, tip) = try await resolveBranch(job.branch, in: repository)
        let last = await journal.state().jobs[job.name]?.lastSync.flatMap { GitOID(hex: $0) }
        var since: Date?
        var commits: [GitCommitInfo] = []
        var from = last
        if let last, last != tip {
            do {
                commits = try await repository.commits(since: last, to: tip)
            } catch {
                // The sync point is gone (history rewritten): fall back to the `since:` window.
                guard error.kind == .notFound else { throw error }
                from = nil
            }
        }
        if from == nil {
            let window = clock.now().addingTimeInterval(-(job.since ?? Self.defaultSince).timeInterval)
            since = window
            commits = try await repository.commits(since: nil, to: tip).filter { $0.time >= window }
        }
        let tags = commits.isEmpty ? [] : try await repository.tags()
        return ScanActivity(job: job.name, repo: url, branch: branch, from: from, to: tip, since: since,
                            commits: commits, tags: tags)
    }

    /// The spec's branch, else the remote's default (`origin/HEAD`), else `main` or `master`.
    func resolveBranch(_ branch: String?, in repository: GitRepository) async throws -> (String, GitOID) {
        let candidates = branch.map { [$0] } ?? ["HEAD", "main", "master"]
        var lastError: (any Error)?
        for name in candidates {
            do {
                let tip = try await repository.resolve("refs/remotes/origin/\(name)")
                return (name == "HEAD" ? "default" : name, tip)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ProcessError.invalidSpec("no branch to scan")
    }

    /// Runs the command with the activity; a success moves the sync point to the scanned tip.
    func run(_ job: JobSpec, activity: ScanActivity, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String,
             handle: ScanHandle, startedAt: Date) async -> ExecutionReport {
        let json = activity.json()
        let file = AttemptFiles.path("activity", in: processes.stateDirectory, job: job.name, scheduledAt: occurrence.scheduledAt,
                                     suffix: String(attempt), ext: "json")
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(json).write(to: file, options: .atomic)
            let process = try processes.launch(job, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy,
                                               environment: ["ALMANAC_ACTIVITY": file.path], stdin: json)
            guard handle.attach(process) else {
                process.terminate(grace: processes.killGrace)
                _ = await process.wait()
                try? FileManager.default.removeItem(at: file)
                return ExecutionReport(outcome: .killed, startedAt: startedAt, finishedAt: clock.now(), errorClass: .signal)
            }
            var report = await process.wait()
            try? FileManager.default.removeItem(at: file)
            if report.succeeded { report.syncedCommit = activity.to.hex }
            return report
        } catch {
            try? FileManager.default.removeItem(at: file)
            return ExecutionReport(outcome: .error, startedAt: startedAt, finishedAt: clock.now(), outputTail: "\(error)",
                                   errorClass: .spawn)
        }
    }
}

/// A scan in progress: the git work, then (maybe) a child process.
final class ScanHandle: ExecutionHandle {
    let task = Mutex<Task<ExecutionReport, Never>?>(nil)
    private let state = Mutex<(process: ProcessHandle?, terminated: Bool)>((nil, false))

    var pid: Int32? { state.withLock { $0.process?.pid } }

    /// Records the started child; false when the scan was terminated meanwhile.
    func attach(_ process: ProcessHandle) -> Bool {
        state.withLock { state in
            guard !state.terminated else { return false }
            state.process = process
            return true
        }
    }

    func wait() async -> ExecutionReport {
        guard let task = task.withLock({ $0 }) else {
            return ExecutionReport(outcome: .error, startedAt: Date(timeIntervalSince1970: 0),
                                   finishedAt: Date(timeIntervalSince1970: 0), errorClass: .spawn)
        }
        return await task.value
    }

    func terminate(grace: Duration) {
        let process = state.withLock { state -> ProcessHandle? in
            state.terminated = true
            return state.process
        }
        process?.terminate(grace: grace)
    }
}

import Foundation
import GitSync
import Journal
import Manifest
import Scheduler
import Processes
import Daemon
import Status

/// GitSync benchmarks: writing the status branch, and reading new commits from a long history.
enum GitBench {
    /// Bump when the synthetic history's shape changes, so a stale cache is rebuilt.
    static let historyVersion = "v1-100000"
    static let historyCommits = 100_000

    static func run() async throws -> [BenchResult] {
        var rows = try await statusCommitAndPush()
        rows += try await statusWriteBack()
        rows.append(try await revwalkSince())
        return rows
    }

    /// (1) 10,000 status files (~300 bytes) committed in memory onto a branch, then pushed to
    /// a local bare repository.
    ///
    /// The push is the real transport: libgit2's smart protocol to `git receive-pack`, which
    /// indexes the pack, checks connectivity and runs the remote's hooks — what a network
    /// remote costs, minus the network.
    static func statusCommitAndPush() async throws -> [BenchResult] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-git-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        _ = try GitRepository.initialize(at: root.appendingPathComponent("remote.git"), bare: true, initialBranch: "main")
        let state = try GitRepository.initialize(at: root.appendingPathComponent("state.git"), bare: true)
        try await state.addRemote("origin", url: root.appendingPathComponent("remote.git").path)

        let files = statusFiles(count: 10_000, generation: 0)
        let bot = GitSignature(name: "almanac", email: "almanac@localhost", time: Date(timeIntervalSince1970: 1_800_000_000))
        let spec = ["refs/heads/almanac-status:refs/heads/almanac-status"]
        let clock = ContinuousClock()
        var start = clock.now
        _ = try await state.commit(files: files, onto: "almanac-status", message: "status", author: bot)
        let commitTime = milliseconds(clock.now - start)
        start = clock.now
        try await state.push(refspecs: spec)
        let pushTime = milliseconds(clock.now - start)

        // The steady state: 1% of the files changed since the last write.
        var changed = files
        for i in stride(from: 0, to: 10_000, by: 100) { changed["status/job-\(i).json"] = statusFile(i, generation: 1) }
        start = clock.now
        _ = try await state.commit(files: changed, onto: "almanac-status", message: "status", author: bot)
        let incrementalCommit = milliseconds(clock.now - start)
        start = clock.now
        try await state.push(refspecs: spec)
        let incrementalPush = milliseconds(clock.now - start)

        start = clock.now
        let unchanged = try await state.commit(files: changed, onto: "almanac-status", message: "status", author: bot)
        let noop = milliseconds(clock.now - start)
        guard unchanged == nil else { throw GitError(code: -1, message: "unchanged files committed", function: "bench") }

        let peer = try? gitCLIPeer(root: root.appendingPathComponent("peer"), files: files, changed: changed)
        let total = commitTime + pushTime
        return [
            BenchResult(section: "git", name: "commit 10,000 status files (in memory)", value: commitTime, unit: "ms"),
            BenchResult(section: "git", name: "push them to a local bare repo (git receive-pack, hooks run)", value: pushTime,
                        unit: "ms"),
            BenchResult(section: "git", name: "commit + push 10,000 status files", value: total, unit: "ms",
                        target: "< 1 s", met: total < 1000),
            BenchResult(section: "git", name: "commit with 100 of 10,000 changed", value: incrementalCommit, unit: "ms",
                        peer: peer.map { _ in "git add -A && git commit (CLI, work tree on disk)" }, peerValue: peer?.commit),
            BenchResult(section: "git", name: "push with 100 of 10,000 changed", value: incrementalPush, unit: "ms",
                        peer: peer.map { _ in "git push (CLI, same remote kind)" }, peerValue: peer?.push),
            BenchResult(section: "git", name: "commit + push with 100 of 10,000 changed", value: incrementalCommit + incrementalPush,
                        unit: "ms", peer: peer.map { _ in "git CLI, both steps" }, peerValue: peer.map { $0.commit + $0.push },
                        target: "< 100 ms", met: incrementalCommit + incrementalPush < 100),
            BenchResult(section: "git", name: "no-op commit (bytes unchanged)", value: noop, unit: "ms"),
        ]
    }

    /// The git command line doing (1)'s steady state: 100 of 10,000 files changed in a work
    /// tree, `git add -A && git commit`, then `git push` to a bare repository on a local path.
    static func gitCLIPeer(root: URL, files: [String: [UInt8]], changed: [String: [UInt8]]) throws -> (commit: Double, push: Double) {
        let work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("status"), withIntermediateDirectories: true)
        try git(["init", "-q", "--bare", root.appendingPathComponent("remote.git").path], in: root)
        try git(["init", "-q"], in: work)
        try git(["remote", "add", "origin", "../remote.git"], in: work)
        for (path, bytes) in files { try Data(bytes).write(to: work.appendingPathComponent(path)) }
        try git(["add", "-A"], in: work)
        try git(["commit", "-q", "-m", "status"], in: work)
        try git(["push", "-q", "origin", "HEAD:refs/heads/almanac-status"], in: work)
        for (path, bytes) in changed where files[path] != bytes { try Data(bytes).write(to: work.appendingPathComponent(path)) }
        let clock = ContinuousClock()
        var start = clock.now
        try git(["add", "-A"], in: work)
        try git(["commit", "-q", "-m", "status"], in: work)
        let commit = milliseconds(clock.now - start)
        start = clock.now
        try git(["push", "-q", "origin", "HEAD:refs/heads/almanac-status"], in: work)
        return (commit, milliseconds(clock.now - start))
    }

    private static func git(_ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-c", "user.name=almanac", "-c", "user.email=almanac@localhost"] + arguments
        process.currentDirectoryURL = directory
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchFailure(message: "git \(arguments.joined(separator: " ")) failed") }
    }

    /// (1b) The runner's status write-back for 10,000 jobs, each with one run: render the status
    /// files from journal state, commit them and push to a local bare repo (`GitStatusSink`).
    static func statusWriteBack() async throws -> [BenchResult] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-status-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let remote = root.appendingPathComponent("remote.git")
        _ = try GitRepository.initialize(at: remote, bare: true, initialBranch: "main")
        let clone = try GitRepository.initialize(at: root.appendingPathComponent("state.git"), bare: true)
        try await clone.addRemote("origin", url: remote.path)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let files = (0..<10_000).map { SourceFile(path: "job-\($0).yaml", text: "name: job-\($0)\nschedule: \"\($0 % 60) 3 * * *\"\nrun: [\"true\"]\n") }
        let manifest = ManifestLoader.load(files: files, environment: [:], now: now)
        var state = JournalState()
        var seq: UInt64 = 0
        for job in manifest.jobs {
            let key = OccurrenceKey(job: job.name, scheduledAt: now.addingTimeInterval(-3600))
            let records: [JournalRecord] = [
                .applied(.init(job: job.name, hash: job.contentHash, kind: "job", fields: job.fields)),
                .started(.init(job: job.name, scheduledAt: key.scheduledAt, attempt: 1)),
                .finished(.init(job: job.name, scheduledAt: key.scheduledAt, attempt: 1,
                                metrics: ExecutionMetrics(outcome: .success, exitCode: 0, durationMs: 1200))),
            ]
            for record in records {
                seq += 1
                state.apply(JournalEvent(seq: seq, at: now, record))
            }
        }
        let sink = GitStatusSink(repository: clone, branch: "almanac-status")
        let clock = ContinuousClock()
        let start = clock.now
        let report = StatusReport.make(manifest: manifest, state: state, now: now)
        let reportTime = milliseconds(clock.now - start)
        let rendered = StatusFiles.render(report, state: state)
        let render = milliseconds(clock.now - start)
        guard try await sink.write(rendered, now: now), rendered.count == 10_001 else {
            throw GitError(code: -1, message: "status not written", function: "bench")
        }
        let total = milliseconds(clock.now - start)

        // The steady state: one more run of one job, written back.
        let later = now.addingTimeInterval(60)
        let job = manifest.jobs[0].name
        for record: JournalRecord in [
            .started(.init(job: job, scheduledAt: later, attempt: 1)),
            .finished(.init(job: job, scheduledAt: later, attempt: 1, metrics: ExecutionMetrics(outcome: .success, exitCode: 0, durationMs: 900))),
        ] {
            seq += 1
            state.apply(JournalEvent(seq: seq, at: later, record))
        }
        let again = clock.now
        let next = StatusFiles.render(StatusReport.make(manifest: manifest, state: state, now: later), state: state)
        guard try await sink.write(next, now: later) else {
            throw GitError(code: -1, message: "one job's new run not written", function: "bench")
        }
        let steady = milliseconds(clock.now - again)
        return [
            BenchResult(section: "git", name: "status rows for 10,000 jobs (next fire, schedule in words, stats)", value: reportTime, unit: "ms"),
            BenchResult(section: "git", name: "render status files for 10,000 jobs (rows + JSON + STATUS.md)", value: render, unit: "ms"),
            BenchResult(section: "git", name: "status write-back, 10,000 jobs (render + commit + push)", value: total,
                        unit: "ms", target: "< 1 s", met: total < 1000),
            BenchResult(section: "git", name: "status write-back after one job ran, 10,000 jobs (render + commit + push)",
                        value: steady, unit: "ms"),
        ]
    }

    /// (2) `commits(since:to:)` 50 commits back in a 100,000-commit history.
    static func revwalkSince() async throws -> BenchResult {
        let repo = try await syntheticHistory()
        let head = try await repo.resolve("main")
        let since = try await repo.resolve("main~50")
        let clock = ContinuousClock()
        var check = try await repo.commits(since: since, to: head)  // warm-up
        guard check.count == 50 else {
            throw GitError(code: -1, message: "walked \(check.count) commits", function: "bench")
        }
        let runs = 20
        let start = clock.now
        for _ in 0..<runs { check = try await repo.commits(since: since, to: head) }
        let perCall = milliseconds(clock.now - start) / Double(runs)
        return BenchResult(section: "git", name: "commits(since: 50 back) in 100,000-commit repo", value: perCall,
                           unit: "ms", target: "< 100 ms", met: perCall < 100)
    }

    /// The 100,000-commit repository, built once and cached under /tmp by `historyVersion`.
    static func syntheticHistory() async throws -> GitRepository {
        let path = URL(fileURLWithPath: "/tmp/almanac-bench-git-history-\(historyVersion).git")
        let marker = path.appendingPathComponent("almanac-complete")
        if FileManager.default.fileExists(atPath: marker.path) { return try GitRepository.open(path) }
        try? FileManager.default.removeItem(at: path)
        let repo = try GitRepository.initialize(at: path, bare: true, initialBranch: "main")
        let started = Date()
        for i in 0..<historyCommits {
            let time = Date(timeIntervalSince1970: 1_700_000_000 + Double(i) * 60)
            let author = GitSignature(name: "Ada", email: "ada@example.com", time: time)
            _ = try await repo.commit(
                files: ["n": Array("\(i)\n".utf8)], onto: "main", message: "commit \(i)", author: author)
        }
        try Data().write(to: marker)
        print("git: built \(historyCommits)-commit history in \(Int(Date().timeIntervalSince(started))) s at \(path.path)")
        return repo
    }

    static func statusFiles(count: Int, generation: Int) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for i in 0..<count { files["status/job-\(i).json"] = statusFile(i, generation: generation) }
        return files
    }

    /// About 300 bytes of sorted-key JSON, like a real status file.
    static func statusFile(_ i: Int, generation: Int) -> [UInt8] {
        let text = """
            {"avgDurationMs":\(1200 + i % 97),"lastExitCode":0,"lastFinished":"2026-11-23T03:00:0\(i % 10)Z",\
            "lastResult":"success","lastStarted":"2026-11-23T03:00:00Z","name":"job-\(i)",\
            "nextFire":"2026-11-24T03:00:00Z","runs":\(100 + generation),"schedule":"0 3 * * *",\
            "successRate":0.98,"timezone":"Europe/London","generation":\(generation)}

            """
        return Array(text.utf8)
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}

import Foundation
import GitSync
import Scheduler
import Processes
import Daemon

/// `almanac-bench git-poll`: repository mode's memory over 300 polls of a local bare remote.
///
/// Each poll is what the runner's poller does between pushes (fetch, resolve the tip, find it
/// unchanged). libgit2 1.5's `git_remote_lookup` leaked ~110 KB per call; GitRepository now
/// looks each remote up once, and this row shows RSS after 300 polls against after 30.
enum GitPollBench {
    static let polls = Int(ProcessInfo.processInfo.environment["ALMANAC_BENCH_POLLS"] ?? "") ?? 300
    static var warmUp: Int { max(1, polls / 10) }

    static func run() async throws -> [BenchResult] {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-poll-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let remote = root.appendingPathComponent("remote.git")
        _ = try GitRepository.initialize(at: remote, bare: true, initialBranch: "main")
        let author = try GitRepository.initialize(at: root.appendingPathComponent("author.git"), bare: true, initialBranch: "main")
        try await author.addRemote("origin", url: remote.path)
        _ = try await author.commit(
            files: ["jobs.d/a.yaml": Array("name: a\nschedule: \"0 3 * * *\"\nrun: [\"true\"]\n".utf8)], onto: "main",
            message: "jobs", author: GitSignature(name: "Bench", email: "bench@example.com", time: Date()))
        try await author.push(refspecs: ["refs/heads/main:refs/heads/main"])
        let source = RepoSource(options: .init(url: remote.path, stateDirectory: root.appendingPathComponent("state")))
        var warm = 0.0
        let clock = ContinuousClock()
        let start = clock.now
        for poll in 1...polls {
            _ = try await source.poll(now: Date())
            if poll == warmUp { warm = RunnerBench.residentMB() }
        }
        let elapsed = clock.now - start
        let growth = RunnerBench.residentMB() - warm
        let perPollMs = Double(elapsed.components.seconds * 1000) / Double(polls)
            + Double(elapsed.components.attoseconds) / 1e15 / Double(polls)
        return [
            BenchResult(section: "git-poll", name: "RSS growth, polls \(warmUp)→\(polls)", value: growth, unit: "MB",
                        target: "< 5 MB", met: growth < 5),
            BenchResult(section: "git-poll", name: "fetch + resolve per poll", value: perPollMs, unit: "ms"),
        ]
    }
}

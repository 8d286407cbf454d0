import AlmanacCore
import Foundation
import Journal
import JournalTestSupport
import Testing

/// Chaos on the git remote of `almanac run --repo` (the real binary, a bare repository on a
/// local path, status written back every second): for `ALMANAC_CHAOS_SECONDS` (30 by default;
/// `make chaos` runs minutes) a fault every 1.5–3 s: the remote disappears for seconds, flaps
/// (gone and back every 300 ms), declines every push (a pre-receive hook), has its watched
/// branch force-pushed (history rewritten, a job added or removed) or its status branch
/// force-pushed to an unrelated commit, or the runner is SIGKILLed and restarted, half the time
/// while the remote is gone. Through it all: the runner keeps running its last good revision
/// (a restart with the remote gone too, reporting `git unreachable` on `/readyz`), never exits
/// but when stopped, runs each occurrence once, ends on the remote's final tip with exactly its
/// jobs, and, once the remote is back and accepting, its status branch holds every job's latest
/// run.
@Suite("run --repo under a remote that vanishes, flaps, declines pushes and is force-pushed", .serialized)
struct GitChaosTests {
    /// Runs `git` with a fixed identity; throws with its stderr when it fails.
    @discardableResult
    static func git(_ arguments: [String], in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git"] + arguments
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in ["GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
                             "GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com"] {
            environment[key] = value
        }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let error = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw GitCommandFailed(arguments: arguments, stderr: String(decoding: error, as: UTF8.self))
        }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct GitCommandFailed: Error, CustomStringConvertible {
        var arguments: [String]
        var stderr: String
        var description: String { "git \(arguments.joined(separator: " ")): \(stderr)" }
    }

    @Test("the last good revision keeps running, nothing runs twice or is lost, and the runner ends on the remote's tip")
    func chaos() async throws {
        let seconds = Int(ProcessInfo.processInfo.environment["ALMANAC_CHAOS_SECONDS"] ?? "") ?? 30
        let temp = try TempDirectory()
        let remote = temp.url.appendingPathComponent("remote.git"), away = temp.url.appendingPathComponent("away.git")
        let work = temp.url.appendingPathComponent("work"), state = temp.url.appendingPathComponent("state")
        let effects = temp.url.appendingPathComponent("effects.txt"), log = temp.url.appendingPathComponent("runner.log")
        _ = FileManager.default.createFile(atPath: effects.path, contents: nil)
        try Self.git(["init", "-q", "--bare", "-b", "main", remote.path], in: temp.url)
        try Self.git(["init", "-q", "-b", "main", work.path], in: temp.url)
        try Self.git(["remote", "add", "origin", remote.path], in: work)
        let jobs = work.appendingPathComponent("jobs.d")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        for name in ["tick-a", "tick-b"] {
            try """
                name: \(name)
                schedule: "* * * * * *"
                concurrency: allow
                retry: {max: 3, initial: 1s}
                catchup: {window: 1h, policy: all}
                run: "echo $ALMANAC_JOB@$ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT >> \(effects.path)"

                """.write(to: jobs.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        try Self.git(["add", "-A"], in: work)
        try Self.git(["commit", "-qm", "ticks"], in: work)
        try Self.git(["push", "-q", "origin", "main"], in: work)
        let base = try Self.git(["rev-parse", "HEAD"], in: work)

        let port = try ListenTests.freePort()
        let url = "http://127.0.0.1:\(port)"
        func launch() throws -> Process {
            try launchAlmanac(["run", "--repo", remote.path, "--state", state.path, "--poll", "1s", "--status-interval", "1s",
                               "--listen", "127.0.0.1:\(port)", "--drain-timeout", "2s"], log: log)
        }
        func gone() throws { try FileManager.default.moveItem(at: remote, to: away) }
        func back() throws { try FileManager.default.moveItem(at: away, to: remote) }
        /// Waits for `/readyz` to give a reason starting with `prefix`; true when it did.
        func sawReason(_ prefix: String, within limit: Duration) async throws -> Bool {
            let end = ContinuousClock.now + limit
            while ContinuousClock.now < end {
                if let ready = await RepoListenTests.request(url + "/readyz"), ready.status == 503,
                   (ready.object["reasons"] as? [String] ?? []).contains(where: { $0.hasPrefix(prefix) }) {
                    return true
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }
        let hook = remote.appendingPathComponent("hooks/pre-receive")

        var unreachableSeen = 0, unreachableFaults = 0, extras = 0
        var generator = SystemRandomNumberGenerator()
        // The first fault is a SIGKILL with the remote gone, so even the short run restarts
        // a runner that cannot fetch.
        let loop = try await runFaults(for: seconds, first: 9, launch: launch) { choice, loop in
            switch choice {
            case 0..<2:
                try gone()
                unreachableFaults += 1
                if try await sawReason("git unreachable", within: .seconds(Int.random(in: 3...5, using: &generator))) { unreachableSeen += 1 }
                try back()
                loop.faults["remote gone", default: 0] += 1
            case 2:
                for _ in 0..<6 {
                    try gone()
                    try await Task.sleep(for: .milliseconds(300))
                    try back()
                    try await Task.sleep(for: .milliseconds(300))
                }
                loop.faults["remote flapping", default: 0] += 1
            case 3..<5:
                try "#!/bin/sh\necho 'pushes are frozen' >&2\nexit 1\n".write(to: hook, atomically: true, encoding: .utf8)
                try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
                try await Task.sleep(for: .milliseconds(Int.random(in: 2000...4000, using: &generator)))
                try FileManager.default.removeItem(at: hook)
                loop.faults["pushes declined", default: 0] += 1
            case 5..<7:
                // History rewritten: main is reset to the first commit and gets one new commit,
                // which adds a job (or, every other time, has none besides the ticks).
                try Self.git(["reset", "-q", "--hard", base], in: work)
                extras += 1
                if extras % 2 == 1 {
                    try "name: extra-\(extras)\nschedule: \"0 0 1 1 *\"\nrun: [\"true\"]\n"
                        .write(to: jobs.appendingPathComponent("extra.yaml"), atomically: true, encoding: .utf8)
                }
                try "rewrite \(extras)\n".write(to: work.appendingPathComponent("NOTES"), atomically: true, encoding: .utf8)
                try Self.git(["add", "-A"], in: work)
                try Self.git(["commit", "-qm", "rewrite \(extras)"], in: work)
                try Self.git(["push", "-q", "--force", "origin", "main"], in: work)
                loop.faults["main force-pushed", default: 0] += 1
            case 7:
                // Someone replaces the status branch with an unrelated commit.
                let emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
                let orphan = try Self.git(["commit-tree", emptyTree, "-m", "status wiped"], in: remote)
                // The runner's own status push may hold the ref's lock a moment: try again.
                for attempt in 1...20 {
                    do {
                        try Self.git(["update-ref", "refs/heads/almanac-status", orphan], in: remote)
                        break
                    } catch where attempt < 20 {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
                loop.faults["status force-pushed", default: 0] += 1
            default:
                let offline = loop.faults.isEmpty || Bool.random(using: &generator)
                killWithJobs(loop.runner.processIdentifier)
                loop.runner.waitUntilExit()
                if offline { try gone() }
                loop.runner = try launch()
                if offline {
                    unreachableFaults += 1
                    if try await sawReason("git unreachable", within: .seconds(5)) { unreachableSeen += 1 }
                    if !loop.runner.isRunning { loop.problems.append("restarted with the remote gone: exit \(loop.runner.terminationStatus)") }
                    try back()
                }
                loop.faults[offline ? "SIGKILL, restart offline" : "SIGKILL", default: 0] += 1
            }
        }
        let runner = loop.runner, faults = loop.faults, problems = loop.problems
        // Everything back: the runner catches up, fetches the final tip and writes status.
        try await Task.sleep(for: .seconds(5))
        let summary = "faults: \(faults.sorted { $0.key < $1.key })"
        let finalTip = try Self.git(["rev-parse", "main"], in: remote)
        let finalJobs = ["tick-a", "tick-b"] + (extras % 2 == 1 ? ["extra-\(extras)"] : [])
        #expect(await RepoListenTests.jobNames(url) == finalJobs.sorted(), "\(summary)")
        #expect(await RepoListenTests.request(url + "/readyz")?.status == 200, "ready once the remote is back; \(summary)")
        kill(runner.processIdentifier, SIGTERM)
        runner.waitUntilExit()
        #expect(runner.terminationStatus == 0, "the last runner's exit")
        #expect(problems.isEmpty, "\(problems); \(summary)")
        #expect(unreachableSeen == unreachableFaults, "git unreachable seen for \(unreachableSeen) of \(unreachableFaults) outages")
        let runnerLog = text(log) ?? ""
        #expect(runnerLog.contains("pushes are frozen") || faults["pushes declined"] == nil, "a declined push names the hook's reason")

        let journal = state.appendingPathComponent("journal.jsonl")
        let check = try JournalCheck.scan(path: journal.path)
        #expect(!check.isDamaged, "the journal verifies clean: \(check.damaged.map { "\($0.line): \($0.reason)" })")
        // The revision in force is the last one the log says was applied (at start or on a poll):
        // the journal's `applied` records a job only when its file changed.
        let appliedLines = runnerLog.split(separator: "\n").filter {
            $0.contains("; state in ") || $0.firstMatch(of: #/almanac: [0-9a-f]{7,}: /#) != nil
        }
        #expect(appliedLines.last?.contains(finalTip.prefix(7)) == true,
                "runs the remote's final tip \(finalTip.prefix(7)): \(appliedLines.last ?? "-"); \(summary)")
        let events = try FileJournal.events(file: journal)
        let lines = try String(contentsOf: effects, encoding: .utf8).split(separator: "\n").map(String.init)
        expectEachOccurrenceOnce(runs: lines, events: events, jobs: ["tick-a", "tick-b"], summary: summary)

        // The status branch, after the final write-back, records each tick's latest run.
        for job in ["tick-a", "tick-b"] {
            let latest = events.filter { $0.job == job && $0.type == .finished }.compactMap(\.scheduledAt).max()
            let file = try? Self.git(["show", "almanac-status:status/\(job).json"], in: remote)
            let recorded = file.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            let last = (recorded?["job"] as? [String: Any])?["lastScheduledAt"] as? String
            #expect(last != nil && last == latest.map(RFC3339Test.format),
                    "\(job): the status branch says the last run was \(last ?? "-"), the journal \(latest.map(RFC3339Test.format) ?? "-"); \(summary)")
        }
        print("git chaos: \(seconds) s, \(summary), \(lines.count) runs, \(events.count) events; "
              + "git unreachable seen for \(unreachableSeen) of \(unreachableFaults) outages")
    }
}

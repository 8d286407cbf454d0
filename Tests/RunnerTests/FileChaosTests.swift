import AlmanacCore
import Foundation
import Journal
import JournalTestSupport
import Testing

/// Chaos through the real binary on a state directory (file mode): one runner with `--listen`,
/// two every-second jobs and three unruly ones (a child that ignores SIGTERM and outlives its
/// timeout, one that closes stdout and stderr at once, one that forks twenty children), a post
/// every 3 s to a receiver that fails at random (500, 429 with Retry-After, no answer), and for
/// `ALMANAC_CHAOS_SECONDS` (30 by default; `make chaos` runs it for minutes) a fault every
/// 1.5–3 s: SIGKILL with its jobs, SIGSTOP for 1–3 s, the state directory failing writes and
/// fsyncs with ENOSPC or EIO (the runner must report not-ready and exit 75 within seconds), or
/// read-only at start (it must refuse with the cause and exit 1). Disk faults come from
/// `libAlmanacFaults.so` (LD_PRELOAD, on cue; see Sources/AlmanacFaults). Then, from the jobs'
/// side effects and the journal: nothing ran unrecorded, no attempt twice, an occurrence twice
/// only with an `interrupted` record, every second from the first fire to the last started or
/// skipped, the journal verifies clean, the unruly jobs ended as they must, each post published
/// once under its one Idempotency-Key, and no child of the state directory outlives the last
/// runner.
@Suite("a runner under SIGKILL, SIGSTOP, a failing or read-only disk and unruly children", .serialized)
struct FileChaosTests {
    @Test("nothing lost, nothing run twice, nothing run unrecorded; every exit the one the fault calls for")
    func chaos() async throws {
        let seconds = Int(ProcessInfo.processInfo.environment["ALMANAC_CHAOS_SECONDS"] ?? "") ?? 30
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs"), state = temp.url.appendingPathComponent("state")
        let effects = temp.url.appendingPathComponent("effects.txt"), muted = temp.url.appendingPathComponent("muted.txt")
        let cue = temp.url.appendingPathComponent("fault-cue"), log = temp.url.appendingPathComponent("runner.log")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        for file in [effects, muted] { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        func write(_ name: String, _ body: String) throws {
            try "name: \(name)\n\(body)\n".write(to: jobs.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        for name in ["tick-a", "tick-b"] {
            try write(name, """
                schedule: "* * * * * *"
                concurrency: allow
                retry: {max: 3, initial: 1s}
                catchup: {window: 1h, policy: all}
                run: "echo $ALMANAC_JOB@$ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT >> \(effects.path)"
                """)
        }
        try write("stubborn", "schedule: \"*/3 * * * * *\"\ntimeout: 1s\nrun: \"trap '' TERM; sleep 30\"")
        try write("mute", "schedule: \"*/2 * * * * *\"\nrun: \"exec >&- 2>&-; sleep 0.2; echo $ALMANAC_SCHEDULED_AT >> \(muted.path)\"")
        try write("forks", "schedule: \"*/3 * * * * *\"\nrun: \"for i in $(seq 20); do sleep 0.3 & done; wait\"")

        // A post every 3 s, to a receiver that answers at random: 200, 500, 429 with Retry-After,
        // or not at all (past the post's 2 s timeout). Each must be published once, every
        // request for it carrying its one Idempotency-Key.
        let receiver = try await TestHTTPServer()
        receiver.script("/p", .respond { _ in
            switch Int.random(in: 0..<20) {
            case 0..<2: .hang
            case 2..<5: .status(500)
            case 5..<8: .rateLimited(retryAfter: "1")
            default: .ok()
            }
        })
        let firstPost = (Date().timeIntervalSince1970 + 6).rounded(.down)
        var posts: [(name: String, due: String, at: Double)] = []
        for index in 0..<max(1, seconds / 3) {
            let at = firstPost + Double(index * 3)
            let due = RFC3339.format(Date(timeIntervalSince1970: at), precision: .seconds)
            posts.append(("post-\(index)", due, at))
            try write("post-\(index)", """
                kind: post
                at: "\(due)"
                timeout: 2s
                retry: {delays: [1s, 1s, 2s, 2s, 2s, 2s, 2s, 2s, 2s, 2s]}
                content: {title: "post \(index)"}
                publish: {webhook: "\(receiver.url("/p"))"}
                """)
        }

        let shim = try almanacBinary().deletingLastPathComponent().appendingPathComponent("libAlmanacFaults.so")
        try #require(FileManager.default.fileExists(atPath: shim.path), "swift build makes \(shim.path)")
        let port = try ListenTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        func launch() throws -> Process {
            try launchAlmanac(["run", jobs.path, "--state", state.path, "--listen", "127.0.0.1:\(port)", "--drain-timeout", "2s"],
                              log: log, environment: ["LD_PRELOAD": shim.path, "ALMANAC_FAULT_DIR": state.path,
                                                      "ALMANAC_FAULT_CUE": cue.path])
        }
        func setCue(_ fault: String?) throws {
            if let fault { try fault.write(to: cue, atomically: true, encoding: .utf8) } else { try? FileManager.default.removeItem(at: cue) }
        }

        var notReadySeen = 0, diskFaults = 0, slowestExit = 0.0
        var generator = SystemRandomNumberGenerator()
        // The first fault is a disk fault, so even the short run has one.
        let loop = try await runFaults(for: seconds, first: 6, launch: launch) { choice, loop in
            switch choice {
            case 0..<4:
                killWithJobs(loop.runner.processIdentifier)
                loop.runner.waitUntilExit()
                loop.faults["SIGKILL", default: 0] += 1
                loop.runner = try launch()
            case 4..<6:
                kill(loop.runner.processIdentifier, SIGSTOP)
                try await Task.sleep(for: .milliseconds(Int.random(in: 1000...3000, using: &generator)))
                kill(loop.runner.processIdentifier, SIGCONT)
                loop.faults["SIGSTOP", default: 0] += 1
            case 6..<9:
                let errno = Bool.random(using: &generator) ? "ENOSPC" : "EIO"
                try setCue(errno)
                let cued = Date()
                diskFaults += 1
                var sawNotReady = false
                while loop.runner.isRunning, Date().timeIntervalSince(cued) < 15 {
                    if !sawNotReady, let ready = await RepoListenTests.request(base + "/readyz"), ready.status == 503,
                       (ready.object["reasons"] as? [String] ?? []).contains(where: { $0.hasPrefix("journal: ") }) {
                        sawNotReady = true
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
                if sawNotReady { notReadySeen += 1 }
                slowestExit = max(slowestExit, Date().timeIntervalSince(cued))
                if loop.runner.isRunning {
                    loop.problems.append("still running 15 s after \(errno) on the state directory")
                    killWithJobs(loop.runner.processIdentifier)
                }
                loop.runner.waitUntilExit()
                if loop.runner.terminationStatus != 75 { loop.problems.append("\(errno): exit \(loop.runner.terminationStatus), not 75") }
                loop.faults[errno, default: 0] += 1
                try setCue(nil)
                loop.runner = try launch()
            default:
                // A read-only state directory at start: refused with the cause, exit 1, nothing fired.
                killWithJobs(loop.runner.processIdentifier)
                loop.runner.waitUntilExit()
                try setCue("EROFS")
                let refused = try launch()
                refused.waitUntilExit()
                if refused.terminationStatus != 1 { loop.problems.append("read-only state: exit \(refused.terminationStatus), not 1") }
                loop.faults["read-only at start", default: 0] += 1
                try setCue(nil)
                loop.runner = try launch()
            }
        }
        let runner = loop.runner, faults = loop.faults, problems = loop.problems
        // Time to catch up what the last fault left, then a clean stop.
        try await Task.sleep(for: .seconds(4))
        kill(runner.processIdentifier, SIGTERM)
        runner.waitUntilExit()
        let runnerLog = text(log) ?? ""
        #expect(runner.terminationStatus == 0, "the last runner's exit")
        #expect(problems.isEmpty, "\(problems)")
        #expect(runnerLog.contains("Read-only file system") || faults["read-only at start"] == nil)

        let summary = "faults: \(faults.sorted { $0.key < $1.key })"
        let journal = state.appendingPathComponent("journal.jsonl")
        let check = try JournalCheck.scan(path: journal.path)
        #expect(!check.isDamaged, "the journal verifies clean: \(check.damaged.map { "\($0.line): \($0.reason)" })")
        let events = try FileJournal.events(file: journal)
        let lines = try String(contentsOf: effects, encoding: .utf8).split(separator: "\n").map(String.init)
        expectEachOccurrenceOnce(runs: lines, events: events, jobs: ["tick-a", "tick-b"], summary: summary)
        // The unruly jobs: the SIGTERM-ignoring child is killed at its timeout; the one without
        // stdout and the forking one succeed (or were interrupted by a fault).
        func outcomes(_ job: String) -> Set<String> {
            Set(events.filter { $0.job == job && $0.type == .finished }.compactMap { $0.outcome?.rawValue })
        }
        #expect(outcomes("stubborn").contains("timeout") && outcomes("stubborn").isSubset(of: ["timeout", "interrupted"]),
                "stubborn: \(outcomes("stubborn"))")
        #expect(outcomes("mute").contains("success") && outcomes("mute").isSubset(of: ["success", "interrupted"]), "mute: \(outcomes("mute"))")
        #expect(outcomes("forks").contains("success") && outcomes("forks").isSubset(of: ["success", "interrupted"]), "forks: \(outcomes("forks"))")
        // Posts due early enough to have had their retries are published once; none twice.
        let settledBy = Date().timeIntervalSince1970 - 25
        var requestsPerPost: [Int] = []
        for post in posts {
            let published = events.filter { $0.type == .published && $0.job == post.name }.count
            if post.at < settledBy {
                #expect(published == 1, "\(post.name) published \(published) times; \(summary)")
            } else {
                #expect(published <= 1, "\(post.name) published \(published) times; \(summary)")
            }
            let requests = receiver.requests(to: "/p").filter { $0.headers["idempotency-key"]?.hasPrefix("\(post.name)@") == true }
            let keys = Set(requests.compactMap { $0.headers["idempotency-key"] })
            #expect(keys.isSubset(of: ["\(post.name)@\(post.due)"]), "\(post.name): \(keys)")
            requestsPerPost.append(requests.count)
        }
        await receiver.stop()
        let instance = try String(contentsOf: state.appendingPathComponent("instance-id"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let survivors = markedProcesses(instance: instance)
        #expect(survivors.isEmpty, "children outlived the last runner: \(survivors)")
        for pid in survivors { kill(pid, SIGKILL) }
        let slowest = (slowestExit * 10).rounded() / 10
        print("file chaos: \(seconds) s, \(summary), \(lines.count) runs, \(events.count) events, "
              + "\(posts.count) posts in \(requestsPerPost.reduce(0, +)) requests; "
              + "not-ready seen for \(notReadySeen) of \(diskFaults) disk faults, slowest exit \(slowest) s after one")
    }
}

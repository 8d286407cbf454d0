import AlmanacCore
import Foundation
import Journal
import JournalTestSupport
import PostgresJournal
import PostgresTestSupport
import Testing

/// Chaos through the real binary: three runners on one PostgreSQL, two every-second jobs, and
/// for `ALMANAC_CHAOS_SECONDS` (30 by default; `make chaos` runs it for minutes) a fault every
/// 2–4 s: a runner SIGKILLed with its jobs (as a supervisor's cgroup goes) and restarted on its
/// state directory, a runner SIGSTOPped past its lease and continued (it must exit 75 and is
/// restarted), every database connection terminated, or PostgreSQL restarted; a post with two
/// webhook targets falls due every 3 s throughout. Then from the jobs' own side effects, the
/// journal and the receiver: no attempt ran twice, an occurrence that ran twice has an
/// `interrupted` record, every second from the first fire to the last is started or skipped,
/// and each post's target was published once, every request for it with its one key.
@Suite("a cluster under SIGKILL, SIGSTOP, killed connections and PostgreSQL restarts", .serialized)
struct ClusterChaosTests {
    @Test("every occurrence once (or journaled interrupted, or skipped), none twice")
    func chaos() async throws {
        let seconds = Int(ProcessInfo.processInfo.environment["ALMANAC_CHAOS_SECONDS"] ?? "") ?? 30
        let cluster = try await Cluster()
        let (url, effects) = (cluster.url, cluster.effects)
        for name in ["tick-a", "tick-b"] {
            try cluster.write(name, """
                schedule: "* * * * * *"
                concurrency: allow
                retry: {max: 3, initial: 1s}
                catchup: {window: 1h, policy: all}
                run: "echo $ALMANAC_JOB@$ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT >> \(effects.path)"
                """)
        }
        // Posts too: one every 3 s through the run, two webhook targets each, on a receiver here.
        let receiver = try await TestHTTPServer()
        let firstPost = (Date().timeIntervalSince1970 + 8).rounded(.down)
        var posts: [String: String] = [:]
        for index in 0..<max(1, seconds / 3) {
            let due = RFC3339.format(Date(timeIntervalSince1970: firstPost + Double(index * 3)), precision: .seconds)
            posts["post-\(index)"] = due
            try cluster.write("post-\(index)", """
                kind: post
                at: "\(due)"
                retry: {max: 5, initial: 1s}
                content: {title: "post \(index)"}
                publish:
                  - {name: a, webhook: "\(receiver.url("/a"))"}
                  - {name: b, webhook: "\(receiver.url("/b"))"}
                """)
        }
        func launch(_ index: Int) throws -> Process { try cluster.launch(index, ["--drain-timeout", "2s"]) }
        var runners = try (0..<3).map(launch)
        var faults: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        let end = ContinuousClock.now + .seconds(seconds)
        try await Task.sleep(for: .seconds(3))
        while ContinuousClock.now < end {
            // A runner that exited (a fenced one: 75) is restarted, as its supervisor would.
            for index in runners.indices where !runners[index].isRunning {
                faults["exited \(runners[index].terminationStatus)", default: 0] += 1
                runners[index] = try launch(index)
            }
            let victim = Int.random(in: 0..<3, using: &generator)
            // The first fault restarts PostgreSQL, so even the short run has one.
            switch faults.isEmpty ? 8 : Int.random(in: 0..<10, using: &generator) {
            case 0..<6:
                killWithJobs(runners[victim].processIdentifier)
                runners[victim].waitUntilExit()
                runners[victim] = try launch(victim)
                faults["SIGKILL", default: 0] += 1
            case 6..<8:
                kill(runners[victim].processIdentifier, SIGSTOP)
                try await Task.sleep(for: .seconds(12))
                kill(runners[victim].processIdentifier, SIGCONT)
                faults["SIGSTOP past the lease", default: 0] += 1
            case 8:
                // An operator's restart: every session ends; runners whose lease outlives it carry on.
                try TestPostgres.shared().restart()
                faults["PostgreSQL restarted", default: 0] += 1
            default:
                try TestPostgres.shared().psql("""
                    SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                    WHERE datname = '\(url.database)' AND pid <> pg_backend_pid()
                    """)
                faults["connections terminated", default: 0] += 1
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 2000...4000, using: &generator)))
        }
        // Long enough for a takeover of what the last fault left open, then a clean stop.
        try await Task.sleep(for: .seconds(14))
        for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }

        let events = try await cluster.events()
        let lines = try String(contentsOf: effects, encoding: .utf8).split(separator: "\n").map(String.init)
        let summary = "faults: \(faults.sorted { $0.key < $1.key }), \(lines.count) runs"
        expectEachOccurrenceOnce(runs: lines, events: events, jobs: ["tick-a", "tick-b"], summary: summary)
        // Each post's target published once in the journal; every request for it carried its one key.
        for (post, due) in posts.sorted(by: { $0.key < $1.key }) {
            for target in ["a", "b"] {
                let published = events.filter { $0.type == .published && $0.job == post && $0.target == target }
                #expect(published.count == 1, "\(post) → \(target) published \(published.count) times; \(summary)")
                let keys = Set(receiver.requests(to: "/\(target)").compactMap { $0.headers["idempotency-key"] }
                    .filter { $0.hasPrefix("\(post)@") })
                #expect(keys == ["\(post)@\(due)#\(target)"], "\(post) → \(target): \(keys)")
            }
        }
        let requests = receiver.requests().count
        await receiver.stop()
        print("chaos: \(seconds) s, \(summary), \(posts.count) posts (\(requests) requests for \(posts.count * 2) targets)")
    }
}

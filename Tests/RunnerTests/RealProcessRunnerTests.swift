import Foundation
import Journal
import JournalTestSupport
import Manifest
import Scheduler
import Processes
import Publishing
import Daemon
import Executors
import Testing

/// A runner on the real clock and real child processes, with second-resolution schedules.
final class LiveRunner {
    let temp: TempDirectory
    let journal: FileJournal
    let runner: Runner

    init(_ yaml: String, claimLead: Duration = .zero) async throws {
        temp = try TempDirectory()
        let state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        journal = try FileJournal(directory: state)
        let executor = ProcessJobLauncher(root: temp.url, stateDirectory: state, environment: ProcessInfo.processInfo.environment,
                                       killGrace: .milliseconds(500))
        runner = Runner(clock: SystemClock(), journal: journal, launcher: executor,
                        options: Runner.Options(killGrace: .milliseconds(500), drainTimeout: .seconds(10), claimLead: claimLead))
        try await runner.apply(manifest(yaml, now: Date()))
        try await runner.start()
    }

    /// Runs the loop for `seconds`, then drains, and returns the journal's events.
    func run(for seconds: Double) async throws -> [JournalEvent] {
        await runner.run(until: Date().addingTimeInterval(seconds))
        await runner.shutdown()
        try await journal.close()
        return try FileJournal.events(file: temp.url.appendingPathComponent("state/journal.jsonl"))
    }
}

@Suite("runner with real processes", .serialized)
struct RealProcessRunnerTests {
    @Test("a fire claimed ahead of its instant when the runner stops is not lost: journaled as not launched and run by the next start")
    func claimedWhenStopping() async throws {
        let live = try await LiveRunner("""
            name: tick
            schedule: "*/5 * * * * *"
            run: ["true"]
            """, claimLead: .seconds(3))
        let first = live.runner
        let loop = Task { await first.run(until: Date().addingTimeInterval(15)) }
        // Wait for a claim made 3 s ahead of its instant (one made at start may be closer to
        // its instant: that one runs, and the next is waited for), and stop before the instant.
        var claimed: JournalEvent?
        for _ in 0..<200 where claimed == nil {
            try await Task.sleep(for: .milliseconds(50))
            claimed = await live.journal.state().jobs["tick"]?.running
                .first { $0.key.scheduledAt > Date().addingTimeInterval(1.5) }
                .map { execution in
                    JournalEvent(at: execution.startedAt, type: .started, job: "tick", scheduledAt: execution.key.scheduledAt, attempt: 1)
                }
        }
        let claim = try #require(claimed)
        #expect(claim.scheduledAt.map { $0 > Date().addingTimeInterval(1) } == true, "stopped before the instant")
        await live.runner.shutdown()
        _ = await loop.value
        try await live.journal.close()
        let file = live.temp.url.appendingPathComponent("state/journal.jsonl")
        var events = try FileJournal.events(file: file)
        let ended = try #require(events.first { $0.type == .finished && $0.scheduledAt == claim.scheduledAt })
        #expect(ended.outcome == "interrupted" && ended.errorClass == "shutdown" && ended.attempt == 1)
        #expect(ended.message?.contains("not launched") == true)
        let retry = try #require(events.first { $0.type == .retry && $0.scheduledAt == claim.scheduledAt })
        #expect(retry.attempt == 2 && retry.retryAt == claim.scheduledAt)

        // The next start runs it (late, as a pending retry), once.
        let journal = try FileJournal(directory: live.temp.url.appendingPathComponent("state"))
        let runner = Runner(clock: SystemClock(), journal: journal,
                            launcher: ProcessJobLauncher(root: live.temp.url, stateDirectory: live.temp.url.appendingPathComponent("state"),
                                                         environment: ProcessInfo.processInfo.environment),
                            options: Runner.Options(drainTimeout: .seconds(5)))
        try await runner.apply(manifest("name: tick\nschedule: \"0 0 1 1 *\"\nrun: [\"true\"]\n", now: Date()))
        try await runner.start()
        await runner.run(until: Date().addingTimeInterval(1.5))
        await runner.shutdown()
        try await journal.close()
        events = try FileJournal.events(file: file)
        let reran = events.filter { $0.type == .finished && $0.scheduledAt == claim.scheduledAt && $0.attempt == 2 }
        #expect(reran.map(\.outcome) == ["success"])
    }

    @Test("a job over its timeout is killed, journaled as timeout, and retried per policy")
    func timeoutAndRetry() async throws {
        let live = try await LiveRunner("""
            name: slow
            run: ["sleep", "30"]
            timeout: 1s
            retry: {delays: [500ms]}
            """)
        await live.runner.trigger("slow")
        let events = try await live.run(for: 4.5)
        let finished = events.filter { $0.type == .finished && $0.job == "slow" }
        #expect(finished.count >= 2)
        #expect(finished.prefix(2).allSatisfy { $0.outcome == "timeout" && $0.errorClass == "timeout" })
        #expect(finished.prefix(2).map(\.attempt) == [1, 2])
        let duration = try #require(finished.first?.durationMs)
        #expect(duration >= 900 && duration < 3000)
        #expect(events.contains { $0.type == .retry && $0.attempt == 2 })
        // The policy allows one retry: no third attempt of the same occurrence.
        #expect(!events.contains { $0.type == .started && $0.attempt == 3 })
    }

    @Test("a non-retryable exit code fails at once; other failures are retried with their error class")
    func nonRetryableExitCodes() async throws {
        let live = try await LiveRunner("""
            name: refuses
            run: ["sh", "-c", "echo bad config >&2; exit 64"]
            retry: {delays: [200ms, 200ms]}
            nonRetryableExitCodes: [64]
            ---
            name: fails
            run: ["sh", "-c", "exit 3"]
            retry: {delays: [200ms, 200ms]}
            """)
        await live.runner.trigger("refuses")
        await live.runner.trigger("fails")
        let events = try await live.run(for: 2.0)
        let refuses = events.filter { $0.type == .finished && $0.job == "refuses" }
        #expect(refuses.count == 1)
        #expect(refuses.first?.errorClass == "nonRetryable")
        #expect(refuses.first?.exitCode == 64)
        #expect(refuses.first?.outputTail?.contains("bad config") == true)
        let fails = events.filter { $0.type == .finished && $0.job == "fails" }
        #expect(fails.map(\.attempt) == [1, 2, 3])
        #expect(fails.allSatisfy { $0.errorClass == "exit" && $0.exitCode == 3 })
    }

    @Test("concurrency forbid skips overlapping fires and journals them as overlap")
    func forbidOverlap() async throws {
        let live = try await LiveRunner("""
            name: long
            schedule: "* * * * * *"
            run: ["sleep", "2.5"]
            concurrency: forbid
            """)
        let events = try await live.run(for: 4.2)
        let started = events.filter { $0.type == .started && $0.job == "long" }
        let skipped = events.filter { $0.type == .skipped && $0.reason == "overlap" }
        #expect(started.count >= 1 && started.count <= 2)
        #expect(skipped.count >= 2)
        // Never two at once: each start comes after the previous attempt finished.
        let finishes = events.filter { $0.type == .finished && $0.job == "long" }
        if started.count == 2, let firstEnd = finishes.first {
            #expect(started[1].seq > firstEnd.seq)
        }
    }

    @Test("concurrency replace terminates the running attempt, then starts the new one")
    func replaceRunning() async throws {
        let live = try await LiveRunner("""
            name: replaced
            schedule: "*/2 * * * * *"
            run: ["sleep", "30"]
            concurrency: replace
            """)
        let events = try await live.run(for: 4.5)
        let finished = events.filter { $0.type == .finished && $0.job == "replaced" }
        #expect(finished.contains { $0.errorClass == "replaced" && $0.outcome == "killed" })
        let started = events.filter { $0.type == .started && $0.job == "replaced" }
        #expect(started.count >= 2)
    }

    @Test("concurrency allow runs overlapping attempts side by side")
    func allowOverlap() async throws {
        let live = try await LiveRunner("""
            name: parallel
            schedule: "* * * * * *"
            run: ["sleep", "1.8"]
            concurrency: allow
            """)
        let events = try await live.run(for: 3.3)
        #expect(!events.contains { $0.type == .skipped })
        var running = 0, peak = 0
        for event in events where event.job == "parallel" {
            if event.type == .started { running += 1 }
            if event.type == .finished { running -= 1 }
            peak = max(peak, running)
        }
        #expect(peak >= 2)
    }

    @Test("jitter delays each fire by the same deterministic offset below the jitter")
    func jitterOffset() async throws {
        let live = try await LiveRunner("""
            name: jittery
            schedule: "*/2 * * * * *"
            run: ["true"]
            jitter: 1500ms
            """)
        let events = try await live.run(for: 5.0)
        let started = events.filter { $0.type == .started && $0.job == "jittery" }
        #expect(started.count >= 1)
        let offsets = started.compactMap { e in e.scheduledAt.map { e.at.timeIntervalSince($0) } }
        for offset in offsets { #expect(offset >= 0 && offset < 1.6) }
        if offsets.count >= 2 { #expect(abs(offsets[0] - offsets[1]) < 0.1) }
    }

    @Test("maxParallel queues fires beyond the limit and journals them as queued")
    func maxParallel() async throws {
        let live = try await LiveRunner("""
            name: a
            run: ["sleep", "0.6"]
            ---
            name: b
            run: ["sleep", "0.6"]
            ---
            name: c
            run: ["sleep", "0.6"]
            """)
        await live.runner.setMaxParallel(1)
        for name in ["a", "b", "c"] { await live.runner.trigger(name) }
        let events = try await live.run(for: 2.5)
        #expect(events.filter { $0.type == .queued }.count == 2)
        var running = 0, peak = 0
        for event in events {
            if event.type == .started { running += 1 }
            if event.type == .finished { running -= 1 }
            peak = max(peak, running)
        }
        #expect(peak == 1)
        #expect(events.filter { $0.type == .finished && $0.outcome == "success" }.count == 3)
    }
}

@Suite("fires at their instant", .serialized)
struct InstantFireTests {
    @Test("a scheduled child runs as an ordinary process (SCHED_OTHER, nice 0, default slice, every CPU) and its lateness is journaled")
    func childSchedulingAndLateness() async throws {
        // The spawn happens on the runner's thread, which runs with a short scheduler slice
        // (and may run at a raised nice): the child execs with them, then the launcher makes it
        // ordinary. Fields 19 and 41 of /proc/PID/stat are the nice value and the policy;
        // /proc/PID/sched has the slice. The reset comes right after the spawn returns, so a
        // child reading them at once can beat it (seen once in CI): the probe waits 100 ms.
        let live = try await LiveRunner("""
            name: probe
            schedule: "* * * * * *"
            run: ["sh", "-c", "sleep 0.1; cut -d' ' -f19,41 /proc/$$/stat; grep Cpus_allowed_list /proc/$$/status; grep se.slice /proc/$$/sched"]
            """)
        let events = try await live.run(for: 2.5)
        let finished = events.filter { $0.type == .finished && $0.job == "probe" && $0.triggeredBy == "schedule" }
        #expect(!finished.isEmpty)
        let mine = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
            .split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list") }.map(String.init)
        for event in finished {
            let lines = (event.outputTail ?? "").split(separator: "\n").map(String.init)
            #expect(lines.first == "0 0", "nice and policy: \(lines)")
            #expect(lines.dropFirst().first == mine)
            #expect(Self.slice(lines.dropFirst(2).first) == Self.ownSlice(), "slice: \(lines)")
            let late = try #require(event.lateUs)
            #expect(late >= 0 && late < 500_000)
        }
        #expect(DedicatedExecutor.runner.slice == 0 || DedicatedExecutor.runner.slice < Self.ownSlice() ?? 0,
                "the runner's thread asked for a short slice: \(DedicatedExecutor.runner.slice) ns")
    }

    /// The nanoseconds of a `se.slice : N` line of /proc/PID/sched.
    static func slice(_ line: String?) -> Int? {
        line?.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// This test process's own slice: the kernel's default, as an ordinary process has it.
    static func ownSlice() -> Int? {
        let sched = try? String(contentsOfFile: "/proc/self/sched", encoding: .utf8)
        return slice(sched?.split(separator: "\n").first { $0.hasPrefix("se.slice") }.map(String.init))
    }
}

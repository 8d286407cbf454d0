import Foundation
import Journal
import JournalTestSupport
import Manifest
import Scheduler
import Processes
import Publishing
import Daemon
import Status
import Synchronization
import Testing

/// The numbers a person reads: success per occurrence with retries apart, lateness from the
/// planned instant, a manual run that meets a scheduled one, UTC spelled UTC.
@Suite("numbers a user reads")
struct NumbersTests {
    /// Runs `yaml` on a virtual clock from `start` to `end` with scripted outcomes; the state, the manifest and the end.
    func drive(_ yaml: String, in temp: TempDirectory, from start: Date, until end: Date,
               script: @escaping ScriptedLauncher.Script) async throws -> (JournalState, Manifest, ScriptedLauncher) {
        let clock = VirtualClock(start)
        let journal = try FileJournal(directory: temp.url)
        let executor = ScriptedLauncher(clock: clock, script: script)
        let runner = Runner(clock: clock, journal: journal, launcher: executor)
        let loaded = manifest(yaml, now: start)
        try await runner.apply(loaded)
        try await runner.start()
        await RunnerTests.drive(runner, clock, until: end)
        await runner.shutdown()
        let state = await journal.state()
        try await journal.close()
        return (state, loaded, executor)
    }

    /// Two daily occurrences, each failing once and succeeding on its retry a minute later.
    func retriedToSuccess(_ temp: TempDirectory) async throws -> (JournalState, Manifest, Date) {
        let end = utc("2026-06-02T12:00:00Z")
        let (state, loaded, executor) = try await drive("""
            name: flaky
            schedule: "0 3 * * *"
            run: ["true"]
            jitter: 10m
            retry: {delays: [1m]}
            """, in: temp, from: utc("2026-06-01T00:00:00Z"), until: end) { _, attempt in attempt == 1 ? .failure : .success }
        #expect(executor.started.count == 4)
        return (state, loaded, end)
    }

    @Test("every occurrence succeeding on its retry is 100% of 2 with 2 retries, not 50% of 4")
    func successPerOccurrence() async throws {
        let temp = try TempDirectory()
        let (state, loaded, now) = try await retriedToSuccess(temp)
        let report = StatusReport.make(manifest: loaded, state: state, now: now)
        let job = try #require(report.jobs.first)
        #expect(job.runs == 2)
        #expect(job.successes == 2)
        #expect(job.retries == 2)
        #expect(job.successRate == 1)
        let text = StatusRenderer.text(report)
        #expect(text.contains("RETRIES"))
        #expect(text.contains("100% of 2"))
        let file = String(decoding: try #require(StatusFiles.render(report, state: state)["flaky.json"]), as: UTF8.self)
        #expect(file.contains("\"retries\" : 2") || file.contains("\"retries\": 2"))
        #expect(file.contains("\"successRate\": 1") || file.contains("\"successRate\" : 1"))
        let markdown = StatusFiles.markdown(report, state: state)
        #expect(markdown.contains("| 100% (2) | 2 |"))
        // The lifetime counters stay per attempt (they feed Prometheus counters), retries apart.
        let stats = try #require(state.jobs["flaky"]?.stats)
        #expect(stats.successCount == 2 && stats.failureCount == 2 && stats.retries == 2)
        #expect(stats.outcomes == ["success": 2, "failure": 2])
    }

    @Test("an occurrence whose retry is still pending is not counted yet")
    func pendingRetryIsNotOver() async throws {
        let temp = try TempDirectory()
        let end = utc("2026-06-01T03:30:00Z")
        let (state, loaded, _) = try await drive("""
            name: flaky
            schedule: "0 3 * * *"
            run: ["true"]
            retry: {delays: [1h]}
            """, in: temp, from: utc("2026-06-01T02:59:00Z"), until: end) { _, _ in .failure }
        let job = try #require(StatusReport.make(manifest: loaded, state: state, now: end).jobs.first)
        #expect(job.runs == 0)
        #expect(job.successRate == nil)
        #expect(job.lastOutcome == "failure")
    }

    @Test("lateness is measured from the planned instant: neither the jitter nor the retry delay is late")
    func latenessFromPlannedInstant() async throws {
        let temp = try TempDirectory()
        let (state, _, _) = try await retriedToSuccess(temp)
        let history = try #require(state.jobs["flaky"]?.history)
        #expect(history.count == 4)
        for execution in history {
            // Started at scheduled + jitter (attempt 1) or a minute after the failure (attempt 2).
            #expect(execution.startedAt >= execution.key.scheduledAt.addingTimeInterval(execution.attempt > 1 ? 60 : 0))
            #expect(execution.lateUs == 0)
            #expect(execution.lateMs == 0)
        }
        let started = try events(temp.url).filter { $0.type == .started }
        #expect(started.count == 4)
        #expect(started.allSatisfy { $0.lateUs == 0 })
    }

    @Test("the CLI prints it: status 100% of 2 with 2 retries, history LATE 0ms for jittered and retried attempts")
    func cliOutput() async throws {
        let temp = try TempDirectory()
        _ = try await retriedToSuccess(temp)
        let missing = temp.url.appendingPathComponent("no-jobs").path
        let (status, out, _) = try almanac(["status", "--path", missing, "--state", temp.url.path])
        #expect(status == 0)
        let row = try #require(out.split(separator: "\n").first { $0.hasPrefix("flaky") })
        #expect(row.contains("100% of 2  2 "), "\(out)")
        let (code, history, _) = try almanac(["history", "flaky", "--state", temp.url.path])
        #expect(code == 0)
        let rows = history.split(separator: "\n").dropFirst()
        #expect(rows.count == 4)
        for row in rows {
            let columns = row.split(separator: " ", omittingEmptySubsequences: true)
            #expect(columns.count > 3 && columns[2] == "0ms", "\(history)")
        }
    }

    @Test("a manual run at the instant an occurrence is due: both run when concurrency allows")
    func manualAtScheduledInstantAllow() async throws {
        let (events, started) = try await manualAtInstant(concurrency: "allow")
        #expect(started.count == 2)
        #expect(Set(started.map(\.0)).count == 2)
        #expect(Set(started.map(\.2)) == ["schedule", "manual"])
        #expect(events.filter { $0.type == .finished }.count == 2)
        #expect(!events.contains { $0.type == .skipped })
    }

    @Test("a manual run at the instant an occurrence is due: under forbid the second is journaled skipped")
    func manualAtScheduledInstantForbid() async throws {
        let (events, started) = try await manualAtInstant(concurrency: "forbid")
        #expect(started.count == 1)
        let skipped = try #require(events.first { $0.type == .skipped })
        #expect(skipped.reason == "overlap")
        #expect(skipped.triggeredBy == "manual")
        #expect(skipped.key != started.first?.0)
        #expect(started.first?.2 == "schedule")
    }

    /// Triggers `job` on the very millisecond its `0 10 * * *` occurrence is due.
    func manualAtInstant(concurrency: String) async throws -> ([JournalEvent], [(OccurrenceKey, Int, String)]) {
        let due = utc("2026-06-01T10:00:00Z")
        let clock = VirtualClock(due.addingTimeInterval(-30))
        let temp = try TempDirectory()
        let journal = try FileJournal(directory: temp.url)
        let executor = MinuteLongExecutor(clock: clock)
        let runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest("""
            name: job
            schedule: "0 10 * * *"
            run: ["true"]
            concurrency: \(concurrency)
            """, now: clock.now()))
        try await runner.start()
        clock.advance(to: due)
        #expect(await runner.trigger("job"))
        await runner.step()
        // The manual run took the next free millisecond, its own key.
        clock.advance(to: due.addingTimeInterval(0.001))
        await runner.step()
        clock.advance(to: due.addingTimeInterval(120))
        #expect(await runner.waitUntilIdle(timeout: .seconds(10)))
        await runner.shutdown()
        try await journal.close()
        return (try events(temp.url), executor.started)
    }
}

/// Records each start like ScriptedLauncher, but each attempt runs for a virtual minute, so
/// two attempts of one job can overlap.
final class MinuteLongExecutor: JobLauncher {
    let clock: VirtualClock
    let starts = Mutex<[(OccurrenceKey, Int, String)]>([])

    init(clock: VirtualClock) { self.clock = clock }

    var started: [(OccurrenceKey, Int, String)] { starts.withLock { $0 } }

    func start(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle {
        starts.withLock { $0.append((occurrence, attempt, triggeredBy)) }
        return Running(clock: clock, startedAt: clock.now())
    }

    struct Running: ExecutionHandle {
        let clock: VirtualClock
        let startedAt: Date
        var pid: Int32? { nil }

        func wait() async -> ExecutionReport {
            try? await clock.sleep(until: startedAt.addingTimeInterval(60))
            return ExecutionReport(outcome: .success, exitCode: 0, startedAt: startedAt, finishedAt: clock.now(), outputTail: "")
        }

        func terminate(grace: Duration) {}
    }
}

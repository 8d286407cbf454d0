import AlmanacCore
import CronSchedule
import Foundation
import Journal
import JournalTestSupport
import Manifest
import Reconciler
import Scheduler
import Processes
import Publishing
import Daemon
import Testing

/// `text` plus `n` ms, computed as the journal stores instants (whole milliseconds).
func millis(_ text: String, _ n: Int) -> Date {
    Date(timeIntervalSince1970: ((utc(text).timeIntervalSince1970 * 1000).rounded() + Double(n)) / 1000)
}

/// A runner on a virtual clock over a file journal in a temp directory, with `yaml` applied and started.
struct AfterFixture {
    let temp: TempDirectory
    let clock: VirtualClock
    let journal: FileJournal
    let executor: ScriptedLauncher
    let runner: Runner

    init(_ yaml: String, at start: String, script: @escaping ScriptedLauncher.Script = { _, _ in .success }) async throws {
        temp = try TempDirectory()
        clock = VirtualClock(utc(start))
        journal = try FileJournal(directory: temp.url)
        executor = ScriptedLauncher(clock: clock, script: script)
        runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest(yaml, now: clock.now()))
        try await runner.start()
    }

    func drive(until end: String) async { await RunnerTests.drive(runner, clock, until: utc(end)) }
    func events() throws -> [JournalEvent] { try RunnerTests.events(temp.url) }
    func runs(_ job: String) -> [String] { AfterRunnerTests.runs(executor, job: job) }
}

@Suite("after: on a virtual clock")
struct AfterRunnerTests {
    static let pair = """
        name: first
        schedule: "0 * * * *"
        run: ["true"]
        retry: {delays: [1m]}
        ---
        name: second
        run: ["true"]
        after: [first]
        """

    /// The (job, scheduled time, trigger) of every attempt the executor started.
    static func runs(_ executor: ScriptedLauncher, job: String) -> [String] {
        executor.started.filter { $0.0.job == job }.map { "\(RFC3339.format($0.0.scheduledAt))#\($0.1) \($0.2)" }
    }

    @Test("each success of `first` runs `second` once, keyed 1 ms after first's occurrence, journaled as after:first")
    func successRunsDependentOnce() async throws {
        let f = try await AfterFixture(Self.pair, at: "2026-06-01T00:30:00Z")
        await f.drive(until: "2026-06-01T02:30:00Z")
        #expect(f.runs("second") == [
            "2026-06-01T01:00:00.001Z#1 after:first", "2026-06-01T02:00:00.001Z#1 after:first",
        ])
        let all = try f.events()
        let triggered = all.filter { $0.type == .triggered }
        #expect(triggered.map(\.triggeredBy) == ["after:first", "after:first"])
        // The owed run is journaled ahead of the upstream's `finished`, in the same write.
        for owed in triggered {
            let next = all.first { $0.seq == owed.seq + 1 }
            #expect(next?.type == .finished && next?.job == "first" && next?.outcome == "success")
        }
        #expect(all.filter { $0.type == .started && $0.job == "second" }.allSatisfy { $0.triggeredBy == "after:first" })
        #expect(await f.journal.state().pendingTriggers.isEmpty)
        try await f.journal.close()
    }

    @Test("an upstream that ends failure, partial or timeout runs nothing after it",
          arguments: [Outcome.failure, .partial, .timeout])
    func unsuccessfulRunsNothing(outcome: Outcome) async throws {
        let f = try await AfterFixture(Self.pair.replacingOccurrences(of: "retry: {delays: [1m]}\n", with: ""), at: "2026-06-01T00:30:00Z") { key, _ in key.job == "first" ? outcome : .success }
        await f.drive(until: "2026-06-01T02:30:00Z")
        #expect(f.executor.started.filter { $0.0.job == "first" }.count == 2)
        #expect(f.runs("second").isEmpty)
        #expect(try f.events().filter { $0.type == .triggered }.isEmpty)
        try await f.journal.close()
    }

    @Test("a failure retried into a success runs the dependent once, after the retry")
    func retryThenSuccess() async throws {
        let f = try await AfterFixture(Self.pair, at: "2026-06-01T00:30:00Z") { key, attempt in key.job == "first" && attempt == 1 ? .failure : .success }
        await f.drive(until: "2026-06-01T01:30:00Z")
        #expect(f.runs("first") == ["2026-06-01T01:00:00Z#1 schedule", "2026-06-01T01:00:00Z#2 retry"])
        #expect(f.runs("second") == ["2026-06-01T01:00:00.001Z#1 after:first"])
        let started = try #require(try f.events().first { $0.type == .started && $0.job == "second" })
        #expect(started.at == utc("2026-06-01T01:01:00Z"))
        try await f.journal.close()
    }

    @Test("several after: entries mean after any of them: each upstream's success owes its own run")
    func anyOf() async throws {
        let f = try await AfterFixture("""
            name: extract
            schedule: "0 * * * *"
            run: ["true"]
            ---
            name: load
            schedule: "0 */2 * * *"
            run: ["true"]
            ---
            name: report
            run: ["true"]
            concurrency: allow
            after: [extract, load]
            """, at: "2026-06-01T00:30:00Z") { key, _ in
            key.job == "load" && key.scheduledAt == utc("2026-06-01T02:00:00Z") ? .failure : .success
        }
        await f.drive(until: "2026-06-01T02:30:00Z")
        // 01:00: extract only; 02:00: extract succeeds, load fails.
        #expect(f.runs("report") == [
            "2026-06-01T01:00:00.001Z#1 after:extract", "2026-06-01T02:00:00.001Z#1 after:extract",
        ])
        await f.drive(until: "2026-06-01T04:30:00Z")
        // 04:00: both succeed, each owes a run (1 ms and 2 ms after the instant).
        #expect(f.runs("report").suffix(2).sorted() == [
            "2026-06-01T04:00:00.001Z#1 after:extract", "2026-06-01T04:00:00.002Z#1 after:load",
        ])
        try await f.journal.close()
    }

    @Test("the dependent's own concurrency policy applies: forbid skips an owed run while one runs")
    func concurrencyApplies() async throws {
        let f = try await AfterFixture("""
            name: a
            schedule: "0 * * * *"
            run: ["true"]
            ---
            name: b
            schedule: "0 * * * *"
            run: ["true"]
            ---
            name: c
            run: ["true"]
            after: [a, b]
            """, at: "2026-06-01T00:30:00Z")
        await f.drive(until: "2026-06-01T01:30:00Z")
        // a and b end at the same instant, in either order: the first end's owed run starts,
        // the second's is skipped while it runs.
        let runs = f.runs("c")
        #expect(runs == ["2026-06-01T01:00:00.001Z#1 after:a"] || runs == ["2026-06-01T01:00:00.002Z#1 after:b"], "\(runs)")
        let skipped = try #require(try f.events().first { $0.type == .skipped && $0.job == "c" })
        #expect(skipped.reason == "overlap")
        #expect(skipped.triggeredBy == (runs.first?.hasSuffix("after:a") == true ? "after:b" : "after:a"))
        // The skip settles the owed run: a restart does not run it again.
        #expect(await f.journal.state().pendingTriggers.isEmpty)
        try await f.journal.close()
    }

    @Test("a job with after: and a schedule runs on both, its own occurrence apart from the owed one")
    func scheduleAndAfter() async throws {
        let f = try await AfterFixture(Self.pair.replacingOccurrences(of: "name: second\n", with: "name: second\nschedule: \"0 * * * *\"\n"),
                                       at: "2026-06-01T00:30:00Z")
        await f.drive(until: "2026-06-01T01:30:00Z")
        #expect(f.runs("second") == ["2026-06-01T01:00:00Z#1 schedule", "2026-06-01T01:00:00.001Z#1 after:first"])
        try await f.journal.close()
    }

    @Test("a manual run at the instant keeps clear of the key an upstream's success will owe: all three run")
    func manualRunAvoidsOwedKey() async throws {
        let f = try await AfterFixture(Self.pair.replacingOccurrences(of: "name: second\n", with: "name: second\nschedule: \"0 * * * *\"\n"),
                                       at: "2026-06-01T00:30:00Z")
        f.clock.advance(to: utc("2026-06-01T01:00:00Z"))
        #expect(await f.runner.trigger("second"))
        await f.drive(until: "2026-06-01T01:30:00Z")
        #expect(Set(f.runs("second")) == [
            "2026-06-01T01:00:00Z#1 schedule", "2026-06-01T01:00:00.001Z#1 after:first", "2026-06-01T01:00:00.002Z#1 manual",
        ])
        #expect(try f.events().filter { $0.type == .skipped }.isEmpty)
        try await f.journal.close()
    }

    @Test("a crash between first's finished and second's start: the next runner runs second once, a third runs nothing")
    func crashBeforeDependentStarts() async throws {
        let temp = try TempDirectory()
        let start = utc("2026-06-01T00:59:00Z")
        let clock = VirtualClock(start)
        var executor = ScriptedLauncher(clock: clock)
        do {
            let journal = try FileJournal(directory: temp.url)
            let runner = Runner(clock: clock, journal: journal, launcher: executor)
            try await runner.apply(manifest(Self.pair, now: start))
            try await runner.start()
            clock.advance(to: utc("2026-06-01T01:00:00Z"))
            await runner.step()
            _ = await runner.waitUntilIdle(timeout: .seconds(5))
            // first succeeded and second's fire is queued, not started: the runner dies here
            // (no shutdown, nothing more journaled).
            #expect(Self.runs(executor, job: "second").isEmpty)
            #expect(await runner.queuedCount == 2)
            try await journal.close()
        }
        for restart in 1...2 {
            clock.advance(to: clock.now().addingTimeInterval(5))
            executor = ScriptedLauncher(clock: clock)
            let journal = try FileJournal(directory: temp.url)
            let runner = Runner(clock: clock, journal: journal, launcher: executor)
            try await runner.apply(manifest(Self.pair, now: clock.now()))
            try await runner.start()
            await runner.step()
            _ = await runner.waitUntilIdle(timeout: .seconds(5))
            #expect(Self.runs(executor, job: "second") == (restart == 1 ? ["2026-06-01T01:00:00.001Z#1 after:first"] : []))
            await runner.shutdown()
            try await journal.close()
        }
        let started = try events(temp.url).filter { $0.type == .started && $0.job == "second" }
        #expect(started.count == 1)
    }

    @Test("owed run journaled but upstream's finished lost: second runs once, first's recovery success owes nothing more")
    func tornWrite() async throws {
        let temp = try TempDirectory()
        let start = utc("2026-06-01T01:00:10Z")
        let clock = VirtualClock(start)
        let upstream = OccurrenceKey(job: "first", scheduledAt: utc("2026-06-01T01:00:00Z"))
        let owed = OccurrenceKey(job: "second", scheduledAt: millis("2026-06-01T01:00:00Z", 1))
        do {
            let journal = try FileJournal(directory: temp.url)
            let runner = Runner(clock: clock, journal: journal, launcher: ScriptedLauncher(clock: clock))
            try await runner.apply(manifest(Self.pair, now: start))
            // What a crash inside the write could leave: the owed run, not first's finished.
            _ = try await journal.append([
                JournalEvent(at: upstream.scheduledAt, type: .started, job: "first", scheduledAt: upstream.scheduledAt,
                             attempt: 1, triggeredBy: "schedule"),
                JournalEvent(at: start, type: .triggered, job: "second", scheduledAt: owed.scheduledAt, attempt: 1,
                             triggeredBy: "after:first"),
            ])
            try await journal.close()
        }
        let journal = try FileJournal(directory: temp.url)
        let executor = ScriptedLauncher(clock: clock)
        let runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest(Self.pair, now: clock.now()))
        try await runner.start()
        await drive(runner, clock, until: utc("2026-06-01T01:30:00Z"))
        #expect(Self.runs(executor, job: "first") == ["2026-06-01T01:00:00Z#2 recovery"])
        #expect(Self.runs(executor, job: "second") == ["2026-06-01T01:00:00.001Z#1 after:first"])
        try await journal.close()
    }

    @Test("the pure planner: success only, keyed by position, nothing twice, nothing for a paused or cyclic dependent")
    func planner() {
        let specs = manifest(Self.pair, now: utc("2026-06-01T00:00:00Z")).jobs
        let jobs = Dictionary(uniqueKeysWithValues: specs.map { ($0.name, $0) })
        let graph = AfterGraph(jobs: specs)
        let upstream = OccurrenceKey(job: "first", scheduledAt: utc("2026-06-01T01:00:00Z"))
        var state = JournalState()
        let due = AfterPlanner.due(upstream: upstream, outcome: .success, graph: graph, jobs: jobs, state: state)
        #expect(due == [AfterPlanner.Run(key: OccurrenceKey(job: "second", scheduledAt: millis("2026-06-01T01:00:00Z", 1)),
                                         upstream: "first")])
        #expect(AfterPlanner.due(upstream: upstream, outcome: .partial, graph: graph, jobs: jobs, state: state).isEmpty)
        let owed = JournalEvent(seq: 1, at: upstream.scheduledAt, type: .triggered, job: "second",
                                scheduledAt: due.first?.key.scheduledAt, attempt: 1, triggeredBy: "after:first")
        state.apply(owed)
        #expect(AfterPlanner.due(upstream: upstream, outcome: .success, graph: graph, jobs: jobs, state: state).isEmpty)
        #expect(AfterPlanner.pending(state: state, jobs: jobs, graph: graph) == due)
        let started = JournalEvent(seq: 2, at: upstream.scheduledAt, type: .started, job: "second",
                                   scheduledAt: due.first?.key.scheduledAt, attempt: 1, triggeredBy: "after:first")
        state.apply(started)
        #expect(state.pendingTriggers.isEmpty)
        #expect(AfterPlanner.pending(state: state, jobs: jobs, graph: graph).isEmpty)
        #expect(AfterPlanner.due(upstream: upstream, outcome: .success, graph: graph, jobs: jobs, state: state).isEmpty)
        var paused = JournalState()
        paused.apply(JournalEvent(seq: 1, at: upstream.scheduledAt, type: .paused, job: "second", triggeredBy: "api"))
        #expect(AfterPlanner.due(upstream: upstream, outcome: .success, graph: graph, jobs: jobs, state: paused).isEmpty)
        paused.apply(owed)
        #expect(AfterPlanner.pending(state: paused, jobs: jobs, graph: graph).isEmpty)
        let cyclic = AfterGraph(edges: [(job: "second", after: ["first"]), (job: "first", after: ["second"])])
        #expect(AfterPlanner.due(upstream: upstream, outcome: .success, graph: cyclic, jobs: jobs, state: JournalState()).isEmpty)
    }
}

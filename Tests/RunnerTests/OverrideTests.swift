import Foundation
import Journal
import JournalTestSupport
import Manifest
import Reconciler
import Scheduler
import Processes
import Publishing
import Daemon
import Status
import Testing

/// One state directory on a virtual clock, with runners that come and go like processes.
final class OverrideHarness {
    let temp: TempDirectory
    let clock: VirtualClock
    var journal: FileJournal
    var executor: ScriptedLauncher
    var runner: Runner

    init(start: Date) throws {
        temp = try TempDirectory()
        clock = VirtualClock(start)
        journal = try FileJournal(directory: temp.url)
        executor = ScriptedLauncher(clock: clock)
        runner = Runner(clock: clock, journal: journal, launcher: executor)
    }

    /// Stops this runner cleanly and starts a fresh one on the same journal at `at`, with `yaml`.
    func restart(at date: Date, with yaml: String) async throws {
        await runner.shutdown()
        try await journal.close()
        clock.advance(to: date)
        journal = try FileJournal(directory: temp.url)
        executor = ScriptedLauncher(clock: clock)
        runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest(yaml, now: date))
        try await runner.start()
    }

    func fired(_ job: String) -> [Date] { executor.started.filter { $0.0.job == job }.map(\.0.scheduledAt) }

    func events(_ job: String) throws -> [JournalEvent] { try RunnerTests.events(temp.url).filter { $0.job == job } }

    /// What `almanac status` shows for `job` now.
    func status(_ job: String) async -> JobStatus {
        let state = await journal.state()
        return JobStatus.make(name: job, spec: await runner.spec(named: job), state: state.jobs[job], now: clock.now())
    }
}

@Suite("API overrides end when the files say otherwise")
struct OverrideTests {
    static let start = utc("2026-06-01T00:00:00Z")

    static func job(run: String = "true") -> String {
        """
        name: every-10m
        schedule: "*/10 * * * *"
        run: "\(run)"
        catchup: {window: 1h, policy: all}
        ---
        name: neighbour
        schedule: "@daily"
        run: "true"
        """
    }

    @Test("pause, then a changed file: `resumed` (files changed), the pause's occurrences skipped, firing again")
    func changedFileEndsPause() async throws {
        let h = try OverrideHarness(start: Self.start)
        try await h.runner.apply(manifest(Self.job(), now: Self.start))
        try await h.runner.start()
        await drive(h.runner, h.clock, until: utc("2026-06-01T00:25:00Z"))
        #expect(await h.runner.pause("every-10m", by: "alice") == .done)
        let paused = try #require(try h.events("every-10m").last)
        #expect(paused.type == .paused)
        #expect(paused.hash == (await h.runner.spec(named: "every-10m"))?.contentHash)
        #expect(await h.status("every-10m").paused)
        await drive(h.runner, h.clock, until: utc("2026-06-01T01:05:00Z"))
        #expect(h.fired("every-10m") == ["2026-06-01T00:10:00Z", "2026-06-01T00:20:00Z"].map(utc))

        let edited = manifest(Self.job(run: "echo v2"), now: h.clock.now())
        let preview = Reconciler.plan(desired: edited, state: await h.journal.state(), now: h.clock.now())
        #expect(preview.paused == [PausedJob(name: "every-10m", ends: true)])
        #expect(PlanRenderer.text(preview).contains("‖ every-10m: paused through the API; its definition changed"))
        try await h.runner.apply(edited)

        let events = try h.events("every-10m")
        let resumed = try #require(events.last)
        #expect(resumed.type == .resumed)
        #expect(resumed.reason == "files changed")
        #expect(resumed.triggeredBy == "files")
        #expect(resumed.hash == edited.jobs.first?.contentHash)
        let skipped = try #require(events.dropLast().last)
        #expect(skipped.type == .skipped && skipped.reason == "paused" && skipped.scheduledAt == utc("2026-06-01T01:00:00Z"))
        #expect(await h.runner.isOverridden("every-10m") == false)
        let status = await h.status("every-10m")
        #expect(!status.paused)
        #expect(status.nextFire == utc("2026-06-01T01:10:00Z"))
        #expect(await h.journal.state().jobs["every-10m"]?.pausedHash == nil)

        await drive(h.runner, h.clock, until: utc("2026-06-01T01:35:00Z"))
        #expect(h.fired("every-10m").suffix(3) == ["2026-06-01T01:10:00Z", "2026-06-01T01:20:00Z", "2026-06-01T01:30:00Z"].map(utc))
        #expect(h.fired("every-10m").count == 5)
        try await h.journal.close()
    }

    @Test("pause, then the same file reapplied (a neighbour changed): still paused, nothing fires")
    func sameFileKeepsPause() async throws {
        let h = try OverrideHarness(start: Self.start)
        try await h.runner.apply(manifest(Self.job(), now: Self.start))
        try await h.runner.start()
        #expect(await h.runner.pause("every-10m") == .done)
        let neighbourChanged = Self.job().replacingOccurrences(of: "@daily", with: "@hourly")
        let plan = try await h.runner.apply(manifest(neighbourChanged, now: h.clock.now()))
        #expect(plan.changes.map(\.name) == ["neighbour"])
        #expect(plan.paused == [PausedJob(name: "every-10m", ends: false)])
        try await h.runner.apply(manifest(Self.job(), now: h.clock.now()))
        await drive(h.runner, h.clock, until: utc("2026-06-01T01:05:00Z"))
        #expect(h.fired("every-10m").isEmpty)
        #expect(await h.runner.isOverridden("every-10m"))
        #expect(await h.status("every-10m").paused)
        #expect(try h.events("every-10m").filter { $0.type == .resumed }.isEmpty)
        // `resume` still ends it by hand.
        #expect(await h.runner.resume("every-10m") == .done)
        #expect(try h.events("every-10m").last?.reason == nil)
        try await h.journal.close()
    }

    @Test("restart with unchanged files: the replayed pause holds, no catch-up runs")
    func restartUnchangedKeepsPause() async throws {
        let h = try OverrideHarness(start: Self.start)
        try await h.runner.apply(manifest(Self.job(), now: Self.start))
        try await h.runner.start()
        await drive(h.runner, h.clock, until: utc("2026-06-01T00:15:00Z"))
        #expect(await h.runner.pause("every-10m") == .done)
        let hash = (await h.runner.spec(named: "every-10m"))?.contentHash
        try await h.restart(at: utc("2026-06-01T00:55:00Z"), with: Self.job())
        let replayed = try FileJournal.replay(file: h.temp.url.appendingPathComponent("journal.jsonl")).state
        #expect(replayed.jobs["every-10m"]?.paused == true)
        #expect(replayed.jobs["every-10m"]?.pausedHash == hash)
        #expect(await h.runner.isOverridden("every-10m"))
        await drive(h.runner, h.clock, until: utc("2026-06-01T01:30:00Z"))
        #expect(h.fired("every-10m").isEmpty)
        #expect(await h.status("every-10m").paused)
        try await h.journal.close()
    }

    @Test("restart with changed files: the pause ends at start, what fell in it is skipped, not caught up")
    func restartChangedEndsPause() async throws {
        let h = try OverrideHarness(start: Self.start)
        try await h.runner.apply(manifest(Self.job(), now: Self.start))
        try await h.runner.start()
        await drive(h.runner, h.clock, until: utc("2026-06-01T00:15:00Z"))
        #expect(await h.runner.pause("every-10m") == .done)
        // Down from 00:15 to 00:55 and edited meanwhile: catch-up `all` would run 00:20 … 00:50.
        try await h.restart(at: utc("2026-06-01T00:55:00Z"), with: Self.job(run: "echo v2"))
        #expect(await h.runner.isOverridden("every-10m") == false)
        let events = try h.events("every-10m")
        let resumed = try #require(events.first { $0.type == .resumed })
        #expect(resumed.reason == "files changed")
        #expect(events.contains { $0.type == .skipped && $0.reason == "paused" && $0.scheduledAt == utc("2026-06-01T00:50:00Z") })
        #expect(!events.contains { $0.type == .skipped && $0.reason == "missed" })
        await drive(h.runner, h.clock, until: utc("2026-06-01T01:25:00Z"))
        #expect(h.fired("every-10m") == ["2026-06-01T01:00:00Z", "2026-06-01T01:10:00Z", "2026-06-01T01:20:00Z"].map(utc))
        #expect(await h.status("every-10m").paused == false)
        try await h.journal.close()
    }

    @Test("removing a paused job ends its pause: re-added unchanged, it is scheduled")
    func removalEndsPause() async throws {
        let h = try OverrideHarness(start: Self.start)
        try await h.runner.apply(manifest(Self.job(), now: Self.start))
        try await h.runner.start()
        #expect(await h.runner.pause("every-10m") == .done)
        let neighbourOnly = String(Self.job().split(separator: "---\n")[1])
        try await h.runner.apply(manifest(neighbourOnly, now: h.clock.now()))
        #expect(await h.journal.state().jobs["every-10m"]?.paused == false)
        try await h.runner.apply(manifest(Self.job(), now: h.clock.now()))
        #expect(await h.runner.isOverridden("every-10m") == false)
        await drive(h.runner, h.clock, until: utc("2026-06-01T00:15:00Z"))
        #expect(h.fired("every-10m") == [utc("2026-06-01T00:10:00Z")])
        try await h.journal.close()
    }

    static func post(at: String, title: String = "Launch") -> String {
        """
        kind: post
        name: launch
        at: "\(at)"
        content: {title: "\(title)"}
        publish: {webhook: "http://127.0.0.1:9/posts"}
        """
    }

    @Test("a cancelled post edited in place stays cancelled; moved to a new time it is a new intent and fires")
    func cancelledPostMoved() async throws {
        let h = try OverrideHarness(start: Self.start)
        try await h.runner.apply(manifest(Self.post(at: "2026-06-01T01:00:00Z"), now: Self.start))
        try await h.runner.start()
        #expect(await h.runner.cancelPost("launch") == .done)
        try await h.runner.apply(manifest(Self.post(at: "2026-06-01T01:00:00Z", title: "Launch!"), now: h.clock.now()))
        #expect(await h.runner.isOverridden("launch"))
        await drive(h.runner, h.clock, until: utc("2026-06-01T01:30:00Z"))
        #expect(h.fired("launch").isEmpty)

        try await h.runner.apply(manifest(Self.post(at: "2026-06-01T02:00:00Z", title: "Launch!"), now: h.clock.now()))
        #expect(await h.runner.isOverridden("launch") == false)
        await drive(h.runner, h.clock, until: utc("2026-06-01T02:30:00Z"))
        #expect(h.fired("launch") == [utc("2026-06-01T02:00:00Z")])
        let cancelled = try h.events("launch").filter { $0.type == .cancelled }
        #expect(cancelled.map(\.scheduledAt) == [utc("2026-06-01T01:00:00Z")])
        try await h.journal.close()
    }

    @Test("a cancelled post moved to a new time while no runner was up fires after restart; unmoved it stays cancelled")
    func cancelledPostAcrossRestart() async throws {
        let h = try OverrideHarness(start: Self.start)
        try await h.runner.apply(manifest(Self.post(at: "2026-06-01T01:00:00Z"), now: Self.start))
        try await h.runner.start()
        #expect(await h.runner.cancelPost("launch") == .done)
        try await h.restart(at: utc("2026-06-01T00:10:00Z"), with: Self.post(at: "2026-06-01T01:00:00Z", title: "edited"))
        #expect(await h.runner.isOverridden("launch"))
        try await h.restart(at: utc("2026-06-01T00:20:00Z"), with: Self.post(at: "2026-06-01T01:30:00Z"))
        #expect(await h.runner.isOverridden("launch") == false)
        await drive(h.runner, h.clock, until: utc("2026-06-01T02:00:00Z"))
        #expect(h.fired("launch") == [utc("2026-06-01T01:30:00Z")])
        try await h.journal.close()
    }
}

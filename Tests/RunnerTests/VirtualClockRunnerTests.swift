import Foundation
import Journal
import JournalTestSupport
import Manifest
import Scheduler
import Processes
import Publishing
import Daemon
import Testing

/// Drives a runner on a virtual clock from `start` to `end`, firing everything on the way.
func drive(_ runner: Runner, _ clock: VirtualClock, until end: Date) async {
    while let wake = await runner.nextWake(), wake <= end {
        clock.advance(to: wake)
        await runner.step()
        _ = await runner.waitUntilIdle(timeout: .seconds(5))
    }
    clock.advance(to: end)
}

func events(_ directory: URL) throws -> [JournalEvent] {
    try FileJournal.events(file: directory.appendingPathComponent("journal.jsonl"))
}

@Suite("runner on a virtual clock")
struct VirtualClockRunnerTests {
    @Test("fires a daily New York job through the spring-forward week exactly as cron does")
    func springForwardWeek() async throws {
        let temp = try TempDirectory()
        let start = utc("2026-03-05T05:00:00Z")
        let clock = VirtualClock(start)
        let journal = try FileJournal(directory: temp.url)
        let executor = ScriptedLauncher(clock: clock)
        let runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest("""
            name: nightly
            schedule: "30 2 * * *"
            timezone: America/New_York
            run: ["true"]
            """, now: start))
        try await runner.start()
        await drive(runner, clock, until: utc("2026-03-12T05:00:00Z"))
        let fired = executor.started.map { $0.0.scheduledAt }
        // 02:30 does not exist on 2026-03-08: Debian cron (and cronsim) run it right after the gap.
        #expect(fired == ["2026-03-05T07:30:00Z", "2026-03-06T07:30:00Z", "2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z",
                          "2026-03-09T06:30:00Z", "2026-03-10T06:30:00Z", "2026-03-11T06:30:00Z"].map(utc))
        let started = try events(temp.url).filter { $0.type == .started }
        #expect(started.count == 7)
        #expect(Set(started.compactMap(\.scheduledAt)).count == 7)
        try await journal.close()
    }

    @Test("an hourly job fires both 01:00s of the fall-back day, a London 01:30 job only once")
    func fallBackDay() async throws {
        let temp = try TempDirectory()
        let start = utc("2026-10-24T23:00:00Z")
        let clock = VirtualClock(start)
        let journal = try FileJournal(directory: temp.url)
        let executor = ScriptedLauncher(clock: clock)
        let runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest("""
            name: hourly
            schedule: "0 * * * *"
            timezone: America/New_York
            run: ["true"]
            ---
            name: london
            schedule: "30 1 * * *"
            timezone: Europe/London
            run: ["true"]
            """, now: start))
        try await runner.start()
        await drive(runner, clock, until: utc("2026-11-02T04:30:00Z"))
        let hourlyOnNov1 = executor.started.filter {
            $0.0.job == "hourly" && $0.0.scheduledAt > utc("2026-11-01T04:00:00Z") && $0.0.scheduledAt <= utc("2026-11-02T04:00:00Z")
        }
        #expect(hourlyOnNov1.count == 24)
        #expect(hourlyOnNov1.contains { $0.0.scheduledAt == utc("2026-11-01T05:00:00Z") })
        #expect(hourlyOnNov1.contains { $0.0.scheduledAt == utc("2026-11-01T06:00:00Z") })
        let london = executor.started.filter { $0.0.job == "london" }.map { $0.0.scheduledAt }
        #expect(london == ["2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z", "2026-10-27T01:30:00Z",
                           "2026-10-28T01:30:00Z", "2026-10-29T01:30:00Z", "2026-10-30T01:30:00Z",
                           "2026-10-31T01:30:00Z", "2026-11-01T01:30:00Z", "2026-11-02T01:30:00Z"].map(utc))
        try await journal.close()
    }

    @Test("month ends and the leap day: L fires on Jan 31 and Feb 29 2028, with scripted failures retried")
    func monthEndAndLeapDay() async throws {
        let temp = try TempDirectory()
        let start = utc("2028-01-15T00:00:00Z")
        let clock = VirtualClock(start)
        let journal = try FileJournal(directory: temp.url)
        // The leap-day run fails on its first attempt; the retry (1m later) succeeds.
        let executor = ScriptedLauncher(clock: clock) { key, attempt in
            key.scheduledAt == utc("2028-02-29T12:00:00Z") && attempt == 1 ? .failure : .success
        }
        let runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest("""
            name: month-end
            schedule: "0 12 L * *"
            run: ["true"]
            retry: {delays: [1m]}
            """, now: start))
        try await runner.start()
        await drive(runner, clock, until: utc("2028-03-15T00:00:00Z"))
        let runs = executor.started.map { "\(RFC3339Test.format($0.0.scheduledAt))#\($0.1)" }
        #expect(runs == ["2028-01-31T12:00:00Z#1", "2028-02-29T12:00:00Z#1", "2028-02-29T12:00:00Z#2"])
        let all = try events(temp.url)
        let retry = try #require(all.first { $0.type == .retry })
        #expect(retry.attempt == 2)
        #expect(retry.retryAt == utc("2028-02-29T12:01:00Z"))
        let finished = all.filter { $0.type == .finished }
        #expect(finished.map(\.outcome) == ["success", "failure", "success"])
        try await journal.close()
    }

    @Test("after downtime, catch-up `latest` runs the newest missed fire and journals the rest as missed")
    func catchUpAfterDowntime() async throws {
        let temp = try TempDirectory()
        let start = utc("2026-06-01T00:00:00Z")
        let clock = VirtualClock(start)
        let yaml = """
            name: every-10m
            schedule: "*/10 * * * *"
            run: ["true"]
            catchup: {window: 30m, policy: latest}
            """
        do {
            let journal = try FileJournal(directory: temp.url)
            let runner = Runner(clock: clock, journal: journal, launcher: ScriptedLauncher(clock: clock))
            try await runner.apply(manifest(yaml, now: start))
            try await runner.start()
            await drive(runner, clock, until: utc("2026-06-01T00:25:00Z"))
            await runner.shutdown()
            try await journal.close()
        }
        // Down from 00:25 to 02:05: fires 00:30 … 02:00 were missed (10 of them).
        clock.advance(to: utc("2026-06-01T02:05:00Z"))
        let journal = try FileJournal(directory: temp.url)
        let executor = ScriptedLauncher(clock: clock)
        let runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest(yaml, now: clock.now()))
        try await runner.start()
        await runner.step()
        _ = await runner.waitUntilIdle(timeout: .seconds(5))
        #expect(executor.started.map { $0.0.scheduledAt } == [utc("2026-06-01T02:00:00Z")])
        #expect(executor.started.first?.2 == "catchup")
        let missed = try events(temp.url).filter { $0.type == .skipped && $0.reason == "missed" }.compactMap(\.scheduledAt)
        #expect(missed.count == 9)
        #expect(missed.first == utc("2026-06-01T00:30:00Z"))
        #expect(missed.last == utc("2026-06-01T01:50:00Z"))
        try await journal.close()
    }
}

enum RFC3339Test {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}

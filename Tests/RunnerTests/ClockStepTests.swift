import AlmanacCore
import Foundation
import Journal
import JournalTestSupport
import Testing

/// The wall clock stepped under the real binary, as NTP or a resumed VM steps it, across the
/// spring-forward change in New York: libfaketime (Debian's `faketime`, preloaded) moves the
/// time `almanac` reads through a file, the monotonic clock left alone. CI runs it; it takes
/// about 40 s of real time.
@Suite("wall-clock steps across a DST change (libfaketime)", .serialized)
struct ClockStepTests {
    /// Debian's libfaketime, which `make test` installs.
    static var library: String? {
        let lib = URL(fileURLWithPath: "/usr/lib")
        let arches = (try? FileManager.default.contentsOfDirectory(atPath: lib.path)) ?? []
        return arches.map { lib.appendingPathComponent($0).appendingPathComponent("faketime/libfaketime.so.1").path }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    @Test("a step forward skips what is past the catch-up window and catches up the rest; a step back re-runs nothing; 02:30 runs once, at 03:00 EDT")
    func stepsAcrossSpringForward() async throws {
        let faketime = try #require(Self.library, "libfaketime is not installed (make test installs faketime)")
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs"), state = temp.url.appendingPathComponent("state")
        let effects = temp.url.appendingPathComponent("effects.txt"), offset = temp.url.appendingPathComponent("offset")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: effects.path, contents: nil)
        func write(_ name: String, _ body: String) throws {
            try "name: \(name)\n\(body)\nrun: \"echo $ALMANAC_JOB@$ALMANAC_SCHEDULED_AT >> \(effects.path)\"\n"
                .write(to: jobs.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        try write("window", "schedule: \"*/10 * * * * *\"\nconcurrency: allow\ncatchup: {window: 1m, policy: all}")
        try write("all", "schedule: \"*/10 * * * * *\"\nconcurrency: allow\ncatchup: {window: 1h, policy: all}")
        // 02:30 does not exist on 2026-03-08 in New York: cron (and cronsim) run it at 03:00 EDT.
        try write("dst", "schedule: \"30 2 * * *\"\ntimezone: America/New_York")

        let springForward = Date(timeIntervalSince1970: 1_772_953_200)  // 2026-03-08T07:00:00Z, 02:00 EST → 03:00 EDT
        /// Makes the runner's wall clock read `fake` now (libfaketime re-reads the file each second).
        func setClock(_ fake: Date) throws {
            let seconds = Int(fake.timeIntervalSinceNow.rounded())
            try (seconds >= 0 ? "+\(seconds)\n" : "\(seconds)\n").write(to: offset, atomically: true, encoding: .utf8)
        }
        try setClock(springForward.addingTimeInterval(-8))
        let log = temp.url.appendingPathComponent("runner.log")
        let runner = try launchAlmanac(["run", jobs.path, "--state", state.path, "--drain-timeout", "2s"], log: log, environment: [
            "LD_PRELOAD": faketime, "FAKETIME_TIMESTAMP_FILE": offset.path, "FAKETIME_CACHE_DURATION": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            // Without FAKETIME_SHARED libfaketime leaves a Swift program's CommandLine.arguments
            // empty (checked with a two-line program); the `faketime` wrapper always sets it. A
            // segment that does not exist is ignored, and the time file still drives the clock.
            "FAKETIME_SHARED": "/almanac-no-sem /almanac-no-shm",
        ])
        defer { if runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        func ran() -> [String] { (text(effects) ?? "").split(separator: "\n").map(String.init) }
        func waitFor(_ line: String, seconds: Double) async throws -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            while !ran().contains(line), Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
            return ran().contains(line)
        }
        let at = { (seconds: Double) in RFC3339Test.format(springForward.addingTimeInterval(seconds)) }
        #expect(try await waitFor("dst@\(at(0))", seconds: 30), "\(text(log) ?? "")")
        #expect(try await waitFor("window@\(at(10))", seconds: 30), "\(text(log) ?? "")")

        // Forward five minutes: `window` skips what is more than a minute late, `all` runs it all.
        try setClock(springForward.addingTimeInterval(315))
        #expect(try await waitFor("all@\(at(310))", seconds: 15), "\(text(log) ?? "")")
        try await Task.sleep(for: .seconds(2))
        let beforeBack = ran()
        // Back to before the change: time crosses 07:00Z and 07:00:10Z again; nothing runs twice,
        // and nothing runs until the clock is past what already ran.
        try setClock(springForward.addingTimeInterval(-3))
        try await Task.sleep(for: .seconds(14))
        #expect(ran() == beforeBack, "ran after the step back: \(ran().filter { !beforeBack.contains($0) })")
        kill(runner.processIdentifier, SIGTERM)
        runner.waitUntilExit()
        #expect(runner.terminationStatus == 0, "\(text(log) ?? "")")

        let events = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        let lines = ran()
        #expect(Set(lines).count == lines.count, "an occurrence ran twice: \(lines)")
        #expect(lines.filter { $0.hasPrefix("dst@") } == ["dst@\(at(0))"])
        for job in ["window", "all"] {
            let handled = Set(events.filter { $0.job == job && ($0.type == .started || $0.type == .skipped) }.compactMap(\.scheduledAt))
            let missing = unhandledSeconds(handled, step: 10) ?? []
            #expect(missing.isEmpty, "\(job): lost \(missing.map(RFC3339Test.format))")
        }
        let skipped = events.filter { $0.job == "window" && $0.type == .skipped }
        // 07:00:20 … 07:04:10 are more than a minute late at 07:05:15: 24 of them.
        #expect(skipped.count >= 20 && skipped.allSatisfy { $0.reason == "missed" }, "\(skipped.count) skipped")
        // Exactly the window decides: each skip was more than a minute late when journaled, each start not.
        let lateness = { (event: JournalEvent) in event.at.timeIntervalSince(event.scheduledAt ?? event.at) }
        #expect(skipped.allSatisfy { lateness($0) > 60 }, "\(skipped.map(lateness))")
        let started = events.filter { $0.job == "window" && $0.type == .started }
        #expect(started.allSatisfy { lateness($0) <= 61 }, "\(started.map(lateness))")
        #expect(!events.contains { $0.job == "all" && $0.type == .skipped }, "`all` (window 1h) caught up every one")
        #expect(lines.filter { $0.hasPrefix("all@") }.count >= 30, "\(lines.filter { $0.hasPrefix("all@") }.count)")
    }
}

import Foundation
import Journal
import JournalTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A state directory on a small tmpfs, filled while the real `almanac run` fires: the runner
/// must say so once, stop, drain and exit 75, and a restart with space back must recover.
/// Mounting a tmpfs needs root, so these tests are skipped for other users.
@Suite("a journal that refuses writes (disk full on a real tmpfs)", .serialized,
       .enabled(if: geteuid() == 0, "mounting a tmpfs for the state directory needs root"))
struct JournalFaultTests {
    /// A temp directory whose `state/` is a tmpfs of `size`; unmounted when dropped.
    final class SmallDisk {
        let temp: TempDirectory
        let jobs: URL
        let state: URL
        let effects: URL

        init(size: String) throws {
            temp = try TempDirectory()
            jobs = temp.url.appendingPathComponent("jobs")
            state = temp.url.appendingPathComponent("state")
            effects = temp.url.appendingPathComponent("effects.txt")
            try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: effects.path, contents: nil)
            try #require(Self.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", state.path]) == 0)
            // Every run appends its occurrence; the journal must account for each line.
            try """
                name: tick
                schedule: "* * * * * *"
                run: "echo $ALMANAC_SCHEDULED_AT >> \(effects.path)"
                concurrency: allow
                catchup: {window: 1h, policy: all}
                """.write(to: jobs.appendingPathComponent("tick.yaml"), atomically: true, encoding: .utf8)
            // Usually running when the disk fills: the drain has a child to wait for.
            try "name: hold\nschedule: \"* * * * * *\"\nrun: [\"sleep\", \"2\"]\n"
                .write(to: jobs.appendingPathComponent("hold.yaml"), atomically: true, encoding: .utf8)
        }

        deinit { _ = Self.run("/bin/umount", ["-l", state.path]) }

        /// Writes zeros until the tmpfs is full.
        func fill() {
            _ = Self.run("/bin/dd", ["if=/dev/zero", "of=\(state.path)/filler", "bs=64k"])
        }

        /// Gives the space back by growing the mount, as an operator would.
        func grow() throws {
            try #require(Self.run("/bin/mount", ["-o", "remount,size=16m", state.path]) == 0)
        }

        static func run(_ tool: String, _ arguments: [String]) -> Int32 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return -1 }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Waits (polling) until `process` ends or `seconds` pass; true when it ended.
    static func waitForExit(_ process: Process, seconds: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        return !process.isRunning
    }

    /// What a restart with space must show: the journal replays, every occurrence that ran has
    /// its `started` in the journal (nothing ran unrecorded), none ran twice without an
    /// `interrupted` record, and every second from the first fire to the last is accounted for.
    static func expectRecovered(_ disk: SmallDisk) throws {
        let events = try FileJournal.events(file: disk.state.appendingPathComponent("journal.jsonl"))
        let ran = try String(contentsOf: disk.effects, encoding: .utf8).split(separator: "\n").map(String.init)
        let tick = events.filter { $0.job == "tick" }
        let started = Set(tick.filter { $0.type == .started }.compactMap(\.scheduledAt).map(RFC3339Test.format))
        let interrupted = Set(tick.filter { $0.type == .finished && $0.outcome == "interrupted" }
            .compactMap(\.scheduledAt).map(RFC3339Test.format))
        let unrecorded = ran.filter { !started.contains($0) }
        #expect(unrecorded.isEmpty, "ran without a started record: \(unrecorded.prefix(5))")
        let counts = Dictionary(grouping: ran, by: { $0 }).mapValues(\.count)
        let twice = counts.filter { $0.value > 1 && !interrupted.contains($0.key) }
        #expect(twice.isEmpty, "ran twice: \(twice.keys.sorted().prefix(5))")
        let handled = Set(tick.filter { $0.type == .started || $0.type == .skipped }.compactMap(\.scheduledAt))
        guard let missing = unhandledSeconds(handled) else {
            Issue.record("tick never fired")
            return
        }
        #expect(missing.isEmpty, "occurrences lost: \(missing.prefix(5).map(RFC3339Test.format))")
        #expect(events.contains { $0.type == .runnerStarted }, "the restart journaled its start")
    }

    /// The lines that speak of the refused write: exactly one, with the cause and the file.
    static func expectOneErrorLine(_ log: String, journal: URL) {
        let lines = log.split(separator: "\n").filter { $0.contains("No space left on device") || $0.contains("journal write failed") }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.contains(journal.path) == true, "\(lines)")
    }

    @Test("disk full: one error line with the cause, exit 75 within seconds after draining; a restart with space recovers")
    func diskFullWithoutServer() async throws {
        let disk = try SmallDisk(size: "512k")
        let log = disk.temp.url.appendingPathComponent("runner.log")
        let process = try launchAlmanac(["run", disk.jobs.path, "--state", disk.state.path, "--drain-timeout", "5s"], log: log)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .milliseconds(2500))
        disk.fill()
        let filled = Date()
        #expect(try await Self.waitForExit(process, seconds: 10), "still running 10 s after the disk filled")
        let took = Date().timeIntervalSince(filled)
        #expect(process.terminationStatus == 75, "\(text(log) ?? "")")
        #expect(took < 5, "exited \(took) s after the disk filled (the hold job drains in at most 2 s)")
        Self.expectOneErrorLine(text(log) ?? "", journal: disk.state.appendingPathComponent("journal.jsonl"))
        let ranBefore = (text(disk.effects) ?? "").split(separator: "\n").count
        try await Task.sleep(for: .milliseconds(1500))
        #expect((text(disk.effects) ?? "").split(separator: "\n").count == ranBefore, "nothing fires after the exit")

        try disk.grow()
        let again = try launchAlmanac(["run", disk.jobs.path, "--state", disk.state.path, "--for", "3s"], log: log)
        defer { if again.isRunning { kill(again.processIdentifier, SIGKILL) } }
        #expect(try await Self.waitForExit(again, seconds: 20))
        #expect(again.terminationStatus == 0, "\(text(log) ?? "")")
        try Self.expectRecovered(disk)
    }

    @Test("disk full with --listen: /readyz 503 with the reason, almanac_journal_writable 0 and almanac_up 0, then exit 75")
    func diskFullWithServer() async throws {
        let disk = try SmallDisk(size: "512k")
        // A hold that outlasts the 3 s drain, so the drain always leaves time to ask the server,
        // wherever in the hold the disk fills.
        try "name: hold\nschedule: \"* * * * * *\"\nrun: [\"sleep\", \"30\"]\n"
            .write(to: disk.jobs.appendingPathComponent("hold.yaml"), atomically: true, encoding: .utf8)
        let port = try ListenTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        let log = disk.temp.url.appendingPathComponent("runner.log")
        let process = try launchAlmanac(["run", disk.jobs.path, "--state", disk.state.path, "--listen", "127.0.0.1:\(port)",
                                         "--drain-timeout", "3s"], log: log)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        for _ in 0..<100 where await RepoListenTests.request(base + "/readyz")?.status != 200 {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await RepoListenTests.request(base + "/metrics")?.text.contains("almanac_journal_writable 1") == true)
        try await Task.sleep(for: .milliseconds(1500))
        disk.fill()
        let filled = Date()
        var reasons: [String] = []
        var metrics = ""
        while process.isRunning, Date().timeIntervalSince(filled) < 10 {
            if let ready = await RepoListenTests.request(base + "/readyz"), ready.status == 503 {
                let now = ready.object["reasons"] as? [String] ?? []
                if now.contains(where: { $0.hasPrefix("journal: ") }) {
                    reasons = now
                    metrics = await RepoListenTests.request(base + "/metrics")?.text ?? ""
                    break
                }
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let journal = disk.state.appendingPathComponent("journal.jsonl").path
        #expect(reasons.contains("journal: No space left on device (\(journal))"), "\(reasons) \(text(log) ?? "")")
        #expect(metrics.contains("almanac_journal_writable 0"), "\(metrics)")
        #expect(metrics.contains("almanac_up 0"), "\(metrics)")
        #expect(try await Self.waitForExit(process, seconds: 15))
        #expect(process.terminationStatus == 75, "\(text(log) ?? "")")
        Self.expectOneErrorLine(text(log) ?? "", journal: URL(fileURLWithPath: journal))

        try disk.grow()
        let again = try launchAlmanac(["run", disk.jobs.path, "--state", disk.state.path, "--for", "3s", "--drain-timeout", "1s"],
                                      log: log)
        defer { if again.isRunning { kill(again.processIdentifier, SIGKILL) } }
        #expect(try await Self.waitForExit(again, seconds: 20))
        #expect(again.terminationStatus == 0)
        try Self.expectRecovered(disk)
    }
}

import Foundation
import Journal
import Scheduler
import Processes
import Publishing
import Daemon
import JournalTestSupport
import Testing

@Suite("crash recovery through the real binary", .serialized)
struct CrashTests {
    /// Each run appends its occurrence key to a file; the journal and that file together must
    /// show that no occurrence ran twice without an `interrupted` record, and none was lost.
    @Test("SIGKILL at 100 random moments: no occurrence runs twice, none inside the window is lost")
    func killAtRandomMoments() async throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs")
        let state = temp.url.appendingPathComponent("state")
        let effects = temp.url.appendingPathComponent("effects.txt")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: effects.path, contents: nil)
        for name in ["tick-a", "tick-b"] {
            try """
                name: \(name)
                schedule: "* * * * * *"
                run: "echo $ALMANAC_JOB@$ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT >> \(effects.path)"
                concurrency: allow
                catchup: {window: 1h, policy: all}
                """.write(to: jobs.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
        }
        let log = temp.url.appendingPathComponent("runner.log")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let process = try launchAlmanac(["run", jobs.path, "--state", state.path], log: log)
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...1300, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // A last clean run catches up whatever the final kill left, then stops on its own.
        let final = try launchAlmanac(["run", jobs.path, "--state", state.path, "--for", "3s"], log: log)
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)

        let events = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        let lines = try String(contentsOf: effects, encoding: .utf8).split(separator: "\n").map(String.init)
        var counts: [String: Int] = [:]
        for line in lines {
            guard let hash = line.lastIndex(of: "#") else { continue }
            counts[String(line[..<hash]), default: 0] += 1
        }
        let interrupted = Set(events.filter { $0.type == .finished && $0.outcome == "interrupted" }
            .compactMap { e in e.job.flatMap { job in e.scheduledAt.map { "\(job)@\(RFC3339Test.format($0))" } } })
        let twice = counts.filter { $0.value > 1 && !interrupted.contains($0.key) }
        #expect(twice.isEmpty, "ran twice without an interrupted record: \(twice.keys.sorted().prefix(5))")

        // Every second from each job's first fire to its last is accounted for: started or skipped.
        for job in ["tick-a", "tick-b"] {
            let handled = Set(events.filter { $0.job == job && ($0.type == .started || $0.type == .skipped) }.compactMap(\.scheduledAt))
            guard let missing = unhandledSeconds(handled) else {
                Issue.record("\(job) never fired")
                continue
            }
            #expect(missing.isEmpty, "\(job): \(missing.count) occurrences lost, e.g. \(missing.prefix(3).map(RFC3339Test.format))")
            let startedKeys = events.filter { $0.job == job && $0.type == .started }
            let uniqueStarts = Set(startedKeys.map { "\($0.scheduledAt.map(RFC3339Test.format) ?? "")#\($0.attempt ?? 0)" })
            #expect(uniqueStarts.count == startedKeys.count, "\(job): an attempt was claimed twice")
        }
    }

    @Test("a child tree outliving a SIGKILLed runner (grandchild in its own session too) is stopped by the next runner")
    func leftoverTreeStopped() async throws {
        let f = try LeftoverFixture(run: "setsid sleep 302 & sleep 301 & exec sleep 300")
        let first = try f.launch()
        let up = await eventually(.seconds(20)) { f.leftovers().count >= 3 }
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        try #require(up, "the job's process tree never appeared")
        let orphans = f.leftovers()
        #expect(orphans.count == 3, "the tree outlived its runner: \(orphans.map(\.pid))")
        let before = try FileJournal.replay(file: f.journal).state
        #expect(before.jobs["long"]?.running.count == 1)
        #expect(before.jobs["long"]?.running.first?.metrics.pid == nil, "the journal does not know the pid")

        // The restarted runner runs something harmless, so whatever is left afterwards is a leftover.
        try f.write(run: "true")
        let restarted = try f.launch(["--for", "2s", "--drain-timeout", "1s"])
        restarted.waitUntilExit()
        #expect(restarted.terminationStatus == 0)
        for orphan in orphans {
            #expect(!isRunning(orphan.pid, marker: orphan.marker.description), "leftover \(orphan.pid) survived the restart")
        }
        #expect(f.leftovers().isEmpty)
        let events = try FileJournal.events(file: f.journal)
        let key = try #require(orphans.first?.marker.key)
        let closed = try #require(events.first { $0.type == .finished && $0.job == "long" && $0.scheduledAt == key.scheduledAt })
        #expect(closed.outcome == "interrupted")
        #expect(closed.message?.contains("leftover process(es)") == true, "\(closed.message ?? "")")
        #expect(orphans.allSatisfy { closed.message?.contains(String($0.pid)) == true })
    }

    @Test("SIGKILL at 12 random moments, before or after the claim or the spawn: no marked process outlives the next start")
    func leftoversAtRandomMoments() async throws {
        let f = try LeftoverFixture(run: "sleep 301 & exec sleep 300")
        var survivors: [String] = []
        var generator = SystemRandomNumberGenerator()
        // Leftovers of killed runners that no runner has got through its start since.
        var pending: [LeftoverSweep.Leftover] = []
        func starts() -> Int { ((try? FileJournal.events(file: f.journal)) ?? []).filter { $0.type == .runnerStarted }.count }
        func alive(_ leftovers: [LeftoverSweep.Leftover]) -> [String] {
            leftovers.filter { isRunning($0.pid, marker: $0.marker.description) }.map { "\($0.pid) \($0.marker)" }
        }
        for _ in 0..<12 {
            let before = starts()
            let process = try f.launch()
            try await Task.sleep(for: .milliseconds(Int.random(in: 150...1500, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            // `runner-started` is journaled after the sweep: once it is there, the older leftovers are gone.
            if starts() > before {
                survivors += alive(pending)
                pending = []
            }
            pending = Array(Set(pending + f.leftovers()))
        }
        try f.write(run: "true")
        let final = try f.launch(["--for", "2s", "--drain-timeout", "1s"])
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)
        survivors += alive(pending)
        #expect(survivors.isEmpty, "leftovers that outlived a restart: \(survivors)")
        #expect(f.leftovers().isEmpty)
        // Every claim is closed: none stays `running` in the journal.
        #expect(try FileJournal.replay(file: f.journal).state.jobs["long"]?.running.isEmpty == true)
    }
}

/// A jobs directory holding one every-second job, `long`, and the runner's state beside it;
/// whatever marked process is left at the end is killed.
final class LeftoverFixture {
    let temp: TempDirectory
    let jobs: URL
    let state: URL

    init(run: String) throws {
        temp = try TempDirectory()
        jobs = temp.url.appendingPathComponent("jobs")
        state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try write(run: run)
    }

    deinit {
        for leftover in leftovers() { kill(leftover.pid, SIGKILL) }
    }

    var journal: URL { state.appendingPathComponent("journal.jsonl") }

    func write(run: String) throws {
        try """
            name: long
            schedule: "* * * * * *"
            run: "\(run)"
            """.write(to: jobs.appendingPathComponent("long.yaml"), atomically: true, encoding: .utf8)
    }

    func launch(_ extra: [String] = []) throws -> Process {
        try launchAlmanac(["run", jobs.path, "--state", state.path] + extra, log: temp.url.appendingPathComponent("runner.log"))
    }

    /// The live processes marked with the state directory's id (the runner creates it).
    func leftovers() -> [LeftoverSweep.Leftover] {
        guard let text = try? String(contentsOf: state.appendingPathComponent("instance-id"), encoding: .utf8) else { return [] }
        return LeftoverSweep.scan(instance: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

import AlmanacCore
import CronSchedule
import Foundation
import Journal
import Scheduler
import Processes
import Publishing
import Daemon
import JournalTestSupport
import Testing

@Suite("after: through crashes of the real binary", .serialized)
struct AfterCrashTests {
    /// `follow` runs after every success of a per-second `tick`; the runner is SIGKILLed at
    /// random moments, often between a tick's `finished` and follow's start. Every success of
    /// tick must owe exactly one run of follow: started once, or still owed in the journal.
    @Test("SIGKILL at 25 random moments: each success of tick starts follow once, or leaves it owed; never twice")
    func killAtRandomMoments() async throws {
        let temp = try TempDirectory()
        let effects = temp.url.appendingPathComponent("effects.txt")
        _ = FileManager.default.createFile(atPath: effects.path, contents: nil)
        let (jobs, state) = try Self.tree(in: temp, """
            name: tick
            schedule: "* * * * * *"
            run: "echo $ALMANAC_JOB@$ALMANAC_SCHEDULED_AT >> \(effects.path)"
            concurrency: allow
            catchup: none
            ---
            name: follow
            run: "echo $ALMANAC_JOB@$ALMANAC_SCHEDULED_AT $ALMANAC_TRIGGER >> \(effects.path)"
            concurrency: allow
            after: [tick]
            """)
        let log = temp.url.appendingPathComponent("runner.log")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<25 {
            let process = try launchAlmanac(["run", jobs.path, "--state", state.path], log: log)
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1500, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let final = try launchAlmanac(["run", jobs.path, "--state", state.path, "--for", "3s"], log: log)
        final.waitUntilExit()
        #expect(final.terminationStatus == 0)

        let file = state.appendingPathComponent("journal.jsonl")
        let events = try FileJournal.events(file: file)
        let replayed = try FileJournal.replay(file: file).state
        let successes = events.filter { $0.type == .finished && $0.job == "tick" && $0.outcome == "success" }.compactMap(\.scheduledAt)
        #expect(successes.count > 5, "too few ticks succeeded to say anything")
        let starts = events.filter { $0.type == .started && $0.job == "follow" && $0.attempt == 1 }
        var startsByKey: [Date: Int] = [:]
        for start in starts { if let key = start.scheduledAt { startsByKey[key, default: 0] += 1 } }
        #expect(startsByKey.values.allSatisfy { $0 == 1 }, "follow was claimed twice for one occurrence")
        #expect(starts.allSatisfy { $0.triggeredBy == "after:tick" })
        let owed = Set(replayed.pendingTriggers.filter { $0.job == "follow" }.compactMap(\.scheduledAt))
        var missing: [String] = []
        for success in successes {
            let key = Date(timeIntervalSince1970: ((success.timeIntervalSince1970 * 1000).rounded() + 1) / 1000)
            if startsByKey[key] == nil && !owed.contains(key) { missing.append(RFC3339.format(success)) }
        }
        #expect(missing.isEmpty, "tick succeeded but follow was neither started nor owed: \(missing.prefix(5))")
        // Nothing follow ran was owed to anything but a tick success.
        let succeeded = Set(successes.map { Date(timeIntervalSince1970: ((($0.timeIntervalSince1970 * 1000).rounded() + 1) / 1000)) })
        #expect(startsByKey.keys.allSatisfy { succeeded.contains($0) || owedWithoutFinish(events, $0) })
        let ran = try String(contentsOf: effects, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("follow@") }
        #expect(ran.allSatisfy { $0.hasSuffix(" after:tick") })
    }

    /// A SIGTERM while `tick` runs: the drain lets it finish, its success owes `follow`, and
    /// the runner exits before starting it. The next runner starts it, once; a third does not.
    @Test("a run owed during the drain is started by the next runner, exactly once")
    func owedAcrossShutdown() async throws {
        let temp = try TempDirectory()
        let (jobs, state) = try Self.tree(in: temp, """
            name: tick
            schedule: "* * * * * *"
            run: "sleep 1"
            catchup: none
            ---
            name: follow
            run: ["true"]
            after: [tick]
            """)
        let log = temp.url.appendingPathComponent("runner.log")
        let first = try launchAlmanac(["run", jobs.path, "--state", state.path], log: log)
        let deadline = ContinuousClock.now + .seconds(10)
        while !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("▶ tick@"), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        // `started` is journaled at the claim, a little ahead of the instant: let the child start.
        try await Task.sleep(for: .milliseconds(400))
        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        let file = state.appendingPathComponent("journal.jsonl")
        let afterStop = try FileJournal.events(file: file)
        let owed = try #require(afterStop.first { $0.type == .triggered && $0.job == "follow" })
        #expect(owed.triggeredBy == "after:tick")
        #expect(!afterStop.contains { $0.type == .started && $0.job == "follow" })
        for _ in 0..<2 {
            let next = try launchAlmanac(["run", jobs.path, "--state", state.path, "--for", "300ms"], log: log)
            next.waitUntilExit()
            #expect(next.terminationStatus == 0)
        }
        let starts = try FileJournal.events(file: file).filter { $0.type == .started && $0.job == "follow" && $0.scheduledAt == owed.scheduledAt }
        #expect(starts.count == 1)
        #expect(starts.first?.triggeredBy == "after:tick")
        #expect(try String(contentsOf: log, encoding: .utf8).contains("1 run(s) owed to after: queued again"))
    }

    /// A watched directory holding `yaml` as jobs.yaml, and a state directory beside it.
    static func tree(in temp: TempDirectory, _ yaml: String) throws -> (jobs: URL, state: URL) {
        let jobs = temp.url.appendingPathComponent("jobs")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try yaml.write(to: jobs.appendingPathComponent("jobs.yaml"), atomically: true, encoding: .utf8)
        return (jobs, temp.url.appendingPathComponent("state"))
    }

    /// A run owed in the same write as a tick's `finished`, but whose `finished` was torn off,
    /// is the only way follow may run without a journaled success of its tick.
    func owedWithoutFinish(_ events: [JournalEvent], _ key: Date) -> Bool {
        events.contains { $0.type == .triggered && $0.job == "follow" && $0.scheduledAt == key }
    }
}

import Foundation
import Journal
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
            guard let first = handled.min(), let last = handled.max() else {
                Issue.record("\(job) never fired")
                continue
            }
            var missing: [Date] = []
            var second = first
            while second <= last {
                if !handled.contains(second) { missing.append(second) }
                second = second.addingTimeInterval(1)
            }
            #expect(missing.isEmpty, "\(job): \(missing.count) occurrences lost, e.g. \(missing.prefix(3).map(RFC3339Test.format))")
            let startedKeys = events.filter { $0.job == job && $0.type == .started }
            let uniqueStarts = Set(startedKeys.map { "\($0.scheduledAt.map(RFC3339Test.format) ?? "")#\($0.attempt ?? 0)" })
            #expect(uniqueStarts.count == startedKeys.count, "\(job): an attempt was claimed twice")
        }
    }
}

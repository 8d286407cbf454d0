import AlmanacCore
import Foundation
import Journal
import JournalTestSupport
import Manifest
import Scheduler
import Testing

/// `almanac backfill`: the plan (which occurrences, which attempt, what is skipped), the
/// runner running it in order and within `--parallel`, retries included, and the CLI both ways
/// (queued for a running runner, or `--now`), across New York's spring-forward change.
@Suite("backfill", .serialized)
struct BackfillTests {
    static let job = """
        name: nightly
        schedule: "30 1-3 * * *"
        timezone: America/New_York
        retry: {max: 1, initial: 1s}
        concurrency: allow
        run: ["true"]
        """
    static let from = utc("2026-03-07T05:00:00Z"), to = utc("2026-03-09T04:00:00Z"), now = utc("2026-12-01T00:00:00Z")
    /// 01:30, 02:30 and 03:30 New York on both days; 02:30 on the 8th does not exist and runs at 03:00 EDT, as cron does.
    static let occurrences = ["2026-03-07T06:30:00Z", "2026-03-07T07:30:00Z", "2026-03-07T08:30:00Z",
                              "2026-03-08T06:30:00Z", "2026-03-08T07:00:00Z", "2026-03-08T07:30:00Z"].map(utc)

    static func spec(_ yaml: String = job) throws -> JobSpec {
        try #require(manifest(yaml, now: now).jobs.first)
    }

    @Test("every occurrence in [from, to) once, in the job's zone across DST; succeeded ones skipped unless rerun; failed ones get their next attempt")
    func plan() throws {
        let spec = try Self.spec()
        let fresh = try BackfillPlan.make(job: spec, state: nil, from: Self.from, to: Self.to, now: Self.now, rerun: false)
        #expect(fresh.runs.map(\.scheduledAt) == Self.occurrences)
        #expect(fresh.runs.allSatisfy { $0.attempt == 1 })
        // From exactly an occurrence includes it; to exactly one excludes it.
        let edges = try BackfillPlan.make(job: spec, state: nil, from: Self.occurrences[1], to: Self.occurrences[3], now: Self.now, rerun: false)
        #expect(edges.runs.map(\.scheduledAt) == Array(Self.occurrences[1..<3]))

        var state = JobState()
        func ran(_ at: Date, attempt: Int, _ outcome: Outcome?) {
            var execution = Execution(key: OccurrenceKey(job: "nightly", scheduledAt: at), attempt: attempt, startedAt: at)
            execution.metrics.outcome = outcome
            if outcome == nil { state.running.append(execution) } else { state.history.append(execution) }
        }
        ran(Self.occurrences[0], attempt: 1, .success)
        ran(Self.occurrences[1], attempt: 1, .failure)
        ran(Self.occurrences[1], attempt: 2, .failure)
        ran(Self.occurrences[2], attempt: 1, nil)
        let again = try BackfillPlan.make(job: spec, state: state, from: Self.from, to: Self.to, now: Self.now, rerun: false)
        #expect(again.items.map(\.action) == [.succeeded, .run, .running, .run, .run, .run])
        #expect(again.items[1].attempt == 3, "a failed occurrence runs as its next attempt")
        let rerun = try BackfillPlan.make(job: spec, state: state, from: Self.from, to: Self.to, now: Self.now, rerun: true)
        #expect(rerun.items.map(\.action) == [.run, .run, .running, .run, .run, .run])
        #expect(rerun.items[0].attempt == 2)

        // Nothing after now runs; a bad range, too many occurrences and a job without a cron schedule are refused.
        let clamped = try BackfillPlan.make(job: spec, state: nil, from: Self.from, to: Self.to, now: utc("2026-03-08T07:00:00Z"), rerun: false)
        #expect(clamped.runs.count == 4 && clamped.to == utc("2026-03-08T07:00:00Z"))
        #expect(throws: BackfillError("from must be before to")) {
            try BackfillPlan.make(job: spec, state: nil, from: Self.to, to: Self.from, now: Self.now, rerun: false)
        }
        let everySecond = try Self.spec("name: busy\nschedule: \"* * * * * *\"\nrun: [\"true\"]\n")
        #expect(throws: BackfillError("more than 10000 occurrences of busy in the range; narrow it")) {
            try BackfillPlan.make(job: everySecond, state: nil, from: Self.from, to: Self.to, now: Self.now, rerun: false)
        }
        let post = try Self.spec("name: hello\nkind: post\nat: \"2026-03-07T10:00:00Z\"\ncontent: {title: hi}\npublish: {run: [\"true\"]}\n")
        #expect(throws: BackfillError.self) {
            try BackfillPlan.make(job: post, state: nil, from: Self.from, to: Self.to, now: Self.now, rerun: false)
        }
    }

    @Test("the runner runs them in order, one at a time (a retry before the next occurrence), or N at once with --parallel")
    func runner() async throws {
        for parallel in [1, 3] {
            let temp = try TempDirectory()
            let clock = VirtualClock(Self.now)
            let journal = try FileJournal(directory: temp.url)
            // Each first attempt fails; its retry (1 s later) succeeds.
            let launcher = ScriptedLauncher(clock: clock) { _, attempt in attempt == 1 ? .failure : .success }
            let runner = Runner(clock: clock, journal: journal, launcher: launcher)
            try await runner.apply(manifest(Self.job, now: Self.now))
            let plan = try await runner.backfill("nightly", from: Self.from, to: Self.to, rerun: false, parallel: parallel)
            #expect(plan.runs.count == 6)
            for _ in 0..<200 where await runner.backfillRemaining("nightly") > 0 {
                _ = await runner.waitUntilIdle(timeout: .seconds(5))
                if let wake = await runner.nextWake() { clock.advance(to: max(wake, clock.now())) }
                await runner.step()
            }
            _ = await runner.waitUntilIdle(timeout: .seconds(5))
            let starts = launcher.started.map { "\(RFC3339.format($0.0.scheduledAt))#\($0.1) \($0.2)" }
            if parallel == 1 {
                #expect(starts == Self.occurrences.flatMap { ["\(RFC3339.format($0))#1 backfill", "\(RFC3339.format($0))#2 retry"] })
            } else {
                // Three first attempts at once, then their retries, then the next three.
                #expect(starts.prefix(3).allSatisfy { $0.hasSuffix("#1 backfill") }, "\(starts)")
                #expect(starts.count == 12)
            }
            let finished = try events(temp.url).filter { $0.type == .finished && $0.outcome == "success" }
            #expect(Set(finished.compactMap(\.scheduledAt)) == Set(Self.occurrences))
            // Run again: every occurrence succeeded, nothing to run.
            let repeated = try await runner.backfill("nightly", from: Self.from, to: Self.to, rerun: false, parallel: parallel)
            #expect(repeated.runs.isEmpty && repeated.items.allSatisfy { $0.action == .succeeded })
            try await journal.close()
        }
    }

    @Test("almanac backfill: --dry-run lists, --now runs here with ALMANAC_SCHEDULED_AT, a running runner takes the queued request; repeats run nothing")
    func cli() async throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs"), state = temp.url.appendingPathComponent("state")
        let effects = temp.url.appendingPathComponent("effects.txt")
        // A barrier: each run marks itself, then waits (5 s at most) until $WANT runs have marked:
        // runs at once all start before any ends, however loaded the machine.
        let marks = temp.url.appendingPathComponent("marks")
        try FileManager.default.createDirectory(at: marks, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try """
            name: nightly
            schedule: "30 1-3 * * *"
            timezone: America/New_York
            concurrency: allow
            run: "echo start $ALMANAC_SCHEDULED_AT $ALMANAC_TRIGGER >> \(effects.path); touch \(marks.path)/$ALMANAC_SCHEDULED_AT; for i in $(seq 50); do [ $(ls \(marks.path) | wc -l) -ge $WANT ] && break; sleep 0.1; done; echo end $ALMANAC_SCHEDULED_AT >> \(effects.path)"
            """.write(to: jobs.appendingPathComponent("nightly.yaml"), atomically: true, encoding: .utf8)
        let range = ["--from", "2026-03-07T00:00:00-05:00", "--to", "2026-03-09T00:00:00-04:00", "--path", jobs.path, "--state", state.path]
        let (dry, listed, _) = try almanac(["backfill", "nightly"] + range + ["--dry-run"])
        #expect(dry == 0 && listed.contains("6 to run, 0 skipped") && listed.contains("2026-03-08T07:00:00Z  1        run"), "\(listed)")
        #expect(!FileManager.default.fileExists(atPath: effects.path), "a dry run runs nothing")

        // --now, over the first day only: in order, one at a time, each with its own time.
        let firstDay = ["--from", "2026-03-07T00:00:00-05:00", "--to", "2026-03-08T00:00:00-05:00", "--path", jobs.path, "--state", state.path]
        let (ranHere, out, err) = try almanac(["backfill", "nightly"] + firstDay + ["--now"], environment: ["WANT": "1"])
        #expect(ranHere == 0 && out.contains("3 of 3 succeeded"), "\(out)\(err)")
        let lines = (text(effects) ?? "").split(separator: "\n").map(String.init)
        #expect(lines == Self.occurrences.prefix(3).flatMap { ["start \(RFC3339.format($0)) backfill", "end \(RFC3339.format($0))"] }, "\(lines)")

        // A running runner takes the whole range: only the second day is left to run.
        let port = try ListenTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        let runner = try launchAlmanac(["run", jobs.path, "--state", state.path, "--listen", "127.0.0.1:\(port)"],
                                       log: temp.url.appendingPathComponent("runner.log"), environment: ["ALMANAC_API_TOKEN": "bf-token", "WANT": "6"])
        defer { if runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        let (queued, queuedOut, _) = try almanac(["backfill", "nightly"] + range + ["--parallel", "3"])
        #expect(queued == 0 && queuedOut.contains("3 to run, 3 skipped") && queuedOut.contains("queued: backfill of nightly, 3 occurrence(s)"),
                "\(queuedOut)")
        let journal = state.appendingPathComponent("journal.jsonl")
        for _ in 0..<100 {
            let done = try FileJournal.events(file: journal).filter { $0.type == .finished && $0.triggeredBy == "backfill" }.count
            if done == 6 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let finished = try FileJournal.events(file: journal).filter { $0.type == .finished && $0.triggeredBy == "backfill" }
        #expect(Set(finished.compactMap(\.scheduledAt)) == Set(Self.occurrences) && finished.count == 6)
        // The second day's three ran at once (--parallel 3): all three started before any ended.
        let secondDay = (text(effects) ?? "").split(separator: "\n").dropFirst(6).map { $0.split(separator: " ")[0] }
        #expect(secondDay == ["start", "start", "start", "end", "end", "end"], "\(secondDay)")
        let (again, againOut, _) = try almanac(["backfill", "nightly"] + range + ["--dry-run"])
        #expect(again == 0 && againOut.contains("0 to run, 6 skipped"), "\(againOut)")
        // The API: a dry run lists, a rerun of one occurrence is queued (202) and runs as attempt 2.
        func post(_ job: String, _ body: String) async -> RepoListenTests.Reply? {
            await RepoListenTests.request(base + "/api/v1/jobs/\(job)/backfill", method: "POST", body: body,
                                          headers: ["Authorization": "Bearer bf-token", "Content-Type": "application/json"])
        }
        let dryRun = await post("nightly", #"{"from": "2026-03-07T05:00:00Z", "to": "2026-03-09T04:00:00Z", "dryRun": true}"#)
        #expect(dryRun?.status == 200 && dryRun?.object["runs"] as? Int == 0 && dryRun?.object["skipped"] as? Int == 6, "\(dryRun?.text ?? "")")
        let rerun = await post("nightly", #"{"from": "2026-03-08T07:00:00Z", "to": "2026-03-08T07:00:01Z", "rerun": true, "by": "ada"}"#)
        #expect(rerun?.status == 202 && rerun?.object["runs"] as? Int == 1, "\(rerun?.text ?? "")")
        for _ in 0..<50 where !(try FileJournal.events(file: journal)).contains(where: { $0.type == .finished && $0.attempt == 2 }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        let second = try FileJournal.events(file: journal).filter { $0.type == .finished && $0.attempt == 2 }
        #expect(second.compactMap(\.scheduledAt) == [utc("2026-03-08T07:00:00Z")] && second.first?.triggeredBy == "backfill")
        #expect(await post("nosuch", #"{"from": "2026-03-07T05:00:00Z", "to": "2026-03-09T04:00:00Z"}"#)?.status == 404)
        #expect(await post("nightly", #"{"from": "2026-03-09T05:00:00Z", "to": "2026-03-07T04:00:00Z"}"#)?.status == 400)
        #expect(await post("nightly", #"{"from": "yesterday", "to": "2026-03-07T04:00:00Z"}"#)?.status == 400)

        let (unknown, _, unknownErr) = try almanac(["backfill", "nosuch"] + range)
        #expect(unknown == 1 && unknownErr.contains("no job named 'nosuch'"), "\(unknownErr)")
        kill(runner.processIdentifier, SIGTERM)
        runner.waitUntilExit()
    }
}

import Foundation
import Journal
import JournalTestSupport
import PostgresJournal
import PostgresTestSupport
import Testing

/// Several `almanac run --database` processes on one real PostgreSQL (TestPostgres), each
/// with its own state directory and the same job files. The jobs' own side effects (a line per
/// run, with the runner's pid) and the shared journal are checked, never the log alone.
@Suite("a cluster of runners on PostgreSQL, through the real binary", .serialized)
struct ClusterTests {
    @Test("three runners, one every-second job: each occurrence runs once, and only one runner leads")
    func eachOccurrenceOnce() async throws {
        let cluster = try await Cluster()
        try cluster.write("tick", """
            schedule: "* * * * * *"
            concurrency: allow
            run: "echo $ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT $PPID ${PGPASSWORD:-none} ${ALMANAC_DATABASE_URL:-none} >> \(cluster.effects.path)"
            """)
        // The database's credentials are the runners'; their jobs never see them.
        let runners = try (0..<3).map { try cluster.launch($0, ["--for", "7s"], environment: ["PGPASSWORD": "not-for-jobs"]) }
        for runner in runners { runner.waitUntilExit() }
        for runner in runners { #expect(runner.terminationStatus == 0, "\(cluster.log)") }

        let lines = cluster.effectLines()
        let keys = lines.map { String($0.split(separator: " ")[0]) }
        let twice = Dictionary(grouping: keys, by: { $0 }).filter { $0.value.count > 1 }.keys
        #expect(twice.isEmpty, "ran twice: \(twice.sorted().prefix(5))")
        #expect(Set(keys).count >= 4, "\(lines)")
        #expect(lines.allSatisfy { $0.hasSuffix(" none none") }, "\(lines)")
        let journal = try await cluster.journal()
        let state = await journal.state()
        let history = state.jobs["tick"]?.history ?? []
        #expect(history.count == lines.count)
        #expect(history.allSatisfy { $0.metrics.outcome == .success })
        // One applied event: only the leader writes desired state.
        #expect(state.jobs["tick"]?.applied != nil)
        let leads = cluster.log.components(separatedBy: "leading (this runner writes").count - 1
        #expect(leads == 1, "\(cluster.log)")
        try await journal.close()

        // Any machine reads the whole cluster: each runner, and the job's runs from all of them.
        let (status, out, err) = try almanac(["status", "--path", cluster.jobs.path, "--database", cluster.databaseText,
                                              "--format", "json"])
        #expect(status == 0, "\(err)")
        let report = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let rows = report?["runners"] as? [[String: Any]] ?? []
        #expect(rows.count == 3)
        #expect(rows.allSatisfy { $0["stoppedAt"] != nil && ($0["live"] as? Bool) == false }, "\(rows)\n\(cluster.log)")
        let jobs = report?["jobs"] as? [[String: Any]] ?? []
        #expect(jobs.first?["runs"] as? Int == lines.count)
        let (historyStatus, historyOut, _) = try almanac(["history", "tick", "--database", cluster.databaseText, "--limit", "100"])
        #expect(historyStatus == 0)
        #expect(historyOut.split(separator: "\n").count == lines.count + 1)
    }

    @Test("a runner SIGKILLed mid-attempt: one peer journals it interrupted and retries it within 15 s; a peer leads")
    func takeover() async throws {
        let cluster = try await Cluster()
        try cluster.write("long", """
            schedule: "0 0 1 1 *"
            retry: {max: 2, initial: 1s}
            run: "echo start $ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT $PPID $$ >> \(cluster.effects.path); sleep 60"
            """)
        var runners = try (0..<3).map { try cluster.launch($0, ["--drain-timeout", "1s"]) }
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        try await cluster.waitForLog("running 1 job(s)", count: 3)
        let (trigger, _, triggerError) = try almanac(["trigger", "long", "--state", cluster.state(0).path,
                                                      "--path", cluster.jobs.path])
        #expect(trigger == 0, "\(triggerError)")
        let first = try await cluster.waitForEffects(1)[0].split(separator: " ")
        let (owner, child) = (Int32(first[2]) ?? 0, Int32(first[3]) ?? 0)
        guard let victim = runners.firstIndex(where: { $0.processIdentifier == owner }) else {
            Issue.record("no runner of ours ran it: \(first)")
            return
        }
        kill(owner, SIGKILL)
        // What a supervisor's cgroup does when the runner dies (systemd KillMode=control-group).
        kill(-child, SIGKILL)
        let killedAt = ContinuousClock.now
        runners[victim].waitUntilExit()
        let lines = try await cluster.waitForEffects(2, timeout: .seconds(20))
        let tookOver = ContinuousClock.now - killedAt
        #expect(tookOver < .seconds(15), "the retry started \(tookOver) after the death")
        #expect(lines[1].hasPrefix("start \(first[1].dropLast(2))#2 "), "\(lines)")
        #expect(Int32(lines[1].split(separator: " ")[2]) != owner)

        let journal = try await cluster.journal()
        let state = await journal.state()
        let ended = state.jobs["long"]?.history ?? []
        #expect(ended.count == 1, "the killed attempt is journaled once: \(ended)")
        #expect(ended.first?.metrics.outcome == .interrupted)
        #expect(ended.first?.attempt == 1)
        // The leader lease is held by a live runner (the victim's lapsed, if it was the leader).
        var leader: ClusterRunner?
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            leader = try await journal.runners().first { $0.leader && $0.live }
            if leader != nil { break }
            try await Task.sleep(for: .milliseconds(250))
        }
        let rows = try await journal.runners()
        #expect(leader != nil && leader?.pid != Int(owner), "\(rows)")
        try await journal.close()
        for index in runners.indices where runners[index].isRunning { kill(runners[index].processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
        runners = []
        // The retry's child went with its runner's drain; the stray first child was killed above.
    }

    @Test("a runner frozen past its lease (SIGSTOP) wakes fenced: a peer took its attempt over, its own end is refused, its child is stopped, it exits 75")
    func frozenRunnerIsFenced() async throws {
        let cluster = try await Cluster()
        try cluster.write("long", """
            schedule: "0 0 1 1 *"
            retry: {max: 2, initial: 1s}
            run: "echo start $ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT $PPID $$ >> \(cluster.effects.path); sleep 60"
            """)
        let runners = try (0..<2).map { try cluster.launch($0, ["--drain-timeout", "1s"]) }
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        try await cluster.waitForLog("running 1 job(s)", count: 2)
        let (trigger, _, triggerError) = try almanac(["trigger", "long", "--path", cluster.jobs.path,
                                                      "--database", cluster.databaseText])
        #expect(trigger == 0, "\(triggerError)")
        let first = try await cluster.waitForEffects(1)[0].split(separator: " ")
        let (owner, child) = (Int32(first[2]) ?? 0, Int32(first[3]) ?? 0)
        guard let frozen = runners.firstIndex(where: { $0.processIdentifier == owner }) else {
            Issue.record("no runner of ours ran it: \(first)")
            return
        }
        kill(owner, SIGSTOP)
        let lines = try await cluster.waitForEffects(2, timeout: .seconds(20))
        #expect(lines[1].hasPrefix("start \(first[1].dropLast(2))#2 "), "\(lines)")
        kill(owner, SIGCONT)
        let woke = ContinuousClock.now
        while runners[frozen].isRunning, ContinuousClock.now - woke < .seconds(15) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!runners[frozen].isRunning, "the woken runner did not stop")
        runners[frozen].waitUntilExit()
        #expect(runners[frozen].terminationStatus == 75)
        #expect(kill(child, 0) != 0, "the frozen runner's child still runs")
        #expect(cluster.log.contains("lease"), "\(cluster.log)")

        let journal = try await cluster.journal()
        let firstAttempt = (await journal.state()).jobs["long"]?.history.filter { $0.attempt == 1 } ?? []
        #expect(firstAttempt.count == 1, "\(firstAttempt)")
        #expect(firstAttempt.first?.metrics.outcome == .interrupted)
        try await journal.close()
        for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
    }

    @Test("a pause through one runner's API stops the job on every runner within a second; a resume starts it again")
    func pauseReachesPeers() async throws {
        let cluster = try await Cluster()
        try cluster.write("tick", """
            schedule: "* * * * * *"
            run: "echo $ALMANAC_SCHEDULED_AT $PPID >> \(cluster.effects.path)"
            """)
        let port = try ListenTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        let runners = [
            try cluster.launch(0, ["--listen", "127.0.0.1:\(port)"], environment: ["ALMANAC_API_TOKEN": "api-token"]),
            try cluster.launch(1), try cluster.launch(2),
        ]
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        try await cluster.waitForLog("running 1 job(s)", count: 3)
        _ = try await cluster.waitForEffects(2)
        let paused = await RepoListenTests.request(base + "/api/v1/jobs/tick/pause", method: "POST",
                                                   headers: ["Authorization": "Bearer api-token"])
        #expect(paused?.status == 200, "\(paused?.text ?? "no answer")")
        // Claimed ahead (50 ms) or picked up at the next once-a-second sync: at most a second or two more.
        try await Task.sleep(for: .seconds(2.5))
        let atPause = cluster.effectLines().count
        try await Task.sleep(for: .seconds(3))
        #expect(cluster.effectLines().count == atPause, "ran while paused: \(cluster.effectLines().suffix(4))")
        let resumed = await RepoListenTests.request(base + "/api/v1/jobs/tick/resume", method: "POST",
                                                    headers: ["Authorization": "Bearer api-token"])
        #expect(resumed?.status == 200)
        try await Task.sleep(for: .seconds(3))
        #expect(cluster.effectLines().count > atPause + 1)
        let keys = cluster.effectLines().map { $0.split(separator: " ")[0] }
        #expect(Set(keys).count == keys.count, "an occurrence ran twice")
        for runner in runners { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
    }

    @Test("a trigger from any machine wakes the cluster (LISTEN/NOTIFY): each run starts well within a second, once")
    func triggerWakesPeers() async throws {
        let cluster = try await Cluster()
        try cluster.write("manual", """
            schedule: "0 0 1 1 *"
            concurrency: allow
            run: "echo $ALMANAC_SCHEDULED_AT $PPID >> \(cluster.effects.path)"
            """)
        let runners = try (0..<2).map { try cluster.launch($0) }
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        try await cluster.waitForLog("running 1 job(s)", count: 2)
        try await Task.sleep(for: .seconds(1))
        var waits: [Duration] = []
        for count in 1...3 {
            let (status, _, err) = try almanac(["trigger", "manual", "--path", cluster.jobs.path, "--database", cluster.databaseText])
            #expect(status == 0, "\(err)")
            let queued = ContinuousClock.now
            _ = try await cluster.waitForEffects(count, timeout: .seconds(5))
            waits.append(ContinuousClock.now - queued)
        }
        print("trigger to start: \(waits)")
        // The once-a-second poll alone would average half a second; woken, a run starts in tens of ms.
        #expect(waits.allSatisfy { $0 < .milliseconds(600) }, "\(waits)")
        let keys = cluster.effectLines().map { $0.split(separator: " ")[0] }
        #expect(keys.count == 3 && Set(keys).count == 3)
        for runner in runners { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
    }

    @Test("concurrency: forbid holds across runners: no two attempts overlap, overlaps are journaled skipped once")
    func forbidAcrossRunners() async throws {
        let cluster = try await Cluster()
        try cluster.write("slow", """
            schedule: "* * * * * *"
            concurrency: forbid
            run: "echo $(date +%s.%N) start $ALMANAC_SCHEDULED_AT >> \(cluster.effects.path); sleep 2.5; echo $(date +%s.%N) end >> \(cluster.effects.path)"
            """)
        let runners = try (0..<2).map { try cluster.launch($0, ["--for", "8s"]) }
        for runner in runners { runner.waitUntilExit() }
        var running = 0, most = 0
        for line in cluster.effectLines() {
            running += line.contains(" start ") ? 1 : -1
            most = max(most, running)
        }
        #expect(most == 1, "\(cluster.effectLines())")
        let events = try await cluster.events()
        let skipped = events.filter { $0.type == .skipped && $0.job == "slow" }
        #expect(!skipped.isEmpty)
        // Each occurrence is started or skipped, once, across both runners.
        let settled = events.filter { ($0.type == .started || $0.type == .skipped) && $0.job == "slow" }
        let keys = settled.map { "\($0.scheduledAt.map(RFC3339Test.format) ?? "")#\($0.attempt ?? 0)" }
        #expect(Set(keys).count == keys.count, "an occurrence was settled twice: \(keys)")
    }

    @Test("a runner whose file differs from the applied version does not fire that job, and says so")
    func differingFileNotFired() async throws {
        let cluster = try await Cluster()
        try cluster.write("tick", """
            schedule: "* * * * * *"
            run: "echo leader $PPID >> \(cluster.effects.path)"
            """)
        let leader = try cluster.launch(0, ["--for", "8s"])
        try await cluster.waitForLog("running 1 job(s)", count: 1)
        let other = cluster.root.appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try """
            name: tick
            schedule: "* * * * * *"
            run: "echo other $PPID >> \(cluster.effects.path)"
            """.write(to: other.appendingPathComponent("tick.yaml"), atomically: true, encoding: .utf8)
        let follower = try cluster.launch(1, ["--for", "4s"], jobs: other)
        follower.waitUntilExit()
        leader.waitUntilExit()
        #expect(follower.terminationStatus == 0)
        #expect(!cluster.effectLines().contains { $0.hasPrefix("other") })
        #expect(cluster.effectLines().contains { $0.hasPrefix("leader") })
        #expect(cluster.log.contains("tick: the file here"))
        #expect(cluster.log.contains("differs from the version the cluster applied"))
    }
}

/// A job directory, one state directory per runner, a log they share, a fresh database.
private struct Cluster {
    let temp: TempDirectory
    let url: DatabaseURL
    var root: URL { temp.url }
    var jobs: URL { root.appendingPathComponent("jobs") }
    var effects: URL { root.appendingPathComponent("effects.txt") }
    /// One log per runner: processes writing one file through their own descriptors overwrite each other.
    func logFile(_ index: Int) -> URL { root.appendingPathComponent("runner-\(index).log") }
    var databaseText: String { "postgres://\(url.user)@\(url.host):\(url.port)/\(url.database)?sslmode=disable" }

    init() async throws {
        temp = try TempDirectory()
        url = try await TestPostgres.database()
        try FileManager.default.createDirectory(at: temp.url.appendingPathComponent("jobs"), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: temp.url.appendingPathComponent("effects.txt").path, contents: nil)
    }

    func state(_ index: Int) -> URL { root.appendingPathComponent("state-\(index)") }

    func write(_ name: String, _ body: String) throws {
        try "name: \(name)\n\(body)\n".write(to: jobs.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
    }

    func launch(_ index: Int, _ extra: [String] = [], jobs: URL? = nil, environment: [String: String] = [:]) throws -> Process {
        try launchAlmanac(["run", (jobs ?? self.jobs).path, "--state", state(index).path, "--database", databaseText] + extra,
                          log: logFile(index), environment: environment)
    }

    /// Every runner's log, one after the other.
    var log: String {
        (0..<4).map { (try? String(contentsOf: logFile($0), encoding: .utf8)) ?? "" }.joined()
    }

    func effectLines() -> [String] {
        ((try? String(contentsOf: effects, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    func waitForEffects(_ count: Int, timeout: Duration = .seconds(10)) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while effectLines().count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let lines = effectLines()
        try #require(lines.count >= count, "\(lines)\n\(log)")
        return lines
    }

    func waitForLog(_ text: String, count: Int, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while log.components(separatedBy: text).count - 1 < count, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        try #require(log.components(separatedBy: text).count - 1 >= count, "\(log)")
    }

    /// Every event in the shared journal, read back through an export.
    func events() async throws -> [JournalEvent] {
        let journal = try await journal()
        let file = root.appendingPathComponent("export-\(UUID().uuidString).jsonl")
        _ = try await journal.exportJournal(to: file)
        try await journal.close()
        return try FileJournal.events(file: file)
    }

    /// A reader of the shared journal (it neither migrates nor joins).
    func journal() async throws -> PostgresJournal {
        try await PostgresJournal.open(url, runner: "test-reader", migrate: false)
    }
}

import AlmanacCore
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

    @Test("one runner's event stream carries the whole cluster's events, in the database's seq order: a peer starting and its runs")
    func eventsFromPeers() async throws {
        let cluster = try await Cluster()
        try cluster.write("tick", """
            schedule: "* * * * * *"
            run: "echo $ALMANAC_SCHEDULED_AT $PPID >> \(cluster.effects.path)"
            """)
        let port = try ListenTests.freePort()
        let listening = try cluster.launch(0, ["--listen", "127.0.0.1:\(port)"])
        defer { if listening.isRunning { kill(listening.processIdentifier, SIGKILL) } }
        try await EventsStreamTests.ready("http://127.0.0.1:\(port)")
        let stream = try await Task.detached { try SSEClient(port: Int(port), path: "/api/v1/events") }.value
        let peer = try cluster.launch(1)
        defer { if peer.isRunning { kill(peer.processIdentifier, SIGKILL) } }
        let pid = Int(peer.processIdentifier)
        let saw = await Task.detached {
            stream.read(timeout: 20) { messages in
                messages.contains { $0.event == "runner-started" && $0.object["pid"] as? Int == pid }
                    && messages.filter { $0.event == "finished" }.count >= 3
            }
        }.value
        #expect(saw, "the peer's start and three runs: \(stream.messages.compactMap(\.event))")
        let ids = stream.messages.compactMap { $0.id.flatMap { UInt64($0) } }
        #expect(!ids.isEmpty && ids == Array(ids[0]..<(ids[0] + UInt64(ids.count))), "consecutive seqs: \(ids)")
        for runner in [listening, peer] { kill(runner.processIdentifier, SIGTERM) }
        for runner in [listening, peer] { runner.waitUntilExit() }
    }

    @Test("a post across three runners: each target gets one request with its Idempotency-Key, one publication each; history, API and dashboard name the runner")
    func postsAcrossRunners() async throws {
        let cluster = try await Cluster()
        let server = try await TestHTTPServer()
        let due = RFC3339.format(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 6).rounded(.down)), precision: .seconds)
        try cluster.write("news", """
            kind: post
            at: "\(due)"
            content: {title: "Launch"}
            publish:
              - {name: a, webhook: "\(server.url("/a"))"}
              - {name: b, webhook: "\(server.url("/b"))"}
            """)
        let port = try ListenTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        let runners = [try cluster.launch(0, ["--listen", "127.0.0.1:\(port)"]), try cluster.launch(1), try cluster.launch(2)]
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        try await cluster.waitForLog("running 1 job(s)", count: 3)
        _ = await server.waitForRequests(2, timeout: .seconds(15))
        try await Task.sleep(for: .seconds(2))
        #expect(server.requests(to: "/a").map { $0.headers["idempotency-key"] } == ["news@\(due)#a"], "\(cluster.log)")
        #expect(server.requests(to: "/b").map { $0.headers["idempotency-key"] } == ["news@\(due)#b"])

        let events = try await cluster.events().filter { $0.job == "news" }
        #expect(events.filter { $0.type == .published }.compactMap(\.target).sorted() == ["a", "b"], "\(events)")
        let starts = events.filter { $0.type == .started }
        guard case .started(let started)? = starts.first?.record, starts.count == 1, let ranBy = started.runner else {
            Issue.record("one started event with its runner: \(starts)")
            return
        }
        let owner = Int32(ranBy.split(separator: ":").dropLast().last ?? "") ?? 0
        #expect(runners.contains { $0.processIdentifier == owner }, "\(ranBy)")

        let (status, history, historyError) = try almanac(["history", "news", "--database", cluster.databaseText])
        #expect(status == 0 && history.contains("RUNNER") && history.contains(ranBy), "\(history)\(historyError)")
        let listed = await RepoListenTests.request(base + "/api/v1/runners")
        let rows = (try? JSONSerialization.jsonObject(with: Data((listed?.text ?? "").utf8)) as? [String: Any])?["runners"] as? [[String: Any]] ?? []
        #expect(rows.filter { $0["live"] as? Bool == true }.count == 3, "\(listed?.text ?? "no answer")")
        #expect(rows.filter { $0["leader"] as? Bool == true }.count == 1)
        let overview = await RepoListenTests.request(base + "/")
        #expect(overview?.text.contains("id=runners") == true && overview?.text.contains("leader") == true)
        let page = await RepoListenTests.request(base + "/jobs/news")
        #expect(page?.text.contains("<th>Runner</th>") == true && page?.text.contains(ranBy) == true)
        for runner in runners { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
        await server.stop()
    }

    @Test("a runner frozen while its post's request is out wakes fenced: the peer resends with the same Idempotency-Key, one publication is journaled")
    func frozenPublisherIsFenced() async throws {
        let cluster = try await Cluster()
        let server = try await TestHTTPServer()
        // The first answer comes after the lease has lapsed; the retry's at once.
        server.script("/slow", .delayed(.seconds(14), .ok(#"{"url": "https://social.example/first"}"#)),
                      .ok(#"{"url": "https://social.example/retry"}"#))
        let due = RFC3339.format(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 5).rounded(.down)), precision: .seconds)
        try cluster.write("slowpost", """
            kind: post
            at: "\(due)"
            retry: {max: 2, initial: 1s}
            content: {title: "Slow"}
            publish: {name: only, webhook: "\(server.url("/slow"))"}
            """)
        let runners = try (0..<2).map { try cluster.launch($0, ["--drain-timeout", "1s"]) }
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        try await cluster.waitForLog("running 1 job(s)", count: 2)
        _ = await server.waitForRequests(1, to: "/slow", timeout: .seconds(15))
        let journal = try await cluster.journal()
        let running = (await journal.state()).jobs["slowpost"]?.running.first
        let owner = Int32(running?.runner?.split(separator: ":").dropLast().last ?? "") ?? 0
        guard let frozen = runners.firstIndex(where: { $0.processIdentifier == owner }) else {
            Issue.record("no runner of ours publishes it: \(String(describing: running))")
            return
        }
        kill(owner, SIGSTOP)
        let requests = await server.waitForRequests(2, to: "/slow", timeout: .seconds(25))
        #expect(requests.count == 2, "\(cluster.log)")
        #expect(Set(requests.compactMap { $0.headers["idempotency-key"] }) == ["slowpost@\(due)"])
        let deadline = ContinuousClock.now + .seconds(10)
        while (await journal.state()).jobs["slowpost"]?.publications["only"]?.state != .published, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(owner, SIGCONT)
        let woke = ContinuousClock.now
        while runners[frozen].isRunning, ContinuousClock.now - woke < .seconds(15) { try await Task.sleep(for: .milliseconds(50)) }
        runners[frozen].waitUntilExit()
        #expect(runners[frozen].terminationStatus == 75)
        // Wait past the first answer: whatever the woken runner learnt, it journals nothing.
        try await Task.sleep(for: .seconds(3))
        try await journal.close()
        let events = try await cluster.events().filter { $0.job == "slowpost" }
        let published = events.filter { $0.type == .published }
        #expect(published.count == 1 && published.first?.attempt == 2, "\(events)")
        #expect(published.first.flatMap { event -> String? in
            guard case .published(let record) = event.record else { return nil }
            return record.url
        } == "https://social.example/retry")
        #expect(events.contains { $0.type == .finished && $0.attempt == 1 && $0.outcome == "interrupted" })
        for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
        await server.stop()
    }

    @Test("machines whose clocks disagree by ±30 s fire on the database's clock: each occurrence once, none early, none late")
    func clockSkewChangesNothing() async throws {
        let cluster = try await Cluster()
        // `date` in the job reads the real clock: the skew is the runner's alone.
        try cluster.write("tick", """
            schedule: "* * * * * *"
            concurrency: allow
            run: "echo $ALMANAC_SCHEDULED_AT $(date +%s.%N) $PPID >> \(cluster.effects.path)"
            """)
        let runners = try [0, 30, -30].enumerated().map { index, skew in
            try cluster.launch(index, ["--for", "8s"], environment: ["ALMANAC_TEST_CLOCK_SKEW": String(skew)])
        }
        for runner in runners { runner.waitUntilExit() }
        for runner in runners { #expect(runner.terminationStatus == 0, "\(cluster.log)") }
        #expect(cluster.log.components(separatedBy: "s behind the database's").count == 2, "\(cluster.log)")
        #expect(cluster.log.contains("30.0 s ahead of the database's"))

        let lines = cluster.effectLines()
        let keys = lines.map { String($0.split(separator: " ")[0]) }
        #expect(Set(keys).count == keys.count && keys.count >= 4, "\(lines)")
        for line in lines {
            let parts = line.split(separator: " ")
            guard let scheduled = RFC3339.parse(String(parts[0])), let ran = Double(parts[1]) else {
                Issue.record("unreadable: \(line)")
                continue
            }
            // A runner on its own clock would start these 30 s early or 30 s late.
            let late = ran - scheduled.timeIntervalSince1970
            #expect(late > -0.05 && late < 1.0, "\(line): \(late) s after its time")
        }
        let pids = Set(lines.map { $0.split(separator: " ")[2] })
        #expect(pids.count >= 2, "one runner ran everything: \(lines)")
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

    @Test("concurrency: replace holds across runners: the runner whose attempt runs stops it when the next is due, wherever that one starts")
    func replaceAcrossRunners() async throws {
        let cluster = try await Cluster()
        let effects = cluster.effects.path
        try cluster.write("latest", """
            schedule: "*/2 * * * * *"
            concurrency: replace
            run: "echo $(date +%s.%N) start $ALMANAC_SCHEDULED_AT $PPID >> \(effects); trap 'echo $(date +%s.%N) stop $ALMANAC_SCHEDULED_AT >> \(effects); exit 0' TERM; sleep 30 & wait"
            """)
        let runners = try (0..<2).map { try cluster.launch($0, ["--for", "9s", "--drain-timeout", "1s"]) }
        for runner in runners { runner.waitUntilExit() }
        let lines = cluster.effectLines()
        let starts = lines.filter { $0.contains(" start ") }.map { $0.split(separator: " ") }
        let stops = Dictionary(lines.filter { $0.contains(" stop ") }.map { $0.split(separator: " ") }.map { (String($0[2]), Double($0[0]) ?? 0) },
                               uniquingKeysWith: { first, _ in first })
        #expect(starts.count >= 3, "\(lines)\n\(cluster.log)")
        #expect(Set(starts.map { $0[2] }).count == starts.count, "an occurrence started twice: \(lines)")
        // Each attempt but the last was stopped by its own runner within a moment of the next one's start.
        for (previous, next) in zip(starts, starts.dropFirst()) {
            guard let stopped = stops[String(previous[2])], let started = Double(next[0]) else {
                Issue.record("\(previous[2]) was not stopped when \(next[2]) started: \(lines)")
                continue
            }
            #expect(abs(stopped - started) < 0.5, "\(previous[2]) stopped \(stopped - started) s after the next started")
        }
        let journal = try await cluster.journal()
        let history = (await journal.state()).jobs["latest"]?.history ?? []
        try await journal.close()
        let replaced = history.filter { $0.metrics.errorClass == .replaced }
        #expect(replaced.count >= starts.count - 1, "\(history.map { ($0.key.scheduledAt, $0.metrics.errorClass as Any) })")
        // Which runner wins the next claim is a race (the replacing one first waits for its child).
        print("replace across runners: attempts on \(Set(starts.map { $0[3] }).count) runner(s)")
    }

    @Test("PostgreSQL restarted under a running cluster: the runners reconnect in place, none exits, none runs an occurrence twice")
    func databaseRestart() async throws {
        let cluster = try await Cluster()
        let runners = try await cluster.startTicking(window: "1h")
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        try TestPostgres.shared().restart()
        let restarted = cluster.effectLines().count
        try await Task.sleep(for: .seconds(5))
        let alive = runners.allSatisfy(\.isRunning)
        #expect(alive, "a runner exited on a restart: \(cluster.log)")
        #expect(cluster.effectLines().count >= restarted + 3, "\(cluster.effectLines())")
        let keys = cluster.effectLines().map { String($0.split(separator: " ")[0]) }
        #expect(Set(keys).count == keys.count, "an attempt ran twice: \(keys)")
        for runner in runners { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
        for runner in runners { #expect(runner.terminationStatus == 0) }
        // Every second from the first run to the last was started or skipped: none lost.
        let settled = try await cluster.settled("tick")
        #expect(Cluster.lost(settled).isEmpty, "lost: \(Cluster.lost(settled))")
    }

    @Test("every database session terminated again and again: the runners reconnect in place, none exits, nothing runs twice or is lost")
    func connectionsKilled() async throws {
        let cluster = try await Cluster()
        let runners = try await cluster.startTicking(window: "1h")
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        for _ in 0..<8 {
            try TestPostgres.shared().psql("""
                SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                WHERE datname = '\(cluster.url.database)' AND pid <> pg_backend_pid()
                """)
            try await Task.sleep(for: .milliseconds(700))
        }
        try await Task.sleep(for: .seconds(2))
        let alive = runners.allSatisfy(\.isRunning)
        #expect(alive, "a runner exited: \(cluster.log)")
        for runner in runners { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
        let keys = cluster.effectLines().map { String($0.split(separator: " ")[0]) }
        #expect(Set(keys).count == keys.count, "an attempt ran twice: \(keys)")
        let settled = try await cluster.settled("tick")
        #expect(Cluster.lost(settled).isEmpty, "lost: \(Cluster.lost(settled))")
        print("connections killed: \(cluster.log.components(separatedBy: "trying once more").count - 1) write(s) retried")
    }

    @Test("the database down for 15 s: the runner says not ready with the reason, fences itself (exit 75), starts again once it is back and catches the outage up, each second once")
    func databaseOutage() async throws {
        let cluster = try await Cluster()
        try cluster.write("tick", """
            schedule: "* * * * * *"
            concurrency: allow
            catchup: {window: 1h, policy: all}
            run: "echo $ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT $PPID >> \(cluster.effects.path)"
            """)
        let port = try ListenTests.freePort()
        var runner = try cluster.launch(0, ["--listen", "127.0.0.1:\(port)"])
        defer { if runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        _ = try await cluster.waitForEffects(2)
        try TestPostgres.shared().down()
        var reason = ""
        let down = ContinuousClock.now
        while reason.isEmpty, ContinuousClock.now - down < .seconds(6) {
            try await Task.sleep(for: .milliseconds(200))
            if let ready = await RepoListenTests.request("http://127.0.0.1:\(port)/readyz"), ready.status == 503 { reason = ready.text }
        }
        #expect(reason.contains("database unreachable since"), "\(reason)")
        runner.waitUntilExit()
        // Fenced about 5 s in; the wind-down's statements get 2 s each (they once got 10 s: 51 s in all).
        let exited = ContinuousClock.now - down
        #expect(exited < .seconds(30), "exited \(exited) after the database went down")
        print("database outage: exited \(exited) after the database went down")
        #expect(runner.terminationStatus == 75, "\(cluster.log)")
        try await Task.sleep(until: down + .seconds(15))
        try TestPostgres.shared().up()
        runner = try cluster.launch(0)
        try await cluster.waitForLog("running 1 job(s)", count: 2)
        print("database outage: running again \(ContinuousClock.now - down) after the database went down")
        try await Task.sleep(for: .seconds(2))
        kill(runner.processIdentifier, SIGTERM)
        runner.waitUntilExit()
        let keys = cluster.effectLines().map { String($0.split(separator: " ")[0]) }
        #expect(Set(keys).count == keys.count, "an attempt ran twice: \(keys)")
        let settled = try await cluster.settled("tick")
        #expect(Cluster.lost(settled).isEmpty, "lost: \(Cluster.lost(settled))")
        #expect(settled.count >= 18, "\(settled.count) settled")
    }

    @Test("the whole cluster stopped mid-schedule and started again: the outage is caught up from the journal once, older than the window journaled missed")
    func catchUpAfterClusterRestart() async throws {
        let cluster = try await Cluster()
        var runners = try await cluster.startTicking(window: "3s")
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        for runner in runners { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
        let stopped = Date()
        try await Task.sleep(for: .seconds(8))
        runners = try (0..<2).map { try cluster.launch($0) }
        try await cluster.waitForLog("running 1 job(s)", count: 4)
        try await Task.sleep(for: .seconds(3))
        for runner in runners { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }

        let keys = cluster.effectLines().map { String($0.split(separator: " ")[0]) }
        #expect(Set(keys).count == keys.count, "an occurrence ran twice: \(keys)")
        let events = try await cluster.events().filter { $0.job == "tick" }
        let settled = events.filter { $0.type == .started || $0.type == .skipped }
        let seconds = settled.compactMap { $0.scheduledAt.map { Int($0.timeIntervalSince1970) } }
        #expect(Set(seconds).count == seconds.count, "an occurrence was settled twice")
        #expect(Cluster.lost(settled).isEmpty, "lost: \(Cluster.lost(settled))")
        // Of the 8 s outage, what lies beyond the 3 s window is journaled missed, once; the rest ran as catch-ups.
        let missed = settled.filter { $0.type == .skipped && $0.scheduledAt.map { $0 > stopped } == true }
        #expect(missed.count >= 3, "\(settled.map { ($0.type, $0.scheduledAt as Any) })")
        let caughtUp = events.filter { $0.type == .started && $0.triggeredBy == "catchup" }
        #expect(caughtUp.count >= 2, "\(events.filter { $0.type == .started }.map { $0.triggeredBy as Any })")
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
        // `status` shows what each runner fires: the follower holds one job back.
        let (status, out, err) = try almanac(["status", "--path", cluster.jobs.path, "--database", cluster.databaseText])
        #expect(status == 0, "\(err)")
        #expect(out.contains("FIRES") && out.contains("files (1 differ)"), "\(out)")
    }
}

/// A job directory, one state directory and one log per runner, a fresh database (the chaos suite's too).
struct Cluster {
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

    /// Two runners on `tick`, an every-second job with catch-up `all` within `window`, once both run it.
    func startTicking(window: String) async throws -> [Process] {
        try write("tick", """
            schedule: "* * * * * *"
            concurrency: allow
            catchup: {window: \(window), policy: all}
            run: "echo $ALMANAC_SCHEDULED_AT#$ALMANAC_ATTEMPT $PPID >> \(effects.path)"
            """)
        let runners = try (0..<2).map { try launch($0) }
        try await waitForLog("running 1 job(s)", count: 2)
        _ = try await waitForEffects(2)
        return runners
    }

    /// `job`'s started and skipped events: each occurrence settled.
    func settled(_ job: String) async throws -> [JournalEvent] {
        try await events().filter { $0.job == job && ($0.type == .started || $0.type == .skipped) }
    }

    /// The seconds between the first and the last settled occurrence that none settled.
    static func lost(_ settled: [JournalEvent]) -> [Int] {
        let seconds = Set(settled.compactMap { $0.scheduledAt.map { Int($0.timeIntervalSince1970) } })
        guard let first = seconds.min(), let last = seconds.max() else { return [] }
        return Set(first...last).subtracting(seconds).sorted()
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

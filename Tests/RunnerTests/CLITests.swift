import Foundation
import Journal
import JournalTestSupport
import Testing

/// Runs `almanac` to completion and returns (exit status, stdout, stderr).
func almanac(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> (Int32, String, String) {
    let process = Process()
    process.executableURL = try almanacBinary()
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, stdout, stderr)
}

@Suite("the almanac command line", .serialized)
struct CLITests {
    @Test("next prints RFC 3339 times with the zone's offset, across the spring-forward gap")
    func next() throws {
        let (status, out, _) = try almanac(["next", "30 2 * * *", "--tz", "America/New_York",
                                            "--from", "2026-03-06T00:00:00-05:00", "--count", "4"])
        #expect(status == 0)
        #expect(out == "2026-03-06T02:30:00-05:00\n2026-03-07T02:30:00-05:00\n2026-03-08T03:00:00-04:00\n2026-03-09T02:30:00-04:00\n")
    }

    @Test("next and explain reject a bad expression with the field and reason, exit 1")
    func badExpression() throws {
        let (status, out, err) = try almanac(["next", "61 * * * *"])
        #expect(status == 1)
        #expect(out.isEmpty)
        #expect(err == "error: minute field: 61 is out of range 0-59\n")
        let (explainStatus, _, explainErr) = try almanac(["explain", "0 0 30 2 *"])
        #expect(explainStatus == 1)
        #expect(explainErr.contains("never fires"))
    }

    @Test("explain describes a schedule in words")
    func explain() throws {
        let (status, out, _) = try almanac(["explain", "0 9 * * 1-5", "--tz", "America/New_York"])
        #expect(status == 0)
        #expect(out == "At 09:00, Monday through Friday, in America/New_York\n")
    }

    @Test("validate prints path:line:col per problem in every file and exits 1; a valid tree exits 0")
    func validate() throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs.d")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try "name: good\nschedule: \"@daily\"\nrun: [\"true\"]\n".write(to: jobs.appendingPathComponent("good.yaml"), atomically: true, encoding: .utf8)
        try "name: bad\nschedule: \"61 * * * *\"\nrun: [\"true\"]\n".write(to: jobs.appendingPathComponent("bad.yaml"), atomically: true, encoding: .utf8)
        try "name: worse\nschedul: \"@daily\"\nrun: [\"true\"]\n".write(to: jobs.appendingPathComponent("worse.yml"), atomically: true, encoding: .utf8)
        let (status, out, _) = try almanac(["validate", "jobs.d"], in: temp.url)
        #expect(status == 1)
        let lines = out.split(separator: "\n").map(String.init)
        #expect(lines.contains("jobs.d/bad.yaml:2:11: error: schedule: minute field: 61 is out of range 0-59"))
        #expect(lines.contains { $0.hasPrefix("jobs.d/worse.yml:2:1: error: unknown key `schedul`") && $0.contains("did you mean `schedule`") })
        try FileManager.default.removeItem(at: jobs.appendingPathComponent("bad.yaml"))
        try FileManager.default.removeItem(at: jobs.appendingPathComponent("worse.yml"))
        let (okStatus, okOut, _) = try almanac(["validate", "jobs.d", "--format", "json"], in: temp.url)
        #expect(okStatus == 0)
        let object = try JSONSerialization.jsonObject(with: Data(okOut.utf8)) as? [String: Any]
        #expect(object?["valid"] as? Bool == true)
        #expect(object?["jobs"] as? Int == 1)
    }

    @Test("plan exits 2 with changes, 0 after a run applied them, 1 with errors")
    func planExitCodes() throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs.d")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        let file = jobs.appendingPathComponent("a.yaml")
        try "name: nightly\nschedule: \"0 3 * * *\"\nrun: [\"true\"]\n".write(to: file, atomically: true, encoding: .utf8)
        let (first, firstOut, _) = try almanac(["plan", "jobs.d"], in: temp.url)
        #expect(first == 2)
        #expect(firstOut.hasPrefix("Plan: 1 to add, 0 to change, 0 to remove."))
        let (ran, _, runErr) = try almanac(["run", "jobs.d", "--for", "1s"], in: temp.url)
        #expect(ran == 0, "run failed: \(runErr)")
        let (again, againOut, _) = try almanac(["plan", "jobs.d"], in: temp.url)
        #expect(again == 0, "\(againOut)")
        try "name: nightly\nschedule: \"30 4 * * *\"\nrun: [\"true\"]\n".write(to: file, atomically: true, encoding: .utf8)
        let (changed, changedOut, _) = try almanac(["plan", "jobs.d", "--format", "json"], in: temp.url)
        #expect(changed == 2)
        let plan = try JSONSerialization.jsonObject(with: Data(changedOut.utf8)) as? [String: Any]
        let change = (plan?["changes"] as? [[String: Any]])?.first
        #expect(change?["action"] as? String == "change")
        #expect((change?["oldNextFires"] as? [String])?.first?.hasSuffix("T03:00:00Z") == true)
        #expect((change?["newNextFires"] as? [String])?.first?.hasSuffix("T04:30:00Z") == true)
        try "name: nightly\nschedule: \"99 4 * * *\"\nrun: [\"true\"]\n".write(to: file, atomically: true, encoding: .utf8)
        let (broken, _, _) = try almanac(["plan", "jobs.d"], in: temp.url)
        #expect(broken == 1)
    }

    @Test("trigger hands a manual run to the running runner, journaled with triggeredBy")
    func triggerRunningRunner() async throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs")
        let state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try "name: manual-only\nrun: [\"true\"]\n".write(to: jobs.appendingPathComponent("m.yaml"), atomically: true, encoding: .utf8)
        let process = try launchAlmanac(["run", jobs.path, "--state", state.path, "--for", "4s"], log: temp.url.appendingPathComponent("log"))
        try await Task.sleep(for: .milliseconds(1200))
        let (status, out, _) = try almanac(["trigger", "manual-only", "--path", jobs.path, "--state", state.path])
        #expect(status == 0)
        #expect(out == "queued: manual-only\n")
        process.waitUntilExit()
        let events = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        let started = try #require(events.first { $0.type == .started && $0.job == "manual-only" })
        #expect(started.triggeredBy == "manual")
        #expect(events.contains { $0.type == .triggered && $0.triggeredBy?.rawValue.hasPrefix("cli:") == true })
        let (historyStatus, history, _) = try almanac(["history", "manual-only", "--state", state.path, "--format", "json"])
        #expect(historyStatus == 0)
        #expect(history.contains("\"outcome\" : \"success\""))
    }
}

@Suite("reloading a watched directory", .serialized)
struct ReloadTests {
    @Test("an edit is applied within a second; a broken file keeps its last good version firing")
    func editAndBreak() async throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs")
        let state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        let file = jobs.appendingPathComponent("tick.yaml")
        try "name: tick\nschedule: \"* * * * * *\"\nrun: [\"true\"]\n".write(to: file, atomically: true, encoding: .utf8)
        let process = try launchAlmanac(["run", jobs.path, "--state", state.path, "--for", "9s"], log: temp.url.appendingPathComponent("log"))
        try await Task.sleep(for: .milliseconds(1500))
        let added = Date()
        try "name: tock\nrun: [\"true\"]\n".write(to: jobs.appendingPathComponent("tock.yaml"), atomically: true, encoding: .utf8)
        try await Task.sleep(for: .milliseconds(1500))
        let broken = Date()
        try "name: tick\nschedule: \"99 * * * * *\"\nrun: [\"true\"]\n".write(to: file, atomically: true, encoding: .utf8)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let events = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        let tock = try #require(events.first { $0.type == .applied && $0.job == "tock" })
        // inotify + a 200 ms debounce: well under a second; 2 s leaves room for a loaded machine.
        #expect(tock.at.timeIntervalSince(added) < 2, "applied \(tock.at.timeIntervalSince(added)) s after the write")
        #expect(events.contains { $0.type == .diagnostics && ($0.messages ?? []).contains { $0.contains("tick.yaml:2:11") } })
        // The last good `tick` keeps firing after the file broke.
        let later = events.filter { $0.type == .started && $0.job == "tick" && $0.at > broken.addingTimeInterval(1) }
        #expect(later.count >= 1)
        #expect(!events.contains { $0.type == .removed && $0.job == "tick" })
    }
}

@Suite("the runner with its HTTP server", .serialized)
struct ListenTests {
    /// A free port on 127.0.0.1, picked by binding to port 0.
    static func freePort() throws -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return UInt16(bigEndian: address.sin_port)
    }

    @Test("SIGTERM drains the same way with and without --listen: the running job finishes, no fire starts after the signal, the journal ends with runnerStopped, exit 0",
          arguments: [false, true])
    func sigtermDrains(listening: Bool) async throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs")
        let state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try "name: slow\nschedule: \"* * * * * *\"\nrun: [\"sleep\", \"1.5\"]\n"
            .write(to: jobs.appendingPathComponent("slow.yaml"), atomically: true, encoding: .utf8)
        let port = try Self.freePort()
        let log = temp.url.appendingPathComponent("runner.log")
        let process = try launchAlmanac(["run", jobs.path, "--state", state.path] + (listening ? ["--listen", "127.0.0.1:\(port)"] : []),
                                        log: log)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        if listening {
            var jobsJSON: [[String: Any]] = []
            for _ in 0..<40 where jobsJSON.isEmpty {
                try await Task.sleep(for: .milliseconds(100))
                if let data = try? Data(contentsOf: URL(string: "http://127.0.0.1:\(port)/api/v1/jobs")!),
                   let object = try? JSONSerialization.jsonObject(with: data) {
                    jobsJSON = (object as? [[String: Any]]) ?? ((object as? [String: Any])?["jobs"] as? [[String: Any]]) ?? []
                }
            }
            #expect(jobsJSON.contains { $0["name"] as? String == "slow" })
        }
        // Wait until an attempt runs, so the signal lands mid-job.
        for _ in 0..<50 {
            let events = (try? FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))) ?? []
            if events.filter({ $0.type == .started }).count > events.filter({ $0.type == .finished }).count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        // `started` is written 50 ms ahead of the instant (the claim); 300 ms on, the child runs
        // and the next claim is still 600 ms away. (A claim not yet launched at the signal is
        // journaled `interrupted: shutdown`, as it should be, but it is not what this test asks.)
        try await Task.sleep(for: .milliseconds(300))
        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text(log) ?? "")")
        let events = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        let started = events.filter { $0.type == .started }
        let finished = events.filter { $0.type == .finished }
        #expect(!started.isEmpty)
        #expect(finished.count == started.count, "every started attempt finished in the drain")
        #expect(finished.allSatisfy { $0.outcome == "success" }, "\(finished.map { ($0.outcome ?? "?", $0.errorClass ?? "", $0.message ?? "") })")
        #expect(started.allSatisfy { $0.at < signalled.addingTimeInterval(0.05) })
        #expect(events.last?.type == .runnerStopped)
        let said = text(log) ?? ""
        #expect(said.contains("almanac: shutting down: no new fires, draining"), "\(said)")
        #expect(said.contains("almanac: stopped"), "\(said)")
    }

    @Test("SIGTERM waits for the notifications of attempts that ended in the drain: the webhook gets the failure and the journal records the delivery before runnerStopped")
    func drainDeliversNotifications() async throws {
        let server = try await TestHTTPServer()
        server.script("/hook", .delayed(.seconds(1), .ok()))
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs"), state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try """
            name: flaky
            schedule: "*/3 * * * * *"
            run: ["sh", "-c", "sleep 0.6; exit 3"]
            notify: [{on: [failure], webhook: "\(server.url("/hook"))"}]

            """.write(to: jobs.appendingPathComponent("flaky.yaml"), atomically: true, encoding: .utf8)
        let log = temp.url.appendingPathComponent("runner.log")
        let process = try launchAlmanac(["run", jobs.path, "--state", state.path], log: log)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // Wait until an attempt runs, then signal while it does: it ends (exit 3) in the drain.
        var running = false
        for _ in 0..<80 where !running {
            try await Task.sleep(for: .milliseconds(100))
            let events = (try? FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))) ?? []
            running = events.filter { $0.type == .started }.count > events.filter { $0.type == .finished }.count
        }
        #expect(running)
        try await Task.sleep(for: .milliseconds(250))
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text(log) ?? "")")
        let events = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        let failed = events.filter { $0.type == .finished && $0.outcome == "failure" }
        #expect(!failed.isEmpty, "\(events.map(\.type))")
        #expect(server.requests(to: "/hook").count == failed.count)
        let stopped = try #require(events.lastIndex { $0.type == .runnerStopped })
        let notified = events.indices.filter { events[$0].type == .notified && events[$0].outcome == "delivered" }
        #expect(notified.count == failed.count, "\(events.filter { $0.type == .notified }.map { ($0.outcome ?? "", $0.message ?? "") })")
        #expect(notified.allSatisfy { $0 < stopped })
    }
}

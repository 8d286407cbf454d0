import Foundation
import Journal
import Scheduler
import Processes
import Publishing
import Daemon
import JournalTestSupport
import Testing

/// Exit codes, log levels and status that tell the truth, through the real binary.
@Suite("exit codes, log levels and status that do not lie", .serialized)
struct HonestCLITests {
    static func write(_ text: String, _ url: URL) throws {
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test("trigger of an unknown name exits 1 with `error: no job named …`; a known one is queued")
    func triggerUnknown() throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try Self.write("name: known\nschedule: \"0 0 1 1 *\"\nrun: [\"true\"]\n", jobs.appendingPathComponent("known.yaml"))
        let state = temp.url.appendingPathComponent("state").path
        let (status, out, err) = try almanac(["trigger", "nosuch", "--path", jobs.path, "--state", state])
        #expect(status == 1)
        #expect(out.isEmpty)
        #expect(err.contains("error: no job named 'nosuch'"), "\(err)")
        let (known, knownOut, _) = try almanac(["trigger", "known", "--path", jobs.path, "--state", state])
        #expect(known == 0)
        #expect(knownOut == "queued: known\n")
    }

    @Test("--version prints the one version constant and exits 0")
    func version() throws {
        let (status, out, _) = try almanac(["--version"])
        #expect(status == 0)
        #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == AlmanacVersion.current)
    }

    @Test("--log-level warning --log-format json: the failed run and the file error, not the successes")
    func logLevels() throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try Self.write("name: fine\nschedule: \"* * * * * *\"\nrun: [\"true\"]\n", jobs.appendingPathComponent("fine.yaml"))
        try Self.write("name: fails\nschedule: \"* * * * * *\"\nrun: [\"false\"]\n", jobs.appendingPathComponent("fails.yaml"))
        try Self.write("name: broken\nschedule: \"not a schedule\"\nrun: [\"true\"]\n", jobs.appendingPathComponent("broken.yaml"))
        let log = temp.url.appendingPathComponent("runner.log")
        let process = try launchAlmanac(["run", jobs.path, "--state", temp.url.appendingPathComponent("state").path,
                                         "--for", "2500ms", "--log-level", "warning", "--log-format", "json"], log: log)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = (text(log) ?? "").split(separator: "\n").map(String.init)
        let objects = lines.compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
        }
        #expect(objects.count == lines.count, "every line is JSON: \(lines)")
        let levels = objects.compactMap { $0["level"] as? String }
        let messages = objects.compactMap { $0["message"] as? String }
        #expect(levels.allSatisfy { ["warning", "error", "critical"].contains($0) }, "\(levels)")
        #expect(objects.contains { ($0["message"] as? String)?.contains("fails@") == true && $0["level"] as? String == "warning" },
                "\(messages)")
        #expect(objects.contains { ($0["message"] as? String)?.contains("broken.yaml") == true && $0["level"] as? String == "error" },
                "\(messages)")
        #expect(!messages.contains { $0.contains("fine@") }, "successes and starts are info: \(messages)")
    }

    @Test("status says when no runner is up and shows what a killed runner left as interrupted?, not running")
    func statusWithoutRunner() async throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs")
        let state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        let pidFile = temp.url.appendingPathComponent("child.pid")
        try Self.write("name: long\nschedule: \"* * * * * *\"\nrun: \"echo $$ > \(pidFile.path); exec sleep 30\"\n",
                       jobs.appendingPathComponent("long.yaml"))
        let process = try launchAlmanac(["run", jobs.path, "--state", state.path], log: temp.url.appendingPathComponent("runner.log"))
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        var child: Int32?
        for _ in 0..<100 where child == nil {
            try await Task.sleep(for: .milliseconds(100))
            child = text(pidFile).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        let pid = try #require(child)
        // Killed with its process group left behind: stop the orphaned `sleep` whatever happens.
        defer { kill(-pid, SIGKILL) }

        let (upStatus, upJSON, _) = try almanac(["status", "--path", jobs.path, "--state", state.path, "--format", "json"])
        #expect(upStatus == 0)
        let up = try #require(try JSONSerialization.jsonObject(with: Data(upJSON.utf8)) as? [String: Any])
        #expect(up["runnerUp"] as? Bool == true)
        let (_, upText, _) = try almanac(["status", "--path", jobs.path, "--state", state.path])
        #expect(upText.contains("running"))
        #expect(!upText.contains("no runner is up"))

        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let (status, out, _) = try almanac(["status", "--path", jobs.path, "--state", state.path])
        #expect(status == 0)
        #expect(out.hasPrefix("no runner is up (last seen 20"), "\(out)")
        #expect(out.contains("interrupted? (runner not up)"), "\(out)")
        let (_, json, _) = try almanac(["status", "--path", jobs.path, "--state", state.path, "--format", "json"])
        let down = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(down["runnerUp"] as? Bool == false)
        #expect(down["runnerLastSeen"] is String)
        let job = (down["jobs"] as? [[String: Any]])?.first { $0["name"] as? String == "long" }
        #expect(job?["running"] as? Int == 0)
        #expect(job?["runningUnknown"] as? Int == 1)
    }

    @Test("status --repo reads the job files from the repository's branch")
    func statusFromRepository() async throws {
        let fixture = try RepoFixture()
        try await fixture.push(["jobs.d/nightly.yaml": "name: nightly\nschedule: \"0 3 * * *\"\nrun: [\"true\"]\n"])
        let (status, out, err) = try almanac(["status", "--repo", fixture.remoteURL.path, "--branch", "main",
                                              "--state", fixture.state.path, "--format", "json"])
        #expect(status == 0, "\(err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let names = (report["jobs"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["nightly"])
        #expect(report["runnerUp"] as? Bool == false)
        let (missing, _, missingErr) = try almanac(["status", "--repo", fixture.remoteURL.path, "--branch", "nosuch",
                                                    "--state", fixture.state.path])
        #expect(missing == 1)
        #expect(missingErr.hasPrefix("error: "))
    }
}

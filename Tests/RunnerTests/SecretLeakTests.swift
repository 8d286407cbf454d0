import Foundation
import Journal
import JournalTestSupport
import Testing

/// Every regular file under `directory`, as text, by path.
func filesText(under directory: URL) -> [String: String] {
    var out: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey])
    while let url = enumerator?.nextObject() as? URL {
        guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
              let data = try? Data(contentsOf: url) else { continue }
        out[url.path] = String(decoding: data, as: UTF8.self)
    }
    return out
}

@Suite("no ${VAR} value in anything almanac writes", .serialized)
struct SecretLeakTests {
    @Test("a secret printed by a job, split across two writes, a ${DIR} workdir and a ${BIN} that fails to spawn: only *** and templates reach logs, tails, journal, status, plan and the runner's own log")
    func nothingLeaks() async throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs.d")
        let state = temp.url.appendingPathComponent("state")
        let status = temp.url.appendingPathComponent("status")
        let privateDir = temp.url.appendingPathComponent("private-dir-7f3a")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: privateDir, withIntermediateDirectories: true)
        let hooks = try await TestHTTPServer()
        let secrets = ["SECRET": "hunter22-token", "SPLIT": "secret", "DIR": privateDir.path, "BIN": "/nonexistent/bin-x9q2",
                       "HOOK": hooks.url("/hook-k8w1").absoluteString]
        let file = jobs.appendingPathComponent("leaky.yaml")
        try """
            name: leaky
            schedule: "* * * * * *"
            run: ["sh", "-c", "echo token=$TOKEN; printf 'sec'; sleep 0.1; printf 'ret\\\\n'; echo \\"$TOKEN\\" >&2; exit 1"]
            env: {TOKEN: "${SECRET}", SPLIT: "${SPLIT}"}
            notify: {on: [failure], webhook: "${HOOK}"}
            ---
            name: where
            schedule: "* * * * * *"
            run: ["pwd"]
            workdir: "${DIR}"
            ---
            name: missing-bin
            schedule: "* * * * * *"
            run: ["${BIN}", "--flag"]
            """.write(to: file, atomically: true, encoding: .utf8)
        let (ran, runOut, runErr) = try await offThePool {
            try almanac(["run", jobs.path, "--state", state.path, "--status-dir", status.path, "--status-interval", "1s", "--for", "3s"],
                        environment: secrets)
        }
        #expect(ran == 0, "\(runErr)")

        let journal = try FileJournal.replay(file: state.appendingPathComponent("journal.jsonl")).state
        let leaky = try #require(journal.jobs["leaky"]?.history.last)
        #expect(leaky.outputTail?.contains("token=***\n***\n") == true, "\(leaky.outputTail ?? "")")
        let logPath = try #require(leaky.logPath)
        #expect(text(URL(fileURLWithPath: logPath))?.contains("token=***\n***\n***\n") == true)
        #expect(journal.jobs["where"]?.history.last?.metrics.outputTail == "***\n")
        #expect(journal.jobs["where"]?.applied?.fields["workdir"] == "${DIR}")
        let spawn = try #require(journal.jobs["missing-bin"]?.history.last)
        #expect(spawn.outputTail == "cannot run ${BIN}: No such file or directory", "\(spawn.outputTail ?? "")")

        // Plans show templates: change the workdir and plan the change.
        try String(decoding: try Data(contentsOf: file), as: UTF8.self)
            .replacingOccurrences(of: "workdir: \"${DIR}\"", with: "workdir: \"${DIR}/sub\"")
            .write(to: file, atomically: true, encoding: .utf8)
        let (planned, plan, planErr) = try almanac(["plan", jobs.path, "--state", state.path, "--format", "json"], environment: secrets)
        #expect(planned == 2, "\(planErr)")
        #expect(plan.contains(#""new" : "${DIR}\/sub""#))

        // The failure notification carries the masked tail.
        let notified = hooks.requests(to: "/hook-k8w1")
        #expect(!notified.isEmpty)
        #expect((notified.first?.json?["outputTail"] as? String)?.contains("token=***") == true)

        var written = filesText(under: state).merging(filesText(under: status)) { $1 }
        for (index, request) in notified.enumerated() { written["notification \(index)"] = String(decoding: request.body, as: UTF8.self) }
        #expect(written.keys.contains { $0.hasSuffix("status/leaky.json") })
        written["runner stdout"] = runOut
        written["runner stderr"] = runErr
        written["plan"] = plan + planErr
        for (name, content) in written {
            // Also as JSON writers escape it (`\/tmp\/…`).
            for value in secrets.values + secrets.values.map({ $0.replacingOccurrences(of: "/", with: "\\/") }) {
                #expect(!content.contains(value), "\(name) contains \(value)")
            }
        }
    }

    @Test("an unset ${VAR} is a warning for validate and plan (exit unaffected), and run refuses the version while the last good one keeps running")
    func unsetVariable() throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs.d")
        let state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        let file = jobs.appendingPathComponent("a.yaml")
        let good = "name: tick\nschedule: \"* * * * * *\"\nrun: [\"echo\", \"v1\"]\n"
        try good.write(to: file, atomically: true, encoding: .utf8)
        let (first, _, firstErr) = try almanac(["run", jobs.path, "--state", state.path, "--for", "2s"], environment: [:])
        #expect(first == 0, "\(firstErr)")
        let journalFile = state.appendingPathComponent("journal.jsonl")
        let before = try FileJournal.replay(file: journalFile).state.jobs["tick"]
        let goodHash = try #require(before?.applied?.hash)

        try "name: tick\nschedule: \"* * * * * *\"\nrun: [\"echo\", \"${ALMANAC_TEST_NOT_SET}\"]\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let warning = "a.yaml:3:16: warning: environment variable ALMANAC_TEST_NOT_SET is not set here; the runner needs it"
        let (valid, validOut, validErr) = try almanac(["validate", "jobs.d"], in: temp.url, environment: [:])
        #expect(valid == 0, "\(validOut)\(validErr)")
        #expect(validOut == "jobs.d/" + warning + "\n")
        let (planned, planOut, _) = try almanac(["plan", "jobs.d", "--state", state.path], in: temp.url, environment: [:])
        #expect(planned == 2)
        #expect(planOut.contains("jobs.d/" + warning))
        #expect(planOut.contains("${ALMANAC_TEST_NOT_SET}"))

        let (second, _, secondErr) = try almanac(["run", jobs.path, "--state", state.path, "--for", "2s"], environment: [:])
        #expect(second == 0, "\(secondErr)")
        #expect(secondErr.contains("a.yaml:3:16: error: run[1]: environment variable `ALMANAC_TEST_NOT_SET` is not set"))
        let after = try #require(try FileJournal.replay(file: journalFile).state.jobs["tick"])
        #expect(after.applied?.hash == goodHash)
        #expect(after.history.count > before?.history.count ?? 0)
        #expect(after.history.last?.metrics.outputTail == "v1\n")
    }
}

import Foundation
import Testing

@Suite("after: on the command line", .serialized)
struct AfterCLITests {
    @Test("validate rejects a cycle with positions; plan and status show the edges both ways; a run runs the dependent")
    func edges() throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs.d")
        let state = temp.url.appendingPathComponent("state").path
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        let file = jobs.appendingPathComponent("a.yaml")
        try """
            name: first
            run: ["true"]
            after: [second]
            ---
            name: second
            run: ["true"]
            after: [first]
            """.write(to: file, atomically: true, encoding: .utf8)
        let (invalid, invalidOut, invalidMessages) = try almanac(["validate", "jobs.d"], in: temp.url)
        let invalidErr = invalidOut + invalidMessages
        #expect(invalid == 1)
        #expect(invalidErr.contains("a.yaml:3:8: error: after: cycle first → second → first"), "\(invalidErr)")
        #expect(invalidErr.contains("a.yaml:7:8: error: after: cycle second → first → second"), "\(invalidErr)")

        try """
            name: first
            schedule: "* * * * * *"
            run: ["true"]
            ---
            name: second
            run: ["true"]
            after: [first]
            """.write(to: file, atomically: true, encoding: .utf8)
        let (valid, _, validErr) = try almanac(["validate", "jobs.d"], in: temp.url)
        #expect(valid == 0, "\(validErr)")
        let (planned, planOut, _) = try almanac(["plan", "jobs.d", "--state", state], in: temp.url)
        #expect(planned == 2)
        #expect(planOut.contains("+ second (job, add)"))
        #expect(planOut.contains("    after: first"), "\(planOut)")

        let (ran, _, runErr) = try almanac(["run", "jobs.d", "--state", state, "--for", "2500ms"], in: temp.url)
        #expect(ran == 0, "\(runErr)")
        let (_, text, _) = try almanac(["status", "--path", "jobs.d", "--state", state], in: temp.url)
        #expect(text.contains("first: ") && text.contains("then: second"), "\(text)")
        #expect(text.contains("second: ") && text.contains("after: first"), "\(text)")
        #expect(text.contains("After a success of first"), "\(text)")
        let (_, json, _) = try almanac(["status", "--path", "jobs.d", "--state", state, "--format", "json"], in: temp.url)
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let rows = Dictionary(uniqueKeysWithValues: ((report?["jobs"] as? [[String: Any]]) ?? []).map { ($0["name"] as? String ?? "", $0) })
        #expect(rows["first"]?["dependents"] as? [String] == ["second"])
        #expect(rows["second"]?["after"] as? [String] == ["first"])
        #expect(rows["first"]?["after"] == nil)
        let (_, history, _) = try almanac(["history", "second", "--state", state], in: temp.url)
        #expect(history.contains("after:first"), "\(history)")
    }
}

import Foundation
import GitSync
import Journal
import JournalTestSupport
import Manifest
import Scheduler
import Processes
import Publishing
import Daemon
import Testing

@Suite("kind: scan")
struct ScanLauncherTests {
    @Test("activity JSON is exact; the second run sees only new commits; no activity is skipped")
    func scan() async throws {
        let fixture = try RepoFixture(base: utc("2027-01-01T00:00:00Z"))
        let old = GitSignature(name: "Old", email: "old@example.com", time: utc("2026-11-01T00:00:00Z"))
        _ = try await fixture.push(["README.md": "1\n"], message: "Initial commit", by: old)
        let squash = try await fixture.push(["a": "1\n"], message: "Add retries (#34)")
        let feature = try await fixture.push(["b": "1\n"], message: "Fix parser", branch: "feature", by: fixture.signature("Bob"))
        let merge = try await fixture.push([:], message: "Merge pull request #12 from bob/fix-parser\n\nFix the parser\n",
                                           by: fixture.signature("Hub", email: "noreply@example.com"), mergeParents: [feature])
        try await fixture.author.createTag("v1.0", at: merge)
        try await fixture.author.push(refspecs: ["refs/tags/v1.0:refs/tags/v1.0"])

        let out = fixture.temp.url.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let clock = VirtualClock(utc("2027-01-03T00:00:00Z"))
        let journal = try FileJournal(directory: fixture.state)
        let processes = ProcessJobLauncher(root: fixture.temp.url, stateDirectory: fixture.state, environment: ["PATH": "/usr/bin:/bin"])
        let executor = RoutingLauncher(job: processes, scan: ScanLauncher(processes: processes, journal: journal, clock: clock))
        let runner = Runner(clock: clock, journal: journal, launcher: executor)
        try await runner.apply(manifest("""
            kind: scan
            name: digest
            schedule: "0 9 * * 1"
            repo: \(fixture.remoteURL.path)
            branch: main
            run: 'n=$(ls "\(out.path)" | wc -l); cat > "\(out.path)/$n.stdin"; cp "$ALMANAC_ACTIVITY" "\(out.path)/$n.file"'
            """, now: clock.now()))

        func trigger() async throws -> JobState? {
            clock.advance(to: clock.now().addingTimeInterval(60))
            #expect(await runner.trigger("digest"))
            await runner.step()
            #expect(await runner.waitUntilIdle(timeout: .seconds(20)))
            return await journal.state().jobs["digest"]
        }
        var state = try await trigger()
        #expect(state?.history.last?.metrics.outcome == "success")
        #expect(state?.lastSync == merge.hex)
        let t = { (minute: Int) in "2027-01-01T00:0\(minute):00Z" }
        let expected = #"{"branch":"main","commits":["#
            + #"{"author":"Hub","email":"noreply@example.com","id":"\#(merge.hex)","merge":true,"subject":"Merge pull request #12 from bob/fix-parser","time":"\#(t(3))"},"#
            + #"{"author":"Bob","email":"bob@example.com","id":"\#(feature.hex)","merge":false,"subject":"Fix parser","time":"\#(t(2))"},"#
            + #"{"author":"Ada","email":"ada@example.com","id":"\#(squash.hex)","merge":false,"subject":"Add retries (#34)","time":"\#(t(1))"}],"#
            + #""job":"digest","pullRequests":["#
            + #"{"author":"Bob","branch":"bob/fix-parser","commit":"\#(merge.hex)","merge":"mergeCommit","number":12,"time":"\#(t(3))","title":"Fix the parser"},"#
            + #"{"author":"Ada","commit":"\#(squash.hex)","merge":"squash","number":34,"time":"\#(t(1))","title":"Add retries"}],"#
            + #""repo":"\#(fixture.remoteURL.path)","since":"2026-12-27T00:01:00Z","#
            + #""tags":[{"commit":"\#(merge.hex)","name":"v1.0"}],"to":"\#(merge.hex)"}"# + "\n"
        #expect(text(out.appendingPathComponent("0.stdin")) == expected)
        #expect(text(out.appendingPathComponent("0.file")) == expected)

        let next = try await fixture.push(["c": "1\n"], message: "Tweak docs")
        state = try await trigger()
        #expect(state?.lastSync == next.hex)
        let second = try #require(text(out.appendingPathComponent("2.stdin")))
        #expect(second.contains(#""from":"\#(merge.hex)""#))
        #expect(second.contains(#""commits":[{"author":"Ada","email":"ada@example.com","id":"\#(next.hex)""#))
        #expect(second.contains(#""pullRequests":[],"#) && second.contains(#""tags":[]"#))

        state = try await trigger()
        #expect(state?.history.last?.metrics.outcome == "skipped")
        let finished = try events(fixture.state).last { $0.type == .finished }
        #expect(finished?.reason == "no activity")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).count == 4)
        try await journal.close()
    }
}

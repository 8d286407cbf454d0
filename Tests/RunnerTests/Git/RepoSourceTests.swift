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

@Suite("running from a git repository")
struct RepoSourceTests {
    static let jobA = "name: a\nschedule: \"0 3 * * *\"\nrun: [\"true\"]\n"
    static let jobB = "name: b\nschedule: \"@hourly\"\nrun: [\"true\"]\n"

    func applied(_ state: URL) throws -> [JournalEvent] {
        try events(state).filter { $0.type == .applied || $0.type == .removed }
    }

    @Test("a push, a change, a removal and a broken file each apply with their commit id; the broken one keeps the last good version")
    func pushes() async throws {
        let fixture = try RepoFixture()
        let c1 = try await fixture.push(["jobs.d/a.yaml": Self.jobA, "jobs.d/b.yaml": Self.jobB, "README.md": "hi\n"])
        let clock = VirtualClock(utc("2027-01-01T00:00:00Z"))
        let journal = try FileJournal(directory: fixture.state)
        let runner = Runner(clock: clock, journal: journal, launcher: ScriptedLauncher(clock: clock))
        let source = RepoSource(options: .init(url: fixture.remoteURL.path, stateDirectory: fixture.state))

        func poll() async throws -> GitOID? {
            guard case .apply(let manifest, let revision) = try await source.poll(now: clock.now()) else { return nil }
            try await runner.apply(manifest, revision: revision.hex)
            return revision
        }
        #expect(try await poll() == c1)
        #expect(try applied(fixture.state).map { "\($0.type.rawValue) \($0.job ?? "") \($0.revision ?? "-")" }
            == ["applied a \(c1.hex)", "applied b \(c1.hex)"])
        #expect(text(source.jobsRoot.appendingPathComponent("a.yaml")) == Self.jobA)
        #expect(text(source.jobsRoot.appendingPathComponent("../README.md")) == "hi\n")
        guard case .unchanged = try await source.poll(now: clock.now()) else { Issue.record("expected unchanged"); return }

        let changedA = Self.jobA.replacingOccurrences(of: "0 3", with: "30 4")
        let c2 = try await fixture.push(["jobs.d/a.yaml": changedA])
        #expect(try await poll() == c2)
        let c3 = try await fixture.push([:], removing: ["jobs.d/b.yaml"])
        #expect(try await poll() == c3)
        #expect(try applied(fixture.state).dropFirst(2).map { "\($0.type.rawValue) \($0.job ?? "") \($0.revision ?? "-")" }
            == ["applied a \(c2.hex)", "removed b -"])

        let c4 = try await fixture.push(["jobs.d/a.yaml": "name: a\nschedule: \"61 * * * *\"\nrun: [\"true\"]\n"])
        #expect(try await poll() == c4)
        #expect(try applied(fixture.state).count == 4)  // nothing re-applied
        let state = await journal.state()
        #expect(state.jobs["a"]?.applied?.revision == c2.hex)
        #expect(state.jobs["a"]?.applied?.fields["trigger"] == "cron 30 4 * * *")
        #expect(state.diagnostics.first?.hasPrefix("a.yaml:2:11: error: schedule:") == true)
        #expect(runner.lastPlan?.kept == ["a"])
        try await journal.close()
    }

    @Test("commits by the bot or touching only status/ never re-plan; a failed fetch keeps the revision")
    func ownCommits() async throws {
        let fixture = try RepoFixture()
        let c1 = try await fixture.push(["jobs.d/a.yaml": Self.jobA])
        let source = RepoSource(options: .init(url: fixture.remoteURL.path, stateDirectory: fixture.state))
        guard case .apply = try await source.poll(now: Date()) else { Issue.record("expected apply"); return }

        let bot = try await fixture.push(["status/STATUS.md": "# s\n", "jobs.d/notes.txt": "x"],
                                         by: fixture.signature("Almanac", email: "almanac@localhost"))
        guard case .ignored(let tip) = try await source.poll(now: Date()) else { Issue.record("bot commit re-planned"); return }
        #expect(tip == bot)
        _ = try await fixture.push(["status/a.json": "{}\n"], by: fixture.signature("Grace"))
        guard case .ignored = try await source.poll(now: Date()) else { Issue.record("status-only commit re-planned"); return }
        #expect(await source.applied == c1)

        let human = try await fixture.push(["jobs.d/b.yaml": Self.jobB])
        guard case .apply(let manifest, let revision) = try await source.poll(now: Date()) else { Issue.record("expected apply"); return }
        #expect(revision == human)
        #expect(manifest.jobs.map(\.name) == ["a", "b"])

        try FileManager.default.removeItem(at: fixture.remoteURL)
        await #expect(throws: GitError.self) { try await source.poll(now: Date()) }
        #expect(await source.applied == human)
    }
}

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

@Suite("status write-back")
struct StatusWriteBackTests {
    /// A runner on a virtual clock that has applied `a` from the fixture's remote and run it once.
    func ranOnce(_ fixture: RepoFixture) async throws -> (RepoSource, FileJournal, Runner, VirtualClock, Manifest) {
        _ = try await fixture.push(["jobs.d/a.yaml": RepoSourceTests.jobA])
        let clock = VirtualClock(utc("2027-01-01T00:00:00Z"))
        let journal = try FileJournal(directory: fixture.state)
        let runner = Runner(clock: clock, journal: journal, launcher: ScriptedLauncher(clock: clock))
        let source = RepoSource(options: .init(url: fixture.remoteURL.path, stateDirectory: fixture.state))
        guard case .apply(let manifest, let revision) = try await source.poll(now: clock.now()) else {
            throw GitError(code: -1, message: "no apply", function: "test")
        }
        try await runner.apply(manifest, revision: revision.hex)
        try await runner.start()
        await drive(runner, clock, until: utc("2027-01-01T04:00:00Z"))
        return (source, journal, runner, clock, manifest)
    }

    @Test("status lands on the status branch, only when bytes change, and survives a concurrent push")
    func writeBack() async throws {
        let fixture = try RepoFixture()
        let (source, journal, runner, clock, manifest) = try await ranOnce(fixture)
        let sink = GitStatusSink(repository: try await source.open(), branch: "almanac-status",
                                 initialBackoff: .milliseconds(1))
        let writeBack = StatusWriteBack(sink: sink, journal: journal, clock: clock, interval: .milliseconds(10))
        writeBack.update(manifest)
        #expect(try await writeBack.flush())
        let remote = try GitRepository.open(fixture.remoteURL)
        let first = try await remote.resolve("almanac-status")
        let files = try await remote.files(at: first, under: "status")
        #expect(files.keys.sorted() == ["STATUS.md", "a.json"])
        let table = String(decoding: try #require(files["STATUS.md"]), as: UTF8.self)
        #expect(table.contains("| a | At 03:00, in UTC | 2027-01-02T03:00:00Z |"))
        #expect(table.contains("✓ success"))
        let info = try await remote.commitInfo(first)
        #expect(info.author.email == "almanac@localhost" && info.subject == "almanac: status [skip ci]")

        #expect(try await !writeBack.flush())  // nothing changed: no commit
        #expect(try await remote.resolve("almanac-status") == first)

        // Someone else pushes to the status branch; the next write is rebuilt on their commit.
        let other = try await fixture.push(["status/NOTE.md": "kept\n"], branch: "almanac-status")
        await drive(runner, clock, until: utc("2027-01-02T04:00:00Z"))
        #expect(try await writeBack.flush())
        let second = try await remote.resolve("almanac-status")
        #expect(try await remote.commitInfo(second).parents == [other])
        #expect(try await remote.files(at: second, under: "status").keys.sorted() == ["NOTE.md", "STATUS.md", "a.json"])
        let json = String(decoding: try #require(try await remote.files(at: second, under: "status")["a.json"]), as: UTF8.self)
        #expect(json.contains("\"runs\" : 2"))
        try await journal.close()
    }

    @Test("status committed to the watched branch does not re-plan")
    func watchedBranch() async throws {
        let fixture = try RepoFixture()
        let (source, journal, _, clock, manifest) = try await ranOnce(fixture)
        let sink = GitStatusSink(repository: try await source.open(), branch: "main")
        let writeBack = StatusWriteBack(sink: sink, journal: journal, clock: clock)
        writeBack.update(manifest)
        #expect(try await writeBack.flush())
        guard case .ignored = try await source.poll(now: clock.now()) else {
            Issue.record("the bot's own status commit caused a re-plan")
            return
        }
        try await journal.close()
    }

    @Test("a remote pre-receive hook that declines fails the write-back with its reason; once it accepts, post-receive runs")
    func remoteHooks() async throws {
        let fixture = try RepoFixture()
        let (source, journal, _, clock, manifest) = try await ranOnce(fixture)
        let hooks = fixture.remoteURL.appendingPathComponent("hooks")
        let marker = fixture.temp.url.appendingPathComponent("post-receive.txt")
        func install(_ name: String, _ script: String) throws {
            let path = hooks.appendingPathComponent(name)
            try Data(("#!/bin/sh\n" + script).utf8).write(to: path)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path.path)
        }
        try install("pre-receive", "echo 'status branch is read-only today' >&2\nexit 1\n")
        try install("post-receive", "cat > '\(marker.path)'\n")
        let repository = try await source.open()
        let sink = GitStatusSink(repository: repository, branch: "almanac-status", initialBackoff: .milliseconds(1))
        let writeBack = StatusWriteBack(sink: sink, journal: journal, clock: clock)
        writeBack.update(manifest)

        let error = try #require(await #expect(throws: GitError.self) { try await writeBack.flush() })
        #expect("\(error)".contains("pre-receive hook declined"))
        let remote = try GitRepository.open(fixture.remoteURL)
        #expect(try await remote.branchTip("almanac-status") == nil)
        await #expect(throws: GitError.self) { try await repository.resolve("origin/almanac-status") }
        #expect(!FileManager.default.fileExists(atPath: marker.path))

        try FileManager.default.removeItem(at: hooks.appendingPathComponent("pre-receive"))
        #expect(try await writeBack.flush())
        let pushed = try #require(try await remote.branchTip("almanac-status"))
        #expect(text(marker) == "\(String(repeating: "0", count: 40)) \(pushed.hex) refs/heads/almanac-status\n")
        #expect(try await repository.resolve("origin/almanac-status") == pushed)
        try await journal.close()
    }

    @Test("directory mode writes the same files into a directory, rewriting only changed ones")
    func directory() async throws {
        let temp = try TempDirectory()
        let clock = VirtualClock(utc("2027-01-01T00:00:00Z"))
        let journal = try FileJournal(directory: temp.url.appendingPathComponent("state"))
        let runner = Runner(clock: clock, journal: journal, launcher: ScriptedLauncher(clock: clock))
        let desired = manifest(RepoSourceTests.jobA, now: clock.now())
        try await runner.apply(desired)
        let out = temp.url.appendingPathComponent("status")
        let writeBack = StatusWriteBack(sink: DirectoryStatusSink(directory: out), journal: journal, clock: clock)
        writeBack.update(desired)
        #expect(try await writeBack.flush())
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path).sorted() == ["STATUS.md", "a.json"])
        #expect(try await !writeBack.flush())
        try await journal.close()
    }
}

import Foundation
import GitSync
import Testing

@Suite("pushes to a local bare remote run its hooks, as git push does")
struct HookPushTests {
    let spec = ["refs/heads/almanac-status:refs/heads/almanac-status"]

    /// Installs an executable hook script in a bare repository.
    static func install(_ name: String, _ script: String, in repository: URL) throws {
        let hooks = repository.appendingPathComponent("hooks")
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        let path = hooks.appendingPathComponent(name).path
        try Data(("#!/bin/sh\n" + script).utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    /// A state repository whose `origin` is the fixture's bare remote.
    func state(_ fixture: GitFixture) async throws -> GitRepository {
        _ = try GitRepository.initialize(at: fixture.remoteURL, bare: true, initialBranch: "main")
        let state = try GitRepository.initialize(at: fixture.url("state"), bare: true)
        try await state.addRemote("origin", url: fixture.remoteURL.path)
        return state
    }

    @Test("pre-receive, update and post-receive run with git's arguments and input, before the push returns",
          arguments: [3, 200])
    func hooksRun(files count: Int) async throws {
        let fixture = try GitFixture()
        let state = try await state(fixture)
        let log = fixture.url("hooks.log").path
        try Self.install("pre-receive", "sed 's/^/pre-receive /' >> '\(log)'\n", in: fixture.remoteURL)
        try Self.install("update", "echo \"update $1 $2 $3\" >> '\(log)'\n", in: fixture.remoteURL)
        try Self.install("post-receive", "sleep 0.2; sed 's/^/post-receive /' >> '\(log)'\n", in: fixture.remoteURL)

        var files: [String: [UInt8]] = [:]
        for i in 0..<count { files["status/job-\(i).json"] = bytes("{\"job\":\(i)}\n") }
        let commit = try #require(try await state.commit(files: files, onto: "almanac-status", message: "s", author: signature()))
        try await state.push(refspecs: spec)

        let zero = String(repeating: "0", count: 40)
        let line = "\(zero) \(commit.hex) refs/heads/almanac-status"
        // post-receive sleeps first: its line is there because the push waited for it.
        #expect(try String(contentsOfFile: log, encoding: .utf8) == """
            pre-receive \(line)
            update refs/heads/almanac-status \(zero) \(commit.hex)
            post-receive \(line)

            """)
        #expect(try await GitRepository.open(fixture.remoteURL).resolve("almanac-status") == commit)
        #expect(try await state.resolve("origin/almanac-status") == commit)
    }

    @Test("a pre-receive hook that declines fails the push with its message; nothing moves, post-receive does not run")
    func declined() async throws {
        let fixture = try GitFixture()
        let state = try await state(fixture)
        let marker = fixture.url("post-receive-ran").path
        try Self.install("pre-receive", "echo 'status pushes are frozen' >&2\nexit 1\n", in: fixture.remoteURL)
        try Self.install("post-receive", "touch '\(marker)'\n", in: fixture.remoteURL)

        _ = try await state.commit(files: ["status/a.json": bytes("{}")], onto: "almanac-status", message: "s",
                                   author: signature())
        let error = try #require(await #expect(throws: GitError.self) { try await state.push(refspecs: spec) })
        #expect(error.kind == .other)  // not non-fast-forward: fetching and retrying cannot help
        #expect(error.message.contains("refs/heads/almanac-status: pre-receive hook declined"))
        #expect(error.message.contains("status pushes are frozen"))
        #expect(try await GitRepository.open(fixture.remoteURL).branchTip("almanac-status") == nil)
        await #expect(throws: GitError.self) { try await state.resolve("origin/almanac-status") }
        #expect(!FileManager.default.fileExists(atPath: marker))
    }

    @Test("an update hook that refuses one ref fails the push with that ref's status")
    func updateRefused() async throws {
        let fixture = try GitFixture()
        let state = try await state(fixture)
        try Self.install("update", "echo \"no writes to $1\" >&2\nexit 1\n", in: fixture.remoteURL)
        _ = try await state.commit(files: ["status/a.json": bytes("{}")], onto: "almanac-status", message: "s",
                                   author: signature())
        let error = try #require(await #expect(throws: GitError.self) { try await state.push(refspecs: spec) })
        #expect(error.message.contains("hook declined"))
        #expect(error.message.contains("no writes to refs/heads/almanac-status"))
        #expect(try await GitRepository.open(fixture.remoteURL).branchTip("almanac-status") == nil)
    }

    @Test("a local remote that is no repository fails with git's own words")
    func notARepository() async throws {
        let fixture = try GitFixture()
        let state = try GitRepository.initialize(at: fixture.url("state"), bare: true)
        try await state.addRemote("origin", url: fixture.url("missing.git").path)
        _ = try await state.commit(files: ["a": bytes("a")], onto: "almanac-status", message: "s", author: signature())
        let error = try #require(await #expect(throws: GitError.self) { try await state.push(refspecs: spec) })
        #expect(error.message.contains("does not appear to be a git repository"))
    }
}

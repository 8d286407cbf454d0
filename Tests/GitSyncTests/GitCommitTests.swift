import Foundation
import GitSync
import Testing

@Suite("committing in-memory files")
struct GitCommitTests {
    @Test("a new branch gets a root commit, an existing one a commit on its tip")
    func newAndExistingBranch() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        let root = try #require(try await repo.commit(
            files: ["status/a.json": bytes("{}")], onto: "almanac-status", message: "status", author: signature(0)))
        #expect(try await repo.commitInfo(root).parents.isEmpty)
        #expect(try await repo.branchTip("almanac-status") == root)

        let next = try #require(try await repo.commit(
            files: ["status/b.json": bytes("{\"b\":1}")], onto: "almanac-status", message: "more",
            author: signature(1, name: "almanac")))
        let info = try await repo.commitInfo(next)
        #expect(info.parents == [root])
        #expect(info.author.name == "almanac")
        #expect(try await repo.files(at: next).keys.sorted() == ["status/a.json", "status/b.json"])
        #expect(try await repo.changedPaths(in: next) == ["status/b.json"])
        #expect(try await repo.changedPaths(in: root) == ["status/a.json"])
    }

    @Test("nothing is committed when the bytes did not change")
    func unchangedBytes() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        let files = ["status/a.json": bytes("{}"), "status/STATUS.md": bytes("| job |\n")]
        let first = try #require(try await repo.commit(files: files, onto: "s", message: "1", author: signature(0)))
        #expect(try await repo.commit(files: files, onto: "s", message: "2", author: signature(1)) == nil)
        #expect(try await repo.commit(files: ["status/a.json": bytes("{}")], onto: "s", message: "3", author: signature(2)) == nil)
        #expect(try await repo.commit(files: [:], removing: ["status/gone.json"], onto: "s", message: "4", author: signature(3)) == nil)
        #expect(try await repo.commit(files: [:], onto: "empty", message: "5", author: signature(4)) == nil)
        #expect(try await repo.branchTip("s") == first)
        #expect(try await repo.branchTip("empty") == nil)
    }

    @Test("many files are written as one pack and read back byte for byte")
    func bulkWrite() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        var files: [String: [UInt8]] = [:]
        for i in 0..<500 { files["status/job-\(i).json"] = bytes("{\"n\":\(i)}\n") }
        let first = try #require(try await repo.commit(files: files, onto: "s", message: "1", author: signature(0)))
        let packs = try FileManager.default.contentsOfDirectory(atPath: fixture.url("r/objects/pack").path)
        #expect(packs.filter { $0.hasSuffix(".pack") }.count == 1)
        files["status/job-7.json"] = bytes("changed")
        let second = try #require(try await repo.commit(files: files, onto: "s", message: "2", author: signature(1)))
        #expect(try await repo.commitInfo(second).parents == [first])
        #expect(try await repo.changedPaths(in: second) == ["status/job-7.json"])
        #expect(try await repo.files(at: second) == files)
        #expect(try await GitRepository.open(fixture.url("r")).files(at: first, under: "status").count == 500)
    }

    @Test("what the last commit wrote never hides a change once the branch is somewhere else")
    func rememberedBytesFollowTheTree() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        var files: [String: [UInt8]] = [:]
        for i in 0..<100 { files["status/job-\(i).json"] = bytes("{\"n\":\(i)}\n") }
        let first = try #require(try await repo.commit(files: files, onto: "s", message: "1", author: signature(0)))
        var changed = files
        changed["status/job-3.json"] = bytes("three")
        let second = try #require(try await repo.commit(files: changed, onto: "s", message: "2", author: signature(1)))
        #expect(try await repo.changedPaths(in: second) == ["status/job-3.json"])

        // The branch goes back (a rebuild on the remote's tip): the same bytes as the last commit
        // differ from this tree and must be committed again.
        try await repo.setBranch("s", to: first)
        let third = try #require(try await repo.commit(files: changed, onto: "s", message: "3", author: signature(2)))
        #expect(try await repo.commitInfo(third).parents == [first])
        #expect(try await repo.files(at: third) == changed)

        // Another branch with other bytes at the same paths: compared with its own tree.
        _ = try await repo.commit(files: ["status/job-3.json": bytes("other")], onto: "t", message: "4", author: signature(3))
        let onOther = try #require(try await repo.commit(files: changed, onto: "t", message: "5", author: signature(4)))
        #expect(try await repo.files(at: onOther) == changed)
        #expect(try await repo.commit(files: changed, onto: "t", message: "6", author: signature(5)) == nil)
        #expect(try await repo.commit(files: changed, onto: "s", message: "7", author: signature(6)) == nil)
    }

    @Test("removing a path deletes it from the tree")
    func removal() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        _ = try await repo.commit(files: ["a": bytes("1"), "d/b": bytes("2")], onto: "m", message: "1", author: signature(0))
        let second = try #require(try await repo.commit(files: [:], removing: ["d/b"], onto: "m", message: "2", author: signature(1)))
        #expect(try await repo.files(at: second) == ["a": bytes("1")])
    }

    @Test("a push onto a moved remote branch is non-fast-forward; fetch, rebuild, push succeeds")
    func nonFastForward() async throws {
        let fixture = try GitFixture()
        let (_, working) = try fixture.remoteAndWorking()
        try await working.addRemote("origin", url: fixture.remoteURL.path)
        let base = try #require(try await working.commit(
            files: ["status/x.json": bytes("0")], onto: "almanac-status", message: "base", author: signature(0)))
        try await working.push(refspecs: ["refs/heads/almanac-status:refs/heads/almanac-status"])

        let a = try await GitRepository.clone(url: fixture.remoteURL.path, to: fixture.url("a"), bare: true)
        let b = try await GitRepository.clone(url: fixture.remoteURL.path, to: fixture.url("b"), bare: true)
        let spec = ["refs/heads/almanac-status:refs/heads/almanac-status"]
        // Neither clone has the branch locally: both start from origin/almanac-status.
        let fromA = try #require(try await a.commit(
            files: ["status/a.json": bytes("a")], onto: "almanac-status", message: "a", author: signature(1)))
        #expect(try await a.commitInfo(fromA).parents == [base])
        try await a.push(refspecs: spec)

        _ = try await b.commit(files: ["status/b.json": bytes("b")], onto: "almanac-status", message: "b", author: signature(2))
        let error = await #expect(throws: GitError.self) { try await b.push(refspecs: spec) }
        #expect(error?.kind == .nonFastForward)

        try await b.fetch()
        let remoteTip = try await b.resolve("origin/almanac-status")
        #expect(remoteTip == fromA)
        try await b.setBranch("almanac-status", to: remoteTip)
        let rebuilt = try #require(try await b.commit(
            files: ["status/b.json": bytes("b")], onto: "almanac-status", message: "b", author: signature(3)))
        try await b.push(refspecs: spec)
        let remote = try GitRepository.open(fixture.remoteURL)
        #expect(try await remote.resolve("almanac-status") == rebuilt)
        #expect(try await remote.files(at: rebuilt).keys.sorted() == ["status/a.json", "status/b.json", "status/x.json"])
    }

    @Test("errors carry libgit2's message and the failing call")
    func errors() async throws {
        let fixture = try GitFixture()
        let plainDirectory = fixture.url("not-a-repo")
        try FileManager.default.createDirectory(at: plainDirectory, withIntermediateDirectories: true)
        let error = #expect(throws: GitError.self) { try GitRepository.open(plainDirectory) }
        #expect(error?.kind == .notFound)
        #expect(error?.function == "git_repository_open_ext")
        #expect(error?.message.contains("could not find repository") == true)
        #expect(error?.description.hasPrefix("git_repository_open_ext failed (-3): ") == true)
        let missing = #expect(throws: GitError.self) { try GitRepository.open(fixture.url("missing")) }
        #expect(missing?.message.contains("failed to resolve path") == true)

        let cloneError = await #expect(throws: GitError.self) {
            try await GitRepository.clone(url: fixture.url("missing.git").path, to: fixture.url("c"))
        }
        #expect(cloneError?.function == "git_clone")
        #expect(cloneError?.message.isEmpty == false)

        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        let pushError = await #expect(throws: GitError.self) { try await repo.push(remote: "nowhere", refspecs: []) }
        #expect(pushError?.kind == .notFound)
        #expect(pushError?.message.contains("nowhere") == true)
    }
}

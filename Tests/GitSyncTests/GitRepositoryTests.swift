import Foundation
import GitSync
import Testing

@Suite("git repository")
struct GitRepositoryTests {
    @Test("a commit pushed to a bare remote is cloned, and a later one arrives by fetch")
    func cloneAndFetch() async throws {
        let fixture = try GitFixture()
        let (_, working) = try fixture.remoteAndWorking()
        try await working.addRemote("origin", url: fixture.remoteURL.path)
        let first = try #require(try await working.commit(
            files: ["jobs.d/a.yaml": bytes("name: a\n")], onto: "main", message: "first", author: signature(0)))
        try await working.push(refspecs: ["refs/heads/main:refs/heads/main"])

        let clone = try await GitRepository.clone(url: fixture.remoteURL.path, to: fixture.url("clone"), branch: "main")
        #expect(try await clone.resolve("origin/main") == first)
        #expect(try await clone.resolve("main") == first)

        let second = try #require(try await working.commit(
            files: ["jobs.d/b.yaml": bytes("name: b\n")], onto: "main", message: "second", author: signature(1)))
        try await working.push(refspecs: ["refs/heads/main:refs/heads/main"])
        try await clone.fetch()
        let fetched = try await clone.resolve("origin/main")
        #expect(fetched == second)
        let new = try await clone.commits(since: first, to: fetched)
        #expect(new.map(\.oid) == [second])
        #expect(new.first?.parents == [first])
        #expect(new.first?.subject == "second")
        #expect(try await clone.files(at: fetched, under: "jobs.d").keys.sorted() == ["a.yaml", "b.yaml"])
    }

    @Test("files at a commit are read whole, or relative to a prefix")
    func filesAtCommit() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        let files = [
            "README.md": bytes("# hi\n"), "jobs.d/a.yaml": bytes("name: a\n"),
            "jobs.d/sub/b.yml": bytes("name: b\n"), "jobs.d/empty.yaml": [],
        ]
        let oid = try #require(try await repo.commit(files: files, onto: "main", message: "m", author: signature()))
        #expect(try await repo.files(at: oid) == files)
        #expect(try await repo.files(at: oid, under: "jobs.d") == [
            "a.yaml": bytes("name: a\n"), "sub/b.yml": bytes("name: b\n"), "empty.yaml": [],
        ])
        #expect(try await repo.files(at: oid, under: "/jobs.d/sub/") == ["b.yml": bytes("name: b\n")])
        #expect(try await repo.files(at: oid, under: "missing").isEmpty)
        #expect(try await repo.files(at: oid, under: "README.md").isEmpty)
    }

    @Test("the revwalk returns exactly the commits after the old one, newest first")
    func revwalk() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        var oids: [GitOID] = []
        for i in 0..<5 {
            let oid = try await repo.commit(
                files: ["f.txt": bytes("\(i)")], onto: "main", message: "commit \(i)\n\nbody", author: signature(i))
            oids.append(try #require(oid))
        }
        let since = try await repo.commits(since: oids[1], to: oids[4])
        #expect(since.map(\.oid) == [oids[4], oids[3], oids[2]])
        #expect(since.map(\.subject) == ["commit 4", "commit 3", "commit 2"])
        #expect(since.first?.time == signature(4).time)
        #expect(try await repo.commits(since: nil, to: oids[4]).count == 5)
        #expect(try await repo.commits(since: oids[0], to: oids[4], limit: 2).map(\.oid) == [oids[4], oids[3]])
        #expect(try await repo.commits(since: oids[4], to: oids[4]).isEmpty)
    }

    @Test("revisions resolve: branch, HEAD~2 style, short oid, tag")
    func resolve() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        var oids: [GitOID] = []
        for i in 0..<3 {
            oids.append(try #require(try await repo.commit(
                files: ["f": bytes("\(i)")], onto: "main", message: "c\(i)", author: signature(i))))
        }
        try await repo.createTag("v1", on: oids[0], message: "one", tagger: signature(9))
        #expect(try await repo.resolve("main") == oids[2])
        #expect(try await repo.resolve("main~2") == oids[0])
        #expect(try await repo.resolve("refs/heads/main^") == oids[1])
        #expect(try await repo.resolve(oids[1].short) == oids[1])
        #expect(try await repo.resolve(oids[1].hex) == oids[1])
        #expect(try await repo.resolve("v1") == oids[0])
        await #expect(throws: GitError.self) { try await repo.resolve("no-such-branch") }
    }

    @Test("tags list annotated and lightweight tags with their peeled targets")
    func tags() async throws {
        let fixture = try GitFixture()
        let repo = try GitRepository.initialize(at: fixture.url("r"), bare: true)
        let a = try #require(try await repo.commit(files: ["f": bytes("a")], onto: "main", message: "a", author: signature(0)))
        let b = try #require(try await repo.commit(files: ["f": bytes("b")], onto: "main", message: "b", author: signature(1)))
        try await repo.createTag("v1.0.0", on: a, message: "release", tagger: signature(5))
        try await repo.createTag("nightly", on: b)
        let tags = try await repo.tags()
        #expect(tags == [
            GitTag(name: "nightly", target: b, time: nil),
            GitTag(name: "v1.0.0", target: a, time: signature(5).time),
        ])
    }
}

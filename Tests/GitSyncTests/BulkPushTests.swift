import Foundation
@testable import GitSync
import Testing

@Suite("bulk commits: one pack through libgit2, pushed through git receive-pack")
struct BulkPushTests {
    let spec = ["refs/heads/almanac-status:refs/heads/almanac-status"]

    /// Files of every awkward kind: empty, binary, larger than one stored zlib block, and
    /// two paths with the same bytes (one blob).
    func files(count: Int, generation: Int) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        for i in 0..<count { files["status/job-\(i).json"] = bytes("{\"job\":\(i),\"generation\":\(generation)}\n") }
        files["status/empty.json"] = []
        files["status/binary.bin"] = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ generation) }
        files["status/STATUS.md"] = Array(String(repeating: "| job | ok |\n", count: 20_000).utf8) + bytes("\(generation)")
        files["status/same-a.json"] = bytes("same")
        files["status/same-b.json"] = bytes("same")
        return files
    }

    func packs(_ repository: URL) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: repository.appendingPathComponent("objects/pack").path)
            .filter { $0.hasSuffix(".pack") })
    }

    /// Loose object files (`objects/xx/…`).
    func looseObjects(_ repository: URL) throws -> Int {
        let objects = repository.appendingPathComponent("objects")
        return try FileManager.default.contentsOfDirectory(atPath: objects.path)
            .filter { $0.count == 2 }
            .reduce(0) { $0 + (try FileManager.default.contentsOfDirectory(atPath: objects.appendingPathComponent($1).path).count) }
    }

    @Test("a bulk commit's blobs go into one pack; the bare remote receives them and a fresh clone reads them byte for byte")
    func linkedPack() async throws {
        let fixture = try GitFixture()
        // HEAD names the pushed branch: libgit2 cannot clone a named branch while HEAD is unborn.
        _ = try GitRepository.initialize(at: fixture.remoteURL, bare: true, initialBranch: "almanac-status")
        let state = try GitRepository.initialize(at: fixture.url("state"), bare: true)
        try await state.addRemote("origin", url: fixture.remoteURL.path)

        var current = files(count: 300, generation: 0)
        let first = try #require(try await state.commit(files: current, onto: "almanac-status", message: "1", author: signature(0)))
        // 305 paths, 304 distinct blobs, in one pack; loose are only the two trees and the commit.
        #expect(try packs(fixture.url("state")).count == 1)
        #expect(try looseObjects(fixture.url("state")) == 3)
        try await state.push(refspecs: spec)
        #expect(try await state.resolve("origin/almanac-status") == first)

        // On top: 100 files change, two go away; again one pack, again linked.
        for i in 0..<100 { current["status/job-\(i).json"] = bytes("{\"job\":\(i),\"generation\":1}\n") }
        current["status/job-299.json"] = nil
        current["status/same-b.json"] = nil
        let second = try #require(try await state.commit(
            files: current, removing: ["status/job-299.json", "status/same-b.json"], onto: "almanac-status",
            message: "2", author: signature(1)))
        #expect(try packs(fixture.url("state")).count == 2)
        try await state.push(refspecs: spec)
        #expect(try await state.commitInfo(second).parents == [first])

        let remote = try GitRepository.open(fixture.remoteURL)
        #expect(try await remote.resolve("almanac-status") == second)
        #expect(try await remote.files(at: second) == current)
        #expect(try await remote.paths(at: second, under: "status/").sorted()
                == current.keys.map { String($0.dropFirst("status/".count)) }.sorted())
        #expect(try await remote.paths(at: second, under: "nothing").isEmpty)
        let clone = try await GitRepository.clone(url: fixture.remoteURL.path, to: fixture.url("clone"), branch: "almanac-status",
                                                  bare: true)
        #expect(try await clone.files(at: clone.resolve("almanac-status")) == current)
        #expect(try await clone.files(at: first).count == 305)
    }

    @Test("a bulk push onto a remote that moved is non-fast-forward; fetch, rebuild, push succeeds")
    func movedRemote() async throws {
        let fixture = try GitFixture()
        let (_, working) = try fixture.remoteAndWorking()
        try await working.addRemote("origin", url: fixture.remoteURL.path)
        _ = try await working.commit(files: ["status/x.json": bytes("0")], onto: "almanac-status", message: "base",
                                     author: signature(0))
        try await working.push(refspecs: spec)
        let a = try await GitRepository.clone(url: fixture.remoteURL.path, to: fixture.url("a"), bare: true)
        let b = try await GitRepository.clone(url: fixture.remoteURL.path, to: fixture.url("b"), bare: true)

        var fromA = files(count: 100, generation: 1)
        fromA["status/x.json"] = bytes("0")
        let pushedByA = try #require(try await a.commit(files: fromA, onto: "almanac-status", message: "a", author: signature(1)))
        try await a.push(refspecs: spec)

        let fromB = files(count: 150, generation: 2)
        _ = try await b.commit(files: fromB, onto: "almanac-status", message: "b", author: signature(2))
        let error = await #expect(throws: GitError.self) { try await b.push(refspecs: spec) }
        #expect(error?.kind == .nonFastForward)
        let remote = try GitRepository.open(fixture.remoteURL)
        #expect(try await remote.resolve("almanac-status") == pushedByA)

        try await b.fetch()
        try await b.setBranch("almanac-status", to: b.resolve("origin/almanac-status"))
        let rebuilt = try #require(try await b.commit(files: fromB, onto: "almanac-status", message: "b", author: signature(3)))
        try await b.push(refspecs: spec)
        #expect(try await remote.resolve("almanac-status") == rebuilt)
        #expect(try await remote.commitInfo(rebuilt).parents == [pushedByA])
        #expect(try await remote.files(at: rebuilt) == fromA.merging(fromB) { _, new in new })
    }
}

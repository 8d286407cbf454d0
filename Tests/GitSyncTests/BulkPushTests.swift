import Foundation
@testable import GitSync
import Testing

@Suite("bulk commits: one pack, linked into a local remote")
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

    @Test("the commit's pack is linked into the bare remote, which a fresh clone reads byte for byte")
    func linkedPack() async throws {
        let fixture = try GitFixture()
        // HEAD names the pushed branch: libgit2 cannot clone a named branch while HEAD is unborn.
        _ = try GitRepository.initialize(at: fixture.remoteURL, bare: true, initialBranch: "almanac-status")
        let state = try GitRepository.initialize(at: fixture.url("state"), bare: true)
        try await state.addRemote("origin", url: fixture.remoteURL.path)

        var current = files(count: 300, generation: 0)
        let first = try #require(try await state.commit(files: current, onto: "almanac-status", message: "1", author: signature(0)))
        try await state.push(refspecs: spec)
        // The very pack the commit wrote, not one libgit2 built for the push.
        #expect(try packs(fixture.remoteURL) == packs(fixture.url("state")))
        #expect(try await state.resolve("origin/almanac-status") == first)

        // On top: 100 files change, two go away; again one pack, again linked.
        for i in 0..<100 { current["status/job-\(i).json"] = bytes("{\"job\":\(i),\"generation\":1}\n") }
        current["status/job-299.json"] = nil
        current["status/same-b.json"] = nil
        let second = try #require(try await state.commit(
            files: current, removing: ["status/job-299.json", "status/same-b.json"], onto: "almanac-status",
            message: "2", author: signature(1)))
        try await state.push(refspecs: spec)
        #expect(try packs(fixture.remoteURL).count == 2)
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

    @Test("SHA-1 matches the standard test vectors, across block boundaries")
    func sha1() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
        #expect(hex(SHA1.digest([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        #expect(hex(SHA1.digest(bytes("abc"))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.digest(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")))
                == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        #expect(hex(SHA1.digest([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)))
                == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }
}

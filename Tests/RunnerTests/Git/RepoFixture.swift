import Foundation
import GitSync

/// A bare "remote" and an author repository pushing to it, in a temp directory.
final class RepoFixture {
    let temp: TempDirectory
    let remoteURL: URL
    let author: GitRepository
    var minute = 0

    init(base: Date = Date(timeIntervalSince1970: 1_800_000_000)) throws {
        temp = try TempDirectory()
        remoteURL = temp.url.appendingPathComponent("remote.git")
        _ = try GitRepository.initialize(at: remoteURL, bare: true, initialBranch: "main")
        author = try GitRepository.initialize(at: temp.url.appendingPathComponent("author.git"), bare: true, initialBranch: "main")
        self.base = base
    }

    let base: Date

    var state: URL { temp.url.appendingPathComponent("state") }

    /// A signature one minute after the previous one.
    func signature(_ name: String = "Ada", email: String? = nil) -> GitSignature {
        minute += 1
        return GitSignature(name: name, email: email ?? "\(name.lowercased())@example.com",
                            time: base.addingTimeInterval(TimeInterval(minute * 60)))
    }

    /// Commits onto `branch` and pushes it; returns the new commit.
    @discardableResult
    func push(_ files: [String: String], removing: Set<String> = [], message: String = "change", branch: String = "main",
              by who: GitSignature? = nil, mergeParents: [GitOID] = []) async throws -> GitOID {
        try? await author.addRemote("origin", url: remoteURL.path)
        try await author.fetch()
        if let tip = try? await author.resolve("refs/remotes/origin/\(branch)") { try await author.setBranch(branch, to: tip) }
        let commit = try await author.commit(
            files: files.mapValues { Array($0.utf8) }, removing: removing, onto: branch, message: message,
            author: who ?? signature(), mergeParents: mergeParents)
        try await author.push(refspecs: ["refs/heads/\(branch):refs/heads/\(branch)"])
        guard let commit else { throw GitError(code: -1, message: "nothing to commit", function: "fixture") }
        return commit
    }
}

func text(_ url: URL) -> String? {
    (try? Data(contentsOf: url)).map { String(decoding: $0, as: UTF8.self) }
}

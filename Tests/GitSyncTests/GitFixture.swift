import Foundation
import GitSync

/// A temp directory holding a bare "remote" and repositories made from it; removed on deinit.
final class GitFixture {
    let root: URL
    let remoteURL: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-git-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        remoteURL = root.appendingPathComponent("remote.git", isDirectory: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func url(_ name: String) -> URL { root.appendingPathComponent(name, isDirectory: true) }

    /// The bare remote plus a working repository with `origin` pointing at it.
    func remoteAndWorking() throws -> (remote: GitRepository, working: GitRepository) {
        let remote = try GitRepository.initialize(at: remoteURL, bare: true, initialBranch: "main")
        let working = try GitRepository.initialize(at: url("working"), initialBranch: "main")
        return (remote, working)
    }
}

/// A signature at `minute` minutes past a fixed instant, so commit times are ordered.
func signature(_ minute: Int = 0, name: String = "Ada") -> GitSignature {
    GitSignature(name: name, email: "\(name.lowercased())@example.com",
                 time: Date(timeIntervalSince1970: 1_800_000_000 + TimeInterval(minute * 60)))
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

import Foundation
import GitSync
import Scheduler
import Processes
import Publishing

/// The files of the reconciled commit on disk, so jobs' relative `workdir`s and scripts work.
///
/// Each commit is written once to `STATE/worktrees/<commit>/`; `STATE/worktree` is a symlink
/// swapped atomically (rename) to the newest. A job's working directory is resolved through the
/// link when it is spawned, so a new revision's jobs see the new files while a child started
/// earlier keeps its directory: the previous commit's copy is kept, older ones are removed.
struct WorktreeDirectory: Sendable {
    let stateDirectory: URL

    var link: URL { stateDirectory.appendingPathComponent("worktree") }
    var trees: URL { stateDirectory.appendingPathComponent("worktrees", isDirectory: true) }

    /// Materialises `commit` (unless already there) and points the link at it.
    func switchTo(_ commit: GitOID, from repository: GitRepository) async throws {
        let manager = FileManager.default
        let target = trees.appendingPathComponent(commit.hex, isDirectory: true)
        let complete = trees.appendingPathComponent(commit.hex + ".complete")
        if !manager.fileExists(atPath: complete.path) {
            try? manager.removeItem(at: target)
            try manager.createDirectory(at: target, withIntermediateDirectories: true)
            try await repository.materialize(commit, into: target)
            _ = manager.createFile(atPath: complete.path, contents: nil)
        }
        let previous = try? manager.destinationOfSymbolicLink(atPath: link.path)
        let temporary = stateDirectory.appendingPathComponent(".worktree-\(commit.short)")
        try? manager.removeItem(at: temporary)
        try manager.createSymbolicLink(atPath: temporary.path, withDestinationPath: "worktrees/\(commit.hex)")
        guard rename(temporary.path, link.path) == 0 else {
            throw ProcessError.system(call: "rename(\(link.path))", errno: errno)
        }
        let keep: Set<String> = [commit.hex, previous.map { URL(fileURLWithPath: $0).lastPathComponent } ?? ""]
        for name in (try? manager.contentsOfDirectory(atPath: trees.path)) ?? [] {
            let hex = name.hasSuffix(".complete") ? String(name.dropLast(".complete".count)) : name
            if !keep.contains(hex) { try? manager.removeItem(at: trees.appendingPathComponent(name)) }
        }
    }
}

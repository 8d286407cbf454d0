import Foundation
import GitSync
import Scheduler
import Processes
import Publishing

/// The bot identity status commits are made with, and that the runner ignores when reconciling.
package struct StatusIdentity: Sendable, Hashable {
    package static let defaultName = "Almanac"
    package static let defaultEmail = "almanac@localhost"

    package var name: String
    package var email: String
    /// The commit message; `[skip ci]` keeps CI from running on status commits.
    package var message: String

    package init(name: String = defaultName, email: String = defaultEmail, message: String = "almanac: status [skip ci]") {
        self.name = name
        self.email = email
        self.message = message
    }
}

/// Where rendered status files go: a directory, or a branch of a git repository.
package protocol StatusSink: Sendable {
    /// Writes `files` (paths relative to the status directory); true when any byte changed.
    func write(_ files: [String: [UInt8]], now: Date) async throws -> Bool
}

/// Status files in a local directory (`almanac run DIR --status-dir PATH`), rewritten only when
/// their bytes change; files of jobs that are gone are removed.
package struct DirectoryStatusSink: StatusSink {
    package let directory: URL

    package init(directory: URL) {
        self.directory = directory
    }

    package func write(_ files: [String: [UInt8]], now: Date) async throws -> Bool {
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        var changed = false
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            let url = directory.appendingPathComponent(path)
            if let current = try? Data(contentsOf: url), [UInt8](current) == bytes { continue }
            try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url, options: .atomic)
            changed = true
        }
        for name in try manager.contentsOfDirectory(atPath: directory.path)
        where name.hasSuffix(".json") && files[name] == nil {
            try manager.removeItem(at: directory.appendingPathComponent(name))
            changed = true
        }
        return changed
    }
}

/// Status files committed to a branch and pushed, by the bot identity, only when bytes changed.
///
/// Each write starts from the remote's tip of the branch as last fetched. A push refused as
/// non-fast-forward (someone else pushed meanwhile) is recovered by fetching, rebuilding the
/// commit on the new tip and pushing again, with exponential backoff, up to `maxAttempts`.
package actor GitStatusSink: StatusSink {
    package let repository: GitRepository
    package let branch: String
    /// The status directory inside the repository (`status`).
    package let path: String
    package let identity: StatusIdentity
    package let credentials: GitCredentials
    package let maxAttempts: Int
    package let initialBackoff: Duration
    /// Paths written last time, so files of removed jobs are deleted; nil until the first write.
    private var written: Set<String>?

    package init(repository: GitRepository, branch: String, path: String = "status", identity: StatusIdentity = .init(),
                credentials: GitCredentials = .none, maxAttempts: Int = 5, initialBackoff: Duration = .milliseconds(200)) {
        self.repository = repository
        self.branch = branch
        self.path = path.split(separator: "/").joined(separator: "/")
        self.identity = identity
        self.credentials = credentials
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
    }

    package func write(_ files: [String: [UInt8]], now: Date) async throws -> Bool {
        let prefixed = Dictionary(uniqueKeysWithValues: files.map { (path + "/" + $0.key, $0.value) })
        let author = GitSignature(name: identity.name, email: identity.email, time: now)
        var backoff = initialBackoff
        for attempt in 1...max(1, maxAttempts) {
            let remoteTip = try? await repository.resolve("refs/remotes/origin/\(branch)")
            if let remoteTip {
                try await repository.setBranch(branch, to: remoteTip)
            } else {
                try await repository.removeBranch(branch)  // an unpushed commit is not "written"
            }
            let stale = try await existing(at: remoteTip).subtracting(prefixed.keys)
            guard try await repository.commit(files: prefixed, removing: stale, onto: branch, message: identity.message,
                                              author: author) != nil
            else {
                written = Set(prefixed.keys)
                return false
            }
            do {
                try await repository.push(refspecs: ["refs/heads/\(branch):refs/heads/\(branch)"], credentials: credentials)
                written = Set(prefixed.keys)
                return true
            } catch {
                guard error.kind == .nonFastForward, attempt < maxAttempts else { throw error }
                try await Task.sleep(for: backoff)
                backoff *= 2
                try await repository.fetch(credentials: credentials)
            }
        }
        return false
    }

    /// The status files on the branch: remembered after the first write, read from the tree before.
    private func existing(at tip: GitOID?) async throws -> Set<String> {
        if let written { return written }
        guard let tip else { return [] }
        return Set(try await repository.paths(at: tip, under: path).map { path + "/" + $0 })
    }
}

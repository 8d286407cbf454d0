import Foundation
import GitSync
import Manifest
import Scheduler
import Processes
import Publishing

/// Loads the desired state from a git repository: a bare clone in the state directory, fetched
/// on each poll, read at the branch tip straight from the object database.
///
/// Each new tip is reconciled as a whole ("reload is just parse again"); a file that breaks is
/// replaced by its last good copy (`STATE/accepted/`, shared with directory mode), and a fetch
/// that fails leaves the last good revision in force. Commits by the bot identity, or touching
/// only the status path, are noted and skipped, so writing status back never causes a re-plan.
package actor RepoSource {
    /// Where the repository is and what of it to read.
    package struct Options: Sendable {
        /// A URL or local path libgit2 can clone.
        package var url: String
        package var branch: String
        /// The job directory inside the repository (`jobs.d`); `.` or empty for the root.
        package var path: String
        package var stateDirectory: URL
        package var environment: [String: String]
        package var credentials: GitCredentials
        /// Commits authored with this e-mail are the runner's own and never cause a re-plan.
        package var botEmail: String
        /// Commits touching only this directory (repository-relative) never cause a re-plan.
        package var statusPath: String

        package init(url: String, branch: String = "main", path: String = "jobs.d", stateDirectory: URL,
                    environment: [String: String] = [:], credentials: GitCredentials = .none,
                    botEmail: String = StatusIdentity.defaultEmail, statusPath: String = "status") {
            self.url = url
            self.branch = branch
            self.path = path
            self.stateDirectory = stateDirectory
            self.environment = environment
            self.credentials = credentials
            self.botEmail = botEmail
            self.statusPath = statusPath
        }
    }

    /// What a poll found.
    package enum Update: Sendable {
        /// A new revision to reconcile.
        case apply(Manifest, revision: GitOID)
        /// The tip moved, but only by the bot's own or status-only commits.
        case ignored(GitOID)
        /// Nothing new.
        case unchanged
    }

    package let options: Options
    private let manifests: ManifestSource
    private var repository: GitRepository?
    /// The last tip examined, and the last one whose tree was reconciled.
    package private(set) var seen: GitOID?
    package private(set) var applied: GitOID?
    /// Commits touching only this directory never cause a re-plan (almanac.yaml `status.path`).
    package private(set) var statusPath: String

    package init(options: Options) {
        self.options = options
        statusPath = options.statusPath
        manifests = ManifestSource(root: Self.jobsRoot(options), stateDirectory: options.stateDirectory,
                                   environment: options.environment)
    }

    /// The bare clone: `STATE/repo`.
    package nonisolated var clonePath: URL { options.stateDirectory.appendingPathComponent("repo", isDirectory: true) }

    /// Where the jobs' files are on disk (`STATE/worktree/<path>`): relative `workdir`s resolve here.
    package nonisolated var jobsRoot: URL { Self.jobsRoot(options) }

    static func jobsRoot(_ options: Options) -> URL {
        let link = options.stateDirectory.appendingPathComponent("worktree", isDirectory: true)
        let path = options.path.split(separator: "/").joined(separator: "/")
        return path.isEmpty || path == "." ? link : link.appendingPathComponent(path, isDirectory: true)
    }

    /// The clone, cloned on first use and reopened after that.
    package func open() async throws -> GitRepository {
        if let repository { return repository }
        let opened: GitRepository
        if FileManager.default.fileExists(atPath: clonePath.appendingPathComponent("HEAD").path) {
            opened = try GitRepository.open(clonePath)
        } else {
            try? FileManager.default.removeItem(at: clonePath)
            do {
                opened = try await GitRepository.clone(url: options.url, to: clonePath, branch: options.branch, bare: true,
                                                       credentials: options.credentials)
            } catch {
                throw Self.explained(error, url: options.url)
            }
        }
        repository = opened
        return opened
    }

    /// Fetches and reports what changed since the last poll; throws when the fetch or read fails.
    package func poll(now: Date) async throws -> Update {
        let repository = try await open()
        try await fetch(repository)
        return try await examine(repository, now: now)
    }

    /// The first poll of a start. A runner restarted while its remote is down (or refusing it)
    /// runs the revision its clone fetched last, the one it was running, rather than refusing
    /// to start: `fetchError` says why the fetch failed, for `/readyz` and the log, and the
    /// polls go on trying. Without a clone yet (a first start) there is nothing to run, and the
    /// clone's error is thrown.
    package func start(now: Date) async throws -> (manifest: Manifest, revision: GitOID, fetchError: GitError?) {
        let repository = try await open()
        var fetchError: GitError?
        do {
            try await fetch(repository)
        } catch {
            fetchError = error
        }
        guard case .apply(let manifest, let revision) = try await examine(repository, now: now) else {
            throw GitError(code: -1, message: "\(options.branch) has no commit to reconcile", function: "start")
        }
        return (manifest, revision, fetchError)
    }

    /// libgit2 calls a local path that does not exist an "unsupported URL protocol"; say what it is.
    private func fetch(_ repository: GitRepository) async throws(GitError) {
        do {
            try await repository.fetch(credentials: options.credentials)
        } catch {
            throw Self.explained(error, url: options.url)
        }
    }

    static func explained(_ error: GitError, url: String) -> GitError {
        let path = url.hasPrefix("file://") ? String(url.dropFirst("file://".count)) : url
        guard path.hasPrefix("/") || path.hasPrefix("."), !FileManager.default.fileExists(atPath: path) else { return error }
        return GitError(code: error.code, message: "no repository at \(path)", function: error.function, kind: error.kind)
    }

    private func examine(_ repository: GitRepository, now: Date) async throws -> Update {
        let tip = try await repository.resolve("refs/remotes/origin/\(options.branch)")
        if tip == seen { return .unchanged }
        if let applied, try await onlyOwnCommits(from: applied, to: tip, in: repository) {
            seen = tip
            return .ignored(tip)
        }
        let manifest = try await load(tip, now: now)
        seen = tip
        applied = tip
        return .apply(manifest, revision: tip)
    }

    /// Follows almanac.yaml's `status.path` once a manifest is loaded.
    package func setStatusPath(_ path: String) {
        statusPath = path
    }

    /// Reads the job files at `commit`, materialises its tree for `workdir`s, and loads them with
    /// last-good substitution.
    package func load(_ commit: GitOID, now: Date) async throws -> Manifest {
        let repository = try await open()
        let files = try await repository.files(at: commit, under: options.path)
        try await WorktreeDirectory(stateDirectory: options.stateDirectory).switchTo(commit, from: repository)
        let sources = files.map { SourceFile(path: $0.key, bytes: $0.value) }.sorted { $0.path < $1.path }
        return manifests.load(files: sources, now: now)
    }

    /// True when every commit in `(old, new]` is the bot's or touches only the status path.
    func onlyOwnCommits(from old: GitOID, to new: GitOID, in repository: GitRepository) async throws -> Bool {
        let commits: [GitCommitInfo]
        do {
            commits = try await repository.commits(since: old, to: new)
        } catch {
            // An unknown old commit means history was rewritten: reconcile.
            if error.kind == .notFound { return false }
            throw error
        }
        let prefix = statusPath.split(separator: "/").joined(separator: "/") + "/"
        for commit in commits where commit.author.email != options.botEmail {
            let paths = try await repository.changedPaths(in: commit.oid)
            if paths.isEmpty || !paths.allSatisfy({ $0.hasPrefix(prefix) }) { return false }
        }
        return true
    }
}

import CGit2
import Dispatch
import Foundation

/// One git repository and every libgit2 handle opened from it.
///
/// libgit2 objects of one repository must not be used from two threads at once; the actor
/// makes that structural. It runs on its own serial queue (`QueueExecutor`), so blocking
/// libgit2 calls never occupy Swift's cooperative pool. Handles are created and freed inside
/// one method call and never escape, so no `OpaquePointer` appears in the public API.
package actor GitRepository {
    let repository: GitRepositoryHandle
    private let executor: QueueExecutor
    /// The repository's path (the `.git` directory, or the repository itself when bare).
    package nonisolated let path: URL
    /// The in-memory backend bulk commits stage their blobs in (`GitRepository+Pack`).
    var staging: GitMempack?
    /// Remotes looked up once and reused by every fetch and push (`GitRepository+Remote`).
    ///
    /// libgit2 1.5's `git_remote_lookup` leaks PCRE2 match data (and the match frames PCRE2
    /// hangs on it) for each config entry it tests against `url.*.insteadOf`: about 20 KB per
    /// entry, ~110 KB per lookup in a small clone. Looking the remote up on every poll grew
    /// repository mode's RSS linearly; one handle per remote name bounds that to the first
    /// lookup. (The other lookup a fetch made, for FETCH_HEAD, is switched off in `fetch`.)
    var remotes: [String: GitRemoteHandle] = [:]
    /// Second handles for pushing to remotes on local paths, also looked up once (`pushRemote`).
    var pushRemotes: [String: GitRemoteHandle] = [:]
    /// What the last commit wrote, so the next one onto its tree hashes only changed files.
    var written = WrittenBlobs()

    /// The repository's own serial queue, so blocking libgit2 calls stay off the shared pool.
    package nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(handle: sending GitRepositoryHandle) {
        repository = handle
        path = URL(fileURLWithPath: git_repository_path(handle.pointer).map { String(cString: $0) } ?? "")
        executor = QueueExecutor(label: "almanac.git.\(path.path)")
    }

    /// Opens an existing repository at exactly `path` (no search upwards through parents).
    ///
    /// Searching would let a missing state-dir clone silently resolve to an enclosing
    /// repository, so a non-repository path is an error carrying libgit2's message.
    package static func open(_ path: URL) throws(GitError) -> GitRepository {
        let handle = try GitRepositoryHandle("git_repository_open_ext") {
            git_repository_open_ext(&$0, path.path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        }
        return GitRepository(handle: handle)
    }

    /// Creates a new, empty repository (bare for remotes and state dirs), parents included.
    ///
    /// `initialBranch` names the branch HEAD points at (libgit2's default, usually `master`,
    /// when nil); a bare remote whose HEAD names a branch that never gets pushed makes clones
    /// of a named branch fail, so remotes made for Almanac should name theirs.
    package static func initialize(
        at path: URL, bare: Bool = false, initialBranch: String? = nil
    ) throws(GitError) -> GitRepository {
        GitRepository(handle: try createRepository(at: path, bare: bare, initialBranch: initialBranch))
    }

    private static func createRepository(
        at path: URL, bare: Bool, initialBranch: String?
    ) throws(GitError) -> GitRepositoryHandle {
        var options = git_repository_init_options()
        git_repository_init_options_init(&options, UInt32(GIT_REPOSITORY_INIT_OPTIONS_VERSION))
        options.flags = GIT_REPOSITORY_INIT_MKPATH.rawValue | (bare ? GIT_REPOSITORY_INIT_BARE.rawValue : 0)
        let head = initialBranch.map { strdup($0) } ?? nil
        defer { free(head) }
        options.initial_head = UnsafePointer(head)
        return try GitRepositoryHandle("git_repository_init_ext") {
            git_repository_init_ext(&$0, path.path, &options)
        }
    }

    /// Clones `url` into `path`, checking out `branch` (the remote's HEAD when nil).
    ///
    /// The transfer runs on a global dispatch queue, off the cooperative pool; the handle
    /// libgit2 returns is freed there and the result reopened, so nothing crosses threads.
    package static func clone(
        url: String, to path: URL, branch: String? = nil, bare: Bool = false,
        credentials: GitCredentials = .none
    ) async throws(GitError) -> GitRepository {
        let result: Result<Void, GitError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: Result { () throws(GitError) in
                    try cloneBlocking(url: url, to: path, branch: branch, bare: bare, credentials: credentials)
                })
            }
        }
        try result.get()
        return try open(path)
    }

    private static func cloneBlocking(
        url: String, to path: URL, branch: String?, bare: Bool, credentials: GitCredentials
    ) throws(GitError) {
        LibGit2.ensureInitialized()
        let callbacks = RemoteCallbacks(credentials)
        defer { withExtendedLifetime(callbacks) {} }
        var options = git_clone_options()
        git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION))
        options.bare = bare ? 1 : 0
        options.fetch_opts.callbacks = callbacks.make()
        options.fetch_opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        let branchName = branch.map { strdup($0) } ?? nil
        defer { free(branchName) }
        options.checkout_branch = UnsafePointer(branchName)
        _ = try GitRepositoryHandle("git_clone") { git_clone(&$0, url, path.path, &options) }
    }

    // MARK: - References

    /// Resolves a revision — branch, `origin/main`, tag, full or short oid, `HEAD~2` — to the
    /// commit it names (tags are peeled).
    package func resolve(_ revision: String) throws(GitError) -> GitOID {
        let object = try GitObjectHandle("git_revparse_single(\(revision))") {
            git_revparse_single(&$0, repository.pointer, revision)
        }
        let commit = try GitObjectHandle("git_object_peel(\(revision))") {
            git_object_peel(&$0, object.pointer, GIT_OBJECT_COMMIT)
        }
        return GitOID(git_object_id(commit.pointer))
    }

    /// The commit a local branch points at, or nil when the branch does not exist.
    package func branchTip(_ branch: String) throws(GitError) -> GitOID? {
        try referenceTarget("refs/heads/\(branch)")
    }

    /// Points local branch `branch` at `commit`, creating or moving it (a forced update).
    ///
    /// Used to rebuild after a rejected push: fetch, move the branch to the remote's tip,
    /// commit again.
    package func setBranch(_ branch: String, to commit: GitOID) throws(GitError) {
        var oid = commit.raw
        _ = try GitReferenceHandle("git_reference_create(refs/heads/\(branch))") {
            git_reference_create(&$0, repository.pointer, "refs/heads/\(branch)", &oid, 1, "almanac: set \(branch)")
        }
    }

    /// Deletes local branch `branch`; a branch that does not exist is fine.
    ///
    /// The status write-back starts each write from the remote's tip; when the remote has no
    /// such branch yet (a first push that a hook declined), the local one must go too, or the
    /// next write finds its own unpushed commit and reports nothing to do.
    package func removeBranch(_ branch: String) throws(GitError) {
        let code = git_reference_remove(repository.pointer, "refs/heads/\(branch)")
        if code == GIT_ENOTFOUND.rawValue { return }
        try check(code, "git_reference_remove(refs/heads/\(branch))")
    }

    /// Adds a remote named `name` fetching `url` with the default refspec.
    package func addRemote(_ name: String, url: String) throws(GitError) {
        remotes[name] = try GitRemoteHandle("git_remote_create(\(name))") {
            git_remote_create(&$0, repository.pointer, name, url)
        }
    }

    /// The oid a full reference name points at, nil when it does not exist.
    func referenceTarget(_ name: String) throws(GitError) -> GitOID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, repository.pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_reference_name_to_id(\(name))")
        return GitOID(oid)
    }

    /// Looks up a commit by id.
    func lookupCommit(_ oid: GitOID) throws(GitError) -> GitCommitHandle {
        var raw = oid.raw
        return try GitCommitHandle("git_commit_lookup(\(oid.short))") {
            git_commit_lookup(&$0, repository.pointer, &raw)
        }
    }

    /// The root tree of a commit.
    func tree(of commit: GitCommitHandle) throws(GitError) -> GitTreeHandle {
        try GitTreeHandle("git_commit_tree") { git_commit_tree(&$0, commit.pointer) }
    }
}

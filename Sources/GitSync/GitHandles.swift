import CGit2

// One owning `final class` per libgit2 handle type: each owns its pointer and frees it in
// `deinit`, so every exit path (return, throw) releases it. They never leave the module and
// are only touched inside the `GitRepository` actor that created them (or, for a clone,
// inside the one function that opened it), so no handle is used from two threads at once.

/// Runs a libgit2 constructor and returns its handle, or throws libgit2's error.
///
/// The error is read on this thread right after the call; should a failing constructor
/// still have produced a handle, it is freed before throwing (the GRDB rule: a failing open
/// still frees).
func acquire(
    _ function: String, free: (OpaquePointer) -> Void, _ call: (inout OpaquePointer?) -> Int32
) throws(GitError) -> OpaquePointer {
    var out: OpaquePointer?
    let code = call(&out)
    if code < 0 {
        let error = GitError.last(code, function)
        if let out { free(out) }
        throw error
    }
    guard let out else {
        throw GitError(code: -1, message: "returned no handle", function: function)
    }
    return out
}

/// A libgit2 handle type: names the C function that frees it.
protocol GitHandleKind {
    static func free(_ pointer: OpaquePointer)
}

/// Owns one libgit2 handle of kind `Kind` and frees it in `deinit`.
///
/// One owner class per C handle type, spelled once: `GitTreeHandle` is
/// `GitHandle<GitHandleKinds.Tree>`, and so on, so a tree can never be freed as a commit.
final class GitHandle<Kind: GitHandleKind> {
    let pointer: OpaquePointer

    /// Runs the libgit2 constructor `call`; see `acquire`.
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        LibGit2.ensureInitialized()
        pointer = try acquire(function, free: Kind.free, call)
    }

    deinit { Kind.free(pointer) }
}

/// The handle kinds GitSync uses, each with its free function.
enum GitHandleKinds {
    enum Repository: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_repository_free(pointer) } }
    enum Commit: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_commit_free(pointer) } }
    enum Tree: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_tree_free(pointer) } }
    enum TreeEntry: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_tree_entry_free(pointer) } }
    enum Blob: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_blob_free(pointer) } }
    enum Object: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_object_free(pointer) } }
    enum Reference: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_reference_free(pointer) } }
    enum Revwalk: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_revwalk_free(pointer) } }
    enum Remote: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_remote_free(pointer) } }
    enum Diff: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_diff_free(pointer) } }
    enum Odb: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_odb_free(pointer) } }
    enum Packbuilder: GitHandleKind { static func free(_ pointer: OpaquePointer) { git_packbuilder_free(pointer) } }
}

/// Owns a `git_repository *`.
typealias GitRepositoryHandle = GitHandle<GitHandleKinds.Repository>
/// Owns a `git_commit *`.
typealias GitCommitHandle = GitHandle<GitHandleKinds.Commit>
/// Owns a `git_tree *`.
typealias GitTreeHandle = GitHandle<GitHandleKinds.Tree>
/// Owns a `git_tree_entry *`.
typealias GitTreeEntryHandle = GitHandle<GitHandleKinds.TreeEntry>
/// Owns a `git_blob *`.
typealias GitBlobHandle = GitHandle<GitHandleKinds.Blob>
/// Owns a `git_object *`.
typealias GitObjectHandle = GitHandle<GitHandleKinds.Object>
/// Owns a `git_reference *`.
typealias GitReferenceHandle = GitHandle<GitHandleKinds.Reference>
/// Owns a `git_revwalk *`.
typealias GitRevwalkHandle = GitHandle<GitHandleKinds.Revwalk>
/// Owns a `git_remote *`.
typealias GitRemoteHandle = GitHandle<GitHandleKinds.Remote>
/// Owns a `git_diff *`.
typealias GitDiffHandle = GitHandle<GitHandleKinds.Diff>
/// Owns a `git_odb *`.
typealias GitOdbHandle = GitHandle<GitHandleKinds.Odb>
/// Owns a `git_packbuilder *`.
typealias GitPackbuilderHandle = GitHandle<GitHandleKinds.Packbuilder>

/// Owns a `git_signature *` (a plain C struct libgit2 allocates, hence a typed pointer).
final class GitSignatureHandle {
    let pointer: UnsafeMutablePointer<git_signature>
    init(_ signature: GitSignature) throws(GitError) {
        var out: UnsafeMutablePointer<git_signature>?
        let code = git_signature_new(
            &out, signature.name, signature.email,
            git_time_t(signature.time.timeIntervalSince1970.rounded(.down)), Int32(signature.offsetMinutes))
        if code < 0 {
            let error = GitError.last(code, "git_signature_new")
            if let out { git_signature_free(out) }
            throw error
        }
        guard let out else { throw GitError(code: -1, message: "returned no handle", function: "git_signature_new") }
        pointer = out
    }
    deinit { git_signature_free(pointer) }
}

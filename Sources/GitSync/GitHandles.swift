import CGit2

// One `final class` per libgit2 handle type: each owns its pointer and frees it in `deinit`,
// so every exit path (return, throw) releases it. They never leave the module and are only
// touched inside the `GitRepository` actor that created them (or, for a clone, inside the
// one function that opened it), so no handle is used from two threads at once.

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

/// Owns a `git_repository *`.
final class GitRepositoryHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        LibGit2.ensureInitialized()
        pointer = try acquire(function, free: git_repository_free, call)
    }
    deinit { git_repository_free(pointer) }
}

/// Owns a `git_commit *`.
final class GitCommitHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_commit_free, call)
    }
    deinit { git_commit_free(pointer) }
}

/// Owns a `git_tree *`.
final class GitTreeHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_tree_free, call)
    }
    deinit { git_tree_free(pointer) }
}

/// Owns a `git_tree_entry *` obtained by path (entries from a tree itself are borrowed).
final class GitTreeEntryHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_tree_entry_free, call)
    }
    deinit { git_tree_entry_free(pointer) }
}

/// Owns a `git_blob *`.
final class GitBlobHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_blob_free, call)
    }
    deinit { git_blob_free(pointer) }
}

/// Owns a `git_object *` (revparse results, tag targets).
final class GitObjectHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_object_free, call)
    }
    deinit { git_object_free(pointer) }
}

/// Owns a `git_reference *`.
final class GitReferenceHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_reference_free, call)
    }
    deinit { git_reference_free(pointer) }
}

/// Owns a `git_revwalk *`.
final class GitRevwalkHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_revwalk_free, call)
    }
    deinit { git_revwalk_free(pointer) }
}

/// Owns a `git_remote *`.
final class GitRemoteHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_remote_free, call)
    }
    deinit { git_remote_free(pointer) }
}

/// Owns a `git_diff *`.
final class GitDiffHandle {
    let pointer: OpaquePointer
    init(_ function: String, _ call: (inout OpaquePointer?) -> Int32) throws(GitError) {
        pointer = try acquire(function, free: git_diff_free, call)
    }
    deinit { git_diff_free(pointer) }
}

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

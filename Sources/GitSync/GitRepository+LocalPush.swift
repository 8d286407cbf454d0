import CGit2
import Foundation

/// A commit whose new blobs went into one packfile of their own (`storePack`).
struct BulkCommit {
    let commit: GitOID
    /// Its only parent, nil for a root commit.
    let parent: GitOID?
    /// The pack's path without `.pack` / `.idx`.
    let pack: String
    /// The other objects the commit added, written loose: the trees along changed paths, the commit.
    let loose: [git_oid]
}

extension GitRepository {
    /// Pushes the last bulk commit to a bare repository on a local path by linking its pack
    /// into the remote, writing the few loose objects, and moving the remote branch
    /// compare-and-swap; false when that does not apply (then libgit2 pushes as usual).
    ///
    /// libgit2's local transport packs the same 10,000 objects again (delta search, deflate)
    /// and indexes them in the remote one small append at a time, remapping the growing pack
    /// file for each: about half a second. The pack written at commit time already holds
    /// exactly the new blobs. It is only enough when the remote branch is still at the
    /// commit's parent — then the remote has every other object — so that is the condition,
    /// and the swap checks it again atomically: a remote that moved meanwhile is reported
    /// non-fast-forward, as libgit2 would, and the caller fetches and rebuilds.
    func pushBulkLocally(_ remote: GitRemoteHandle, refspecs: [String]) throws(GitError) -> Bool {
        guard let bulk = lastBulkCommit, refspecs.count == 1, let url = git_remote_url(remote.pointer),
            let path = localPath(String(cString: url))
        else { return false }
        let parts = refspecs[0].split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].hasPrefix("+"), parts[1].hasPrefix("refs/heads/"),
            try referenceTarget(parts[0]) == bulk.commit
        else { return false }
        let destination = parts[1]
        let opened = try? GitRepositoryHandle("git_repository_open_ext") {
            git_repository_open_ext(&$0, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
        }
        guard let target = opened, git_repository_is_bare(target.pointer) == 1,
            try Self.referenceTarget(destination, in: target) == bulk.parent
        else { return false }

        let name = try objectsDirectory(of: target) + "/pack/" + URL(fileURLWithPath: bulk.pack).lastPathComponent
        try linkOrCopy(bulk.pack + ".pack", to: name + ".pack")  // the pack first: readers look for the index
        try linkOrCopy(bulk.pack + ".idx", to: name + ".idx")
        try copyObjects(bulk.loose, to: target)
        try Self.swap(destination, in: target, to: bulk.commit, from: bulk.parent)
        try updateTrackingReference(remote, for: destination, to: bulk.commit)
        return true
    }

    /// The trees `git_tree_create_updated` wrote for a commit touching `paths`: the root and
    /// each directory on the way to a changed path.
    func newTrees(of commit: GitOID, along paths: [String]) throws(GitError) -> [git_oid] {
        let root = try tree(of: lookupCommit(commit))
        var directories = Set<String>()
        for path in paths {
            var components = path.split(separator: "/").dropLast()
            while !components.isEmpty {
                directories.insert(components.joined(separator: "/"))
                components.removeLast()
            }
        }
        var trees = [git_tree_id(root.pointer).pointee]
        for directory in directories.sorted() {
            var entry: OpaquePointer?
            guard git_tree_entry_bypath(&entry, root.pointer, directory) == 0, let entry else { continue }
            defer { git_tree_entry_free(entry) }
            if git_tree_entry_type(entry) == GIT_OBJECT_TREE { trees.append(git_tree_entry_id(entry).pointee) }
        }
        return trees
    }

    /// Copies objects from this repository's database into `target`'s (as loose objects).
    private func copyObjects(_ objects: [git_oid], to target: GitRepositoryHandle) throws(GitError) {
        let source = try GitOdbHandle("git_repository_odb") { git_repository_odb(&$0, repository.pointer) }
        let destination = try GitOdbHandle("git_repository_odb") { git_repository_odb(&$0, target.pointer) }
        for var oid in objects {
            var object: OpaquePointer?
            try check(git_odb_read(&object, source.pointer, &oid), "git_odb_read")
            defer { git_odb_object_free(object) }
            var written = git_oid()
            try check(git_odb_write(&written, destination.pointer, git_odb_object_data(object), git_odb_object_size(object),
                                    git_odb_object_type(object)), "git_odb_write")
        }
    }

    /// Hard-links `source` to `path` (same file system), else copies it; an existing `path`
    /// (the same pack, by its checksum name) is kept.
    private func linkOrCopy(_ source: String, to path: String) throws(GitError) {
        if link(source, path) == 0 || errno == EEXIST { return }
        guard let data = FileManager.default.contents(atPath: source) else { throw GitError.posix("read(\(source))") }
        try writePackFile([UInt8](data), to: path)
    }

    /// Moves `reference` in `target` to `commit` if it is still at `expected` (absent for nil).
    private static func swap(_ reference: String, in target: GitRepositoryHandle, to commit: GitOID,
                             from expected: GitOID?) throws(GitError) {
        var new = commit.raw
        var created: OpaquePointer?
        let code: Int32
        if var old = expected?.raw {
            code = git_reference_create_matching(&created, target.pointer, reference, &new, 1, &old, "push")
        } else {
            code = git_reference_create(&created, target.pointer, reference, &new, 0, "push")
        }
        git_reference_free(created)
        if code == GIT_EMODIFIED.rawValue || code == GIT_EEXISTS.rawValue {
            throw GitError(code: GIT_ENONFASTFORWARD.rawValue, message: "remote \(reference) moved while pushing",
                           function: "git_reference_create_matching", kind: .nonFastForward)
        }
        try check(code, "git_reference_create_matching(\(reference))")
    }

    /// Points the remote-tracking branch of `reference` (per `remote`'s fetch refspecs) at `commit`,
    /// as a push through libgit2 does.
    private func updateTrackingReference(_ remote: GitRemoteHandle, for reference: String, to commit: GitOID) throws(GitError) {
        for index in 0..<git_remote_refspec_count(remote.pointer) {
            guard let spec = git_remote_get_refspec(remote.pointer, index), git_refspec_direction(spec) == GIT_DIRECTION_FETCH,
                git_refspec_src_matches(spec, reference) == 1
            else { continue }
            var buffer = git_buf()
            defer { git_buf_dispose(&buffer) }
            try check(git_refspec_transform(&buffer, spec, reference), "git_refspec_transform")
            guard let name = buffer.ptr.map({ String(cString: $0) }) else { continue }
            var oid = commit.raw
            _ = try GitReferenceHandle("git_reference_create(\(name))") {
                git_reference_create(&$0, repository.pointer, name, &oid, 1, "update by push")
            }
        }
    }

    /// The oid `name` points at in `handle`, nil when it does not exist.
    private static func referenceTarget(_ name: String, in handle: GitRepositoryHandle) throws(GitError) -> GitOID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, handle.pointer, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_reference_name_to_id(\(name))")
        return GitOID(oid)
    }
}

/// The directory a remote URL names when it is a local path (`/srv/r.git`, `file:///srv/r.git`,
/// `../r.git`); nil for network URLs (`https://…`, `ssh://…`, `git@host:path`).
func localPath(_ url: String) -> String? {
    if url.hasPrefix("file://") { return String(url.dropFirst("file://".count)) }
    if url.contains("://") { return nil }
    if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") { return nil }  // scp-like host:path
    return url
}

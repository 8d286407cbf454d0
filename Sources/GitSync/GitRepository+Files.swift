import CGit2

extension GitRepository {
    /// Every file of the tree at `commit`, path → bytes, read into memory.
    ///
    /// With `prefix` (e.g. `jobs.d`), only files under that directory, with paths relative to
    /// it; an absent prefix yields an empty dictionary, since "no jobs directory at this
    /// revision" is a state the runner reconciles, not a failure. Symlinks and submodules are
    /// skipped: their "bytes" are not file contents.
    package func files(at commit: GitOID, under prefix: String? = nil) throws(GitError) -> [String: [UInt8]] {
        guard let root = try directory(at: commit, under: prefix) else { return [:] }
        var files: [String: [UInt8]] = [:]
        for (path, oid, _) in try blobEntries(of: root) {
            var raw = oid
            let blob = try GitBlobHandle("git_blob_lookup(\(path))") {
                git_blob_lookup(&$0, repository.pointer, &raw)
            }
            let size = Int(git_blob_rawsize(blob.pointer))
            if size == 0 {
                files[path] = []
            } else if let content = git_blob_rawcontent(blob.pointer) {
                files[path] = Array(UnsafeRawBufferPointer(start: content, count: size))
            }
        }
        return files
    }

    /// The paths of the files `files(at:under:)` would return, without reading their bytes.
    ///
    /// The status write-back needs only the names of the files already on its branch (to
    /// delete those of removed jobs); reading 10,000 blobs for that would cost more than the
    /// write itself.
    package func paths(at commit: GitOID, under prefix: String? = nil) throws(GitError) -> [String] {
        guard let root = try directory(at: commit, under: prefix) else { return [] }
        return try blobEntries(of: root).map(\.0)
    }

    /// The tree of `commit`, or its subtree at `prefix`; nil when there is no such directory.
    private func directory(at commit: GitOID, under prefix: String?) throws(GitError) -> GitTreeHandle? {
        let root = try tree(of: lookupCommit(commit))
        guard let prefix = normalized(prefix) else { return root }
        return try subtree(of: root, at: prefix)
    }

    /// The tree at `path` inside `root`, nil when there is none (or it is not a directory).
    private func subtree(of root: GitTreeHandle, at path: String) throws(GitError) -> GitTreeHandle? {
        let entry: GitTreeEntryHandle
        do {
            entry = try GitTreeEntryHandle("git_tree_entry_bypath(\(path))") {
                git_tree_entry_bypath(&$0, root.pointer, path)
            }
        } catch where error.kind == .notFound {
            return nil
        }
        guard git_tree_entry_type(entry.pointer) == GIT_OBJECT_TREE else { return nil }
        return try GitTreeHandle("git_tree_lookup(\(path))") {
            git_tree_lookup(&$0, repository.pointer, git_tree_entry_id(entry.pointer))
        }
    }

    /// `(path, blob id, executable)` of every regular or executable file below `tree`, pre-order.
    func blobEntries(of tree: GitTreeHandle) throws(GitError) -> [(String, git_oid, Bool)] {
        let collector = TreeWalkCollector()
        // `collector` stays alive: it is read below, after the call.
        let code = git_tree_walk(tree.pointer, GIT_TREEWALK_PRE, collectBlob, Unmanaged.passUnretained(collector).toOpaque())
        try check(code, "git_tree_walk")
        return collector.entries
    }
}

/// Strips slashes; nil for an empty or absent prefix.
private func normalized(_ prefix: String?) -> String? {
    guard let prefix else { return nil }
    let trimmed = prefix.split(separator: "/").joined(separator: "/")
    return trimmed.isEmpty || trimmed == "." ? nil : trimmed
}

/// Where `git_tree_walk` puts what it finds (the callback cannot capture).
private final class TreeWalkCollector {
    var entries: [(String, git_oid, Bool)] = []
}

/// `git_treewalk_cb`: records blobs with mode 100644/100755.
private func collectBlob(
    root: UnsafePointer<CChar>?, entry: OpaquePointer?, payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let entry, let payload, git_tree_entry_type(entry) == GIT_OBJECT_BLOB else { return 0 }
    let mode = git_tree_entry_filemode(entry)
    guard mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE,
        let name = git_tree_entry_name(entry), let oid = git_tree_entry_id(entry)
    else { return 0 }
    let collector = Unmanaged<TreeWalkCollector>.fromOpaque(payload).takeUnretainedValue()
    let directory = root.map { String(cString: $0) } ?? ""
    collector.entries.append((directory + String(cString: name), oid.pointee, mode == GIT_FILEMODE_BLOB_EXECUTABLE))
    return 0
}

import CGit2
import Foundation

extension GitRepository {
    /// Commits in-memory files onto `branch`, only when that changes the tree.
    ///
    /// The new tree is the branch tip's tree with `files` upserted and `removing` deleted
    /// (`git_tree_create_updated`: no index, no working directory, untouched paths keep their
    /// blobs). When the resulting tree id equals the tip's, nothing is committed and nil is
    /// returned — "commit only if bytes changed". Otherwise the commit gets the tip as its
    /// only parent and the branch moves to it.
    ///
    /// A branch that does not exist locally starts from `origin/<branch>` when that exists (a
    /// fresh clone only has the default branch locally), else as a new root commit.
    public func commit(
        files: [String: [UInt8]], removing: Set<String> = [], onto branch: String, message: String,
        author: GitSignature, committer: GitSignature? = nil
    ) throws(GitError) -> GitOID? {
        let reference = "refs/heads/\(branch)"
        var tipOID = try referenceTarget(reference)
        if tipOID == nil { tipOID = try referenceTarget("refs/remotes/origin/\(branch)") }
        var tip: GitCommitHandle?
        var baseline: GitTreeHandle?
        if let tipOID {
            let commit = try lookupCommit(tipOID)
            tip = commit
            baseline = try tree(of: commit)
        }
        let baselineID = baseline.map { GitOID(git_tree_id($0.pointer)) } ?? Self.emptyTreeID

        let treeID = try updatedTree(baseline, upserting: files, removing: removing)
        if treeID == baselineID { return nil }

        var rawTree = treeID.raw
        let tree = try GitTreeHandle("git_tree_lookup") { git_tree_lookup(&$0, repository.pointer, &rawTree) }
        let authorSignature = try GitSignatureHandle(author)
        let committerSignature = try GitSignatureHandle(committer ?? author)
        var parents: [OpaquePointer?] = tip.map { [$0.pointer] } ?? []
        var commitOID = git_oid()
        try check(
            git_commit_create(
                &commitOID, repository.pointer, reference, authorSignature.pointer, committerSignature.pointer,
                nil, message, tree.pointer, parents.count, &parents),
            "git_commit_create(\(reference))")
        withExtendedLifetime(tip) {}
        return GitOID(commitOID)
    }

    /// The id of the empty tree, which every repository implicitly has.
    static let emptyTreeID = GitOID(hex: "4b825dc642cb6eb9a060e54bf8d69288fbee4904") ?? GitOID(git_oid())

    /// Writes the blobs and the updated tree; returns the new root tree's id.
    private func updatedTree(
        _ baseline: GitTreeHandle?, upserting files: [String: [UInt8]], removing: Set<String>
    ) throws(GitError) -> GitOID {
        var paths = Array(files.keys)
        if let baseline {
            for path in removing.subtracting(files.keys).sorted() where try exists(path, in: baseline) {
                paths.append(path)
            }
        }
        // libgit2 keeps the path pointers only for the call; they are freed on every exit.
        let cPaths = paths.map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var updates: [git_tree_update] = []
        updates.reserveCapacity(paths.count)
        for (index, path) in paths.enumerated() {
            var update = git_tree_update()
            update.path = UnsafePointer(cPaths[index])
            if let bytes = files[path] {
                let code = git_blob_create_from_buffer(&update.id, repository.pointer, bytes, bytes.count)
                try check(code, "git_blob_create_from_buffer(\(path))")
                update.action = GIT_TREE_UPDATE_UPSERT
                update.filemode = GIT_FILEMODE_BLOB
            } else {
                update.action = GIT_TREE_UPDATE_REMOVE
            }
            updates.append(update)
        }
        var treeOID = git_oid()
        try check(
            git_tree_create_updated(&treeOID, repository.pointer, baseline?.pointer, updates.count, &updates),
            "git_tree_create_updated")
        return GitOID(treeOID)
    }

    /// Whether `path` names an entry of `tree`.
    private func exists(_ path: String, in tree: GitTreeHandle) throws(GitError) -> Bool {
        do {
            _ = try GitTreeEntryHandle("git_tree_entry_bypath(\(path))") { git_tree_entry_bypath(&$0, tree.pointer, path) }
            return true
        } catch where error.kind == .notFound {
            return false
        }
    }
}

import CGit2
import Foundation

extension GitRepository {
    /// A second handle on this repository whose object writes go to memory (a mempack).
    ///
    /// Writing 10,000 status blobs as loose objects costs 10,000 file creations; in memory
    /// they cost nothing until `writePack` stores them as one packfile. A separate handle,
    /// because libgit2 cannot detach a backend again: the mempack dies with this handle, and
    /// the actor's own handle keeps writing straight to disk.
    func bulkWriter() throws(GitError) -> GitRepositoryHandle {
        let writer = try GitRepositoryHandle("git_repository_open") {
            git_repository_open(&$0, git_repository_path(repository.pointer))
        }
        var mempack: UnsafeMutablePointer<git_odb_backend>?
        try check(almanac_git_attach_mempack(writer.pointer, &mempack), "git_mempack_new")
        return writer
    }

    /// Packs the new objects of `commit` — the given blobs, the trees on the way to `paths`,
    /// the commit — from `writer`'s memory into one packfile (with index) in the repository.
    ///
    /// `git_mempack_dump` is not used: it packs each commit's whole tree again, unchanged
    /// blobs included.
    ///
    /// A tree that did not change is packed again only if it lies on a changed path, which is
    /// harmless: a duplicate object in a second pack.
    func writePack(
        from writer: GitRepositoryHandle, commit: GitOID, blobs: [(git_oid, String)], paths: [String]
    ) throws(GitError) {
        let builder = try GitPackbuilderHandle("git_packbuilder_new") { git_packbuilder_new(&$0, writer.pointer) }
        git_packbuilder_set_threads(builder.pointer, 0)
        for (var blob, path) in blobs {
            try check(git_packbuilder_insert(builder.pointer, &blob, path), "git_packbuilder_insert")
        }
        var commitRaw = commit.raw
        let handle = try GitCommitHandle("git_commit_lookup") { git_commit_lookup(&$0, writer.pointer, &commitRaw) }
        let root = try tree(of: handle)
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
        for var tree in trees {
            try check(git_packbuilder_insert(builder.pointer, &tree, nil), "git_packbuilder_insert")
        }
        try check(git_packbuilder_insert(builder.pointer, &commitRaw, nil), "git_packbuilder_insert")
        // Built in memory and stored through the object database's pack writer: twice as fast
        // as `git_packbuilder_write` streaming into an indexer for 10,000 small objects.
        try check(almanac_git_store_pack(builder.pointer, writer.pointer), "git_packbuilder_write_buf")
    }
}

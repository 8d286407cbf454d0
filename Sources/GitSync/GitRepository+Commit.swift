import CGit2
import Foundation

extension GitRepository {
    /// Commits in-memory files onto `branch`, only when that changes the tree (or merges).
    ///
    /// `mergeParents` become the second and later parents (a merge commit; fixtures use it).
    ///
    /// The new tree is the branch tip's tree with `files` upserted and `removing` deleted
    /// (`git_tree_create_updated`: no index, no working directory, untouched paths keep their
    /// blobs). Files whose bytes already match the tip are found before any write — by
    /// comparing with the bytes this repository last committed there (`WrittenBlobs`), else by
    /// hashing; when nothing differs, nothing is written and nil is returned — "commit only if
    /// bytes changed". Otherwise the commit gets the tip as its only parent and the branch
    /// moves to it, compare-and-swap style (a branch moved meanwhile is an error, not lost).
    ///
    /// A branch that does not exist locally starts from `origin/<branch>` when that exists (a
    /// fresh clone only has the default branch locally), else as a new root commit.
    package func commit(
        files: [String: [UInt8]], removing: Set<String> = [], onto branch: String, message: String,
        author: GitSignature, committer: GitSignature? = nil, mergeParents: [GitOID] = []
    ) throws(GitError) -> GitOID? {
        let reference = "refs/heads/\(branch)"
        let localTip = try referenceTarget(reference)
        var tip = localTip
        if tip == nil { tip = try referenceTarget("refs/remotes/origin/\(branch)") }
        let parent = try tip.map { oid throws(GitError) in try lookupCommit(oid) }
        let baseline = try parent.map { commit throws(GitError) in try tree(of: commit) }
        var known = written.take(for: baseline.map { git_tree_id($0.pointer).pointee })
        let changes = try self.changes(files, removing: removing, against: baseline, known: &known)
        if changes.isEmpty && mergeParents.isEmpty {
            written = known
            return nil
        }

        let blobs = changes.filter { $0.bytes != nil }
        if blobs.count >= Self.bulkThreshold {
            // Thousands of new blobs: one packfile through libgit2, not one loose file each.
            try storePack(blobs)
        } else {
            for change in blobs {
                guard let bytes = change.bytes else { continue }
                var oid = git_oid()
                try check(git_blob_create_from_buffer(&oid, repository.pointer, bytes, bytes.count),
                          "git_blob_create_from_buffer(\(change.path))")
            }
        }
        let (commit, newTree) = try writeCommit(parent: parent, baseline: baseline, changes: changes, message: message,
                                             author: author, committer: committer ?? author, mergeParents: mergeParents)
        try moveBranch(reference, to: commit, from: localTip)
        known.tree = newTree
        written = known
        return commit
    }

    /// At this many new blobs, they are written as one pack instead of loose files ; below it,
    /// loose files, so small commits do not pile up small packs.
    static let bulkThreshold = 64

    /// One path to update: new bytes with their blob id, or nil bytes for a removal.
    struct Change {
        let path: String
        let bytes: [UInt8]?
        let oid: git_oid
    }

    /// The upserts whose bytes differ from `baseline` and the removals of paths it has, in path
    /// order; `known` (what was last committed onto `baseline`) is brought up to date with them.
    ///
    /// A file whose bytes equal those `known` holds for its path is unchanged without hashing
    /// it; one whose bytes differ is changed (its blob id cannot be the old one). Only paths
    /// `known` lacks are hashed and compared with the baseline tree. For the status branch, 100
    /// changed files of 10,000 are then 100 hashes instead of 10,000 and no read of the tree.
    private func changes(
        _ files: [String: [UInt8]], removing: Set<String>, against baseline: GitTreeHandle?, known: inout WrittenBlobs
    ) throws(GitError) -> [Change] {
        var index = BaselineIndex(baseline)
        var changes: [Change] = []
        for (path, bytes) in files {
            let previous = known.blobs[path]
            if let previous, previous.bytes == bytes { continue }
            var oid = git_oid()
            try check(git_odb_hash(&oid, bytes, bytes.count, GIT_OBJECT_BLOB), "git_odb_hash(\(path))")
            known.blobs[path] = (bytes, oid)
            if previous == nil, var existing = try index.entry(path, in: repository), existing.mode == GIT_FILEMODE_BLOB,
                git_oid_equal(&existing.oid, &oid) != 0
            {
                continue
            }
            changes.append(Change(path: path, bytes: bytes, oid: oid))
        }
        changes.sort { $0.path < $1.path }
        for path in removing.subtracting(files.keys).sorted() where try index.entry(path, in: repository) != nil {
            known.blobs[path] = nil
            changes.append(Change(path: path, bytes: nil, oid: git_oid()))
        }
        return changes
    }

    /// Writes the tree and commit for `changes`, whose blobs are stored already; moves no
    /// reference. Returns the commit and its tree.
    private func writeCommit(
        parent: GitCommitHandle?, baseline: GitTreeHandle?, changes: [Change], message: String,
        author: GitSignature, committer: GitSignature, mergeParents: [GitOID]
    ) throws(GitError) -> (GitOID, git_oid) {
        // libgit2 keeps the path pointers only for the call; they are freed on every exit.
        let cPaths = changes.map { strdup($0.path) }
        defer { cPaths.forEach { free($0) } }
        var updates: [git_tree_update] = []
        updates.reserveCapacity(changes.count)
        for (index, change) in changes.enumerated() {
            var update = git_tree_update()
            update.path = UnsafePointer(cPaths[index])
            update.id = change.oid
            update.action = change.bytes == nil ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT
            update.filemode = GIT_FILEMODE_BLOB
            updates.append(update)
        }
        var treeOID = git_oid()
        try check(git_tree_create_updated(&treeOID, repository.pointer, baseline?.pointer, updates.count, &updates),
                  "git_tree_create_updated")
        let tree = try GitTreeHandle("git_tree_lookup") { git_tree_lookup(&$0, repository.pointer, &treeOID) }
        let authorSignature = try GitSignatureHandle(author)
        let committerSignature = try GitSignatureHandle(committer)
        var others: [GitCommitHandle] = []
        for oid in mergeParents { others.append(try lookupCommit(oid)) }
        var parents: [OpaquePointer?] = (parent.map { [$0.pointer] } ?? []) + others.map(\.pointer)
        var commitOID = git_oid()
        try check(
            git_commit_create(&commitOID, repository.pointer, nil, authorSignature.pointer, committerSignature.pointer,
                              nil, message, tree.pointer, parents.count, &parents),
            "git_commit_create")
        withExtendedLifetime((parent, baseline, others)) {}
        return (GitOID(commitOID), treeOID)
    }

    /// Points `reference` at `commit` if it still points at `expected` (or, with nil, does not
    /// exist yet) — so a concurrent writer's commit is never silently dropped.
    private func moveBranch(_ reference: String, to commit: GitOID, from expected: GitOID?) throws(GitError) {
        var new = commit.raw
        if let expected {
            var old = expected.raw
            _ = try GitReferenceHandle("git_reference_create_matching(\(reference))") {
                git_reference_create_matching(&$0, repository.pointer, reference, &new, 1, &old, "almanac: commit")
            }
        } else {
            _ = try GitReferenceHandle("git_reference_create(\(reference))") {
                git_reference_create(&$0, repository.pointer, reference, &new, 0, "almanac: commit")
            }
        }
    }
}

/// The bytes and blob ids of the files the last commit wrote, and the tree they are in.
///
/// The status write-back commits all 10,000 files every time, of which a few changed; hashing
/// every file (SHA-1 with collision detection, in libgit2) and reading the 10,000-entry tree to
/// compare took 50 ms of a 90 ms commit. Keeping the bytes (about 3 MB for 10,000 status
/// files) lets the next commit onto the same tree compare bytes instead. Only valid for `tree`:
/// a commit onto any other tree (the branch moved, another branch) starts empty.
struct WrittenBlobs {
    var tree: git_oid?
    var blobs: [String: (bytes: [UInt8], oid: git_oid)] = [:]

    /// The blobs if they describe `baseline`, else an empty set for it; leaves self empty.
    mutating func take(for baseline: git_oid?) -> WrittenBlobs {
        defer { self = WrittenBlobs() }
        guard var mine = tree, var other = baseline, git_oid_equal(&mine, &other) != 0 else {
            return WrittenBlobs(tree: baseline)
        }
        return self
    }
}

/// The baseline tree's entries, loaded one directory at a time and kept.
///
/// `git_tree_entry_bypath` re-reads every directory on the way down on each call; for 10,000
/// files in `status/` that is 10,000 parses of a 10,000-entry tree. This reads each touched
/// directory once.
private struct BaselineIndex {
    let root: GitTreeHandle?
    typealias Entry = (oid: git_oid, mode: git_filemode_t)
    var directories: [String: [String: Entry]] = [:]

    init(_ root: GitTreeHandle?) {
        self.root = root
    }

    /// The entry at `path`, nil when the baseline has none.
    mutating func entry(_ path: String, in repository: GitRepositoryHandle) throws(GitError) -> Entry? {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        if directories[directory] == nil {
            directories[directory] = try load(directory, in: repository)
        }
        return directories[directory]?[name]
    }

    private func load(_ directory: String, in repository: GitRepositoryHandle) throws(GitError) -> [String: Entry] {
        guard let root else { return [:] }
        var tree = root
        if !directory.isEmpty {
            let entry: GitTreeEntryHandle
            do {
                entry = try GitTreeEntryHandle("git_tree_entry_bypath(\(directory))") {
                    git_tree_entry_bypath(&$0, root.pointer, directory)
                }
            } catch where error.kind == .notFound {
                return [:]
            }
            guard git_tree_entry_type(entry.pointer) == GIT_OBJECT_TREE else { return [:] }
            tree = try GitTreeHandle("git_tree_lookup(\(directory))") {
                git_tree_lookup(&$0, repository.pointer, git_tree_entry_id(entry.pointer))
            }
        }
        var entries: [String: Entry] = [:]
        for index in 0..<git_tree_entrycount(tree.pointer) {
            guard let entry = git_tree_entry_byindex(tree.pointer, index), let name = git_tree_entry_name(entry),
                let oid = git_tree_entry_id(entry)
            else { continue }
            entries[String(cString: name)] = (oid.pointee, git_tree_entry_filemode(entry))
        }
        return entries
    }
}

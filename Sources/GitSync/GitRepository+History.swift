import CGit2
import Foundation

extension GitRepository {
    /// Commits reachable from `new` but not from `old`, newest first.
    ///
    /// Topological and time order are set in one `git_revwalk_sorting` call (a second call
    /// would replace the first). `old` is hidden, not searched for, so the walk stops as soon
    /// as it meets `old`'s history; an `old` unknown to the repository (history rewritten)
    /// throws `.notFound` so the caller can decide how to resynchronise.
    package func commits(since old: GitOID?, to new: GitOID, limit: Int? = nil) throws(GitError) -> [GitCommitInfo] {
        let walk = try GitRevwalkHandle("git_revwalk_new") { git_revwalk_new(&$0, repository.pointer) }
        try check(
            git_revwalk_sorting(walk.pointer, GIT_SORT_TOPOLOGICAL.rawValue | GIT_SORT_TIME.rawValue),
            "git_revwalk_sorting")
        var newRaw = new.raw
        try check(git_revwalk_push(walk.pointer, &newRaw), "git_revwalk_push(\(new.short))")
        if let old {
            var oldRaw = old.raw
            try check(git_revwalk_hide(walk.pointer, &oldRaw), "git_revwalk_hide(\(old.short))")
        }
        var result: [GitCommitInfo] = []
        var oid = git_oid()
        while limit.map({ result.count < $0 }) ?? true {
            let code = git_revwalk_next(&oid, walk.pointer)
            if code == GIT_ITEROVER.rawValue { break }
            try check(code, "git_revwalk_next")
            var current = oid
            let commit = try GitCommitHandle("git_commit_lookup") {
                git_commit_lookup(&$0, repository.pointer, &current)
            }
            result.append(GitCommitInfo(commit: commit))
        }
        return result
    }

    /// The commit's own metadata.
    package func commitInfo(_ oid: GitOID) throws(GitError) -> GitCommitInfo {
        GitCommitInfo(commit: try lookupCommit(oid))
    }

    /// The paths a commit changed relative to its first parent (all paths for a root commit),
    /// sorted.
    ///
    /// Lets the runner ignore commits that touched only its own `status/` files.
    package func changedPaths(in commit: GitOID) throws(GitError) -> [String] {
        let handle = try lookupCommit(commit)
        let newTree = try tree(of: handle)
        var oldTree: GitTreeHandle?
        if git_commit_parentcount(handle.pointer) > 0 {
            let parent = try GitCommitHandle("git_commit_parent") { git_commit_parent(&$0, handle.pointer, 0) }
            oldTree = try tree(of: parent)
        }
        let diff = try GitDiffHandle("git_diff_tree_to_tree") {
            git_diff_tree_to_tree(&$0, repository.pointer, oldTree?.pointer, newTree.pointer, nil)
        }
        var paths = Set<String>()
        for index in 0..<git_diff_num_deltas(diff.pointer) {
            guard let delta = git_diff_get_delta(diff.pointer, index)?.pointee else { continue }
            for file in [delta.old_file, delta.new_file] {
                if let path = file.path { paths.insert(String(cString: path)) }
            }
        }
        return paths.sorted()
    }

    /// Every tag, sorted by name, annotated tags peeled to their target with the tagger time.
    package func tags() throws(GitError) -> [GitTag] {
        let collector = TagCollector()
        // `collector` stays alive: it is read below, after the call.
        let code = git_tag_foreach(repository.pointer, collectTag, Unmanaged.passUnretained(collector).toOpaque())
        try check(code, "git_tag_foreach")
        var tags: [GitTag] = []
        for (name, oid) in collector.tags {
            var raw = oid
            let object = try GitObjectHandle("git_object_lookup(\(name))") {
                git_object_lookup(&$0, repository.pointer, &raw, GIT_OBJECT_ANY)
            }
            guard git_object_type(object.pointer) == GIT_OBJECT_TAG else {
                tags.append(GitTag(name: name, target: GitOID(oid), time: nil))
                continue
            }
            // A git_object of type TAG is a git_tag (same opaque handle in libgit2).
            let target = try GitObjectHandle("git_tag_peel(\(name))") { git_tag_peel(&$0, object.pointer) }
            let time = git_tag_tagger(object.pointer).map { GitSignature($0).time }
            tags.append(GitTag(name: name, target: GitOID(git_object_id(target.pointer)), time: time))
        }
        return tags.sorted { $0.name < $1.name }
    }

    /// Creates an annotated tag `name` on `commit` (or a lightweight one without `tagger`).
    package func createTag(
        _ name: String, on commit: GitOID, message: String = "", tagger: GitSignature? = nil
    ) throws(GitError) {
        var raw = commit.raw
        let object = try GitObjectHandle("git_object_lookup(\(commit.short))") {
            git_object_lookup(&$0, repository.pointer, &raw, GIT_OBJECT_COMMIT)
        }
        var tagOID = git_oid()
        if let tagger {
            let signature = try GitSignatureHandle(tagger)
            try check(
                git_tag_create(&tagOID, repository.pointer, name, object.pointer, signature.pointer, message, 0),
                "git_tag_create(\(name))")
        } else {
            try check(
                git_tag_create_lightweight(&tagOID, repository.pointer, name, object.pointer, 0),
                "git_tag_create_lightweight(\(name))")
        }
    }
}

/// Where `git_tag_foreach` puts `(short name, object id)` pairs.
private final class TagCollector {
    var tags: [(String, git_oid)] = []
}

/// `git_tag_foreach_cb`: receives full ref names (`refs/tags/v1`).
private func collectTag(
    name: UnsafePointer<CChar>?, oid: UnsafeMutablePointer<git_oid>?, payload: UnsafeMutableRawPointer?
) -> Int32 {
    guard let name, let oid, let payload else { return 0 }
    let collector = Unmanaged<TagCollector>.fromOpaque(payload).takeUnretainedValue()
    var short = String(cString: name)
    if short.hasPrefix("refs/tags/") { short.removeFirst("refs/tags/".count) }
    collector.tags.append((short, oid.pointee))
    return 0
}

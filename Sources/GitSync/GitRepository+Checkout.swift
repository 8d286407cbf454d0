import CGit2
import Foundation

extension GitRepository {
    /// Writes every file of the tree at `commit` into `directory` (created; must be empty or new).
    ///
    /// The runner's clones are bare, so jobs whose `workdir` is relative need the commit's files
    /// on disk somewhere: this materialises them without an index or a checkout, executable bits
    /// kept (scripts in the repository stay runnable). Symlinks and submodules are skipped, as in
    /// `files(at:)`.
    package func materialize(_ commit: GitOID, into directory: URL) throws(GitError) {
        let root = try tree(of: lookupCommit(commit))
        let manager = FileManager.default
        for (path, oid, executable) in try blobEntries(of: root) {
            var raw = oid
            let blob = try GitBlobHandle("git_blob_lookup(\(path))") { git_blob_lookup(&$0, repository.pointer, &raw) }
            let size = Int(git_blob_rawsize(blob.pointer))
            let data = git_blob_rawcontent(blob.pointer).map { Data(bytes: $0, count: size) } ?? Data()
            let url = directory.appendingPathComponent(path)
            do {
                try manager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            } catch {
                throw GitError(code: -1, message: "\(error)", function: "materialize(\(path))", kind: .other)
            }
            let mode: Int = executable ? 0o755 : 0o644
            guard manager.createFile(atPath: url.path, contents: data, attributes: [.posixPermissions: mode]) else {
                throw GitError(code: -1, message: "cannot write \(url.path)", function: "materialize(\(path))", kind: .other)
            }
        }
    }
}

extension GitRepository {
    /// Creates a lightweight tag `name` at `commit` (fails with `.exists` if it is taken).
    package func createTag(_ name: String, at commit: GitOID) throws(GitError) {
        var oid = git_oid()
        let object = try GitObjectHandle("git_object_lookup(\(commit.short))") {
            var raw = commit.raw
            return git_object_lookup(&$0, repository.pointer, &raw, GIT_OBJECT_COMMIT)
        }
        try check(git_tag_create_lightweight(&oid, repository.pointer, name, object.pointer, 0),
                  "git_tag_create_lightweight(\(name))")
    }
}

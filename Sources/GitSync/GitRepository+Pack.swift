import AlmanacCore
import CGit2

extension GitRepository {
    /// Stores the blobs of `blobs` as one packfile, with its index, through libgit2: staged in
    /// memory (the mempack backend), packed by a packbuilder, written with one append to the
    /// object database's pack writer (its indexer).
    ///
    /// Written one by one, 10,000 status files are 10,000 loose files, each deflated and
    /// renamed, and every `git_odb_write` first looks for the object in every backend and
    /// rescans the pack directory when it is missing (always, for new objects). Staging writes
    /// the already-hashed blobs straight into the in-memory backend; the packbuilder reads them
    /// from there. `git_mempack_dump` is not used: it packs every object reachable from the
    /// staged commits, which for 100 changed files of 10,000 would rewrite all 10,000.
    func storePack(_ blobs: [Change]) throws(GitError) {
        let staging = try mempack()
        defer { staging.reset() }
        for blob in blobs {
            if let bytes = blob.bytes { try staging.write(blob.oid, bytes) }
        }
        let builder = try GitPackbuilderHandle("git_packbuilder_new") { git_packbuilder_new(&$0, repository.pointer) }
        git_packbuilder_set_threads(builder.pointer, 0)  // one delta-search thread per core
        for blob in blobs where blob.bytes != nil {
            var oid = blob.oid
            try check(git_packbuilder_insert(builder.pointer, &oid, nil), "git_packbuilder_insert")
        }
        var pack = git_buf()
        defer { git_buf_dispose(&pack) }
        try check(git_packbuilder_write_buf(&pack, builder.pointer), "git_packbuilder_write_buf")

        var writer: UnsafeMutablePointer<git_odb_writepack>?
        try check(git_odb_write_pack(&writer, staging.odb.pointer, nil, nil), "git_odb_write_pack")
        guard let writer, let append = writer.pointee.append, let commit = writer.pointee.commit else {
            throw GitError(code: -1, message: "returned no pack writer", function: "git_odb_write_pack")
        }
        defer { writer.pointee.free?(writer) }
        var progress = git_indexer_progress()
        try check(append(writer, pack.ptr, pack.size, &progress), "git_odb_writepack append")
        try check(commit(writer, &progress), "git_odb_writepack commit")
        try check(git_odb_refresh(staging.odb.pointer), "git_odb_refresh")
    }

    /// The repository's staging backend, attached on first use (see `GitMempack`).
    private func mempack() throws(GitError) -> GitMempack {
        if let staging { return staging }
        let created = try GitMempack(repository)
        staging = created
        return created
    }
}

/// libgit2's in-memory object backend, attached to one repository's object database.
///
/// The database owns the backend once it is added (libgit2 1.5 cannot detach it), so this
/// holds a reference to the database instead of freeing the backend, and empties it after
/// every use. It sits below the loose and pack backends: ordinary writes (`git_odb_write`,
/// trees and commits) still go to disk, and only blobs written here explicitly are staged.
final class GitMempack {
    let odb: GitOdbHandle
    private let backend: UnsafeMutablePointer<git_odb_backend>

    init(_ repository: GitRepositoryHandle) throws(GitError) {
        odb = try GitOdbHandle("git_repository_odb") { git_repository_odb(&$0, repository.pointer) }
        var created: UnsafeMutablePointer<git_odb_backend>?
        try check(git_mempack_new(&created), "git_mempack_new")
        guard let created else { throw GitError(code: -1, message: "returned no backend", function: "git_mempack_new") }
        let code = git_odb_add_backend(odb.pointer, created, 0)
        if code < 0 {
            let error = GitError.last(code, "git_odb_add_backend")
            created.pointee.free?(created)
            throw error
        }
        backend = created
    }

    /// Stages a blob whose id `oid` is already known (from `git_odb_hash`).
    func write(_ oid: git_oid, _ bytes: [UInt8]) throws(GitError) {
        guard let write = backend.pointee.write else {
            throw GitError(code: -1, message: "backend cannot write", function: "mempack write")
        }
        var id = oid
        try check(bytes.withUnsafeBytes { write(backend, &id, $0.baseAddress, $0.count, GIT_OBJECT_BLOB) }, "mempack write")
    }

    /// Drops every staged object.
    func reset() {
        _ = git_mempack_reset(backend)
    }
}

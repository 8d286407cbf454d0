import AlmanacCore
import CGit2
import Foundation

extension GitRepository {
    /// Stores the blobs of `blobs` as one packfile, with its index, in `objects/pack`, and
    /// makes the object database see it; returns the pack's path without `.pack`.
    ///
    /// The pack is written under a temporary name and renamed, then the index likewise: git
    /// and libgit2 find packs by their `.idx`, so a reader never sees an index without its pack.
    func storePack(_ blobs: [Change]) throws(GitError) -> String {
        var pack = try BlobPack(expectedBytes: blobs.reduce(0) { $0 + ($1.bytes?.count ?? 0) })
        for blob in blobs {
            if let bytes = blob.bytes { try pack.add(blob.oid, bytes) }
        }
        let (packBytes, index, checksum) = pack.finish()
        let directory = try objectsDirectory() + "/pack"
        let name = directory + "/pack-" + Hex.string(checksum)
        try writePackFile(packBytes, to: name + ".pack")
        try writePackFile(index, to: name + ".idx")
        let odb = try GitOdbHandle("git_repository_odb") { git_repository_odb(&$0, repository.pointer) }
        try check(git_odb_refresh(odb.pointer), "git_odb_refresh")
        return name
    }

    /// The object directory (`objects`, or wherever the repository keeps it).
    func objectsDirectory(of handle: GitRepositoryHandle? = nil) throws(GitError) -> String {
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try check(git_repository_item_path(&buffer, (handle ?? repository).pointer, GIT_REPOSITORY_ITEM_OBJECTS),
                  "git_repository_item_path")
        let path = buffer.ptr.map { String(cString: $0) } ?? ""
        return path.hasSuffix("/") ? String(path.dropLast()) : path
    }
}

/// Writes `bytes` to a temporary file beside `path`, read-only as git keeps packs, and renames
/// it to `path`, so no reader sees a partial file.
func writePackFile(_ bytes: [UInt8], to path: String) throws(GitError) {
    let temporary = URL(fileURLWithPath: path).deletingLastPathComponent()
        .appendingPathComponent("tmp_pack_" + UUID().uuidString).path
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
    guard fd >= 0 else { throw GitError.posix("open(\(temporary))") }
    var written = 0
    while written < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress.map { $0 + written }, $0.count - written) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else {
            let error = GitError.posix("write(\(temporary))")
            close(fd)
            unlink(temporary)
            throw error
        }
        written += n
    }
    guard close(fd) == 0, rename(temporary, path) == 0 else {
        let error = GitError.posix("rename(\(temporary))")
        unlink(temporary)
        throw error
    }
}

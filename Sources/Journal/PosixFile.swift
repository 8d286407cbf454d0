#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Thin, error-checked wrappers over the system calls the journal needs.
///
/// Each failure becomes a `JournalError` naming the operation, the path and the errno text;
/// `EINTR` is retried and short writes are continued.
enum PosixFile {
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(JournalError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw JournalError.system("open", path: path) }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(JournalError) {
        let result: Result<Void, JournalError> = bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return .failure(.system("write", path: path))
                }
                offset += n
            }
            return .success(())
        }
        try result.get()
    }

    /// Makes written data durable (`fdatasync`: data plus the size needed to read it back).
    static func sync(_ fd: Int32, path: String) throws(JournalError) {
        while fdatasync(fd) != 0 {
            if errno != EINTR { throw JournalError.system("fsync", path: path) }
        }
    }

    /// fsyncs a directory so a created or renamed entry in it survives a crash.
    static func syncDirectory(_ path: String) throws(JournalError) {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { Glibc.close(fd) }
        while fsync(fd) != 0 {
            if errno != EINTR { throw JournalError.system("fsync", path: path) }
        }
    }

    static func truncate(_ fd: Int32, to length: Int, path: String) throws(JournalError) {
        guard ftruncate(fd, off_t(length)) == 0 else { throw JournalError.system("truncate", path: path) }
    }

    static func rename(_ from: String, to: String) throws(JournalError) {
        guard Glibc.rename(from, to) == 0 else { throw JournalError.system("rename to \(to)", path: from) }
    }

    static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Creates `path` and missing parents (mode 0755).
    static func makeDirectories(_ path: String) throws(JournalError) {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw JournalError(kind: .io(errno: EIO), path: path, message: "cannot create the state dir: \(error)")
        }
    }

    /// Replaces `path` atomically: `write` fills `path + suffix` (created with `mode`), which is
    /// fsynced, renamed over `path`, and the directory fsynced, so a crash leaves the old file or
    /// the new one. On failure the temporary file is removed and `path` is untouched.
    static func replaceAtomically(_ path: String, directory: String, suffix: String, mode: mode_t = 0o644,
                                  write: (_ fd: Int32, _ temporary: String) throws(JournalError) -> Void) throws(JournalError) {
        let temporary = path + suffix
        let fd = try open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode: mode)
        do throws(JournalError) {
            try write(fd, temporary)
            try sync(fd, path: temporary)
            Glibc.close(fd)
        } catch {
            Glibc.close(fd)
            unlink(temporary)
            throw error
        }
        try rename(temporary, to: path)
        try syncDirectory(directory)
    }
}

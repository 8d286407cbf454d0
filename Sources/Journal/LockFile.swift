#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The state dir's single-writer lock: `flock(LOCK_EX|LOCK_NB)` on `lock`, holding the pid.
///
/// flock locks belong to the open file description and vanish when the process dies, so a
/// crashed runner never leaves a stale lock; the pid in the file only makes the error useful.
struct LockFile: Sendable {
    let fd: Int32
    let path: String

    /// Takes the lock or throws `locked(pid:)` naming the holder.
    static func acquire(directory: String) throws(JournalError) -> LockFile {
        let path = directory + "/lock"
        let fd = try PosixFile.open(path, O_RDWR | O_CREAT)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = readPid(fd)
            Glibc.close(fd)
            if code == EWOULDBLOCK { throw JournalError.locked(directory: directory, pid: holder) }
            throw JournalError.system("flock", path: path, errno: code)
        }
        do {
            try PosixFile.truncate(fd, to: 0, path: path)
            _ = lseek(fd, 0, SEEK_SET)
            try PosixFile.writeAll(fd, Array("\(getpid())\n".utf8), path: path)
        } catch {
            Glibc.close(fd)
            throw error
        }
        return LockFile(fd: fd, path: path)
    }

    /// Clears the pid and releases the lock (closing the descriptor releases it).
    func release() {
        _ = ftruncate(fd, 0)
        Glibc.close(fd)
    }

    private static func readPid(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

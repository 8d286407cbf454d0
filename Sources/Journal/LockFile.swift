#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The state dir's single-writer lock: `flock(LOCK_EX|LOCK_NB)` on `lock`, holding the pid.
///
/// flock locks belong to the open file description and vanish when the process dies, so a
/// crashed runner never leaves a stale lock; the pid in the file only makes the error useful.
package struct LockFile: Sendable {
    let fd: Int32
    let path: String

    /// Takes the lock or throws `locked(pid:)` naming the holder.
    package static func acquire(directory: String) throws(JournalError) -> LockFile {
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
    package func release() {
        _ = ftruncate(fd, 0)
        Glibc.close(fd)
    }

    /// The pid holding the lock of `directory`, or nil when no process does — without taking
    /// or touching it (a probe that took it, even for a moment, could make a starting runner
    /// fail with "locked"). Linux lists every flock in /proc/locks with the file's device and
    /// inode; a pid left in the file by a killed runner, maybe reused since, proves nothing.
    static func holder(directory: String) -> Int? {
        var info = stat()
        guard stat(directory + "/lock", &info) == 0 else { return nil }
        guard let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) else {
            // No /proc: the pid in the file, if that process lives (the best a probe can do).
            let text = (try? String(contentsOfFile: directory + "/lock", encoding: .utf8)) ?? ""
            guard let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
                  kill(pid, 0) == 0 || errno == EPERM else { return nil }
            return Int(pid)
        }
        let major = UInt64((info.st_dev >> 8) & 0xfff) | UInt64((info.st_dev >> 32) & ~0xfff)
        let minor = UInt64(info.st_dev & 0xff) | UInt64((info.st_dev >> 12) & ~0xff)
        for line in table.split(separator: "\n") {
            // `1: FLOCK  ADVISORY  WRITE 1234 00:2d:5678 0 EOF`; waiters (`1: -> FLOCK …`) hold nothing.
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK" else { continue }
            let id = fields[5].split(separator: ":")
            guard id.count == 3, UInt64(id[0], radix: 16) == major, UInt64(id[1], radix: 16) == minor,
                  UInt64(id[2]) == UInt64(info.st_ino) else { continue }
            return Int(fields[4])
        }
        return nil
    }

    private static func readPid(_ fd: Int32) -> Int? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self)
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
}

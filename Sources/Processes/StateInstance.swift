import CronSchedule
import Foundation
import Glibc
import Scheduler

/// The random id of a state directory, kept in `STATE/instance-id`: the first part of every
/// child's `ALMANAC_RUN` marker.
///
/// Random rather than derived from the path, so it names the directory wherever it is mounted
/// or moved and says nothing about the machine; created once, with `O_EXCL`, so two processes
/// opening a fresh directory agree on it.
package enum StateInstance {
    static let fileName = "instance-id"

    /// The id of `stateDirectory`, created on first use. A directory that cannot be written
    /// falls back to a hash of its path: stable for this path, and still no secret.
    package static func id(of stateDirectory: URL) -> String {
        let path = stateDirectory.appendingPathComponent(fileName).path
        if let id = read(path) { return id }
        try? FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        let fresh = (0..<2).map { _ in String(UInt64.random(in: .min ... .max), radix: 16).leftPadded(16) }.joined()
        // Written aside and linked into place: a reader never sees a half-written id, and
        // `link` fails rather than replace an id another process published first.
        let temporary = path + ".\(fresh).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd >= 0 {
            let line = Array((fresh + "\n").utf8)
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            let synced = fsync(fd) == 0
            close(fd)
            let linked = written == line.count && synced && link(temporary, path) == 0
            unlink(temporary)
            if linked { return fresh }
        }
        // Another process created it first (EEXIST), or the directory is read-only.
        return read(path) ?? "p" + String(stableHash(stateDirectory.standardizedFileURL.path), radix: 16)
    }

    private static func read(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let id = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let valid = !id.isEmpty && id.count <= 64 && id.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) }
        return valid ? id : nil
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

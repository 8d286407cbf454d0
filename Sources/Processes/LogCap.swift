import CLinux
import Glibc
import Scheduler

/// Keeps one execution's log within `maxBytes`: its head and its tail, joined by a marker line.
///
/// The child writes straight into the log file (no pipe for the runner to drain, see
/// `ProcessLauncher`), so the cap is applied to the file itself. While the child runs, what
/// lies between the head and the newest `tailBytes` is punched out every second
/// (`FALLOC_FL_PUNCH_HOLE`: the file keeps its length but gives its blocks back, so a job
/// printing without end cannot fill the disk); once it has exited the file is rewritten as
/// head, marker, tail. Only bytes from `start` on (this execution's) are ever touched.
struct LogCap: Sendable {
    /// The most bytes the execution's part of the log holds once it is cut.
    let maxBytes: Int64

    init(maxBytes: Int64) {
        self.maxBytes = max(maxBytes, 2 * Self.markerReserve)
    }

    /// Room kept for the marker line (it is about 40 bytes).
    static let markerReserve: Int64 = 80
    private static let block: Int64 = 4096

    var headBytes: Int64 { maxBytes / 2 }
    var tailBytes: Int64 { maxBytes - headBytes - Self.markerReserve }

    /// The marker that replaces `cut` bytes.
    static func marker(cut: Int64) -> [UInt8] {
        Array("\n… [almanac: \(cut) bytes cut] …\n".utf8)
    }

    /// Frees the disk blocks of what `trim` will cut; harmless where holes are not supported.
    func punch(_ fd: Int32, start: Int64) {
        guard let size = Self.size(fd), size - start > maxBytes else { return }
        let from = (start + headBytes + Self.block - 1) / Self.block * Self.block
        let to = (size - tailBytes) / Self.block * Self.block
        guard to > from else { return }
        _ = almanac_punch_hole(fd, off_t(from), off_t(to - from))
    }

    /// Rewrites the log past `start` as head, marker, tail; returns how many bytes were cut.
    ///
    /// Called once the child has exited. `fd` is the runner's O_APPEND descriptor, on which
    /// Linux's `pwrite` ignores the offset, so the rewrite goes through a second descriptor of
    /// the same file (`/proc/self/fd`).
    @discardableResult
    func trim(_ fd: Int32, start: Int64) -> Int64 {
        guard let size = Self.size(fd), size - start > maxBytes else { return 0 }
        let tailStart = size - tailBytes
        let headEnd = start + headBytes
        let cut = tailStart - headEnd
        let tail = LogTail.bytes(fd, at: tailStart, count: Int(tailBytes))
        guard tail.count == Int(tailBytes) else { return 0 }
        let writer = open("/proc/self/fd/\(fd)", O_WRONLY | O_CLOEXEC)
        guard writer >= 0 else { return 0 }
        defer { close(writer) }
        let replacement = Self.marker(cut: cut) + tail
        guard Self.writeFully(writer, replacement, at: headEnd) else { return 0 }
        _ = ftruncate(writer, off_t(headEnd + Int64(replacement.count)))
        return cut
    }

    private static func size(_ fd: Int32) -> Int64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : nil
    }

    private static func writeFully(_ fd: Int32, _ bytes: [UInt8], at offset: Int64) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                pwrite(fd, buffer.baseAddress.map { $0 + written }, buffer.count - written, off_t(offset) + off_t(written))
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            written += n
        }
        return true
    }
}

import Foundation
import Glibc
import Scheduler

/// Delivers a spec's stdin bytes to the child through a pipe, without blocking the caller.
///
/// Most payloads (a post's JSON) fit in the 64 KiB pipe buffer and are written at once
/// from `start`; only the remainder of a larger one goes to a short-lived thread, which
/// may block until the child reads. A child that exits without reading makes the write fail
/// with EPIPE, which ends the delivery (SIGPIPE is ignored by the launcher).
enum StdinWriter {
    /// Writes `bytes` to the pipe's write end `fd` and closes it when done.
    static func deliver(_ bytes: [UInt8], to fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let offset = write(bytes, from: 0, to: fd)
        guard let offset, offset < bytes.count else {
            close(fd)
            return
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        let thread = Thread {
            _ = write(bytes, from: offset, to: fd)
            close(fd)
        }
        thread.stackSize = 128 * 1024
        thread.start()
    }

    /// Writes from `offset` until done or the pipe is full; nil when the reader is gone.
    private static func write(_ bytes: [UInt8], from offset: Int, to fd: Int32) -> Int? {
        var offset = offset
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset) }
            if n > 0 {
                offset += n
            } else if n < 0, errno == EINTR {
                continue
            } else if n < 0, errno == EAGAIN {
                return offset
            } else {
                return nil
            }
        }
        return offset
    }
}

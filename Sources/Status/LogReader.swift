import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads an attempt's log file as far as it holds data, without ever loading what is not there.
///
/// While a capped attempt runs, its file keeps its full length, but the middle past the cap is
/// punched out (`fallocate(FALLOC_FL_PUNCH_HOLE)`, docs/runner.md): reading it whole would
/// allocate gigabytes of zeros for a loud job. So reads skip holes (`SEEK_DATA`), writing one
/// marker line in place of each, and never take more than `limit` bytes at a time.
package final class LogReader {
    private let fd: Int32
    /// Where the next read starts.
    package private(set) var offset: Int64 = 0

    /// `lseek`'s SEEK_DATA and SEEK_HOLE (Linux 3.1+): glibc declares them only under
    /// _GNU_SOURCE, which Swift's Glibc module is not built with.
    private static let seekData: Int32 = 3, seekHole: Int32 = 4

    /// The most bytes one `read()` returns; what is left comes with the next call.
    package static let limit = 1 << 20

    package init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    deinit { close(fd) }

    /// The file's current length.
    package var size: Int64 {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : offset
    }

    /// The next bytes from `offset`, up to `limit` (empty at the end). A file that shrank was
    /// rewritten by the cap at the attempt's end (head, marker, tail): reading goes on from its end.
    package func read() -> [UInt8] {
        let end = size
        if end < offset { offset = end }
        guard end > offset else { return [] }
        var out: [UInt8] = []
        // A hole at `offset`: jump to the next data, saying how much was skipped.
        let data = lseek(fd, off_t(offset), Self.seekData)
        if data < 0 || Int64(data) >= end {
            defer { offset = end }
            return Array("\n… [almanac: \(end - offset) bytes cut while running] …\n".utf8)
        }
        if Int64(data) > offset {
            out += Array("\n… [almanac: \(Int64(data) - offset) bytes cut while running] …\n".utf8)
            offset = Int64(data)
        }
        let hole = Int64(lseek(fd, off_t(offset), Self.seekHole))
        let count = Int(min(Int64(Self.limit), min(end, hole > offset ? hole : end) - offset))
        var buffer = [UInt8](repeating: 0, count: count)
        let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        guard got > 0 else { return out }
        offset += Int64(got)
        return out + buffer.prefix(got)
    }

    /// The whole file's data (holes as markers), or its last `lines` lines: for a tail, only
    /// the file's end is read, however long it is.
    package func readAll(tail lines: Int? = nil) -> [UInt8] {
        if let lines {
            // Each line of a log is rarely past 4 KiB; read back far enough for them, at most the cap's tail.
            let want = Int64(min(Self.limit, max(4096, lines * 4096)))
            offset = max(0, size - want)
            var bytes: [UInt8] = []
            while case let chunk = read(), !chunk.isEmpty { bytes += chunk }
            return Array(ExecutionLog.tail(bytes, lines: lines))
        }
        var bytes: [UInt8] = []
        while case let chunk = read(), !chunk.isEmpty { bytes += chunk }
        return bytes
    }
}

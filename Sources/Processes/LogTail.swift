import Glibc
import Scheduler

/// Reads what one execution appended to its log: the last bytes, cut to valid UTF-8.
///
/// Several attempts may share a log file, so the tail starts no earlier than the offset
/// the file had when this execution was spawned.
enum LogTail {
    /// The size of the tail kept in the journal.
    static let maxBytes = 4096

    /// The tail of `fd` from `start` (at most `maxBytes`), decoded as UTF-8.
    static func read(_ fd: Int32, from start: Int64) -> String {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return "" }
        let end = Int64(info.st_size)
        let from = max(start, end - Int64(maxBytes))
        guard end > from else { return "" }
        return repair(bytes(fd, at: from, count: Int(end - from)))
    }

    /// Up to `count` bytes of `fd` at `offset` (fewer at the end of the file or on an error).
    static func bytes(_ fd: Int32, at offset: Int64, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { buffer in
                pread(fd, buffer.baseAddress.map { $0 + filled }, buffer.count - filled, off_t(offset) + off_t(filled))
            }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { break }
            filled += n
        }
        return Array(bytes.prefix(filled))
    }

    /// Decodes `bytes` as UTF-8 after dropping a character cut at the front.
    ///
    /// A cut at the front leaves up to three continuation bytes (10xxxxxx), which are
    /// dropped; anything else invalid (a cut at the end, binary output) becomes U+FFFD.
    static func repair<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        var start = bytes.startIndex
        var dropped = 0
        while start != bytes.endIndex, dropped < 3, bytes[start] & 0xC0 == 0x80 {
            start = bytes.index(after: start)
            dropped += 1
        }
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    /// All bytes of `fd` up to `limit`; nil when a read fails.
    static func readAll(_ fd: Int32, limit: Int) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while bytes.count < limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            bytes += chunk.prefix(n)
        }
        return bytes
    }
}

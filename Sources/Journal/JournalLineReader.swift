#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Reads a journal file in 4 MiB chunks and decodes it one line at a time, applying the damage rules.
///
/// A record counts once its newline is on disk. The last line may be torn (unterminated, or
/// garbage from a crash mid-append): it is dropped and reported. A bad line with any
/// non-blank line after it is corruption, not a crash artefact: that is an error.
///
/// A class because it owns its buffer (freed in `deinit`); it is handed whole to the replay
/// pipeline's decoding thread and read back only after that thread is done, so it is never
/// used by two threads at once (hence `@unchecked Sendable`).
final class JournalLineReader: @unchecked Sendable {
    private let fd: Int32
    let path: String
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes in `buffer`, the start of the next line in it, and the file offset of `buffer[0]`.
    private var filled = 0, start = 0, base = 0
    private var lineNumber = 0
    private var atEnd = false
    private var bad: (line: Int, reason: String)?
    /// Events decoded so far.
    private(set) var events = 0
    /// Length of the valid prefix of the file; a writer truncates the file to it.
    private(set) var validBytes = 0
    /// Set at the end when the last line was torn or corrupt and was left out.
    private(set) var droppedTornLine: String?

    /// Reads from `fd`, which the caller opened and closes; `path` is for messages.
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        buffer = .allocate(capacity: 1 << 22)
    }

    deinit { buffer.deallocate() }

    /// Decodes the next event into `event`; false at the end.
    ///
    /// Throws `corruptLine` for a bad line followed by another line, or an I/O error.
    func next(into event: inout JournalEvent) throws(JournalError) -> Bool {
        while true {
            while start < filled, let end = newline(from: start) {
                lineNumber += 1
                let line = UnsafeBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[start..<end]))
                start = end + 1
                if isBlank(line) {
                    if bad == nil { validBytes = base + start }
                    continue
                }
                if let bad { throw JournalError.corrupt(path: path, line: bad.line, reason: bad.reason) }
                do throws(JSONLineError) {
                    event = try EventCodec.decode(line)
                    events += 1
                    validBytes = base + start
                    return true
                } catch {
                    bad = (lineNumber, "column \(error.column): \(error.message)")
                }
            }
            if atEnd {
                try finish()
                return false
            }
            try refill()
        }
    }

    /// Applies the rules for the end of the file: a torn or bad last line is dropped and reported.
    private func finish() throws(JournalError) {
        if start < filled {
            if let bad { throw JournalError.corrupt(path: path, line: bad.line, reason: bad.reason) }
            droppedTornLine = "\(path):\(lineNumber + 1): dropped a torn last line "
                + "(\(filled - start) bytes without a newline: an append that never completed)"
        } else if let bad {
            droppedTornLine = "\(path):\(bad.line): dropped a corrupt last line "
                + "(\(bad.reason)): an append that never completed"
        }
        start = filled
    }

    /// Keeps the unfinished line, growing the buffer if it fills it, and reads more after it.
    private func refill() throws(JournalError) {
        if start > 0 {
            let rest = filled - start
            if rest > 0, let to = buffer.baseAddress { to.update(from: to + start, count: rest) }
            base += start
            filled = rest
            start = 0
        }
        if filled == buffer.count {
            let bigger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count * 2)
            _ = bigger.initialize(fromContentsOf: buffer)
            buffer.deallocate()
            buffer = bigger
        }
        while true {
            let n = Glibc.read(fd, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
            if n >= 0 {
                atEnd = n == 0
                filled += n
                return
            }
            if errno != EINTR { throw JournalError.system("read", path: path) }
        }
    }

    private func newline(from start: Int) -> Int? {
        guard let base = buffer.baseAddress,
              let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), filled - start) else { return nil }
        return UnsafeMutableRawPointer(hit) - UnsafeMutableRawPointer(base)
    }

    private func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

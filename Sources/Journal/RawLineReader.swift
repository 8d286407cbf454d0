#if canImport(Glibc)
import Glibc
#endif

/// Reads a file in 4 MiB chunks and hands out its lines, split at `\n`, without copying them.
///
/// What journal replay (`JournalLineReader`) and `journal verify`/`repair` (`JournalCheck`)
/// share: they differ only in what they make of a line. A line's bytes are valid until the
/// next call. A class because it owns its buffer (freed in `deinit`).
final class RawLineReader {
    /// One line: its bytes without the newline, its 1-based number, the file offset just after
    /// it, and whether a newline ended it (only the last line of a file may lack one).
    struct Line {
        var bytes: UnsafeBufferPointer<UInt8>
        var number: Int
        var end: Int
        var terminated: Bool

        /// Only spaces, tabs and carriage returns: a line replay skips.
        var isBlank: Bool { bytes.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }
    }

    private let fd: Int32
    let path: String
    private var buffer: UnsafeMutableBufferPointer<UInt8>
    /// Bytes in `buffer`, the start of the next line in it, and the file offset of `buffer[0]`.
    private var filled = 0, start = 0, base = 0
    private var lineNumber = 0
    private var atEnd = false

    /// Reads from `fd`, which the caller opened and closes; `path` is for messages.
    init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
        buffer = .allocate(capacity: 1 << 22)
    }

    deinit { buffer.deallocate() }

    /// The next line, or nil at the end of the file.
    func next() throws(JournalError) -> Line? {
        while true {
            if start < filled, let end = newline(from: start) {
                lineNumber += 1
                let line = Line(bytes: bytes(start..<end), number: lineNumber, end: base + end + 1, terminated: true)
                start = end + 1
                return line
            }
            if atEnd {
                guard start < filled else { return nil }
                lineNumber += 1
                let line = Line(bytes: bytes(start..<filled), number: lineNumber, end: base + filled, terminated: false)
                start = filled
                return line
            }
            try refill()
        }
    }

    private func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[range]))
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
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What replaying a journal file produced: the state, how many events, and any dropped torn line.
public struct ReplayReport: Sendable {
    public var state: JournalState
    /// Events applied (a snapshot line counts as one).
    public var events: Int
    /// Set when the last line was torn or corrupt and was left out; says which line and why.
    public var droppedTornLine: String?
    /// Length of the valid prefix of the file; a writer truncates the file to it.
    public var validBytes: Int

    public init(state: JournalState = JournalState(), events: Int = 0, droppedTornLine: String? = nil, validBytes: Int = 0) {
        self.state = state
        self.events = events
        self.droppedTornLine = droppedTornLine
        self.validBytes = validBytes
    }

    /// Streams `path` in 4 MiB chunks, decoding and applying line by line.
    ///
    /// A record counts once its newline is on disk. The last line may be torn (unterminated, or
    /// garbage from a crash mid-append): it is dropped and reported. A bad line with any
    /// non-blank line after it is corruption, not a crash artefact: that is an error.
    static func replay(path: String) throws(JournalError) -> ReplayReport {
        var report = ReplayReport()
        let fd: Int32
        do {
            fd = try PosixFile.open(path, O_RDONLY)
        } catch {
            if error.kind == .io(errno: ENOENT) { return report }
            throw error
        }
        defer { close(fd) }

        var buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: 1 << 22)
        defer { buffer.deallocate() }
        var filled = 0, base = 0, lineNumber = 0
        var bad: (line: Int, reason: String)?
        while true {
            if filled == buffer.count {
                let bigger = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count * 2)
                _ = bigger.initialize(fromContentsOf: buffer)
                buffer.deallocate()
                buffer = bigger
            }
            let n = Glibc.read(fd, buffer.baseAddress.map { $0 + filled }, buffer.count - filled)
            if n < 0 {
                if errno == EINTR { continue }
                throw JournalError.system("read", path: path)
            }
            let atEnd = n == 0
            filled += n
            let chunk = UnsafeBufferPointer(rebasing: buffer[0..<filled])
            var start = 0
            while start < filled, let end = newline(in: chunk, from: start) {
                lineNumber += 1
                let line = UnsafeBufferPointer(rebasing: chunk[start..<end])
                start = end + 1
                if isBlank(line) {
                    if bad == nil { report.validBytes = base + start }
                    continue
                }
                if let bad { throw JournalError.corrupt(path: path, line: bad.line, reason: bad.reason) }
                do {
                    report.state.apply(try EventCodec.decode(line))
                    report.events += 1
                    report.validBytes = base + start
                } catch {
                    bad = (lineNumber, "column \(error.column): \(error.message)")
                }
            }
            if atEnd {
                if start < filled {
                    if let bad { throw JournalError.corrupt(path: path, line: bad.line, reason: bad.reason) }
                    report.droppedTornLine = "\(path):\(lineNumber + 1): dropped a torn last line "
                        + "(\(filled - start) bytes without a newline: an append that never completed)"
                } else if let bad {
                    report.droppedTornLine = "\(path):\(bad.line): dropped a corrupt last line "
                        + "(\(bad.reason)): an append that never completed"
                }
                return report
            }
            if start > 0 {
                let rest = filled - start
                if rest > 0, let to = buffer.baseAddress, let from = buffer.baseAddress.map({ $0 + start }) {
                    to.update(from: from, count: rest)
                }
                base += start
                filled = rest
            }
        }
    }

    private static func newline(in chunk: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard let base = chunk.baseAddress,
              let hit = memchr(base + start, Int32(UInt8(ascii: "\n")), chunk.count - start) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }

    private static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}

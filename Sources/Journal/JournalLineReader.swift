/// Decodes a journal file one line at a time, applying the damage rules.
///
/// A record counts once its newline is on disk. The last line may be torn (unterminated, or
/// garbage from a crash mid-append): it is dropped and reported. A bad line with any
/// non-blank line after it is corruption, not a crash artefact: that is an error.
///
/// A class because it owns its `RawLineReader`; it is handed whole to the replay pipeline's
/// decoding thread and read back only after that thread is done, so it is never used by two
/// threads at once (hence `@unchecked Sendable`).
final class JournalLineReader: @unchecked Sendable {
    private let lines: RawLineReader
    private var bad: (line: Int, reason: String)?
    /// Events decoded so far.
    private(set) var events = 0
    /// Length of the valid prefix of the file; a writer truncates the file to it.
    private(set) var validBytes = 0
    /// Set at the end when the last line was torn or corrupt and was left out.
    private(set) var droppedTornLine: String?

    /// Reads from `fd`, which the caller opened and closes; `path` is for messages.
    init(fd: Int32, path: String) {
        lines = RawLineReader(fd: fd, path: path)
    }

    private var path: String { lines.path }

    /// Decodes the next event into `event`; false at the end.
    ///
    /// Throws `corruptLine` for a bad line followed by another line, or an I/O error.
    func next(into event: inout JournalEvent) throws(JournalError) -> Bool {
        while let line = try lines.next() {
            guard line.terminated else {
                if let bad { throw JournalError.corrupt(path: path, line: bad.line, reason: bad.reason) }
                droppedTornLine = "\(path):\(line.number): dropped a torn last line "
                    + "(\(line.bytes.count) bytes without a newline: an append that never completed)"
                return false
            }
            if line.isBlank {
                if bad == nil { validBytes = line.end }
                continue
            }
            if let bad { throw JournalError.corrupt(path: path, line: bad.line, reason: bad.reason) }
            do throws(JSONLineError) {
                event = try EventCodec.decode(line.bytes)
                events += 1
                validBytes = line.end
                return true
            } catch {
                bad = (line.number, "column \(error.column): \(error.message)")
            }
        }
        if let bad, droppedTornLine == nil {
            droppedTornLine = "\(path):\(bad.line): dropped a corrupt last line "
                + "(\(bad.reason)): an append that never completed"
        }
        return false
    }
}

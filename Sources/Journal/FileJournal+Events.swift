#if canImport(Glibc)
import Glibc
#endif
import Foundation

extension FileJournal {
    /// Every event of a journal file, in order (a compacted journal's first is its snapshot),
    /// for `history`, `journal import`, audits and tests; none when there is no file.
    ///
    /// The damage rules are replay's (`JournalLineReader`): a torn last line is left out, a bad
    /// line before the last is an error with its line number.
    package static func events(file: URL) throws(JournalError) -> [JournalEvent] {
        try read(file) { _ in true }
    }

    /// Reads the file, off the journal's thread: appends go on while a stream resumes. Only
    /// durable lines are there (a batch is written before its appenders return), and a line
    /// being written is a torn last line, left out until the next read.
    package nonisolated func events(after seq: UInt64, limit: Int) async throws -> [JournalEvent] {
        try Self.read(fileURL, limit: limit) { $0.seq > seq && $0.type != .snapshot }
    }

    private static func read(_ file: URL, limit: Int = .max, keeping keep: (JournalEvent) -> Bool) throws(JournalError) -> [JournalEvent] {
        let path = file.standardizedFileURL.path
        let fd: Int32
        do {
            fd = try PosixFile.open(path, O_RDONLY)
        } catch {
            if error.kind == .io(errno: ENOENT) { return [] }
            throw error
        }
        defer { Glibc.close(fd) }
        let reader = JournalLineReader(fd: fd, path: path)
        var events: [JournalEvent] = []
        var event = EventCodec.blank
        while events.count < limit, try reader.next(into: &event) {
            if keep(event) { events.append(event) }
        }
        return events
    }
}

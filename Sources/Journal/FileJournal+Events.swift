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
        while try reader.next(into: &event) { events.append(event) }
        return events
    }
}

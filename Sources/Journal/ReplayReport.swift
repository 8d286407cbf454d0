#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// What replaying a journal file produced: the state, how many events, and any dropped torn line.
package struct ReplayReport: Sendable {
    package var state: JournalState
    /// Events applied (a snapshot line counts as one).
    package var events: Int
    /// Set when the last line was torn or corrupt and was left out; says which line and why.
    package var droppedTornLine: String?
    /// Length of the valid prefix of the file; a writer truncates the file to it.
    package var validBytes: Int

    package init(state: JournalState = JournalState(), events: Int = 0, droppedTornLine: String? = nil, validBytes: Int = 0) {
        self.state = state
        self.events = events
        self.droppedTornLine = droppedTornLine
        self.validBytes = validBytes
    }

    /// Replays `path`: decodes and applies it line by line (see `JournalLineReader` for damage).
    ///
    /// Files of at least `pipelineBytes` are replayed by `ReplayPipeline` when there are two or
    /// more cores: decoding on one thread, applying on this one, with the same result.
    static func replay(path: String, pipelineBytes: Int = 4 << 20) throws(JournalError) -> ReplayReport {
        let fd: Int32
        do {
            fd = try PosixFile.open(path, O_RDONLY)
        } catch {
            if error.kind == .io(errno: ENOENT) { return ReplayReport() }
            throw error
        }
        defer { close(fd) }
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        let reader = JournalLineReader(fd: fd, path: path)
        var state = JournalState()
        if size >= pipelineBytes, ProcessInfo.processInfo.activeProcessorCount > 1 {
            state = try ReplayPipeline.run(reader)
        } else {
            var event = EventCodec.blank
            while try reader.next(into: &event) { state.apply(event) }
        }
        return ReplayReport(state: state, events: reader.events, droppedTornLine: reader.droppedTornLine,
                            validBytes: reader.validBytes)
    }
}


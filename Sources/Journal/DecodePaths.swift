import AlmanacCore
import Foundation

/// The two ways a journal line can be decoded, side by side, for `almanac-bench`.
///
/// The bench times both over the same lines, so the reason the hand-written scanner is kept
/// (EventCodec) is a number measured on the machine at hand, not a claim.
package enum DecodePaths {
    /// Decodes every line with the journal's own reader; returns how many events it read.
    package static func scanner(_ lines: [[UInt8]]) throws -> Int {
        var count = 0
        for line in lines {
            _ = try line.withUnsafeBufferPointer { (buffer) throws(JSONLineError) in try EventCodec.decode(buffer) }
            count += 1
        }
        return count
    }

    /// Decodes every line, then applies the events to a fresh state; returns the state's job count.
    package static func decodeAndApply(_ lines: [[UInt8]]) throws -> Int {
        let events = try lines.map { line in
            try line.withUnsafeBufferPointer { (buffer) throws(JSONLineError) in try EventCodec.decode(buffer) }
        }
        return replayed(events).jobs.count
    }

    /// The state `events` build, applied in order on this thread.
    private static func replayed(_ events: [JournalEvent]) -> JournalState {
        var state = JournalState()
        for event in events { state.apply(event) }
        return state
    }

    /// Decodes every line with Foundation's `JSONDecoder` through the records' `Codable` form
    /// (lines without a nested `result`, which that form reads as a string).
    package static func foundation(_ lines: [[UInt8]]) throws -> Int {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = SnapshotCodec.dateDecoding
        var count = 0
        for line in lines {
            _ = try decoder.decode(JournalEvent.self, from: Data(line))
            count += 1
        }
        return count
    }

    /// Replay's two halves timed apart on this thread: every line of `file` decoded into an
    /// array, then every event applied to a fresh state; seconds each. The pipeline overlaps
    /// them, so the slower one bounds a replay.
    package static func phases(file: URL) throws -> (decode: Double, apply: Double, events: Int) {
        let fd = try PosixFile.open(file.path, O_RDONLY)
        defer { close(fd) }
        let reader = JournalLineReader(fd: fd, path: file.path)
        var events: [JournalEvent] = []
        events.reserveCapacity(1 << 20)
        let clock = ContinuousClock()
        var start = clock.now
        var event = EventCodec.blank
        while try reader.next(into: &event) { events.append(event) }
        let decode = clock.now - start
        start = clock.now
        let state = replayed(events)
        let apply = clock.now - start
        withExtendedLifetime(state) {}
        return (decode.timeInterval, apply.timeInterval, events.count)
    }
}

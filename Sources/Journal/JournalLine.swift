/// One event as the journal's JSON line: the one format every backend stores (the file backend
/// one per line, PostgreSQL one per row), so an event reads the same from either and a journal
/// moves between them unchanged.
package enum JournalLine {
    /// The line for `event`, with its newline, and the event as it reads back from that line
    /// (times to the millisecond, the output tail cut to its last 4 KiB): what a replay will see,
    /// so what is applied in memory now.
    ///
    /// `source` names the journal in the error when the event cannot be written.
    package static func encode(_ event: JournalEvent, source: String) throws(JournalError) -> (line: [UInt8], event: JournalEvent) {
        do {
            let line = try EventCodec.encode(event)
            let decoded = line.withUnsafeBufferPointer { buffer in
                Result { () throws(JSONLineError) in try EventCodec.decode(UnsafeBufferPointer(rebasing: buffer.dropLast())) }
            }
            return (line, try decoded.get())
        } catch {
            throw .invalid("\(event.type.rawValue) event cannot be journaled: \(error.message)", path: source)
        }
    }

    /// The event on `line` (without its newline); `source` and `number` place it in the error.
    package static func decode(_ line: [UInt8], source: String, number: Int) throws(JournalError) -> JournalEvent {
        let decoded = line.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONLineError) in try EventCodec.decode(buffer) }
        }
        switch decoded {
        case .success(let event): return event
        case .failure(let error): throw .corrupt(path: source, line: number, reason: "column \(error.column): \(error.message)")
        }
    }
}

import Foundation

extension FileJournal {
    /// Every event of a journal file, in order, for `history`, audits and tests.
    ///
    /// A torn last line is skipped (as replay drops it); a bad line before the end is an error
    /// with its line number.
    package static func events(file: URL) throws(JournalError) -> [JournalEvent] {
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            return []
        }
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var events: [JournalEvent] = []
        events.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() where !line.isEmpty {
            let bytes = [UInt8](line)
            do {
                let event = try bytes.withUnsafeBufferPointer { (buffer) throws(JSONLineError) -> JournalEvent in
                    try EventCodec.decode(buffer)
                }
                events.append(event)
            } catch {
                let isLast = lines[(index + 1)...].allSatisfy(\.isEmpty)
                if isLast { break }
                throw JournalError(kind: .corruptLine(line: index + 1), path: file.path, message: "\(error)")
            }
        }
        return events
    }
}

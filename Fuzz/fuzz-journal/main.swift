import FuzzSupport
import Journal

// The journal line decoder: any bytes as one line (without its newline). Properties: a line
// that decodes re-encodes (a journal that reads can always be compacted, exported, imported);
// the re-encoded line decodes to an equal event; and encoding is a fixed point — the line
// written for that event is byte for byte the line it was read from.
FuzzDriver.run { data in
    let line = Array(data)
    guard let event = try? JournalLine.decode(line, source: "fuzz", number: 1) else { return }
    let written: (line: [UInt8], event: JournalEvent)
    do {
        written = try JournalLine.encode(event, source: "fuzz")
    } catch {
        FuzzDriver.fail("a decoded \(event.type.rawValue) event does not encode: \(error)")
    }
    FuzzDriver.check(written.line.last == UInt8(ascii: "\n") && written.line.dropLast().allSatisfy { $0 != UInt8(ascii: "\n") },
                     "the encoded line is not one line: \(String(decoding: written.line, as: UTF8.self).debugDescription)")
    FuzzDriver.check(written.event == event,
                     "re-encoding changed the event:\n  read    \(event)\n  re-read \(written.event)\n  line    \(String(decoding: written.line, as: UTF8.self))")
    let again: (line: [UInt8], event: JournalEvent)
    do {
        again = try JournalLine.encode(written.event, source: "fuzz")
    } catch {
        FuzzDriver.fail("a re-read event does not encode: \(error)")
    }
    FuzzDriver.check(again.line == written.line,
                     "encoding is not stable:\n  \(String(decoding: written.line, as: UTF8.self))\n  \(String(decoding: again.line, as: UTF8.self))")
}

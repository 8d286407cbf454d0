#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Every damaged line of a journal file, for `almanac journal verify` and `journal repair`.
///
/// Replay stops at the first bad line before the last (it cannot know what the rest means
/// without it); this reads on and lists them all. A line is damaged when it does not decode, or
/// when its `seq` does not follow the line before it (the writer numbers lines in order, so a
/// repeated or earlier `seq` is a duplicated or misplaced line, which replay would apply twice).
/// The last line apart: one that is unterminated or does not decode is what a crash mid-append
/// leaves, and the next writer drops it, so it is reported as `tornTail`, not as damage.
package struct JournalCheck: Sendable, Equatable {
    package struct Problem: Sendable, Equatable {
        package var line: Int
        package var reason: String
        /// The line's bytes, without its newline (`repair` moves them into the quarantine file).
        package var bytes: [UInt8]
        /// The line looks like a compacted journal's snapshot (what history before it was).
        package var isSnapshot: Bool
    }

    package var path: String
    /// Non-blank lines read.
    package var lines = 0
    /// Lines that decoded and follow their predecessor (a snapshot counts as one).
    package var events = 0
    /// Damaged lines before the last, in file order; replay refuses a journal with any.
    package var damaged: [Problem] = []
    /// A torn or undecodable last line, which the next writer drops.
    package var tornTail: Problem?

    /// Damage that stops every command (`verify` exits 1 for it).
    package var isDamaged: Bool { !damaged.isEmpty }

    /// Reads the journal at `path`; an absent file is an empty, healthy journal.
    package static func scan(path: String) throws(JournalError) -> JournalCheck {
        var check = JournalCheck(path: path)
        let fd: Int32
        do {
            fd = try PosixFile.open(path, O_RDONLY)
        } catch {
            if error.kind == .io(errno: ENOENT) { return check }
            throw error
        }
        defer { close(fd) }
        let reader = RawLineReader(fd: fd, path: path)
        var lastSeq: UInt64?
        // The latest bad line: damage unless nothing but blanks follows it and it is what a torn
        // append leaves (unterminated or undecodable; a repeated seq decodes, and replay applies it).
        var pending: Problem?
        while let line = try reader.next() {
            if line.terminated, line.isBlank { continue }
            if let earlier = pending.take() { check.damaged.append(earlier) }
            check.lines += 1
            guard line.terminated else {
                pending = problem(line, "\(line.bytes.count) bytes without a newline: an append that never completed")
                break
            }
            do throws(JSONLineError) {
                let event = try EventCodec.decode(line.bytes)
                if let lastSeq, event.seq <= lastSeq {
                    check.damaged.append(problem(line, "seq \(event.seq) does not follow seq \(lastSeq): a repeated or misplaced line"))
                } else {
                    lastSeq = event.seq
                    check.events += 1
                }
            } catch {
                pending = problem(line, "column \(error.column): \(error.message)")
            }
        }
        check.tornTail = pending
        return check
    }

    private static func problem(_ line: RawLineReader.Line, _ reason: String) -> Problem {
        let bytes = Array(line.bytes)
        let isSnapshot = bytes.firstRange(of: Array(#""type":"snapshot""#.utf8)) != nil
        return Problem(line: line.number, reason: reason, bytes: bytes, isSnapshot: isSnapshot)
    }
}

#if canImport(Glibc)
import Glibc
#endif
import AlmanacCore
import Foundation

/// `almanac journal repair`: moves a journal's damaged lines aside so the runner starts again.
///
/// Nothing is deleted. Each damaged line (and a torn last line) is appended, with its line
/// number, the reason and its exact bytes, to `journal.quarantine.jsonl` beside the journal, and
/// that file is fsynced before the journal changes; then every other line is copied unchanged
/// into a new file, fsynced and renamed over the journal (the directory fsynced), so a crash
/// leaves the old journal or the repaired one, never a mix. The original can be rebuilt from
/// the two files. The state directory's lock is held throughout: a running runner is refused.
package enum JournalRepair {
    package static let quarantineName = "journal.quarantine.jsonl"

    /// What a repair did.
    package struct Report: Sendable {
        /// The scan before the repair: the lines that were moved.
        package var check: JournalCheck
        /// Lines moved into the quarantine file (damage and a torn tail), in file order.
        package var moved: [JournalCheck.Problem] { check.damaged + (check.tornTail.map { [$0] } ?? []) }
        /// Events in the repaired journal, counted by replaying it.
        package var events: Int
        package var quarantine: String
    }

    /// Repairs the journal in `directory`; a journal with nothing to move is left untouched.
    package static func repair(directory: URL, now: Date) throws(JournalError) -> Report {
        let dir = directory.standardizedFileURL.path
        let path = dir + "/journal.jsonl", quarantine = dir + "/" + quarantineName
        let lock = try LockFile.acquire(directory: dir)
        defer { lock.release() }
        let check = try JournalCheck.scan(path: path)
        var report = Report(check: check, events: check.events, quarantine: quarantine)
        let moved = report.moved
        guard !moved.isEmpty else { return report }

        try appendQuarantine(moved, to: quarantine, journal: path, directory: dir, now: now)
        try copy(path, skipping: Set(moved.map(\.line)), directory: dir)
        report.events = try ReplayReport.replay(path: path).events
        return report
    }

    /// One quarantine record per line: where it was, why, when, and its bytes (as text when
    /// they are UTF-8, else base64), so a person can read it and put it back by hand.
    private struct QuarantineRecord: Encodable {
        var journal: String
        var line: Int
        var reason: String
        var repairedAt: String
        var text: String?
        var base64: String?
    }

    private static func appendQuarantine(_ lines: [JournalCheck.Problem], to quarantine: String, journal: String,
                                         directory: String, now: Date) throws(JournalError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var bytes: [UInt8] = []
        for problem in lines {
            let text = String(validating: problem.bytes, as: UTF8.self)
            let record = QuarantineRecord(journal: journal, line: problem.line, reason: problem.reason,
                                          repairedAt: RFC3339.format(now), text: text,
                                          base64: text == nil ? Data(problem.bytes).base64EncodedString() : nil)
            guard let line = try? encoder.encode(record) else {
                throw JournalError.invalid("line \(problem.line) cannot be written to the quarantine file", path: quarantine)
            }
            bytes += line
            bytes.append(UInt8(ascii: "\n"))
        }
        let created = !PosixFile.exists(quarantine)
        let fd = try PosixFile.open(quarantine, O_WRONLY | O_APPEND | O_CREAT, mode: 0o600)
        defer { close(fd) }
        try PosixFile.writeAll(fd, bytes, path: quarantine)
        try PosixFile.sync(fd, path: quarantine)
        if created { try PosixFile.syncDirectory(directory) }
    }

    /// Rewrites `path` without the lines numbered in `skipping` (and without blank lines),
    /// keeping its mode; streamed in 4 MiB writes, so a large journal is never held whole.
    private static func copy(_ path: String, skipping: Set<Int>, directory: String) throws(JournalError) {
        let input = try PosixFile.open(path, O_RDONLY)
        defer { close(input) }
        var info = stat()
        let mode = fstat(input, &info) == 0 ? info.st_mode & 0o7777 : 0o644
        try PosixFile.replaceAtomically(path, directory: directory, suffix: ".repairing", mode: mode) { output, temporary throws(JournalError) in
            let reader = RawLineReader(fd: input, path: path)
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 22)
            while let line = try reader.next() {
                guard !skipping.contains(line.number), !line.isBlank else { continue }
                buffer.append(contentsOf: line.bytes)
                buffer.append(UInt8(ascii: "\n"))
                if buffer.count >= 1 << 22 {
                    try PosixFile.writeAll(output, buffer, path: temporary)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            try PosixFile.writeAll(output, buffer, path: temporary)
        }
    }
}

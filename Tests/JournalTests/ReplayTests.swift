import Foundation
import Testing
@testable import Journal
import JournalTestSupport

@Suite("replay and damaged journals")
struct ReplayTests {
    private func writeJournal(_ dir: TemporaryDirectory, _ events: [JournalEvent]) async throws {
        let journal = try FileJournal(directory: dir.url)
        _ = try await journal.append(events.map(\.unsequenced))
        try await journal.close()
    }

    @Test("a missing journal replays as empty state")
    func missingFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let report = try FileJournal.replay(file: dir.journal)
        #expect(report.events == 0)
        #expect(report.state == JournalState())
    }

    @Test("a torn last line is dropped and reported, then truncated away by the writer", arguments: [
        #"{"seq":4,"at":"2026-03-08T0"#,                   // power cut mid-line
        #"{"seq":4,"at":"2026-03-08T07:00:00Z","type":"started"}"#,  // complete but unterminated
        "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",                   // zero-filled block after a crash
        "{\"seq\":4,\"at\":\"garbage\"}\n",                 // terminated but unreadable
    ])
    func tornLastLine(tail: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeJournal(dir, Array(Fixtures.workload(jobs: 1, runs: 1).prefix(3)))
        let good = try dir.bytes()
        let handle = try FileHandle(forWritingTo: dir.journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(tail.utf8))
        try handle.close()

        let report = try FileJournal.replay(file: dir.journal)
        #expect(report.events == 3)
        #expect(report.droppedTornLine?.contains("journal.jsonl:4: dropped") == true)
        #expect(report.validBytes == good.count)

        let journal = try FileJournal(directory: dir.url)
        #expect(journal.droppedTornLine != nil)
        #expect(try dir.bytes() == good)
        let stored = try await journal.append(JournalEvent(at: date(9), type: .paused, job: "job-0"))
        #expect(stored.seq == 4)
        try await journal.close()

        let after = try FileJournal.replay(file: dir.journal)
        #expect(after.events == 4)
        #expect(after.droppedTornLine == nil)
        #expect(after.state.jobs["job-0"]?.paused == true)
    }

    @Test("a corrupt line in the middle is an error with its line number; the file is not touched")
    func corruptMiddleLine() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try await writeJournal(dir, Array(Fixtures.workload(jobs: 1, runs: 2).prefix(4)))
        var lines = try dir.lines()
        lines[1] = #"{"seq":2,"at":"2026-03-08T07:00:00Z","type":"started","job":"job-0"#  // cut short
        let damaged = Data((lines.joined(separator: "\n") + "\n").utf8)
        try damaged.write(to: dir.journal)

        let isLine2 = { (error: any Error) -> Bool in
            guard let error = error as? JournalError else { return false }
            return error.kind == .corruptLine(line: 2) && error.description.contains("journal.jsonl:2:")
        }
        #expect(performing: { _ = try FileJournal.replay(file: dir.journal) }, throws: isLine2)
        #expect(performing: { _ = try FileJournal(directory: dir.url) }, throws: isLine2)
        #expect(performing: { _ = try FileJournal(directory: dir.url, readOnly: true) }, throws: isLine2)
        #expect(try dir.bytes() == damaged)
        // The failed writer released its lock: fixing the line lets a writer open again.
        lines.remove(at: 1)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.journal)
        let journal = try FileJournal(directory: dir.url)
        try await journal.close()
    }

    @Test("replaying snapshot plus tail equals replaying the full log")
    func snapshotPlusTail() async throws {
        let full = try TemporaryDirectory(), compacted = try TemporaryDirectory()
        defer { full.remove(); compacted.remove() }
        let events = Fixtures.workload(jobs: 4, runs: 30) + Fixtures.everyType().filter { $0.type != .snapshot }
        try await writeJournal(full, events)

        let journal = try FileJournal(directory: compacted.url)
        _ = try await journal.append(Array(events.prefix(150)).map(\.unsequenced))
        try await journal.compact(now: date(), retention: Retention(keep: .seconds(1e9), maxPerJob: .max))
        _ = try await journal.append(Array(events.dropFirst(150)).map(\.unsequenced))
        let live = await journal.state()
        try await journal.close()

        let expected = try FileJournal.replay(file: full.journal).state
        let replayed = try FileJournal.replay(file: compacted.journal)
        #expect(replayed.state == expected)
        #expect(live == expected)
        #expect(replayed.events == events.count - 150 + 1)
        #expect(try compacted.lines().first?.contains(#""type":"snapshot""#) == true)
    }
}

import Foundation
import Testing
@testable import Journal
import JournalTestSupport

/// `journal verify` lists every damaged line; `journal repair` moves them aside and keeps the
/// rest byte for byte; compaction never makes damage worse.
@Suite("journal verify and repair")
struct JournalRepairTests {
    /// A closed journal of `runs` executions of two jobs, and its lines.
    static func journal(in dir: TemporaryDirectory, runs: Int = 4) async throws -> [[UInt8]] {
        let journal = try FileJournal(directory: dir.url)
        _ = try await journal.append(Fixtures.workload(jobs: 2, runs: runs))
        try await journal.close()
        return try lines(dir.journal)
    }

    static func lines(_ file: URL) throws -> [[UInt8]] {
        try Data(contentsOf: file).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map(Array.init)
    }

    static func write(_ lines: [[UInt8]], to file: URL, tail: [UInt8] = []) throws {
        try Data(lines.flatMap { $0 + [UInt8(ascii: "\n")] } + tail).write(to: file)
    }

    @Test("a journal the writer wrote, and every committed fixture, verify clean")
    func healthyJournalsVerifyClean() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let lines = try await Self.journal(in: dir).dropLast()  // the split leaves "" after the last newline
        let check = try JournalCheck.scan(path: dir.journal.path)
        #expect(check.damaged.isEmpty && check.tornTail == nil)
        #expect(check.lines == lines.count && check.events == lines.count)
        for name in FixtureReplayTests.names {
            let fixture = try FixtureReplayTests.fixture(name, "jsonl")
            let fixtureCheck = try JournalCheck.scan(path: fixture.path)
            #expect(!fixtureCheck.isDamaged && fixtureCheck.tornTail == nil, "\(name): \(fixtureCheck.damaged)")
            #expect(fixtureCheck.events == (try FileJournal.events(file: fixture)).count)
        }
        #expect(try JournalCheck.scan(path: dir.url.appendingPathComponent("none.jsonl").path).lines == 0)
    }

    @Test("every damaged line is listed in order with its number and why; a torn tail is only a warning")
    func verifyListsEveryLine() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var lines = Array(try await Self.journal(in: dir).dropLast())
        lines[2] = Array(lines[2].prefix(15)) + [0xFF, 0xFE]           // non-UTF-8 garbage
        lines[5] = Array(#"{"seq":6,"at":"2026-03-08T07:00:00Z","type":"nosuch","job":"x"}"#.utf8)
        lines.insert(lines[7], at: 8)                                   // a duplicated line
        lines.insert([UInt8](repeating: 0, count: 64), at: 10)          // a zero-filled block
        lines.insert(Array("   ".utf8), at: 11)                         // blank: ignored
        try Self.write(lines, to: dir.journal, tail: Array(#"{"seq":99,"at""#.utf8))
        let check = try JournalCheck.scan(path: dir.journal.path)
        #expect(check.damaged.map(\.line) == [3, 6, 9, 11])
        #expect(check.damaged[2].reason.contains("does not follow"))
        #expect(check.damaged[1].reason.contains("nosuch"), "\(check.damaged[1].reason)")
        #expect(check.damaged.map(\.bytes) == [lines[2], lines[5], lines[8], lines[10]])
        #expect(check.tornTail?.line == lines.count + 1)
        #expect(check.tornTail?.reason.contains("without a newline") == true)
        #expect(check.events == lines.count - 5)
        // Replay refuses the file at the first damaged line, and says how to repair it.
        #expect {
            _ = try FileJournal.replay(file: dir.journal)
        } throws: { error in
            let text = "\(error)"
            return text.contains("journal.jsonl:3:") && text.contains("almanac journal repair --state \(dir.url.path)")
        }
    }

    @Test("repair moves damaged lines and the torn tail to the quarantine with their exact bytes, keeps the rest unchanged")
    func repairKeepsEveryGoodLine() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let original = Array(try await Self.journal(in: dir).dropLast())
        var lines = original
        lines[3] = Array(lines[3].dropLast(4)) + [0xC3]
        lines.insert(lines[6], at: 7)
        let tail = Array(#"{"seq":"#.utf8)
        try Self.write(lines, to: dir.journal, tail: tail)

        let report = try JournalRepair.repair(directory: dir.url, now: date())
        #expect(report.moved.map(\.line) == [4, 8, lines.count + 1])
        let kept = lines.enumerated().filter { ![3, 7].contains($0.offset) }.map(\.element)
        #expect(Array(try Self.lines(dir.journal).dropLast()) == kept)
        #expect(report.events == kept.count)
        #expect(try FileJournal.replay(file: dir.journal).events == kept.count)

        let quarantine = try Self.lines(dir.url.appendingPathComponent(JournalRepair.quarantineName)).dropLast()
        let records = try quarantine.map { try #require(JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]) }
        #expect(records.map { $0["line"] as? Int } == [4, 8, lines.count + 1])
        let bytes = records.map { record -> [UInt8] in
            if let text = record["text"] as? String { return Array(text.utf8) }
            return Array(Data(base64Encoded: record["base64"] as? String ?? "") ?? Data())
        }
        #expect(bytes == [lines[3], lines[7], tail])
        #expect(records[0]["text"] == nil && records[0]["base64"] != nil)  // not UTF-8

        // A second repair finds nothing and leaves the file as it is.
        let before = try dir.bytes()
        #expect(try JournalRepair.repair(directory: dir.url, now: date()).moved.isEmpty)
        #expect(try dir.bytes() == before)
        #expect(try Self.lines(dir.url.appendingPathComponent(JournalRepair.quarantineName)).count == quarantine.count + 1)
    }

    @Test("a damaged snapshot line is flagged as the snapshot; the events after it are kept")
    func damagedSnapshot() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        _ = try await journal.append(Fixtures.workload(jobs: 2, runs: 3))
        try await journal.compact(now: date(3600))
        _ = try await journal.append([JournalEvent(at: date(), type: .paused, job: "job-0")])
        try await journal.close()
        var lines = Array(try Self.lines(dir.journal).dropLast())
        lines[0] = Array(lines[0].dropLast(3))
        try Self.write(lines, to: dir.journal)
        let check = try JournalCheck.scan(path: dir.journal.path)
        #expect(check.damaged.map(\.line) == [1] && check.damaged[0].isSnapshot)
        let report = try JournalRepair.repair(directory: dir.url, now: date())
        #expect(report.events == 1)
        #expect(try FileJournal.replay(file: dir.journal).state.jobs["job-0"]?.paused == true)
    }

    @Test("repair refuses a state directory a writer holds, and changes nothing")
    func repairRefusesWhileLocked() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try await Self.journal(in: dir)
        let writer = try FileJournal(directory: dir.url)
        var lines = Array(try Self.lines(dir.journal).dropLast())
        lines[1] = Array("not json".utf8)
        try Self.write(lines, to: dir.journal)
        let before = try dir.bytes()
        #expect {
            _ = try JournalRepair.repair(directory: dir.url, now: date())
        } throws: { error in
            guard let error = error as? JournalError, case .locked = error.kind else { return false }
            return true
        }
        #expect(try dir.bytes() == before)
        #expect(!FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(JournalRepair.quarantineName).path))
        try await writer.close()
    }

    @Test("compaction never makes damage worse: a damaged journal opens no writer and stays as it was; a failed compaction keeps the journal")
    func compactionNeverWorsensDamage() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var lines = Array(try await Self.journal(in: dir, runs: 6).dropLast())
        let good = lines
        lines[4] = Array("{\"seq\":5,".utf8)
        try Self.write(lines, to: dir.journal)
        let damaged = try dir.bytes()
        #expect(throws: JournalError.self) { _ = try FileJournal(directory: dir.url) }
        #expect(try dir.bytes() == damaged)
        #expect(!FileManager.default.fileExists(atPath: dir.journal.path + ".compacting"))

        // Repaired, it compacts to the state it replays to.
        _ = try JournalRepair.repair(directory: dir.url, now: date())
        let repaired = try FileJournal.replay(file: dir.journal).state
        let writer = try FileJournal(directory: dir.url)
        try await writer.compact(now: date(7200))
        #expect(await writer.state() == repaired)
        #expect(try FileJournal.replay(file: dir.journal).state == repaired)
        try await writer.close()

        // A compaction that cannot write its new file fails and leaves the journal readable as before.
        try Self.write(good, to: dir.journal)
        let intact = try dir.bytes()
        try FileManager.default.createDirectory(atPath: dir.journal.path + ".compacting", withIntermediateDirectories: false)
        let blocked = try FileJournal(directory: dir.url)
        await #expect(throws: JournalError.self) { try await blocked.compact(now: date(7200)) }
        #expect(try dir.bytes() == intact)
        _ = try await blocked.append([JournalEvent(at: date(), type: .paused, job: "job-1")])
        try await blocked.close()
        #expect(try FileJournal.replay(file: dir.journal).state.jobs["job-1"]?.paused == true)
        #expect(try JournalCheck.scan(path: dir.journal.path).isDamaged == false)
    }
}

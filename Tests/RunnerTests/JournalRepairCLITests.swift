import Foundation
import Journal
import JournalTestSupport
import Testing

/// A journal damaged between runs, through the real binary: the runner refuses it naming the
/// repair command, `journal verify` lists the line, `journal repair` moves it aside, and the
/// runner goes on with the history it had.
@Suite("journal verify and repair through the binary", .serialized)
struct JournalRepairCLITests {
    @Test("run refuses a damaged journal naming `journal repair`; verify exits 1; repair fixes it; run goes on")
    func damagedThenRepaired() throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs"), state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try "name: tick\nschedule: \"* * * * * *\"\nrun: [\"true\"]\n"
            .write(to: jobs.appendingPathComponent("tick.yaml"), atomically: true, encoding: .utf8)
        let (first, _, _) = try almanac(["run", jobs.path, "--state", state.path, "--for", "2500ms"])
        #expect(first == 0)
        let journal = state.appendingPathComponent("journal.jsonl")
        var lines = try Data(contentsOf: journal).split(separator: UInt8(ascii: "\n")).map(Array.init)
        let finished = lines.filter { String(decoding: $0, as: UTF8.self).contains(#""type":"finished""#) }.count
        try #require(lines.count > 4 && finished >= 2)
        lines[1] = Array("{\"seq\":2,\"at\":".utf8)  // the `applied` line's neighbour, cut short
        try Data(lines.flatMap { $0 + [UInt8(ascii: "\n")] }).write(to: journal)
        let damaged = try Data(contentsOf: journal)

        let (refused, _, refusal) = try almanac(["run", jobs.path, "--state", state.path, "--for", "1s"])
        #expect(refused == 1)
        #expect(refusal.contains("journal.jsonl:2: corrupt journal line"), "\(refusal)")
        #expect(refusal.contains("almanac journal repair --state \(state.path)"), "\(refusal)")
        #expect(try Data(contentsOf: journal) == damaged)

        let (verify, report, _) = try almanac(["journal", "verify", "--state", state.path])
        #expect(verify == 1)
        #expect(report.contains("\(journal.path):2: error: "), "\(report)")
        #expect(report.contains("1 damaged"), "\(report)")
        let (json, jsonOut, _) = try almanac(["journal", "verify", "--state", state.path, "--format", "json"])
        #expect(json == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jsonOut.utf8)) as? [String: Any])
        #expect((object["damaged"] as? [[String: Any]])?.compactMap { $0["line"] as? Int } == [2])

        let (repair, repaired, _) = try almanac(["journal", "repair", "--state", state.path])
        #expect(repair == 0)
        #expect(repaired.contains("moved 1 line to \(state.path)/journal.quarantine.jsonl"), "\(repaired)")
        let (clean, _, _) = try almanac(["journal", "verify", "--state", state.path])
        #expect(clean == 0)

        let (again, _, _) = try almanac(["run", jobs.path, "--state", state.path, "--for", "1500ms"])
        #expect(again == 0)
        let history = try #require(try FileJournal.replay(file: journal).state.jobs["tick"]?.history)
        #expect(history.count >= finished + 1, "the runs before the damage are still there")
    }
}

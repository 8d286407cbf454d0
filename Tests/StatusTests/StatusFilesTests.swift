import Foundation
import Journal
import JournalTestSupport
import Manifest
import Status
import Testing

private let now = Date(timeIntervalSince1970: 1_790_000_000)

private func state(runs: [(String, Date, String, Int)]) -> JournalState {
    var state = JournalState()
    var seq: UInt64 = 0
    func add(_ event: JournalEvent) {
        seq += 1
        var event = event
        event.seq = seq
        state.apply(event)
    }
    let manifest = ManifestLoader.load(files: [SourceFile(path: "a.yaml", bytes: Array("""
        name: nightly
        schedule: "0 3 * * *"
        timezone: America/New_York
        run: ["true"]
        """.utf8))], environment: [:], now: now)
    for job in manifest.jobs {
        add(JournalEvent(at: now.addingTimeInterval(-86_400 * 10), type: .applied, job: job.name, hash: job.contentHash,
                         fields: job.fields, source: job.location.description, kind: "job", enabled: true))
    }
    for (job, scheduled, outcome, ms) in runs {
        add(JournalEvent(at: scheduled, type: .started, job: job, scheduledAt: scheduled, attempt: 1, triggeredBy: "schedule"))
        add(JournalEvent(at: scheduled.addingTimeInterval(Double(ms) / 1000), type: .finished, job: job, scheduledAt: scheduled,
                         attempt: 1, outcome: outcome, exitCode: outcome == "success" ? 0 : 1, durationMs: ms))
    }
    return state
}

@Suite("status files")
struct StatusFilesTests {
    let manifest = ManifestLoader.load(files: [SourceFile(path: "a.yaml", bytes: Array("""
        name: nightly
        schedule: "0 3 * * *"
        timezone: America/New_York
        run: ["true"]
        """.utf8))], environment: [:], now: now)

    @Test("the same state renders the same bytes, and a new run changes them")
    func deterministic() {
        let journal = state(runs: [("nightly", now.addingTimeInterval(-86_400), "success", 1200)])
        let first = StatusFiles.render(StatusReport.make(manifest: manifest, state: journal, now: now), state: journal)
        let second = StatusFiles.render(StatusReport.make(manifest: manifest, state: journal, now: now), state: journal)
        #expect(first == second)
        #expect(Set(first.keys) == ["nightly.json", "STATUS.md"])
        let later = state(runs: [("nightly", now.addingTimeInterval(-86_400), "success", 1200), ("nightly", now.addingTimeInterval(-3600), "failure", 80)])
        let third = StatusFiles.render(StatusReport.make(manifest: manifest, state: later, now: now), state: later)
        #expect(third["STATUS.md"] != first["STATUS.md"])
    }

    @Test("STATUS.md shows the schedule in words, next fire in UTC and the job's zone, ✓/✗, success rate and p95")
    func markdownTable() throws {
        let journal = state(runs: [("nightly", now.addingTimeInterval(-2 * 86_400), "success", 1000),
                                   ("nightly", now.addingTimeInterval(-86_400), "failure", 3000)])
        let files = StatusFiles.render(StatusReport.make(manifest: manifest, state: journal, now: now), state: journal)
        let markdown = String(decoding: try #require(files["STATUS.md"]), as: UTF8.self)
        let row = try #require(markdown.split(separator: "\n").first { $0.hasPrefix("| nightly |") })
        #expect(row.contains("At 03:00, in America/New_York"))
        #expect(row.contains("✗ failure"))
        #expect(row.contains("50% (2)"))
        #expect(row.contains("3.0s"))
        #expect(row.contains("-04:00") || row.contains("-05:00"))
        let json = try JSONSerialization.jsonObject(with: Data(try #require(files["nightly.json"]))) as? [String: Any]
        #expect((json?["recent"] as? [Any])?.count == 2)
    }
}

@Suite("status JSON")
struct StatusJSONTests {
    @Test("hand-written status JSON parses back with quotes, newlines, control characters and emoji intact")
    func escapes() throws {
        let tail = "line \"1\"\n\ttab \\ back\u{01} é 🎉"
        var state = JournalState()
        state.apply(JournalEvent(seq: 0, at: now, type: .applied, job: "odd", hash: "h", fields: ["trigger": "manual"], kind: "job",
                                 enabled: true))
        state.apply(JournalEvent(seq: 1, at: now, type: .started, job: "odd", scheduledAt: now, attempt: 1))
        state.apply(JournalEvent(seq: 2, at: now, type: .finished, job: "odd", scheduledAt: now, attempt: 1, outcome: "failure",
                                 exitCode: 3, durationMs: 10, outputTail: tail))
        let report = StatusReport.make(manifest: nil, state: state, now: now)
        let files = StatusFiles.render(report, state: state)
        let bytes = try #require(files["odd.json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        let recent = try #require(json["recent"] as? [[String: Any]])
        #expect(recent.first?["outputTail"] as? String == tail)
        #expect(recent.first?["exitCode"] as? Int == 3)
        #expect((json["job"] as? [String: Any])?["name"] as? String == "odd")
    }
}

@Suite("status JSON layout")
struct StatusJSONLayoutTests {
    @Test("every member of a fully filled status file is present once, keys sorted at each level")
    func sortedKeys() throws {
        var state = JournalState()
        state.apply(JournalEvent(seq: 0, at: now, type: .applied, job: "full", hash: "h", fields: ["trigger": "manual"],
                                 source: "a.yaml:1:1", kind: "job", enabled: true))
        state.apply(JournalEvent(seq: 1, at: now, type: .started, job: "full", scheduledAt: now, attempt: 1, triggeredBy: "manual"))
        state.apply(JournalEvent(seq: 2, at: now, type: .finished, job: "full", scheduledAt: now, attempt: 1, outcome: "failure",
                                 exitCode: 3, signal: 9, durationMs: 10, outputTail: "tail", errorClass: "exit", cpuUserMs: 1,
                                 cpuSystemMs: 2, maxRSSKB: 3, message: "m"))
        state.apply(JournalEvent(seq: 3, at: now, type: .started, job: "full", scheduledAt: now.addingTimeInterval(60), attempt: 1))
        state.apply(JournalEvent(seq: 4, at: now, type: .finished, job: "full", scheduledAt: now.addingTimeInterval(60), attempt: 1,
                                 outcome: "success", exitCode: 0, durationMs: 20))
        var report = StatusReport.make(manifest: nil, state: state, now: now)
        report.jobs[0].nextFire = now.addingTimeInterval(3600)
        report.jobs[0].problem = "p"
        let bytes = try #require(StatusFiles.render(report, state: state)["full.json"])
        // Keys per object, by indentation: "job" and "recent" at 2 spaces, job members at 4,
        // execution members at 6.
        var keys: [Int: [String]] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let indent = line.prefix { $0 == " " }.count
            guard line.dropFirst(indent).hasPrefix("\""), let end = line.range(of: "\" : ") else { continue }
            let key = String(line[line.index(line.startIndex, offsetBy: indent + 1)..<end.lowerBound])
            if indent == 6, key == "attempt" { keys[6, default: []].append("|") }  // a new execution object
            keys[indent, default: []].append(key)
        }
        #expect(keys[2] == ["job", "recent"])
        let job = try #require(keys[4])
        #expect(job == job.sorted() && job.count == 22)
        let executions = try #require(keys[6]).split(separator: "|").map(Array.init)
        #expect(executions.count == 2)
        for members in executions { #expect(members == members.sorted()) }
        #expect(executions.last?.count == 16)  // newest first: the last is the fully reported run
        let json = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect((json["job"] as? [String: Any])?["successRate"] as? Double == 0.5)
    }
}

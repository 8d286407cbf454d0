import Foundation
import Journal
import JournalTestSupport
import Testing

/// `GET /api/v1/events` from the real binary: a client sees runs as they happen, the stream
/// ends when the runner is stopped (and does not hold up its exit), and `Last-Event-ID`
/// resumes across a restart with every event in between, none twice.
@Suite("the event stream of a real runner", .serialized)
struct EventsStreamTests {
    static func ready(_ base: String) async throws {
        for _ in 0..<100 {
            if await RepoListenTests.request(base + "/readyz")?.status == 200 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("the runner at \(base) never became ready")
    }

    static func ticks(_ messages: [SSEMessage]) -> Int {
        messages.filter { $0.event == "finished" && $0.object["job"] as? String == "tick" }.count
    }

    @Test("runs stream as they happen; SIGTERM ends the stream and the runner exits 0; after a restart Last-Event-ID gets exactly the events since")
    func acrossRestart() async throws {
        let temp = try TempDirectory()
        let jobs = temp.url.appendingPathComponent("jobs"), state = temp.url.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        try "name: tick\nschedule: \"* * * * * *\"\nrun: [\"echo\", \"tick\"]\n"
            .write(to: jobs.appendingPathComponent("tick.yaml"), atomically: true, encoding: .utf8)
        let port = try ListenTests.freePort()
        let base = "http://127.0.0.1:\(port)"
        let arguments = ["run", jobs.path, "--state", state.path, "--listen", "127.0.0.1:\(port)"]
        let first = try launchAlmanac(arguments, log: temp.url.appendingPathComponent("first.log"))
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        try await Self.ready(base)

        let stream = try await Task.detached { try SSEClient(port: Int(port), path: "/api/v1/events") }.value
        #expect(stream.status == 200)
        let saw = await Task.detached { stream.read(timeout: 15) { Self.ticks($0) >= 2 } }.value
        #expect(saw, "two runs of tick streamed: \(stream.messages.map { $0.event ?? "?" })")
        let lastID = try #require(stream.messages.last?.id.flatMap { UInt64($0) })

        // Stopping the runner ends the stream; the open stream does not hold up its exit.
        let stopping = Date()
        kill(first.processIdentifier, SIGTERM)
        let ended = await Task.detached { stream.readToEnd(timeout: 15) }.value
        #expect(ended, "the stream ends when the runner drains")
        for _ in 0..<150 where first.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        #expect(!first.isRunning && first.terminationStatus == 0, "the runner exits 0 within 15 s")
        #expect(Date().timeIntervalSince(stopping) < 15)
        let lastSent = try #require(stream.messages.last?.id.flatMap { UInt64($0) })

        // Restarted on the same journal: resume after the last id the first stream gave.
        let second = try launchAlmanac(arguments, log: temp.url.appendingPathComponent("second.log"))
        defer { if second.isRunning { kill(second.processIdentifier, SIGKILL) } }
        try await Self.ready(base)
        let resumed = try await Task.detached {
            try SSEClient(port: Int(port), path: "/api/v1/events", headers: ["Last-Event-ID": String(lastSent)])
        }.value
        let sawMore = await Task.detached { resumed.read(timeout: 15) { Self.ticks($0) >= 2 } }.value
        #expect(sawMore, "\(resumed.messages.map { $0.event ?? "?" })")
        kill(second.processIdentifier, SIGTERM)
        second.waitUntilExit()

        let ids = resumed.messages.compactMap { $0.id.flatMap { UInt64($0) } }
        #expect(ids.first == lastSent + 1, "resumed right after \(lastSent): \(ids.prefix(5))")
        #expect(ids == Array((lastSent + 1)...(lastSent + UInt64(ids.count))), "consecutive, none missed or twice: \(ids)")
        let types = (stream.messages + resumed.messages).compactMap(\.event)
        #expect(types.contains("runner-stopped") && resumed.messages.contains { $0.event == "runner-started" },
                "the restart is in the streams: \(types)")
        // What was streamed before and after the restart is the journal, event for event.
        let journal = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        let streamed = stream.messages.compactMap { $0.id.flatMap { UInt64($0) } } + ids
        let expected = journal.map(\.seq).filter { $0 >= (streamed.first ?? 0) && $0 <= (streamed.last ?? 0) }
        #expect(streamed == expected, "streamed \(streamed.count), journal has \(expected.count) in that range")
        #expect(lastID <= lastSent)
    }
}

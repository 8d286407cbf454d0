import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import JournalTestSupport
import Logging
import Testing
@testable import Server

/// `GET /api/v1/events` over a real socket: journal events as Server-Sent Events while a job
/// runs, resuming with `Last-Event-ID`, the `job=` filter, heartbeats, a reset after compaction,
/// the end of the stream when the runner stops, and the errors.
@Suite("the event stream", .serialized)
struct EventsAPITests {
    /// Opens a stream off the cooperative pool (the client blocks on its socket).
    static func open(_ port: Int, _ path: String, headers: [String: String] = [:]) async throws -> SSEClient {
        try await Task.detached { try SSEClient(port: port, path: path, headers: headers) }.value
    }

    static func read(_ client: SSEClient, timeout: TimeInterval = 10, until done: @escaping @Sendable ([SSEMessage]) -> Bool) async -> Bool {
        await Task.detached { client.read(timeout: timeout, until: done) }.value
    }

    static func finished(_ job: String) -> @Sendable ([SSEMessage]) -> Bool {
        { $0.contains { $0.event == "finished" && $0.object["job"] as? String == job } }
    }

    @Test("events as they are journaled, ids in seq order with none missing; Last-Event-ID resumes right after; job= keeps one job's")
    func streamsAndResumes() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.live) { client in
            let port = try #require(client.port)
            let stream = try await Self.open(port, "/api/v1/events")
            #expect(stream.status == 200)
            #expect(stream.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            #expect(stream.headers["cache-control"] == "no-store")
            let quiet = try await Self.open(port, "/api/v1/events?job=launch")
            try await client.execute(uri: "/api/v1/jobs/hello/trigger", method: .post, headers: bearer) { #expect($0.status == .accepted) }
            #expect(await Self.read(stream, until: Self.finished("hello")), "\(stream.messages)")
            let messages = stream.messages
            let types = messages.compactMap(\.event)
            #expect(types.contains("triggered") && types.contains("started"), "\(types)")
            // Ids are the journal's seqs: consecutive, as nothing was filtered.
            let ids = messages.compactMap { $0.id.flatMap { UInt64($0) } }
            #expect(ids.count == messages.count && ids == Array(ids[0]...(ids[0] + UInt64(ids.count - 1))), "\(ids)")
            // Each data is the journal line: the same seq, type and job.
            let events = try FileJournal.events(file: fixture.directory.appendingPathComponent("journal.jsonl"))
            for message in messages {
                let seq = try #require(message.id.flatMap { UInt64($0) })
                let event = try #require(events.first { $0.seq == seq })
                #expect(message.object["type"] as? String == event.type.rawValue && message.event == event.type.rawValue)
                #expect(message.object["seq"] as? Int == Int(seq) && message.object["job"] as? String == event.job)
            }
            let output = try #require(messages.last { $0.event == "finished" }?.object["outputTail"] as? String)
            #expect(output.contains("hi <b>&"))

            // Resuming after the `started` event: the next one is the first sent.
            let started = try #require(messages.first { $0.event == "started" }?.id)
            let resumed = try await Self.open(port, "/api/v1/events", headers: ["Last-Event-ID": started])
            #expect(await Self.read(resumed, until: Self.finished("hello")))
            #expect(resumed.messages.first?.id == String(UInt64(started)! + 1), "\(resumed.messages.map(\.id))")
            let after = try await Self.open(port, "/api/v1/events?after=\(started)")
            #expect(await Self.read(after, until: Self.finished("hello")))
            #expect(after.messages.first?.id == String(UInt64(started)! + 1))

            // Filtered to the post (due in 2099): nothing of hello's run arrived.
            _ = await Task.detached { quiet.read(timeout: 0.5) { _ in false } }.value
            #expect(quiet.messages.isEmpty, "\(quiet.messages)")
        }
        try await fixture.close()
    }

    @Test("a quiet stream sends heartbeats; the stream ends when the runner stops")
    func heartbeatAndEnd() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.live) { client in
            let port = try #require(client.port)
            let stream = try await Self.open(port, "/api/v1/events?job=launch&heartbeat=1")
            _ = await Task.detached { stream.read(timeout: 2.5) { _ in false } }.value
            #expect(stream.comments.filter { $0 == "heartbeat" }.count >= 1, "\(stream.comments)")
            #expect(stream.messages.isEmpty)
            await fixture.runner.stop()
            let ended = await Task.detached { stream.readToEnd(timeout: 5) }.value
            #expect(ended, "the stream should end when the runner drains")
        }
        try await fixture.close()
    }

    @Test("a stream resuming from before a compaction is told, with an `event: reset`, then goes on")
    func resetAfterCompaction() async throws {
        let fixture = try await ServerFixture()
        #expect(await fixture.runner.trigger("hello"))
        #expect(try await fixture.waitForHistory("hello", count: 1))
        try await fixture.journal.compact(now: Date())
        #expect(await fixture.runner.trigger("hello"))
        #expect(try await fixture.waitForHistory("hello", count: 2))
        // A feed that saw nothing reads the journal, as after a restart.
        let app = buildApplication(link: fixture.link, settings: ServerSettings(port: 0), metrics: fixture.metrics,
                                   feed: EventFeed(), logger: Logger(label: "test"))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let stream = try await Self.open(port, "/api/v1/events?after=1")
            #expect(await Self.read(stream) { $0.contains { $0.event == "reset" } }, "\(stream.messages)")
            let reset = try #require(stream.messages.first)
            #expect(reset.event == "reset" && reset.object["after"] as? Int == 1, "\(reset)")
        }
        try await fixture.close()
    }

    @Test("bad ids, heartbeats and job names are 400, an unknown job 404, and a read token is needed when set")
    func errors() async throws {
        let fixture = try await ServerFixture()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/api/v1/events", method: .get, headers: [.lastEventID: "yesterday"]) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/events?after=-1", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/events?heartbeat=0", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/events?job=Bad!", method: .get) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/v1/events?job=nosuch", method: .get) { response in
                #expect(response.status == .notFound && response.errorMessage == "no job named 'nosuch'")
            }
            try await client.execute(uri: "/api/v1/events", method: .post) { #expect($0.status == .methodNotAllowed) }
        }
        try await fixture.app(ServerSettings(port: 0, apiToken: "s3cret", readToken: "r3ad")).test(.router) { client in
            try await client.execute(uri: "/api/v1/events", method: .get) { #expect($0.status == .unauthorized) }
        }
        try await fixture.close()
    }
}

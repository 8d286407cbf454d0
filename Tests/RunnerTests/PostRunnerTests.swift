import Foundation
import Journal
import JournalTestSupport
import Manifest
import Scheduler
import Processes
import Publishing
import Daemon
import Testing

/// A runner on a virtual clock whose posts go to a real HTTP server on 127.0.0.1.
final class PostHarness {
    let temp: TempDirectory
    let clock: VirtualClock
    let journal: FileJournal
    let runner: Runner
    let server: TestHTTPServer

    init(start: Date, server: TestHTTPServer, sender: HTTPSender) async throws {
        temp = try TempDirectory()
        clock = VirtualClock(start)
        self.server = server
        journal = try FileJournal(directory: temp.url)
        let launcher = ProcessLauncher()
        let executor = RoutingLauncher(
            job: ProcessJobLauncher(root: temp.url, stateDirectory: temp.url, environment: [:]),
            post: PostLauncher(journal: journal, clock: clock, root: temp.url, stateDirectory: temp.url, environment: [:],
                               sender: sender, launcher: launcher))
        runner = Runner(clock: clock, journal: journal, launcher: executor)
        let runner = self.runner
        await runner.setNotifier(Notifier(launcher: launcher, sender: sender, logPath: temp.url.appendingPathComponent("notify.log").path) { delivery in
            Task { await runner.recordDelivery(delivery) }
        })
    }

    func load(_ yaml: String) async throws {
        try await runner.apply(manifest(yaml, now: clock.now()))
    }

    func events() throws -> [JournalEvent] {
        try FileJournal.events(file: temp.url.appendingPathComponent("journal.jsonl"))
    }
}

@Suite("scheduled posts", .serialized)
struct PostRunnerTests {
    static let due = "2026-06-01T10:00:00Z"

    @Test("each post publishes once; 429 honours Retry-After, 500 and a hang are retried, 401 fails and notifies")
    func errorClasses() async throws {
        let server = try await TestHTTPServer()
        server.script("/busy", .rateLimited(retryAfter: "120"), .ok())
        server.script("/flaky", .status(500), .ok(#"{"url": "https://social.example/p/1"}"#))
        server.script("/denied", .status(401))
        server.script("/slow", .hang, .ok())
        let start = utc("2026-06-01T09:59:00Z")
        try await HTTPSender.with(environment: [:]) { sender in
            let harness = try await PostHarness(start: start, server: server, sender: sender)
            var yaml = ""
            for name in ["launch", "busy", "flaky", "denied", "slow"] {
                yaml += """
                    kind: post
                    name: \(name)
                    at: "\(Self.due)"
                    content: {title: "Hello \(name)", body: "text", channel: "#\(name)", nsfw: false, extra: {n: 3}}
                    publish: {webhook: "\(server.url("/\(name)"))"}
                    timeout: 1s
                    notify: [{on: [failure, success], webhook: "\(server.url("/notify"))"}]
                    ---

                    """
            }
            try await harness.load(yaml)
            try await harness.runner.start()
            await drive(harness.runner, harness.clock, until: utc("2026-06-01T10:30:00Z"))
            let events = try harness.events()

            func finished(_ post: String) -> [JournalEvent] { events.filter { $0.type == .finished && $0.job == post && $0.target == nil } }
            func retries(_ post: String) -> [JournalEvent] { events.filter { $0.type == .retry && $0.job == post } }

            #expect(server.requests(to: "/launch").count == 1)
            #expect(finished("launch").map(\.outcome) == ["success"])
            let body = try #require(server.requests(to: "/launch").first?.json)
            #expect(body["title"] as? String == "Hello launch")
            #expect(body["post"] as? String == "launch")
            #expect(body["scheduledAt"] as? String == Self.due)
            #expect(body["attempt"] as? Int == 1)
            #expect((body["extra"] as? [String: Any])?["n"] as? Int == 3)

            #expect(server.requests(to: "/busy").count == 2)
            let busyRetry = try #require(retries("busy").first)
            #expect(busyRetry.errorClass == "rateLimited")
            #expect(abs((busyRetry.retryAt ?? .distantPast).timeIntervalSince(busyRetry.at) - 120) < 1)

            #expect(server.requests(to: "/flaky").count == 2)
            let flakyRetry = try #require(retries("flaky").first)
            #expect(flakyRetry.errorClass == "server")
            #expect(abs((flakyRetry.retryAt ?? .distantPast).timeIntervalSince(flakyRetry.at) - 60) < 1)
            #expect(events.contains { $0.type == .published && $0.job == "flaky" && $0.url == "https://social.example/p/1" })

            #expect(server.requests(to: "/denied").count == 1)
            #expect(finished("denied").map(\.errorClass) == ["auth"])
            #expect(retries("denied").isEmpty)

            #expect(server.requests(to: "/slow").count == 2)
            #expect(retries("slow").first?.errorClass == "timeout")
            #expect(finished("slow").map(\.outcome) == ["failure", "success"])

            for name in ["launch", "busy", "flaky", "denied", "slow"] {
                let keys = Set(server.requests(to: "/\(name)").compactMap { $0.headers["idempotency-key"] ?? $0.headers["Idempotency-Key"] })
                #expect(keys == ["\(name)@\(Self.due)"], "\(name): \(keys)")
                #expect(events.filter { $0.type == .published && $0.job == name }.count == (name == "denied" ? 0 : 1))
            }
            let notices = await server.waitForRequests(5, to: "/notify")
            let texts = notices.compactMap { $0.json?["text"] as? String }
            #expect(texts.contains { $0.contains("denied") })
            #expect(notices.contains { $0.json?["job"] as? String == "denied" && $0.json?["event"] as? String == "failure" })
            try await harness.journal.close()
        }
    }

    @Test("several targets: each is its own exactly-once unit; a partial post retries only the failed target")
    func partialRetriesFailedTarget() async throws {
        let server = try await TestHTTPServer()
        server.script("/b", .status(503), .ok())
        try await HTTPSender.with(environment: [:]) { sender in
            let harness = try await PostHarness(start: utc("2026-06-01T09:59:00Z"), server: server, sender: sender)
            try await harness.load("""
                kind: post
                name: multi
                at: "\(Self.due)"
                content: {title: "Everywhere"}
                publish:
                  - {name: a, webhook: "\(server.url("/a"))"}
                  - {name: b, webhook: "\(server.url("/b"))"}
                """)
            try await harness.runner.start()
            await drive(harness.runner, harness.clock, until: utc("2026-06-01T10:10:00Z"))
            let events = try harness.events()
            #expect(server.requests(to: "/a").count == 1)
            #expect(server.requests(to: "/b").count == 2)
            #expect(server.requests(to: "/a").first?.headers["idempotency-key"] == "multi@\(Self.due)#a")
            #expect(Set(server.requests(to: "/b").compactMap { $0.headers["idempotency-key"] }) == ["multi@\(Self.due)#b"])
            let outcomes = events.filter { $0.type == .finished && $0.job == "multi" && $0.target == nil }.map(\.outcome)
            #expect(outcomes == ["partial", "success"])
            let state = await harness.journal.state()
            #expect(state.jobs["multi"]?.publications["a"]?.state == "published")
            #expect(state.jobs["multi"]?.publications["b"]?.state == "published")
            try await harness.journal.close()
        }
    }

    @Test("removing the file or setting cancelled: true before the time cancels the post; nothing is sent")
    func cancellation() async throws {
        let server = try await TestHTTPServer()
        try await HTTPSender.with(environment: [:]) { sender in
            let harness = try await PostHarness(start: utc("2026-06-01T09:00:00Z"), server: server, sender: sender)
            let post = { (name: String, extra: String) in """
                kind: post
                name: \(name)
                at: "\(Self.due)"
                content: {title: "soon"}
                publish: {webhook: "\(server.url("/\(name)"))"}
                \(extra)
                """ }
            try await harness.load(post("gone", "") + "\n---\n" + post("called-off", ""))
            try await harness.runner.start()
            harness.clock.advance(to: utc("2026-06-01T09:30:00Z"))
            try await harness.load(post("called-off", "cancelled: true"))
            await drive(harness.runner, harness.clock, until: utc("2026-06-01T11:00:00Z"))
            #expect(server.requests().isEmpty)
            let cancelled = try harness.events().filter { $0.type == .cancelled }
            #expect(Set(cancelled.compactMap { e in e.job.map { "\($0):\(e.reason ?? "")" } }) == ["gone:removed", "called-off:cancelled"])
            try await harness.journal.close()
        }
    }

    @Test("a post due while no runner was up: published within its window, otherwise failed as missed and notified")
    func missedWhileDown() async throws {
        let server = try await TestHTTPServer()
        try await HTTPSender.with(environment: [:]) { sender in
            let harness = try await PostHarness(start: utc("2026-06-01T12:00:00Z"), server: server, sender: sender)
            try await harness.load("""
                kind: post
                name: recent
                at: "2026-06-01T11:30:00Z"
                content: {title: "late but fine"}
                publish: {webhook: "\(server.url("/recent"))"}
                ---
                kind: post
                name: stale
                at: "2026-06-01T09:00:00Z"
                content: {title: "too late"}
                publish: {webhook: "\(server.url("/stale"))"}
                notify: [{on: [missed], webhook: "\(server.url("/notify"))"}]
                """)
            try await harness.runner.start()
            await harness.runner.step()
            _ = await harness.runner.waitUntilIdle(timeout: .seconds(5))
            #expect(server.requests(to: "/recent").count == 1)
            #expect(server.requests(to: "/stale").isEmpty)
            let stale = try harness.events().filter { $0.job == "stale" && $0.type == .finished }
            #expect(stale.map(\.errorClass) == ["missed"])
            let notice = await server.waitForRequests(1, to: "/notify")
            #expect(notice.first?.json?["event"] as? String == "missed")
            try await harness.journal.close()
        }
    }
}

import Foundation
import Synchronization
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Notifier: payloads, webhook and run targets, retries in the background")
struct PublishNotifierTests {
    let server: TestHTTPServer
    let h: ProcessHarness
    let reports = Reports()
    let failure = NotificationPayload(
        job: "nightly-backup", kind: .job, event: .failure, outcome: "failure", attempt: 2, maxAttempts: 3,
        durationMs: 1520, exitCode: 3, error: "exit 3", outputTail: "disk full\n",
        statusURL: "https://status.example/nightly-backup", scheduledAt: Date(timeIntervalSince1970: 1_772_960_400))

    init() async throws {
        server = try await TestHTTPServer()
        h = try ProcessHarness()
    }

    /// Collects what `onDelivery` reports.
    final class Reports: Sendable {
        private let deliveries = Mutex<[NotificationDelivery]>([])
        func add(_ delivery: NotificationDelivery) { deliveries.withLock { $0.append(delivery) } }
        var all: [NotificationDelivery] { deliveries.withLock { $0 } }
    }

    /// Runs `body` with a notifier over its own HTTP sender, shut down after `body` however it ends.
    func withNotifier<Value>(attempts: Int = 3, timeout: Duration = .seconds(5),
                             _ body: (Notifier) async throws -> Value) async throws -> Value {
        let policy = Notifier.Policy(attempts: attempts, backoff: [.milliseconds(50)], timeout: timeout)
        return try await HTTPSender.with(environment: [:]) { sender in
            try await body(Notifier(launcher: h.launcher, sender: sender, logPath: h.path("logs/notify.log"), policy: policy,
                                    onDelivery: reports.add))
        }
    }

    @Test("composes a Slack-compatible summary line", arguments: [
        (NotificationEvent.failure, "✗ nightly-backup failed (exit 3) on attempt 2/3 — https://status.example/nightly-backup"),
        (.retry, "↻ nightly-backup failed (exit 3) on attempt 2/3, retrying in 5m — https://status.example/nightly-backup"),
        (.success, "✓ nightly-backup succeeded on attempt 2/3 — https://status.example/nightly-backup"),
        (.recovered, "✓ nightly-backup recovered on attempt 2/3 — https://status.example/nightly-backup"),
        (.missed, "⚠ nightly-backup missed its time 2026-03-08T09:00:00Z — https://status.example/nightly-backup"),
    ])
    func text(event: NotificationEvent, expected: String) {
        let payload = NotificationPayload(
            job: "nightly-backup", kind: .job, event: event, outcome: "failure", attempt: 2, maxAttempts: 3,
            exitCode: 3, statusURL: "https://status.example/nightly-backup",
            scheduledAt: Date(timeIntervalSince1970: 1_772_960_400), retryIn: .seconds(300))
        #expect(payload.text == expected)
        let post = NotificationPayload(job: "launch", kind: .post, event: .failure, outcome: "failed", attempt: 4,
                                       error: "server: HTTP 503 from api.example\nmore")
        #expect(post.text == "✗ post launch failed (server: HTTP 503 from api.example) on attempt 4")
    }

    @Test("posts the payload as JSON with text to a webhook and reports the delivery")
    func webhook() async throws {
        let target = NotificationTarget(on: [.failure], destination: .webhook(url: server.url("/hook"), headers: ["X-Token": "tok-secret-123"]))
        let deliveries = try await withNotifier { await $0.notify(failure, to: [target]).value }
        let request = try #require(server.requests(to: "/hook").first)
        #expect(request.method == "POST" && request.headers["content-type"] == "application/json")
        #expect(request.headers["x-token"] == "tok-secret-123")
        let json = try #require(request.json)
        #expect(json["text"] as? String == "✗ nightly-backup failed (exit 3) on attempt 2/3 — https://status.example/nightly-backup")
        #expect(json["job"] as? String == "nightly-backup" && json["kind"] as? String == "job" && json["event"] as? String == "failure")
        #expect(json["attempt"] as? Int == 2 && json["durationMs"] as? Int == 1520 && json["exitCode"] as? Int == 3)
        #expect(json["outputTail"] as? String == "disk full\n" && json["scheduledAt"] as? String == "2026-03-08T09:00:00Z")
        let expected = NotificationDelivery(
            job: "nightly-backup", event: .failure, targetIndex: 0, target: "webhook 127.0.0.1:\(server.port)",
            delivered: true, attempts: 1, status: 200)
        #expect(deliveries == [expected] && reports.all == [expected])
    }

    @Test("skips targets whose on: does not list the event")
    func filtering() async throws {
        let failuresOnly = NotificationTarget(on: [.failure], destination: .webhook(url: server.url("/failures")))
        let everything = NotificationTarget(on: Set(NotificationEvent.allCases), destination: .webhook(url: server.url("/all")))
        var success = failure
        success.event = .success
        let deliveries = try await withNotifier { await $0.notify(success, to: [failuresOnly, everything]).value }
        #expect(deliveries.map(\.targetIndex) == [1])
        #expect(server.requests(to: "/failures").isEmpty && server.requests(to: "/all").count == 1)
    }

    @Test("a failing webhook is retried, then reported as failed, without blocking the caller")
    func failingWebhook() async throws {
        server.script("/down", .status(500))
        server.script("/slow", .hang)
        let closed = try await TestHTTPServer.closedPort()
        let targets = [
            NotificationTarget(destination: .webhook(url: server.url("/down"), headers: ["Authorization": "Bearer sk-notify-secret"])),
            NotificationTarget(destination: .webhook(url: try #require(URL(string: "http://127.0.0.1:\(closed)/hook")))),
            NotificationTarget(destination: .webhook(url: server.url("/slow"))),
        ]
        let deliveries = try await withNotifier(timeout: .milliseconds(300)) { notifier in
            let started = ContinuousClock.now
            let task = notifier.notify(failure, to: targets)
            #expect(ContinuousClock.now - started < .milliseconds(50))
            return await task.value
        }
        #expect(deliveries.map(\.delivered) == [false, false, false])
        #expect(deliveries.map(\.attempts) == [3, 3, 3])
        #expect(deliveries[0].status == 500 && deliveries[0].error?.hasPrefix("HTTP 500 from 127.0.0.1") == true)
        #expect(deliveries[1].status == nil && deliveries[1].error?.hasPrefix("cannot reach 127.0.0.1:\(closed)") == true)
        #expect(deliveries[2].error?.hasPrefix("no answer from") == true)
        #expect(server.requests(to: "/down").count == 3 && server.requests(to: "/slow").count == 3)
        #expect(reports.all.count == 3 && !reports.all.contains { "\($0)".contains("sk-notify-secret") })
    }

    @Test("a webhook that refuses the payload (4xx) is not retried")
    func notRetriedOnContent() async throws {
        server.script("/gone", .status(404))
        let deliveries = try await withNotifier { await $0.notify(failure, to: [.init(destination: .webhook(url: server.url("/gone")))]).value }
        #expect(deliveries.first?.attempts == 1 && deliveries.first?.delivered == false)
    }

    @Test("a run: notifier gets the payload JSON on stdin")
    func command() async throws {
        let out = h.path("mail.json")
        let target = NotificationTarget(destination: .command(.argv(["/bin/sh", "-c", "cat > \"$1\"", "sh", out]), workdir: h.dir, environment: [:]))
        let deliveries = try await withNotifier { await $0.notify(failure, to: [target]).value }
        #expect(deliveries.first?.delivered == true && deliveries.first?.exitCode == 0 && deliveries.first?.target == "run /bin/sh")
        let payload = try JSONDecoder().decode(NotificationPayload.self, from: Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(payload == failure)
    }

    @Test("a failing run: notifier is retried and reported with its exit code")
    func failingCommand() async throws {
        let target = NotificationTarget(destination: .command(.shell("echo attempt >> tries; exit 7"), workdir: h.dir, environment: ["PATH": "/usr/bin:/bin"]))
        let deliveries = try await withNotifier { await $0.notify(failure, to: [target]).value }
        #expect(deliveries.first?.delivered == false && deliveries.first?.exitCode == 7 && deliveries.first?.error == "exit 7")
        let tries = try String(contentsOfFile: h.path("tries"), encoding: .utf8)
        #expect(tries == "attempt\nattempt\nattempt\n")
    }
}

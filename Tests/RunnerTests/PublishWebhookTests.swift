import Foundation
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Webhook publisher against a real HTTP server")
struct PublishWebhookTests {
    let server: TestHTTPServer
    let at = Date(timeIntervalSince1970: 1_772_960_400)  // 2026-03-08T09:00:00Z
    static let secret = "Bearer sk-live-0123456789abcdef"

    init() async throws { server = try await TestHTTPServer() }

    /// Runs `body` with a publisher over its own HTTP sender, shut down after `body` however it ends.
    func publishing(clock: @escaping @Sendable () -> Date = { Date() },
                    _ body: (WebhookPublisher) async throws -> Void) async throws {
        try await HTTPSender.with(environment: [:]) { sender in try await body(WebhookPublisher(sender: sender, clock: clock)) }
    }

    func request(attempt: Int = 1, target: String? = nil) -> PublishRequest {
        PublishRequest(
            post: "launch", scheduledAt: at, attempt: attempt, target: target,
            content: ["title": "We launched", "body": "Details…", "channel": "#news", "nsfw": false, "media": ["https://cdn/a.png"]])
    }

    func target(_ path: String, timeout: Duration = .seconds(5)) -> PublishDestination.Webhook {
        .init(url: server.url(path), headers: ["Authorization": Self.secret, "X-Team": "growth"], timeout: timeout)
    }

    @Test("publishes on 200 and reads id and url from the JSON answer")
    func published() async throws {
        try await publishing { publisher in
            server.script("/posts", .json(201, #"{"id": "p-17", "url": "https://social.example/p/17"}"#))
            let outcome = await publisher.publish(request(), to: target("/posts"))
            guard case .published(let receipt) = outcome else { Issue.record("not published: \(outcome)"); return }
            #expect(receipt.status == 201 && receipt.id == "p-17" && receipt.url == "https://social.example/p/17")
            let received = try #require(server.requests(to: "/posts").first)
            #expect(received.method == "POST")
            #expect(received.headers["content-type"] == "application/json")
            #expect(received.headers["user-agent"] == "almanac")
            #expect(received.headers["authorization"] == Self.secret && received.headers["x-team"] == "growth")
            #expect(received.headers["idempotency-key"] == "launch@2026-03-08T09:00:00Z")
        }
    }

    @Test("sends the content plus post, scheduledAt and attempt as the JSON body")
    func body() async throws {
        try await publishing { publisher in
            _ = await publisher.publish(request(attempt: 2), to: target("/posts"))
            let json = try #require(server.requests(to: "/posts").first?.json)
            #expect(json["title"] as? String == "We launched" && json["channel"] as? String == "#news")
            #expect(json["media"] as? [String] == ["https://cdn/a.png"] && json["nsfw"] as? Bool == false)
            #expect(json["post"] as? String == "launch")
            #expect(json["scheduledAt"] as? String == "2026-03-08T09:00:00Z")
            #expect(json["attempt"] as? Int == 2)
        }
    }

    @Test("uses the target's method")
    func method() async throws {
        try await publishing { publisher in
            let put = PublishDestination.Webhook(url: server.url("/put"), method: "PUT")
            #expect(await publisher.publish(request(), to: put).isPublished)
            #expect(server.requests(to: "/put").first?.method == "PUT")
        }
    }

    @Test("sends the same Idempotency-Key on every attempt")
    func sameKeyOnRetries() async throws {
        try await publishing { publisher in
            server.script("/flaky", .status(500), .status(503), .ok(#"{"id": 9}"#))
            var outcomes: [PublishOutcome] = []
            for attempt in 1...3 {
                outcomes.append(await publisher.publish(request(attempt: attempt, target: "mastodon"), to: target("/flaky")))
            }
            #expect(outcomes.map(\.errorClass) == [.server, .server, nil])
            let received = server.requests(to: "/flaky")
            #expect(received.count == 3)
            #expect(Set(received.compactMap { $0.headers["idempotency-key"] }) == ["launch@2026-03-08T09:00:00Z#mastodon"])
            #expect(received.compactMap { $0.json?["attempt"] as? Int } == [1, 2, 3])
        }
    }

    @Test("classifies answers by status", arguments: [
        (500, ErrorClass.server, true), (503, .server, true), (401, .auth, false), (403, .auth, false),
        (422, .content, false), (400, .content, false), (404, .content, false), (413, .content, false),
        (408, .rateLimited, true), (409, .rejected, false),
    ])
    func statuses(status: Int, expected: ErrorClass, retryable: Bool) async throws {
        try await publishing { publisher in
            server.script("/s", .status(status))
            let outcome = await publisher.publish(request(), to: target("/s"))
            guard case .failed(let failure) = outcome else { Issue.record("published on \(status)"); return }
            #expect(failure.errorClass == expected && failure.isRetryable == retryable && failure.status == status)
            #expect(failure.message.hasPrefix("HTTP \(status) from 127.0.0.1:\(server.port)"))
            let delay = RetryDelays.default.nextDelay(attempt: 1, after: outcome)
            #expect(delay == (retryable ? .seconds(60) : nil))
        }
    }

    @Test("honours Retry-After on 429, in seconds or as an HTTP-date")
    func rateLimited() async throws {
        try await publishing { publisher in
            server.script("/limited", .rateLimited(retryAfter: "7"))
            let outcome = await publisher.publish(request(), to: target("/limited"))
            guard case .failed(let failure) = outcome else { Issue.record("published"); return }
            #expect(failure.errorClass == .rateLimited && failure.retryAfter == .seconds(7))
            #expect(RetryDelays.default.nextDelay(attempt: 1, after: outcome) == .seconds(7))

            let answeredAt = try #require(ISO8601DateFormatter().date(from: "2026-03-08T09:00:00Z"))
            server.script("/dated", .rateLimited(retryAfter: "Sun, 08 Mar 2026 09:02:30 GMT"))
            try await publishing(clock: { answeredAt }) { clocked in
                let dated = await clocked.publish(request(), to: target("/dated"))
                #expect(RetryDelays.default.nextDelay(attempt: 2, after: dated) == .seconds(150))
                #expect(RetryDelays.default.nextDelay(attempt: 4, after: dated) == nil)
            }
        }
    }

    @Test("a receiver that never answers is a timeout, within the configured timeout")
    func hang() async throws {
        try await publishing { publisher in
            server.script("/hang", .hang)
            let started = ContinuousClock.now
            let outcome = await publisher.publish(request(), to: target("/hang", timeout: .milliseconds(500)))
            let elapsed = ContinuousClock.now - started
            #expect(outcome.errorClass == .timeout, "\(outcome) after \(elapsed)")
            // The deadline is 500 ms; the upper bound leaves room for a loaded CI machine.
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(10))
            #expect(server.requests(to: "/hang").count == 1)
        }
    }

    @Test("a closed port is a retryable connection failure")
    func connectionRefused() async throws {
        try await publishing { publisher in
            let port = try await TestHTTPServer.closedPort()
            let closed = PublishDestination.Webhook(url: try #require(URL(string: "http://127.0.0.1:\(port)/x?token=abc123secret")))
            let outcome = await publisher.publish(request(), to: closed)
            guard case .failed(let failure) = outcome else { Issue.record("published"); return }
            #expect(failure.errorClass == .connection && failure.isRetryable)
            #expect(!failure.description.contains("abc123secret"))
        }
    }

    @Test("never puts a header value in an error, even when the receiver echoes it")
    func noSecretsInErrors() async throws {
        try await publishing { publisher in
            let echo = TestHTTPServer.Reply.respond { request in
                .json(401, #"{"error": "invalid credentials \#(request.headers["authorization"] ?? "")"}"#)
            }
            server.script("/echo", echo)
            server.script("/hang", .hang)
            var failures: [PublishOutcome.Failure] = []
            for (path, timeout) in [("/echo", Duration.seconds(5)), ("/hang", .milliseconds(200))] {
                if case .failed(let failure) = await publisher.publish(request(), to: target(path, timeout: timeout)) {
                    failures.append(failure)
                }
            }
            #expect(failures.map(\.errorClass) == [.auth, .timeout])
            #expect(failures[0].message.contains("invalid credentials [redacted]"))
            for failure in failures {
                let texts = [failure.description, failure.message, String(describing: failure), "\(PublishOutcome.failed(failure))"]
                #expect(!texts.contains { $0.contains("sk-live") || $0.contains("0123456789abcdef") })
            }
        }
    }

    /// Receivers that answer too late, each with a timeout and the window its failure must fall in.
    static let lateReceivers: [(String, TestHTTPServer.Reply, Duration, Range<Duration>)] = [
        // Not 2 s: URLSession's own timeout counted whole seconds.
        ("an answer after 1.5 s, 1 s timeout", .delayed(.milliseconds(1500), .ok()), .seconds(1),
         Duration.milliseconds(990) ..< Duration.milliseconds(1300)),
        ("an answer after 900 ms, 250 ms timeout", .delayed(.milliseconds(900), .ok()), .milliseconds(250),
         Duration.milliseconds(240) ..< Duration.milliseconds(600)),
        ("the head at once, the body after 2 s, 500 ms timeout", .trickle(#"{"id": "#, #""p-1"}"#, after: .seconds(2)),
         .milliseconds(500), Duration.milliseconds(490) ..< Duration.milliseconds(900)),
    ]

    @Test("the deadline is the target's timeout to the millisecond, and covers the body", arguments: lateReceivers)
    func deadline(_ name: String, reply: TestHTTPServer.Reply, timeout: Duration, window: Range<Duration>) async throws {
        server.script("/late", reply)
        try await publishing { publisher in
            let started = ContinuousClock.now
            let outcome = await publisher.publish(request(), to: target("/late", timeout: timeout))
            let elapsed = ContinuousClock.now - started
            #expect(outcome.errorClass == .timeout, "\(name): \(outcome)")
            #expect(window.contains(elapsed), "\(name): took \(elapsed)")
            let quick = await publisher.publish(request(), to: target("/quick", timeout: timeout))
            #expect(quick.isPublished, "\(name): \(quick)")
        }
    }

    @Test("a refused connection fails at once, not at the deadline, with a reason and no URL path")
    func refusedAtOnce() async throws {
        let port = try await TestHTTPServer.closedPort()
        let closed = PublishDestination.Webhook(url: try #require(URL(string: "http://127.0.0.1:\(port)/hook/T0KEN-in-path")),
                                                timeout: .seconds(5))
        try await publishing { publisher in
            let started = ContinuousClock.now
            let outcome = await publisher.publish(request(), to: closed)
            guard case .failed(let failure) = outcome else { Issue.record("published"); return }
            #expect(ContinuousClock.now - started < .seconds(1))
            #expect(failure.errorClass == .connection)
            #expect(failure.message == "cannot reach 127.0.0.1:\(port) (connection refused)")
            #expect(!failure.description.contains("T0KEN"))
        }
    }

    @Test("a 429's Retry-After replaces the scheduled delay and is capped")
    func retryAfterCapped() async throws {
        server.script("/busy", .rateLimited(retryAfter: "86400"))
        try await publishing { publisher in
            let outcome = await publisher.publish(request(), to: target("/busy"))
            guard case .failed(let failure) = outcome else { Issue.record("published"); return }
            #expect(failure.errorClass == .rateLimited && failure.status == 429 && failure.retryAfter == .seconds(86400))
            #expect(RetryDelays.default.nextDelay(attempt: 1, after: outcome) == .seconds(3600))
        }
    }

    @Test("a URL that is not http or https is a configuration failure, not retried")
    func notHTTP() async throws {
        try await publishing { publisher in
            let ftp = PublishDestination.Webhook(url: try #require(URL(string: "ftp://files.example/up")))
            let outcome = await publisher.publish(request(), to: ftp)
            #expect(outcome.errorClass == .configuration)
        }
    }

    @Test("requests to one receiver share pooled connections")
    func pooled() async throws {
        try await publishing { publisher in
            for _ in 1...5 { #expect(await publisher.publish(request(), to: target("/pool")).isPublished) }
        }
        let peers = Set(server.requests(to: "/pool").map(\.peer))
        #expect(server.requests(to: "/pool").count == 5 && peers.count == 1, "\(peers)")
    }
}

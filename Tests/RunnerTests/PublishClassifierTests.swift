import Foundation
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Publish classification and retry delays")
struct PublishClassifierTests {
    @Test("classifies HTTP statuses", arguments: [
        (200, nil), (201, nil), (204, nil),
        (401, ErrorClass.auth), (403, .auth),
        (400, .content), (404, .content), (413, .content), (422, .content),
        (408, .rateLimited), (429, .rateLimited),
        (500, .server), (502, .server), (503, .server), (599, .server),
        (405, .rejected), (409, .rejected), (418, .rejected), (302, .rejected), (100, .rejected),
    ] as [(Int, ErrorClass?)])
    func statuses(status: Int, expected: ErrorClass?) {
        #expect(PublishClassifier.errorClass(status: status) == expected)
    }

    @Test("only rate limits, server errors, timeouts, connection and command failures are retryable")
    func retryable() {
        let retryable = ErrorClass.allCases.filter(\.isRetryable)
        #expect(Set(retryable) == [.rateLimited, .server, .timeout, .connection, .command])
    }

    @Test("reads Retry-After as seconds or an HTTP-date, relative to the answer's time")
    func retryAfter() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2015-10-21T07:28:00Z"))
        #expect(PublishClassifier.retryAfter("120", now: now) == .seconds(120))
        #expect(PublishClassifier.retryAfter(" 0 ", now: now) == .zero)
        #expect(PublishClassifier.retryAfter("Wed, 21 Oct 2015 07:30:00 GMT", now: now) == .seconds(120))
        #expect(PublishClassifier.retryAfter("Wednesday, 21-Oct-15 07:29:00 GMT", now: now) == .seconds(60))
        #expect(PublishClassifier.retryAfter("Wed Oct 21 07:28:30 2015", now: now) == .seconds(30))
        #expect(PublishClassifier.retryAfter("Tue, 20 Oct 2015 07:28:00 GMT", now: now) == .zero)
        #expect(PublishClassifier.retryAfter("soon", now: now) == nil)
        #expect(PublishClassifier.retryAfter("-5", now: now) == nil)
        let huge = try #require(PublishClassifier.retryAfter("99999999999999999999999", now: now))
        #expect(RetryDelays.default.nextDelay(attempt: 1, errorClass: .rateLimited, retryAfter: huge) == .seconds(3600))
    }

    @Test("retries 1m, 5m, 15m by default, then gives up")
    func defaultDelays() {
        let delays = RetryDelays.default
        #expect(delays.maxAttempts == 4)
        #expect(delays.nextDelay(attempt: 1, errorClass: .server) == .seconds(60))
        #expect(delays.nextDelay(attempt: 2, errorClass: .timeout) == .seconds(300))
        #expect(delays.nextDelay(attempt: 3, errorClass: .connection) == .seconds(900))
        #expect(delays.nextDelay(attempt: 4, errorClass: .server) == nil)
        #expect(delays.nextDelay(attempt: 0, errorClass: .server) == nil)
    }

    @Test("never retries auth, content, rejected or configuration failures")
    func notRetried() {
        for errorClass in [ErrorClass.auth, .content, .rejected, .configuration] {
            #expect(RetryDelays.default.nextDelay(attempt: 1, errorClass: errorClass, retryAfter: .seconds(1)) == nil)
        }
    }

    @Test("a Retry-After replaces the scheduled delay, capped at maxRetryAfter")
    func retryAfterWins() {
        let delays = RetryDelays([.seconds(10), .seconds(20)], maxRetryAfter: .seconds(90))
        #expect(delays.nextDelay(attempt: 1, errorClass: .rateLimited, retryAfter: .seconds(2)) == .seconds(2))
        #expect(delays.nextDelay(attempt: 2, errorClass: .server, retryAfter: .seconds(45)) == .seconds(45))
        #expect(delays.nextDelay(attempt: 1, errorClass: .rateLimited, retryAfter: .seconds(600)) == .seconds(90))
        #expect(delays.nextDelay(attempt: 3, errorClass: .rateLimited, retryAfter: .seconds(2)) == nil)
        let failed = PublishOutcome.failed(.init(errorClass: .rateLimited, message: "HTTP 429", retryAfter: .seconds(7)))
        #expect(delays.nextDelay(attempt: 1, after: failed) == .seconds(7))
        #expect(delays.nextDelay(attempt: 1, after: .published(.init(status: 200))) == nil)
    }

    @Test("derives the idempotency key from post, scheduled time and target only")
    func idempotencyKey() {
        let at = Date(timeIntervalSince1970: 1_772_960_400)  // 2026-03-08T09:00:00Z
        let first = PublishRequest(post: "launch", scheduledAt: at, attempt: 1, content: [:])
        let retry = PublishRequest(post: "launch", scheduledAt: at, attempt: 3, content: ["title": "changed"])
        #expect(first.idempotencyKey == "launch@2026-03-08T09:00:00Z")
        #expect(retry.idempotencyKey == first.idempotencyKey)
        let targeted = PublishRequest(post: "launch", scheduledAt: at, attempt: 1, target: "mastodon", content: [:])
        #expect(targeted.idempotencyKey == "launch@2026-03-08T09:00:00Z#mastodon")
        let given = PublishRequest(post: "launch", scheduledAt: at, attempt: 2, content: [:], idempotencyKey: "journaled-key")
        #expect(given.idempotencyKey == "journaled-key")
    }

    @Test("the body is the content plus post, scheduledAt and attempt, with sorted keys")
    func body() {
        let at = Date(timeIntervalSince1970: 1_772_960_400)
        let request = PublishRequest(
            post: "launch", scheduledAt: at, attempt: 2,
            content: ["title": "Hello", "media": ["https://cdn/a.png"], "nsfw": false, "attempt": 99, "extra": ["n": 1.5]])
        let text = String(decoding: request.body, as: UTF8.self)
        #expect(text == #"{"attempt":2,"extra":{"n":1.5},"media":["https://cdn/a.png"],"nsfw":false,"post":"launch","# +
            #""scheduledAt":"2026-03-08T09:00:00Z","title":"Hello"}"#)
        #expect(PayloadJSON.parse(request.body) == .object([
            "attempt": 2, "extra": ["n": 1.5], "media": ["https://cdn/a.png"], "nsfw": false,
            "post": "launch", "scheduledAt": "2026-03-08T09:00:00Z", "title": "Hello",
        ]))
    }

    @Test("finds the last JSON object line among other output")
    func lastJSONObject() {
        let output = "posting…\n{\"url\": \"https://old\"}\nwarning: slow\n{\"url\": \"https://x/p/1\", \"id\": 17}\n{broken\ndone\n"
        let object = PublishClassifier.lastJSONObject(in: output)
        #expect(object?["url"]?.text == "https://x/p/1")
        #expect(object?["id"]?.text == "17")
        #expect(PublishClassifier.lastJSONObject(in: "no json here\n[1,2]\n") == nil)
    }

    @Test("reads id and url from a JSON answer, ignoring other bodies")
    func receiptFields() {
        let fields = PublishClassifier.receiptFields(Data(#"{"id": 123, "url": "https://x/1", "other": true}"#.utf8))
        #expect(fields.id == "123" && fields.url == "https://x/1")
        let none = PublishClassifier.receiptFields(Data("<html>ok</html>".utf8))
        #expect(none.id == nil && none.url == nil && none.metrics.isEmpty)
    }

    @Test("reads the answer's metrics: finite numbers under valid names, the rest left out")
    func receiptMetrics() {
        let fields = PublishClassifier.receiptFields(Data(#"{"url": "https://x/1", "metrics": {"likes": 12, "ratio": 0.25, "Bad": 1, "text": "3", "flag": true}}"#.utf8))
        #expect(fields.metrics == ["likes": 12, "ratio": 0.25])
        #expect(PublishClassifier.receiptFields(Data(#"{"metrics": [1, 2]}"#.utf8)).metrics.isEmpty)
    }

    @Test("redacts secret header values and their long words from messages")
    func redaction() {
        let text = "HTTP 401: bad token Bearer sk-live-123456789 for key sk-live-123456789 (X-Key: hunter22)"
        let redacted = HTTPSender.redact(text, secrets: ["Bearer sk-live-123456789", "hunter22"])
        #expect(!redacted.contains("sk-live") && !redacted.contains("hunter22"))
        #expect(redacted == "HTTP 401: bad token [redacted] for key [redacted] (X-Key: [redacted])")
    }
}

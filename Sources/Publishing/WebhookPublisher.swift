import Foundation

/// Publishes a post by sending its JSON to an HTTP endpoint.
///
/// Exactly-once rests on the receiver: every attempt of one occurrence carries the same
/// `Idempotency-Key`, so a retry after a lost answer or a crash is recognised as the same
/// post. The publisher itself never retries; it classifies the attempt and the runner
/// decides, journaling before and after.
package struct WebhookPublisher: Sendable {
    private let sender: HTTPSender
    private let clock: @Sendable () -> Date

    /// A publisher sending through `sender` (the runner's, shared by every post and notification);
    /// `clock` reads the time of an answer (for HTTP-date `Retry-After`).
    package init(sender: HTTPSender, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.sender = sender
        self.clock = clock
    }

    /// Sends one attempt and classifies the answer; never throws, never retries.
    ///
    /// Headers: `Content-Type: application/json` and `User-Agent: almanac` (a target may
    /// replace either), the target's headers, then `Idempotency-Key` (never replaced).
    package func publish(_ request: PublishRequest, to target: PublishDestination.Webhook) async -> PublishOutcome {
        let started = ContinuousClock.now
        var headers = [("Content-Type", "application/json"), ("User-Agent", "almanac")]
        headers += target.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        headers.append(("Idempotency-Key", request.idempotencyKey))
        let result = await sender.send(
            url: target.url, method: target.method, headers: headers, body: request.body, timeout: target.timeout)
        let duration = ContinuousClock.now - started
        return Self.outcome(result, target: target, now: clock(), duration: duration)
    }

    /// Turns an HTTP result into an outcome: 2xx published with `id`/`url`, anything else classified.
    static func outcome(_ result: HTTPSender.Result, target: PublishDestination.Webhook, now: Date, duration: Duration) -> PublishOutcome {
        switch result {
        case .failure(let errorClass, let message):
            return .failed(.init(errorClass: errorClass, message: message, duration: duration))
        case .answer(let answer):
            guard let errorClass = PublishClassifier.errorClass(status: answer.status) else {
                let fields = PublishClassifier.receiptFields(answer.body)
                return .published(.init(status: answer.status, id: fields.id, url: fields.url, metrics: fields.metrics, duration: duration))
            }
            let snippet = HTTPSender.snippet(answer.body)
            let text = "HTTP \(answer.status) from \(HTTPSender.location(target.url))" + (snippet.isEmpty ? "" : ": \(snippet)")
            let message = HTTPSender.redact(text, secrets: target.headers.values)
            let retryAfter = answer.headers["retry-after"].flatMap { PublishClassifier.retryAfter($0, now: now) }
            return .failed(.init(
                errorClass: errorClass, message: message, status: answer.status,
                retryAfter: retryAfter, duration: duration))
        }
    }
}

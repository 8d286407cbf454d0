import Foundation
import Scheduler
import Processes

/// What happened to a job or post, worth telling a person about.
///
/// Raw values are the words of `notify: [{on: [...]}]` in a job file.
package enum NotificationEvent: String, Sendable, Hashable, Codable, CaseIterable {
    /// The last attempt failed: no more retries.
    case failure
    /// An execution or publish succeeded.
    case success
    /// An attempt failed and another is scheduled.
    case retry
    /// A success right after a failure (of the previous occurrence or an earlier attempt).
    case recovered
    /// An occurrence was not run because its time passed while the runner was down.
    case missed
}

/// The JSON a notifier sends: a webhook body, or stdin of a `run:` notifier.
///
/// Flat and stable so a shell script can pick fields with `jq`; `text` is a ready-made
/// summary line, which is all Slack, Mattermost and Discord-compatible hooks need.
package struct NotificationPayload: Sendable, Hashable, Codable {
    /// The job's or post's name.
    package var job: String
    /// `job` or `post`.
    package var kind: Kind
    /// Why this notification is sent.
    package var event: NotificationEvent
    /// The execution's outcome as journaled (`failure`, `timeout`, `published`, `missed` …).
    package var outcome: String
    /// The attempt this is about, 1-based.
    package var attempt: Int
    /// Attempts allowed in all, when known.
    package var maxAttempts: Int?
    /// Wall-clock duration of the attempt in milliseconds.
    package var durationMs: Int?
    /// The exit code, for commands that exited.
    package var exitCode: Int32?
    /// The error line (never a secret: publishers redact header values).
    package var error: String?
    /// The end of the output.
    package var outputTail: String?
    /// A link to the job's status page or file, when configured.
    package var statusURL: String?
    /// The occurrence's scheduled time, RFC 3339.
    package var scheduledAt: String?
    /// The delay before the next attempt, in seconds, for `retry`.
    package var retryInSeconds: Int?
    /// One summary line, e.g. `✗ nightly-backup failed (exit 3) on attempt 2/3`.
    package var text: String

    /// Whether the subject is a job or a post.
    package enum Kind: String, Sendable, Hashable, Codable {
        case job, post
    }

    /// A payload; `text` is composed from the other fields.
    package init(
        job: String, kind: Kind, event: NotificationEvent, outcome: String, attempt: Int,
        maxAttempts: Int? = nil, durationMs: Int? = nil, exitCode: Int32? = nil, error: String? = nil,
        outputTail: String? = nil, statusURL: String? = nil, scheduledAt: Date? = nil, retryIn: Duration? = nil
    ) {
        self.job = job
        self.kind = kind
        self.event = event
        self.outcome = outcome
        self.attempt = attempt
        self.maxAttempts = maxAttempts
        self.durationMs = durationMs
        self.exitCode = exitCode
        self.error = error
        self.outputTail = outputTail
        self.statusURL = statusURL
        self.scheduledAt = scheduledAt.map(PublishRequest.rfc3339)
        self.retryInSeconds = retryIn.map { Int($0.components.seconds) }
        self.text = ""
        self.text = summary()
    }

    /// The JSON document, keys sorted.
    package var encoded: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data(#"{"text":"notification could not be encoded"}"#.utf8)
    }

    /// `✗ nightly-backup failed (exit 3) on attempt 2/3`, `↻ … retrying in 5m`, `✓ … recovered …`.
    private func summary() -> String {
        let subject = kind == .post ? "post \(job)" : job
        let attempts = maxAttempts.map { "attempt \(attempt)/\($0)" } ?? "attempt \(attempt)"
        let reason = exitCode.map { "exit \($0)" } ?? error.map { Self.firstLine($0) }
        let because = reason.map { " (\($0))" } ?? ""
        var line: String
        switch event {
        case .failure:
            line = "✗ \(subject) failed\(because) on \(attempts)"
        case .retry:
            let next = retryInSeconds.map { ", retrying in \(Self.delay($0))" } ?? ", retrying"
            line = "↻ \(subject) failed\(because) on \(attempts)\(next)"
        case .success:
            line = "✓ \(subject) \(kind == .post ? "published" : "succeeded") on \(attempts)"
        case .recovered:
            line = "✓ \(subject) recovered on \(attempts)"
        case .missed:
            line = "⚠ \(subject) missed its time \(scheduledAt ?? "")".trimmingCharacters(in: .whitespaces)
        }
        if let statusURL { line += " — \(statusURL)" }
        return line
    }

    private static func firstLine(_ text: String) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
        return line.count > 80 ? String(line.prefix(80)) + "…" : line
    }

    /// `45s`, `5m`, `1h30m`.
    private static func delay(_ seconds: Int) -> String {
        let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60)
        let parts = [(h, "h"), (m, "m"), (s, "s")].filter { $0.0 > 0 }.map { "\($0.0)\($0.1)" }
        return parts.isEmpty ? "0s" : parts.joined()
    }
}

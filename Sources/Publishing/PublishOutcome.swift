import Foundation
import Scheduler
import Processes

/// How one publish attempt ended: published with the receiver's answer, or failed with a class.
///
/// The runner journals a `published` record from the receipt, or a `retry`/`failed` record
/// from the failure, and asks `RetryDelays.nextDelay` what to do next.
package enum PublishOutcome: Sendable, Hashable {
    case published(Receipt)
    case failed(Failure)

    /// What the receiver said when it accepted the post.
    package struct Receipt: Sendable, Hashable {
        /// The HTTP status (webhooks).
        package var status: Int?
        /// The exit code, 0 (commands).
        package var exitCode: Int32?
        /// `id` from the JSON answer (`{"id": ...}`), when present; numbers are rendered as text.
        package var id: String?
        /// `url` from the JSON answer (`{"url": ...}`), when present.
        package var url: String?
        /// `metrics` from the JSON answer (`{"metrics": {"likes": 12}}`): the first engagement numbers.
        package var metrics: [String: Double]
        /// The command's output tail, empty for webhooks.
        package var outputTail: String
        /// Wall-clock time of the attempt.
        package var duration: Duration

        /// A receipt with every field given.
        package init(status: Int? = nil, exitCode: Int32? = nil, id: String? = nil, url: String? = nil,
                    metrics: [String: Double] = [:], outputTail: String = "", duration: Duration = .zero) {
            self.status = status
            self.exitCode = exitCode
            self.id = id
            self.url = url
            self.metrics = metrics
            self.outputTail = outputTail
            self.duration = duration
        }
    }

    /// Why the attempt failed; never contains a header value.
    package struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// The class that decides retrying.
        package var errorClass: ErrorClass
        /// One line for the journal and notifications, e.g. `HTTP 500 from api.example`.
        package var message: String
        /// The HTTP status, when an answer arrived.
        package var status: Int?
        /// The command's exit code, when it exited.
        package var exitCode: Int32?
        /// The receiver's `Retry-After`, as a delay from the time of the answer.
        package var retryAfter: Duration?
        /// The command's output tail, empty for webhooks.
        package var outputTail: String
        /// Wall-clock time of the attempt.
        package var duration: Duration

        /// A failure with every field given.
        package init(errorClass: ErrorClass, message: String, status: Int? = nil, exitCode: Int32? = nil,
                    retryAfter: Duration? = nil, outputTail: String = "", duration: Duration = .zero) {
            self.errorClass = errorClass
            self.message = message
            self.status = status
            self.exitCode = exitCode
            self.retryAfter = retryAfter
            self.outputTail = outputTail
            self.duration = duration
        }

        /// Whether another attempt may succeed.
        package var isRetryable: Bool { errorClass.isRetryable }

        /// `<class>: <message>`, e.g. `server: HTTP 503 from api.example`.
        package var description: String { "\(errorClass.rawValue): \(message)" }
    }

    /// Whether the post was published.
    package var isPublished: Bool {
        if case .published = self { true } else { false }
    }

    /// The failure's class; nil when published.
    package var errorClass: ErrorClass? {
        if case .failed(let failure) = self { failure.errorClass } else { nil }
    }
}

import Foundation
import Scheduler
import Processes

/// How one publish attempt ended: published with the receiver's answer, or failed with a class.
///
/// The runner journals a `published` record from the receipt, or a `retry`/`failed` record
/// from the failure, and asks `RetryDelays.nextDelay` what to do next.
public enum PublishOutcome: Sendable, Hashable {
    case published(Receipt)
    case failed(Failure)

    /// What the receiver said when it accepted the post.
    public struct Receipt: Sendable, Hashable {
        /// The HTTP status (webhooks).
        public var status: Int?
        /// The exit code, 0 (commands).
        public var exitCode: Int32?
        /// `id` from the JSON answer (`{"id": ...}`), when present; numbers are rendered as text.
        public var id: String?
        /// `url` from the JSON answer (`{"url": ...}`), when present.
        public var url: String?
        /// The command's output tail, empty for webhooks.
        public var outputTail: String
        /// Wall-clock time of the attempt.
        public var duration: Duration

        /// A receipt with every field given.
        public init(status: Int? = nil, exitCode: Int32? = nil, id: String? = nil, url: String? = nil,
                    outputTail: String = "", duration: Duration = .zero) {
            self.status = status
            self.exitCode = exitCode
            self.id = id
            self.url = url
            self.outputTail = outputTail
            self.duration = duration
        }
    }

    /// Why the attempt failed; never contains a header value.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// The class that decides retrying.
        public var errorClass: ErrorClass
        /// One line for the journal and notifications, e.g. `HTTP 500 from api.example`.
        public var message: String
        /// The HTTP status, when an answer arrived.
        public var status: Int?
        /// The command's exit code, when it exited.
        public var exitCode: Int32?
        /// The receiver's `Retry-After`, as a delay from the time of the answer.
        public var retryAfter: Duration?
        /// The command's output tail, empty for webhooks.
        public var outputTail: String
        /// Wall-clock time of the attempt.
        public var duration: Duration

        /// A failure with every field given.
        public init(errorClass: ErrorClass, message: String, status: Int? = nil, exitCode: Int32? = nil,
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
        public var isRetryable: Bool { errorClass.isRetryable }

        /// `<class>: <message>`, e.g. `server: HTTP 503 from api.example`.
        public var description: String { "\(errorClass.rawValue): \(message)" }
    }

    /// Whether the post was published.
    public var isPublished: Bool {
        if case .published = self { true } else { false }
    }

    /// The failure's class; nil when published.
    public var errorClass: ErrorClass? {
        if case .failed(let failure) = self { failure.errorClass } else { nil }
    }
}

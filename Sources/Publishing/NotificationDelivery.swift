import Scheduler
import Processes
/// How delivering one notification to one target ended, after its retries.
///
/// The runner journals each as a `notified` record, so a person can see in `history`
/// that the failure mail went out — or why it did not.
public struct NotificationDelivery: Sendable, Hashable {
    /// The job or post the notification was about.
    public var job: String
    /// The event notified.
    public var event: NotificationEvent
    /// The target's index in the `notify:` list.
    public var targetIndex: Int
    /// The target, safe to record (`webhook hooks.example`, `run sendmail`).
    public var target: String
    /// Whether the receiver accepted it (2xx, or exit 0).
    public var delivered: Bool
    /// Attempts made, 1…policy's maximum.
    public var attempts: Int
    /// The last HTTP status, for webhooks that answered.
    public var status: Int?
    /// The last exit code, for commands that exited.
    public var exitCode: Int32?
    /// Why the last attempt failed; nil when delivered.
    public var error: String?

    /// A delivery report with every field given.
    public init(job: String, event: NotificationEvent, targetIndex: Int, target: String, delivered: Bool,
                attempts: Int, status: Int? = nil, exitCode: Int32? = nil, error: String? = nil) {
        self.job = job
        self.event = event
        self.targetIndex = targetIndex
        self.target = target
        self.delivered = delivered
        self.attempts = attempts
        self.status = status
        self.exitCode = exitCode
        self.error = error
    }
}

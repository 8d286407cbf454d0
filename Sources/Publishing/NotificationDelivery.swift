import Scheduler
import Processes
/// How delivering one notification to one target ended, after its retries.
///
/// The runner journals each as a `notified` record, so a person can see in `history`
/// that the failure mail went out — or why it did not.
package struct NotificationDelivery: Sendable, Hashable {
    /// The job or post the notification was about.
    package var job: String
    /// The event notified.
    package var event: NotificationEvent
    /// The target's index in the `notify:` list.
    package var targetIndex: Int
    /// The target, safe to record (`webhook hooks.example`, `run sendmail`).
    package var target: String
    /// Whether the receiver accepted it (2xx, or exit 0).
    package var delivered: Bool
    /// Attempts made, 1…policy's maximum.
    package var attempts: Int
    /// The last HTTP status, for webhooks that answered.
    package var status: Int?
    /// The last exit code, for commands that exited.
    package var exitCode: Int32?
    /// Why the last attempt failed; nil when delivered.
    package var error: String?

    /// A delivery report with every field given.
    package init(job: String, event: NotificationEvent, targetIndex: Int, target: String, delivered: Bool,
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

import Scheduler
import Processes
/// When to retry a failed publish: a fixed list of delays, one per retry.
///
/// Posts retry on a human scale (default 1 min, 5 min, 15 min — then give up and notify),
/// not the sub-second backoff of jobs. A receiver's `Retry-After` replaces the scheduled
/// delay, because the receiver knows when it will take requests again, but it is capped so
/// a misbehaving server cannot park a post for days.
package struct RetryDelays: Sendable, Hashable {
    /// The delay before retry 1, 2, …; its count is the number of retries.
    package var delays: [Duration]
    /// The longest `Retry-After` honoured; longer values are cut to this.
    package var maxRetryAfter: Duration

    /// Custom delays; `maxRetryAfter` defaults to one hour.
    package init(_ delays: [Duration], maxRetryAfter: Duration = .seconds(3600)) {
        self.delays = delays
        self.maxRetryAfter = maxRetryAfter
    }

    /// 1 min, 5 min, 15 min: four attempts in about 21 minutes.
    package static let `default` = RetryDelays(Runner.postRetryDelays)

    /// Attempts in all: the first plus one per delay.
    package var maxAttempts: Int { delays.count + 1 }

    /// The wait before the next attempt after `attempt` (1-based) failed with `errorClass`; nil = give up.
    ///
    /// Gives up when the class is not retryable or the retries are used up. Otherwise the
    /// scheduled delay, or `retryAfter` (clamped to `0...maxRetryAfter`) when the receiver sent one.
    package func nextDelay(attempt: Int, errorClass: ErrorClass, retryAfter: Duration? = nil) -> Duration? {
        guard errorClass.isRetryable, attempt >= 1, attempt <= delays.count else { return nil }
        guard let retryAfter else { return delays[attempt - 1] }
        return min(max(retryAfter, .zero), maxRetryAfter)
    }

    /// `nextDelay` for a failed outcome, using its class and `Retry-After`; nil when published.
    package func nextDelay(attempt: Int, after outcome: PublishOutcome) -> Duration? {
        guard case .failed(let failure) = outcome else { return nil }
        return nextDelay(attempt: attempt, errorClass: failure.errorClass, retryAfter: failure.retryAfter)
    }
}

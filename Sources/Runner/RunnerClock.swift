import Foundation

/// The time source the runner reads and sleeps on, injected so tests can jump through DST
/// days and months in milliseconds.
public protocol RunnerClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Returns at or after `deadline`, or throws `CancellationError` when the task is cancelled.
    ///
    /// A clock may wake early; the runner re-checks `now()` before firing anything, so an early
    /// wake never fires early (cf. vapor/queues#94, where it fired twice).
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time, sleeping on the monotonic clock so a wall-clock step does not oversleep by hours.
public struct SystemClock: RunnerClock {
    public init() {}

    public func now() -> Date { Date() }

    /// Timer wake-ups on Linux land up to a millisecond or so late; the last stretch before a
    /// deadline is spent yielding in a loop instead, so a fire starts on its instant.
    static let spin: TimeInterval = 0.002

    public func sleep(until deadline: Date) async throws {
        // Sleep in slices of at most one minute: if the wall clock is stepped (NTP, suspend),
        // the next slice sees it, instead of waiting out a stale monotonic interval.
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= Self.spin { break }
            let slice = min(remaining - Self.spin, 60)
            try await Task.sleep(for: .nanoseconds(Int64(slice * 1e9)), tolerance: .microseconds(100))
        }
        while Date() < deadline {
            try Task.checkCancellation()
            sched_yield()
        }
    }
}

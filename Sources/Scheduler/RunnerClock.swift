import Executors
import Foundation

/// The time source the runner reads and sleeps on, injected so tests can jump through DST
/// days and months in milliseconds.
package protocol RunnerClock: Sendable {
    /// The current instant.
    func now() -> Date
    /// Returns at or after `deadline`, or throws `CancellationError` when the task is cancelled.
    ///
    /// A clock may wake early; the runner re-checks `now()` before firing anything, so an early
    /// wake never fires early (cf. vapor/queues#94, where it fired twice).
    func sleep(until deadline: Date) async throws
}

/// Wall-clock time, sleeping on the monotonic clock so a wall-clock step does not oversleep by hours.
///
/// Sleeps are timed waits on the runner's own thread (`DedicatedExecutor.runner`, 1 ns timer
/// slack), not `Task.sleep`: that one wakes through the cooperative pool, which a busy HTTP
/// server keeps full, and lands up to a millisecond late even when idle.
package struct SystemClock: RunnerClock {
    let timer: DedicatedExecutor

    package init(timer: DedicatedExecutor = .runner) {
        self.timer = timer
    }

    package func now() -> Date { Date() }

    package func sleep(until deadline: Date) async throws {
        // Sleep in slices of at most one minute: if the wall clock is stepped (NTP, suspend),
        // the next slice sees it, instead of waiting out a stale monotonic interval.
        while true {
            let remaining = deadline.timeIntervalSinceNow
            if remaining <= 0 { return }
            let slice = UInt64(min(remaining, 60) * 1e9) + 1
            try await timer.sleep(untilMonotonic: DedicatedExecutor.monotonicNow() + slice)
        }
    }
}

import Executors
import Foundation
import Synchronization

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
    /// Unset on a runner of its own; beside peers the database's time as last measured, so
    /// every runner fires on that one clock.
    package let offset: ClockOffset
    /// How wrong this machine's clock is made to be: zero, except in the tests of a cluster
    /// whose machines disagree (`ALMANAC_TEST_CLOCK_SKEW`, seconds): a fixed skew per runner,
    /// which libfaketime could also give (ClockStepTests drives steps with it) but only by
    /// faking every clock call of the process.
    package let skew: TimeInterval

    package init(timer: DedicatedExecutor = .runner, offset: ClockOffset = ClockOffset(), skew: TimeInterval = 0) {
        self.timer = timer
        self.offset = offset
        self.skew = skew
    }

    /// The clock of `almanac run`: this machine's, skewed as `ALMANAC_TEST_CLOCK_SKEW` says.
    package static func daemon(environment: [String: String]) -> SystemClock {
        SystemClock(skew: environment["ALMANAC_TEST_CLOCK_SKEW"].flatMap(TimeInterval.init) ?? 0)
    }

    /// This machine's clock, before the offset: what the offset is measured against.
    package func machineNow() -> Date { Date().addingTimeInterval(skew) }

    /// Beside peers the database's time, carried forward on the monotonic clock from the last
    /// measurement, so a step of this machine's clock (NTP, a resumed VM) cannot make a fire
    /// early; else this machine's.
    package func now() -> Date { offset.now() ?? machineNow() }

    package func sleep(until deadline: Date) async throws {
        // Sleep in slices of at most one minute: if the wall clock is stepped (NTP, suspend),
        // the next slice sees it, instead of waiting out a stale monotonic interval.
        while true {
            let remaining = deadline.timeIntervalSince(now())
            if remaining <= 0 { return }
            let slice = UInt64(min(remaining, 60) * 1e9) + 1
            try await timer.sleep(untilMonotonic: DedicatedExecutor.monotonicNow() + slice)
        }
    }
}

/// The clock the runner fires on beside peers: the database's, measured against this
/// machine's while the runner runs (`ClusterClock`) and carried forward on the monotonic clock.
///
/// Peers whose machines disagree by seconds (a missing NTP, a VM resumed) would otherwise each
/// fire on their own clock: a claim still picks one runner per occurrence, but the one whose
/// clock is 30 s fast would run every occurrence 30 s early (as Quartz asks its nodes to keep
/// "clocks within a second"). Read on every `now()`, under an uncontended lock.
package final class ClockOffset: Sendable {
    /// The last measurement: database minus machine, the database's time, and the monotonic
    /// instant it was taken at; nil before any.
    private let last = Mutex<(seconds: TimeInterval, database: TimeInterval, monotonic: UInt64)?>(nil)

    package init() {}

    /// The last measured difference (database minus machine), for the log.
    package var seconds: TimeInterval { last.withLock { $0?.seconds ?? 0 } }

    /// Takes a measurement made just now: the database's clock is `seconds` ahead of `machineNow`.
    package func set(_ seconds: TimeInterval, machineNow: Date) {
        last.withLock { $0 = (seconds, machineNow.timeIntervalSince1970 + seconds, DedicatedExecutor.monotonicNow()) }
    }

    /// The database's time now, from the last measurement on; nil before any.
    package func now() -> Date? {
        guard let anchor = last.withLock({ $0 }) else { return nil }
        let elapsed = Double(DedicatedExecutor.monotonicNow() &- anchor.monotonic) / 1e9
        return Date(timeIntervalSince1970: anchor.database + elapsed)
    }
}

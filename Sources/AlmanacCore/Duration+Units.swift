import Foundation

extension Duration {
    /// Whole milliseconds, truncated toward zero (CPU times, timeouts in messages).
    package var milliseconds: Int64 {
        let (seconds, atto) = components
        return seconds * 1000 + atto / 1_000_000_000_000_000
    }

    /// Whole nanoseconds, truncated toward zero and clamped to `Int64`'s range (timers, the
    /// kernel's scheduler slice, NIO's `TimeAmount`).
    package var nanoseconds: Int64 {
        let (seconds, atto) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        let (total, carry) = whole.addingReportingOverflow(atto / 1_000_000_000)
        return carry ? (seconds < 0 ? .min : .max) : total
    }

    /// Seconds as a `TimeInterval`, for date arithmetic.
    package var timeInterval: TimeInterval {
        let (seconds, atto) = components
        return TimeInterval(seconds) + TimeInterval(atto) / 1e18
    }
}

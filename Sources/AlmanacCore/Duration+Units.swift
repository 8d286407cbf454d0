import Foundation

extension Duration {
    /// Whole milliseconds, truncated toward zero (CPU times, timeouts in messages).
    package var milliseconds: Int64 {
        let (seconds, atto) = components
        return seconds * 1000 + atto / 1_000_000_000_000_000
    }

    /// Seconds as a `TimeInterval`, for date arithmetic.
    package var timeInterval: TimeInterval {
        let (seconds, atto) = components
        return TimeInterval(seconds) + TimeInterval(atto) / 1e18
    }
}

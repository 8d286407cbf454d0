/// How a failed run is retried; the default is not at all.
public struct RetryPolicy: Sendable, Hashable {
    /// The wait before each retry.
    public enum Backoff: Sendable, Hashable {
        /// `initial`, doubling each time, capped at `maxDelay`.
        case exponential(initial: Duration, maxDelay: Duration)
        /// The same wait every time.
        case fixed(Duration)
        /// Explicit waits; retries past the list reuse the last one.
        case delays([Duration])
    }

    /// Total attempts, the first run included: `retry.max + 1`; 1 means no retry.
    public var maxAttempts: Int
    public var backoff: Backoff

    public init(maxAttempts: Int = 1, backoff: Backoff = .fixed(.zero)) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
    }

    /// No retry.
    public static let none = RetryPolicy()

    /// The wait before retry number `retry` (1-based).
    public func delay(beforeRetry retry: Int) -> Duration {
        switch backoff {
        case .fixed(let wait):
            return wait
        case .delays(let waits):
            guard let last = waits.last else { return .zero }
            return retry - 1 < waits.count ? waits[max(0, retry - 1)] : last
        case .exponential(let initial, let maxDelay):
            var wait = initial
            for _ in 1..<max(1, retry) where wait < maxDelay { wait *= 2 }
            return min(wait, maxDelay)
        }
    }

    /// Canonical text for `fields`, e.g. `max=3 exponential 1s..30s`.
    public var canonicalText: String {
        if maxAttempts <= 1 { return "none" }
        let max = "max=\(maxAttempts - 1)"
        switch backoff {
        case .fixed(let wait): return "\(max) fixed \(formatDuration(wait))"
        case .delays(let waits): return "\(max) delays \(waits.map(formatDuration).joined(separator: ","))"
        case .exponential(let initial, let cap): return "\(max) exponential \(formatDuration(initial))..\(formatDuration(cap))"
        }
    }
}

/// What happens to occurrences missed while the runner was down.
public struct CatchupPolicy: Sendable, Hashable {
    /// How many missed occurrences run.
    public enum Mode: String, Sendable, Hashable, Codable, CaseIterable {
        /// None; they are journaled as missed.
        case none
        /// Only the most recent one inside the window.
        case latest
        /// Every one inside the window, oldest first.
        case all
    }

    public var mode: Mode
    /// Occurrences older than this are never caught up.
    public var window: Duration

    public init(mode: Mode = .latest, window: Duration = .seconds(3600)) {
        self.mode = mode
        self.window = window
    }

    public var canonicalText: String { "\(mode.rawValue) window=\(formatDuration(window))" }
}

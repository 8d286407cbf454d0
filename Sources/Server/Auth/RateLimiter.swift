import Foundation

/// A token bucket per client: `capacity` requests at once, refilled at `capacity` per `period`.
///
/// Keeps a script (or a stuck button) from queueing hundreds of manual runs; buckets of idle
/// clients are dropped once full again, so the table stays small.
actor RateLimiter {
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let capacity: Double
    let period: Duration
    private var buckets: [String: Bucket] = [:]

    init(capacity: Int, per period: Duration) {
        self.capacity = Double(max(1, capacity))
        self.period = period
    }

    /// Takes a token for `client`; nil when allowed, otherwise the seconds until one is free.
    func take(_ client: String, now: ContinuousClock.Instant = .now) -> Int? {
        let rate = capacity / max(period.timeInterval, 0.001)
        var bucket = buckets[client] ?? Bucket(tokens: capacity, updated: now)
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated).timeInterval * rate)
        bucket.updated = now
        defer {
            buckets[client] = bucket
            if buckets.count > 10_000 { buckets = buckets.filter { $0.value.tokens < capacity } }
        }
        guard bucket.tokens >= 1 else { return Int(((1 - bucket.tokens) / rate).rounded(.up)) }
        bucket.tokens -= 1
        return nil
    }
}


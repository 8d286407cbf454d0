import Foundation

/// One row of the benchmark table; a section's `run()` returns a list of them.
struct BenchResult: Sendable {
    var section: String
    var name: String
    /// The measured value in `unit` (e.g. ns per call, ms, ops/s).
    var value: Double
    var unit: String
    /// The peer's number measured in the same run (cronsim, croniter, a raw posix_spawn loop…).
    var peer: String? = nil
    var peerValue: Double? = nil
    /// The goal from the issue, as text (e.g. "≤ 300 ns").
    var target: String? = nil
    /// Whether the goal was met, when there is one.
    var met: Bool? = nil
}

/// Measures `body` over `iterations` calls after a warm-up and returns nanoseconds per call.
func nanosecondsPerCall(iterations: Int, _ body: (Int) -> Void) -> Double {
    for i in 0..<min(iterations / 10, 10_000) { body(i) }
    let clock = ContinuousClock()
    let start = clock.now
    for i in 0..<iterations { body(i) }
    let elapsed = clock.now - start
    let ns = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    return ns / Double(iterations)
}

/// Seconds elapsed while running `body` once.
func secondsFor(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// A benchmark that could not measure what it set out to (a wrong result, a failed spawn).
struct BenchFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

import Foundation
import Journal
import Scheduler

/// Beside peers every runner fires on the database's clock, not its machine's: the offset is
/// measured at join (before the first reconcile) and every 10 s, and a skew of a second or more
/// is said in the log. Leases need no such care: they are on the database's `now()`, and each
/// runner's fence on its own monotonic clock.
enum ClusterClock {
    static let interval: Duration = .seconds(10)

    static func measure(_ cluster: any ClusterJournal, for clock: SystemClock, log: RunnerLog) async {
        // Unreachable: the last figure stands (the sync and the lease keeper report the database).
        guard let (measured, roundTrip) = try? await cluster.clockOffset(from: clock.machineNow) else { return }
        let offset = clock.offset
        let before = offset.seconds
        offset.set(measured, machineNow: clock.machineNow())
        guard abs(measured - before) >= 1 else { return }
        let skew = String(format: "%.1f", abs(measured))
        log(.warning, "almanac: this machine's clock is \(skew) s \(measured > 0 ? "behind" : "ahead of") the database's "
            + "(measured over a \(Int((roundTrip * 1000).rounded())) ms round trip); this runner fires on the database's clock")
    }
}

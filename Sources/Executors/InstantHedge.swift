import CThread
import Synchronization

/// Runs an action at an instant on whichever of two threads, pinned to two different CPUs,
/// wakes first.
///
/// Why: a timer fires on the CPU that armed it, and that CPU can be late to run it: a virtual
/// CPU the host has descheduled or that is waking from halt, or a CPU busy with a burst of
/// network softirqs under HTTP load. Measured here (two vCPUs, `wrk` on the jobs API), one
/// real-time thread woke up to 5 ms late (p99 2 ms), while the earlier of two on different
/// CPUs was never more than 0.9 ms late (p99 0.13 ms). Both threads are SCHED_FIFO when the
/// process may (CAP_SYS_NICE or RLIMIT_RTPRIO ≥ 2), else nice -10; they sleep except at instants.
public final class InstantHedge: Sendable {
    /// The process's hedge: threads `almanac-fire-0` and `-1`, started on first use.
    public static let shared = InstantHedge()

    /// One thread per CPU, at most two (one when the process may use a single CPU).
    public let threads: [DedicatedExecutor]

    public init() {
        var cpus = [Int32](repeating: 0, count: 2)
        let count = Int(max(0, almanac_allowed_cpus(&cpus, 2)))
        let pinned: [Int32?] = count >= 2 ? cpus.map { $0 } : [nil]
        threads = pinned.enumerated().map { index, cpu in
            // Children of these threads keep the priority until `execve`; ProcessLauncher lowers
            // it right after (resetOnFork would make the exec wait behind the load).
            DedicatedExecutor(name: "almanac-fire-\(index)", nice: -10, resetOnFork: false, fifo: 2, cpu: cpu)
        }
    }

    /// Calls `body` once, at CLOCK_MONOTONIC `deadline` (ns), on the first of the threads to
    /// wake, and returns its result, resumed from `delivery`'s thread.
    ///
    /// `body` runs inside a pinned, maybe real-time thread's loop: it must be short and must
    /// not create threads (they would inherit the pin and the priority). Resuming the caller
    /// can make the Swift runtime start a pool thread, so that happens on `delivery` instead.
    public func perform<T: Sendable>(atMonotonic deadline: UInt64, delivery: DedicatedExecutor,
                                     _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let taken = Once()
            for thread in threads {
                thread.schedule(atMonotonic: deadline) {
                    guard taken.claim() else { return }
                    let result = body()
                    delivery.schedule(atMonotonic: 0) { continuation.resume(returning: result) }
                }
            }
        }
    }
}

/// A flag the first claimer wins.
private final class Once: Sendable {
    private let taken = Atomic<Bool>(false)

    func claim() -> Bool {
        !taken.exchange(true, ordering: .acquiringAndReleasing)
    }
}

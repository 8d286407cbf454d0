import AlmanacCore
import CLinux
import Foundation

/// One thread of its own, as an actor's serial executor, a task executor and a precise timer.
///
/// Why: actors and `Task.sleep` run on Swift's cooperative pool, one thread per core. When the
/// HTTP server is under load, that pool's queue is full of request handlers, and a runner
/// waking for a fire waits its turn behind them (tens of milliseconds under `wrk`). The
/// runner and the journal each get a thread here instead, which nothing else queues on; their
/// sleeps are timed waits on that thread (1 ns timer slack), not jobs on the pool's timer.
///
/// Priority: an ordinary thread (SCHED_OTHER, never pinned), at nice -5 when the process may
/// (root, CAP_SYS_NICE, or RLIMIT_NICE as systemd's `LimitNICE=-5`). The runner's thread also
/// asks for a 100 µs scheduler slice (EEVDF's per-task slice, Linux 6.12+; no privilege, no
/// larger CPU share, only earlier preemption on wake-up). That is what the spawn needs: the
/// child, until `execve` returns, waits for a CPU with the slice it inherited, and with the
/// default slice it waited out a busy neighbour's. So the runner's thread is not
/// `SCHED_RESET_ON_FORK` (that would reset the slice too); the launcher makes each child
/// ordinary (nice 0, default slice) right after `posix_spawn` returns. Measured with
/// `almanac-bench lateness` (30 one-second jobs for 20 s beside two spinning nice-0 processes,
/// 2-core VM, otherwise quiet), journaled lateness p50 / p99: nice -5 with the default slice
/// 2.85 / 6.46 ms; nice 0 with the short slice 1.25 / 5.92 ms; nice -5 with it (kept) 0.84 /
/// 7.85 and 0.88 / 5.89 ms. Under heavier load the raised nice earns its keep (figures in
/// docs/runner.md, "Threads"). Other threads (the journal's) stay `SCHED_RESET_ON_FORK`.
package final class DedicatedExecutor: SerialExecutor, TaskExecutor, @unchecked Sendable {
    /// The runner's thread: its actor, its fire path (`withTaskExecutorPreference`), its sleeps.
    /// It spawns the jobs, so it has the short slice (see above) and no reset-on-fork.
    package static let runner = DedicatedExecutor(name: "almanac-runner", nice: -5, slice: .microseconds(100), spawnsJobs: true)
    /// The journal's thread: claims and group commits (the fsync itself is on the I/O queue),
    /// at the runner's priority so a claim made 50 ms ahead is durable before the instant.
    package static let journal = DedicatedExecutor(name: "almanac-journal", nice: -5)

    package let name: String
    /// The nice value asked for; `nice` says what the thread got.
    package let requestedNice: Int32
    /// The scheduler slice asked for (nil: the kernel's default); `slice` says what it got.
    package let requestedSlice: Duration?
    /// Whether jobs are spawned from this thread: then it is not `SCHED_RESET_ON_FORK` (that
    /// would also take the short slice from the child while it execs), and the launcher makes
    /// each child ordinary right after the spawn (`almanac_process_make_ordinary`).
    package let spawnsJobs: Bool

    // Everything below is guarded by `mutex`.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var incoming: [UnownedJob] = []
    private var timers: [Timer] = []
    private var nextTimerID: UInt64 = 0
    private var waiting = false
    private var thread: pthread_t?
    private var achievedNice: Int32?
    private var achievedSlice: UInt64 = 0

    private struct Timer {
        let id: UInt64
        let deadline: UInt64
        let action: Action
    }

    private enum Action {
        case resume(CheckedContinuation<Void, any Error>)
        case run(@Sendable () -> Void)
    }

    /// Starts the thread at once; it lives as long as the process (executors are shared).
    /// Unless it `spawnsJobs`, processes and threads created from it start SCHED_OTHER at nice 0
    /// with the default slice (`SCHED_RESET_ON_FORK`).
    package init(name: String, nice: Int32 = 0, slice: Duration? = nil, spawnsJobs: Bool = false) {
        self.name = name
        requestedNice = nice
        requestedSlice = slice
        self.spawnsJobs = spawnsJobs
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [unowned self] in
            self.prepareThread()
            started.signal()
            self.loop()
        }
        thread.name = name
        thread.start()
        started.wait()
    }

    /// The thread's nice value once started: `requestedNice`, or 0 when raising it was refused.
    package var nice: Int32 { locked { achievedNice ?? 0 } }

    /// The thread's scheduler slice in nanoseconds once started, as the kernel reports it.
    package var slice: UInt64 { locked { achievedSlice } }

    /// True on this executor's own thread.
    package var isCurrent: Bool {
        guard let thread = locked({ self.thread }) else { return false }
        return pthread_equal(thread, pthread_self()) != 0
    }

    // MARK: executor

    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // `waiting` is only true while the thread is blocked in its wait, so a caller that
        // sees it is never the thread itself.
        let wake = locked { () -> Bool in
            incoming.append(job)
            return waiting
        }
        if wake { pthread_cond_signal(condition) }
    }

    package func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    package func asUnownedTaskExecutor() -> UnownedTaskExecutor {
        UnownedTaskExecutor(ordinary: self)
    }

    package func checkIsolated() {
        precondition(isCurrent, "expected to run on the \(name) thread")
    }

    // MARK: timer

    /// Now on CLOCK_MONOTONIC, in nanoseconds: the clock the timed waits use.
    package static func monotonicNow() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    /// Suspends until CLOCK_MONOTONIC reaches `deadline` (ns), woken by this thread's timed
    /// wait; throws `CancellationError` as soon as the task is cancelled. The caller resumes
    /// on its own executor: this one for the runner's actor and its preferred tasks.
    package func sleep(untilMonotonic deadline: UInt64) async throws {
        let id = newTimerID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                add(Timer(id: id, deadline: deadline, action: .resume(continuation)))
                // A cancel that came before the timer was registered found nothing to cancel.
                if Task.isCancelled { cancelTimer(id) }
            }
        } onCancel: {
            cancelTimer(id)
        }
    }

    /// Calls `action` on this thread once CLOCK_MONOTONIC reaches `deadline` (ns). It runs
    /// inside the executor's loop: it must be short and must not block.
    package func schedule(atMonotonic deadline: UInt64, _ action: @escaping @Sendable () -> Void) {
        add(Timer(id: newTimerID(), deadline: deadline, action: .run(action)))
    }

    private func newTimerID() -> UInt64 {
        locked { () -> UInt64 in
            nextTimerID += 1
            return nextTimerID
        }
    }

    private func add(_ timer: Timer) {
        let wake = locked { () -> Bool in
            timers.append(timer)
            return waiting
        }
        if wake { pthread_cond_signal(condition) }
    }

    private func cancelTimer(_ id: UInt64) {
        let action = locked { () -> Action? in
            guard let index = timers.firstIndex(where: { $0.id == id }) else { return nil }
            return timers.remove(at: index).action
        }
        if case .resume(let continuation) = action { continuation.resume(throwing: CancellationError()) }
    }

    // MARK: thread

    private func prepareThread() {
        _ = name.withCString { almanac_thread_set_name($0) }
        _ = almanac_thread_set_timer_slack(1)
        if !spawnsJobs { _ = almanac_thread_reset_on_fork() }
        if requestedNice != 0 { _ = almanac_thread_set_nice(requestedNice) }
        if let requestedSlice {
            _ = almanac_thread_set_slice(UInt64(max(0, requestedSlice.nanoseconds)))
        }
        let nice = almanac_thread_get_nice()
        let slice = almanac_process_slice(0)  // 0: this thread
        locked {
            thread = pthread_self()
            achievedNice = nice
            achievedSlice = slice
        }
    }

    /// Runs queued jobs in order, resumes due timers, and otherwise waits for the earlier of
    /// the next enqueue and the next deadline.
    private func loop() -> Never {
        let serial = asUnownedSerialExecutor()
        let task = asUnownedTaskExecutor()
        var batch: [UnownedJob] = []
        pthread_mutex_lock(mutex)
        while true {
            if !incoming.isEmpty {
                swap(&batch, &incoming)
                pthread_mutex_unlock(mutex)
                for job in batch { job.runSynchronously(isolatedTo: serial, taskExecutor: task) }
                batch.removeAll(keepingCapacity: true)
                pthread_mutex_lock(mutex)
                continue
            }
            let now = Self.monotonicNow()
            if timers.contains(where: { $0.deadline <= now }) {
                let due = timers.filter { $0.deadline <= now }
                timers.removeAll { $0.deadline <= now }
                pthread_mutex_unlock(mutex)
                for timer in due.sorted(by: { $0.deadline < $1.deadline }) {
                    switch timer.action {
                    case .resume(let continuation): continuation.resume()
                    case .run(let action): action()
                    }
                }
                pthread_mutex_lock(mutex)
                continue
            }
            waiting = true
            if let next = timers.lazy.map(\.deadline).min() {
                var until = timespec(tv_sec: Int(next / 1_000_000_000), tv_nsec: Int(next % 1_000_000_000))
                pthread_cond_timedwait(condition, mutex, &until)
            } else {
                pthread_cond_wait(condition, mutex)
            }
            waiting = false
        }
    }

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body()
    }
}

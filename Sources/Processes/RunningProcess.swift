import AlmanacCore
import Dispatch
import Foundation
import Glibc
import Synchronization
import Scheduler

/// A spawned child: await its result, or stop it and its whole process group.
///
/// The child leads its own process group (pgid = pid), so every signal goes to `-pid` and
/// reaches grandchildren too. Signals are sent under the same lock that reaps the child:
/// until `wait4` has collected it, the zombie holds the pid, so the number cannot have been
/// reused by an unrelated process group.
package final class RunningProcess: Sendable {
    /// The child's pid and process group id.
    package let pid: Int32
    /// Wall-clock time taken right after the spawn returned.
    package let startedAt: Date

    private let logFD: Int32
    private let logStart: Int64
    private let resultPath: String?
    private let logCap: LogCap?
    private let state = Mutex(State())

    private struct State {
        var reaped = false
        var result: ExecutionResult?
        var waiters: [CheckedContinuation<ExecutionResult, Never>] = []
        var timedOut = false
        var terminated = false
        /// SIGTERM went to the group; stragglers get SIGKILL when the leader exits.
        var signalled = false
        /// Copies masked output to the log (a child with secrets); the result waits for it.
        var pump: OutputPump?
    }

    init(pid: Int32, startedAt: Date, logFD: Int32, logStart: Int64, resultPath: String?, logCap: LogCap? = nil) {
        self.pid = pid
        self.startedAt = startedAt
        self.logFD = logFD
        self.logStart = logStart
        self.resultPath = resultPath
        self.logCap = logCap
    }

    /// How long a result waits, after the child exited, for its output to be in the log when a
    /// process it left behind still holds the pipe.
    static let drainPatience: Duration = .milliseconds(500)

    /// Starts `pump` and makes the result wait for it; called once, before the reaper watches.
    func attach(_ pump: OutputPump) {
        state.withLock { $0.pump = pump }
        pump.start()
    }

    /// Waits for the child to exit and returns its result; may be called any number of times.
    ///
    /// A child that exited before the call returns at once. Cancelling the waiting task does
    /// not stop the child: call `terminate(grace:)` for that.
    package func wait() async -> ExecutionResult {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> ExecutionResult? in
                if let result = state.result { return result }
                state.waiters.append(continuation)
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// Sends SIGTERM to the process group, then SIGKILL after `grace` if the child is still running.
    ///
    /// Idempotent; the result reports `terminated` (unless a timeout got there first).
    package func terminate(grace: Duration = .seconds(5)) {
        stop(timedOut: false, grace: grace)
    }

    /// Arms the timeout: at the deadline the group is stopped as by `terminate(grace:)`.
    func scheduleTimeout(after timeout: Duration, grace: Duration) {
        schedule(after: timeout) { process in process.stop(timedOut: true, grace: grace) }
    }

    /// Every second until the child is reaped, frees the log blocks the cap will cut (`LogCap`).
    ///
    /// Runs under the state lock, which `collect` takes before closing the log, so the fd is open.
    func scheduleLogCap() {
        guard let logCap else { return }
        schedule(after: .seconds(1)) { process in
            let running = process.state.withLock { state -> Bool in
                guard !state.reaped else { return false }
                logCap.punch(process.logFD, start: process.logStart)
                return true
            }
            if running { process.scheduleLogCap() }
        }
    }

    private func stop(timedOut: Bool, grace: Duration) {
        let sent = state.withLock { state -> Bool in
            guard !state.reaped, !state.signalled else { return false }
            state.signalled = true
            if timedOut { state.timedOut = true } else { state.terminated = true }
            signalGroup(SIGTERM)
            return true
        }
        guard sent else { return }
        schedule(after: grace) { process in
            process.state.withLock { state in
                if !state.reaped { process.signalGroup(SIGKILL) }
            }
        }
    }

    /// Signals the child's process group, or the child alone if it left the group (setsid).
    ///
    /// Only called under the state lock before the child is reaped, so `pid` is still ours.
    private func signalGroup(_ signal: Int32) {
        if kill(-pid, signal) != 0 { kill(pid, signal) }
    }

    /// Runs `body` after `delay` if this process still exists then.
    ///
    /// The timer holds the process weakly: until the child is reaped the reaper keeps it
    /// alive, and afterwards there is nothing left to signal, so a long timeout of a job
    /// that finished early costs only the pending timer.
    private func schedule(after delay: Duration, _ body: @escaping @Sendable (RunningProcess) -> Void) {
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.interval(delay)) { [weak self] in
            if let self { body(self) }
        }
    }

    /// Reaps the child if it has exited, then builds the result and wakes the waiters.
    ///
    /// Called by the reaper once the child's pidfd is readable; returns false on a spurious wake.
    func collect() -> Bool {
        var status: Int32 = 0
        var usage = rusage()
        let reaped = state.withLock { state -> (collected: Bool, timedOut: Bool, terminated: Bool)? in
            guard !state.reaped else { return nil }
            // Members of the group still alive after a SIGTERM'd leader exits are killed now,
            // while the leader's zombie still pins the group id.
            if state.signalled, Self.hasExited(pid) { signalGroup(SIGKILL) }
            var got: pid_t
            repeat { got = wait4(pid, &status, WNOHANG, &usage) } while got < 0 && errno == EINTR
            if got == 0 { return nil }
            state.reaped = true
            return (got == pid, state.timedOut, state.terminated)
        }
        guard let reaped else { return false }
        let finishedAt = Date()
        let ended = Ended(collected: reaped.collected, timedOut: reaped.timedOut, terminated: reaped.terminated,
                          status: status, usage: usage, finishedAt: finishedAt)
        if let pump = state.withLock({ $0.pump }) {
            pump.whenDrained(patience: Self.drainPatience) { [self] in complete(ended) }
        } else {
            complete(ended)
        }
        return true
    }

    /// What the reap learnt, kept until the output is in the log.
    private struct Ended: Sendable {
        var collected: Bool
        var timedOut: Bool
        var terminated: Bool
        var status: Int32
        var usage: rusage
        var finishedAt: Date
    }

    /// Builds the result from the reap, the log's tail and the result file, and wakes the waiters.
    private func complete(_ ended: Ended) {
        // After the pump drained: the cap cuts the whole log, masked output included.
        logCap?.trim(logFD, start: logStart)
        let (status, usage) = (ended.status, ended.usage)
        let (file, fileError) = resultPath.map(ResultFile.read(path:)) ?? (nil, nil)
        let exitedNormally = status & 0x7F == 0
        let result = ExecutionResult(
            pid: pid, startedAt: startedAt, finishedAt: ended.finishedAt,
            exitCode: ended.collected && exitedNormally ? (status >> 8) & 0xFF : nil,
            signal: ended.collected && !exitedNormally ? status & 0x7F : nil,
            timedOut: ended.timedOut, terminated: ended.terminated,
            cpuUser: Self.duration(usage.ru_utime), cpuSystem: Self.duration(usage.ru_stime),
            maxRSSKB: ended.collected ? ChildPeak.jobPeakKB(reported: Int(usage.ru_maxrss)) : nil,
            outputTail: LogTail.read(logFD, from: logStart),
            result: file,
            resultError: fileError)
        close(logFD)
        let waiters = state.withLock { state in
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume(returning: result) }
    }

    /// Whether `pid` has exited, without reaping it.
    static func hasExited(_ pid: Int32) -> Bool {
        var info = siginfo_t()
        return waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0
            && info._sifields._sigchld.si_pid == pid
    }

    /// Blocks until `pid` has exited, without reaping it (the fallback reaper's wait).
    static func awaitExit(_ pid: Int32) {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
    }

    private static func duration(_ time: timeval) -> Duration {
        .seconds(Int64(time.tv_sec)) + .microseconds(Int64(time.tv_usec))
    }

    package static func interval(_ duration: Duration) -> DispatchTimeInterval {
        let nanoseconds = duration.nanoseconds
        guard nanoseconds >= 0 else { return .nanoseconds(0) }
        return nanoseconds == .max ? .never : .nanoseconds(Int(clamping: nanoseconds))
    }
}

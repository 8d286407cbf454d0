import Foundation
import Scheduler

/// How one execution of a job ended, measured by the kernel and read from its files.
///
/// Everything the journal's `finished` record needs: exit status, timing, CPU and memory
/// from `wait4`'s rusage, the end of the output, and the `$ALMANAC_RESULT` document.
package struct ExecutionResult: Sendable {
    /// The classification the runner journals and retries on; the caller maps it to strings.
    package enum Outcome: Sendable, Hashable {
        /// Exit 0, and no failed items reported.
        case success
        /// A non-zero exit code (or an exit status that could not be collected).
        case failure
        /// Killed by the runner because the timeout elapsed.
        case timeout
        /// Exit 0, but the result file reports `items.failed > 0`.
        case partial
        /// Ended by a signal, whether sent by the runner (`terminate`) or anyone else.
        case killed(signal: Int32)
    }

    /// The child's pid, which is also its process group id.
    package var pid: Int32
    /// Wall-clock time taken right after the spawn returned.
    package var startedAt: Date
    /// Wall-clock time taken when the exit was collected.
    package var finishedAt: Date
    /// The exit code when the child exited normally.
    package var exitCode: Int32?
    /// The terminating signal when the child was killed.
    package var signal: Int32?
    /// Whether the runner killed the child because its timeout elapsed.
    package var timedOut: Bool
    /// Whether the runner killed the child through `terminate(grace:)`.
    package var terminated: Bool
    /// User CPU time of the child and the descendants it waited for.
    package var cpuUser: Duration
    /// System CPU time of the child and the descendants it waited for.
    package var cpuSystem: Duration
    /// The job's peak resident set in KiB; nil when the kernel's figure could be the runner's
    /// (`ChildPeak`: a spawned child's `ru_maxrss` starts at the runner's own peak).
    package var maxRSSKB: Int?
    /// The last 4 KiB this execution appended to its log, as valid UTF-8.
    package var outputTail: String
    /// The parsed `$ALMANAC_RESULT` document, if the child wrote one.
    package var result: ResultFile?
    /// Why the result file was unusable or partly ignored; recorded, never fatal.
    package var resultError: String?

    /// A result with every field given; the launcher builds these, tests and replays may too.
    package init(
        pid: Int32, startedAt: Date, finishedAt: Date, exitCode: Int32?, signal: Int32?,
        timedOut: Bool = false, terminated: Bool = false, cpuUser: Duration = .zero, cpuSystem: Duration = .zero,
        maxRSSKB: Int? = nil, outputTail: String = "", result: ResultFile? = nil, resultError: String? = nil
    ) {
        self.pid = pid
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.exitCode = exitCode
        self.signal = signal
        self.timedOut = timedOut
        self.terminated = terminated
        self.cpuUser = cpuUser
        self.cpuSystem = cpuSystem
        self.maxRSSKB = maxRSSKB
        self.outputTail = outputTail
        self.result = result
        self.resultError = resultError
    }

    /// The execution's outcome: timeout first, then signal, then exit code and item counts.
    package var outcome: Outcome {
        if timedOut { return .timeout }
        if let signal { return .killed(signal: signal) }
        guard exitCode == 0 else { return .failure }
        if let failed = result?.items?.failed, failed > 0 { return .partial }
        return .success
    }

    /// Wall-clock duration of the execution.
    package var duration: Duration {
        .nanoseconds(Int64((finishedAt.timeIntervalSince(startedAt) * 1e9).rounded()))
    }
}

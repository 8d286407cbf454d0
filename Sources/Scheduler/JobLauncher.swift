import Foundation
import Journal
import Manifest

/// Starts one attempt of one occurrence. The seam between the scheduling loop and the side
/// effect: child processes today, post publishers and repository scans later.
package protocol JobLauncher: Sendable {
    func start(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle

    /// The state directory's instance id its children are marked with (`RunMarker`), so a
    /// restarted runner can find and stop what a killed one left running; nil when it starts
    /// no processes.
    var runInstance: String? { get }

    /// The processes a previous runner of this state directory left running: every live one
    /// carrying a `RunMarker` of `runInstance` (a SIGKILLed runner cannot take its children along).
    func leftovers() -> [Leftover]

    /// Stops them: SIGTERM, SIGKILL to those alive after `grace`. Returns the pids that needed SIGKILL.
    func stopLeftovers(_ leftovers: [Leftover], grace: Duration) async -> Set<Int32>

    /// Does ahead of the instant what `start` would do before the spawn (environment, paths,
    /// the log file), so that only the spawn itself is on the fire's clock. The runner prepares
    /// right after the claim, sleeps until the instant, then calls `launch()`.
    func prepare(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any PreparedAttempt
}

extension JobLauncher {
    package var runInstance: String? { nil }

    /// None: a launcher that starts no processes leaves none behind.
    package func leftovers() -> [Leftover] { [] }

    package func stopLeftovers(_ leftovers: [Leftover], grace: Duration) async -> Set<Int32> { [] }

    /// Nothing to do ahead: `launch()` is `start`.
    package func prepare(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any PreparedAttempt {
        DeferredAttempt { try await self.start(job, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy) }
    }
}

/// An attempt made ready ahead of its instant.
package protocol PreparedAttempt: Sendable {
    /// Starts it now.
    func launch() async throws -> any ExecutionHandle
    /// Releases what preparing took (open files) when it will not be launched.
    func discard()
}

/// An attempt whose whole start waits for `launch()`.
package struct DeferredAttempt: PreparedAttempt {
    let body: @Sendable () async throws -> any ExecutionHandle

    package init(_ body: @escaping @Sendable () async throws -> any ExecutionHandle) {
        self.body = body
    }

    package func launch() async throws -> any ExecutionHandle { try await body() }
    package func discard() {}
}

/// A preparation that failed: the error surfaces at `launch()`, at the instant, where a
/// failed start is journaled like any other.
struct FailedAttempt: PreparedAttempt {
    let error: any Error
    func launch() async throws -> any ExecutionHandle { throw error }
    func discard() {}
}

/// A started attempt.
package protocol ExecutionHandle: Sendable {
    var pid: Int32? { get }
    /// Waits for the attempt to end and reports it; never throws: failures are outcomes.
    func wait() async -> ExecutionReport
    /// Asks the attempt to stop (SIGTERM to its process group), forcing it after `grace`.
    func terminate(grace: Duration)
}

/// How one attempt ended, as journaled in its `finished` event.
package struct ExecutionReport: Sendable, Hashable {
    package enum Outcome: String, Sendable, Hashable {
        case success, failure, timeout, partial, killed, interrupted, error
        /// Nothing to do this time (a scan with no new activity): neither success nor failure.
        case skipped
    }

    package var outcome: Outcome
    package var exitCode: Int?
    package var signal: Int?
    package var startedAt: Date
    package var finishedAt: Date
    package var outputTail: String
    /// Why it failed, for retry decisions and metrics: exit, signal, timeout, spawn, replaced…
    package var errorClass: String?
    package var cpuUserMs: Int?
    package var cpuSystemMs: Int?
    package var maxRSSKB: Int?
    /// The JSON object the job wrote to `$ALMANAC_RESULT`, verbatim.
    package var result: String?
    package var logPath: String?
    package var pid: Int?
    /// Why an attempt was skipped (`no activity`), journaled as the `finished` event's reason.
    package var reason: String?
    /// A scan's new sync point: the runner journals it as a `synced` event with the finish.
    package var syncedCommit: String?
    /// The receiver's `Retry-After`: the next attempt waits at least this long.
    package var retryAfter: Duration?
    /// False when the failure is not worth retrying whatever the policy (auth, bad content).
    package var retryable: Bool = true

    package init(outcome: Outcome, exitCode: Int? = nil, signal: Int? = nil, startedAt: Date, finishedAt: Date,
                outputTail: String = "", errorClass: String? = nil, cpuUserMs: Int? = nil, cpuSystemMs: Int? = nil,
                maxRSSKB: Int? = nil, result: String? = nil, logPath: String? = nil, pid: Int? = nil) {
        self.outcome = outcome
        self.exitCode = exitCode
        self.signal = signal
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outputTail = outputTail
        self.errorClass = errorClass
        self.cpuUserMs = cpuUserMs
        self.cpuSystemMs = cpuSystemMs
        self.maxRSSKB = maxRSSKB
        self.result = result
        self.logPath = logPath
        self.pid = pid
    }

    package var durationMs: Int { max(0, Int((finishedAt.timeIntervalSince(startedAt) * 1000).rounded())) }

    /// Whether this outcome counts as the job having done its work.
    package var succeeded: Bool { outcome == .success || outcome == .partial }
}

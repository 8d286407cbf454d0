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
///
/// What the attempt measured is `metrics`, the struct the `finished` record, the journal's
/// `Execution` and the API's view hold too, so a new measurement is one property there; the
/// rest is what only the runner acts on (retry hints, a scan's sync point).
package struct ExecutionReport: Sendable, Hashable {
    package let startedAt: Date
    package let finishedAt: Date
    /// Outcome, exit status, resources, output tail and `$ALMANAC_RESULT`; the duration is
    /// taken from the two instants, the lateness is the runner's to add.
    package var metrics: ExecutionMetrics
    /// Why an attempt was skipped (`no activity`), journaled as the `finished` event's reason.
    package var reason: String?
    /// A scan's new sync point: the runner journals it as a `synced` event with the finish.
    package var syncedCommit: String?
    /// The receiver's `Retry-After`: the next attempt waits at least this long.
    package var retryAfter: Duration?
    /// False when the failure is not worth retrying whatever the policy (auth, bad content).
    package var retryable: Bool = true
    /// The journal refused a record the attempt itself writes (a post target's `processing` or
    /// `published`): its end is not journaled either, so the claim stays open and the attempt
    /// is recovered (interrupted, retried with the same keys) by a restart or a peer.
    package var journalError: JournalError?

    package init(outcome: Outcome, exitCode: Int? = nil, signal: Int? = nil, startedAt: Date, finishedAt: Date,
                outputTail: String = "", errorClass: FailureClass? = nil, cpuUserMs: Int? = nil, cpuSystemMs: Int? = nil,
                maxRSSKB: Int? = nil, result: String? = nil, logPath: String? = nil, pid: Int? = nil) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        metrics = ExecutionMetrics(outcome: outcome, exitCode: exitCode, signal: signal,
                                   durationMs: max(0, Int((finishedAt.timeIntervalSince(startedAt) * 1000).rounded())),
                                   errorClass: errorClass, cpuUserMs: cpuUserMs, cpuSystemMs: cpuSystemMs, maxRSSKB: maxRSSKB,
                                   pid: pid, logPath: logPath, result: result, outputTail: outputTail)
    }

    /// The outcome, always set on a report (the metrics' is optional only for old lines).
    package var outcome: Outcome {
        get { metrics.outcome ?? .error }
        set { metrics.outcome = newValue }
    }

    /// Whether this outcome counts as the job having done its work.
    package var succeeded: Bool { outcome.succeeded }
}

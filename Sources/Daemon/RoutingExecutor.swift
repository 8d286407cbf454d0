import Foundation
import Journal
import Manifest
import Scheduler
import Processes
import Publishing

/// Sends each kind of spec to its executor: jobs to child processes, posts to publishers,
/// scans to the repository scanner. A kind without an executor fails to start, reported.
public struct RoutingExecutor: JobExecutor {
    public var job: any JobExecutor
    public var post: (any JobExecutor)?
    public var scan: (any JobExecutor)?

    public init(job: any JobExecutor, post: (any JobExecutor)? = nil, scan: (any JobExecutor)? = nil) {
        self.job = job
        self.post = post
        self.scan = scan
    }

    /// The job executor's: posts and scans mark their children with the same state directory's id.
    public var runInstance: String? { job.runInstance ?? scan?.runInstance ?? post?.runInstance }

    /// The job launcher's sweep finds every kind's children: they carry the same instance.
    public func leftovers() -> [Leftover] { job.leftovers() }

    public func stopLeftovers(_ leftovers: [Leftover], grace: Duration) async -> Set<Int32> {
        await job.stopLeftovers(leftovers, grace: grace)
    }

    public func start(_ spec: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle {
        try await executor(for: spec).start(spec, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy)
    }

    public func prepare(_ spec: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any PreparedAttempt {
        try await executor(for: spec).prepare(spec, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy)
    }

    private func executor(for spec: JobSpec) throws -> any JobExecutor {
        let executor: (any JobExecutor)?
        switch spec.kind {
        case .job: executor = job
        case .post: executor = post
        case .scan: executor = scan
        }
        guard let executor else { throw ProcessError.invalidSpec("no executor for kind \(spec.kind.rawValue) in this runner") }
        return executor
    }
}

import Foundation
import Journal
import Manifest
import Scheduler
import Processes
import Publishing

/// Sends each kind of spec to its executor: jobs to child processes, posts to publishers,
/// scans to the repository scanner. A kind without an executor fails to start, reported.
package struct RoutingLauncher: JobLauncher {
    package var job: any JobLauncher
    package var post: (any JobLauncher)?
    package var scan: (any JobLauncher)?

    package init(job: any JobLauncher, post: (any JobLauncher)? = nil, scan: (any JobLauncher)? = nil) {
        self.job = job
        self.post = post
        self.scan = scan
    }

    /// The job executor's: posts and scans mark their children with the same state directory's id.
    package var runInstance: String? { job.runInstance ?? scan?.runInstance ?? post?.runInstance }

    /// The job launcher's sweep finds every kind's children: they carry the same instance.
    package func leftovers() -> [Leftover] { job.leftovers() }

    package func stopLeftovers(_ leftovers: [Leftover], grace: Duration) async -> Set<Int32> {
        await job.stopLeftovers(leftovers, grace: grace)
    }

    package func start(_ spec: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle {
        try await executor(for: spec).start(spec, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy)
    }

    package func prepare(_ spec: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any PreparedAttempt {
        try await executor(for: spec).prepare(spec, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy)
    }

    private func executor(for spec: JobSpec) throws -> any JobLauncher {
        let executor: (any JobLauncher)?
        switch spec.kind {
        case .job: executor = job
        case .post: executor = post
        case .scan: executor = scan
        }
        guard let executor else { throw ProcessError.invalidSpec("no executor for kind \(spec.kind.rawValue) in this runner") }
        return executor
    }
}

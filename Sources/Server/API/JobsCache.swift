import Foundation
import Hummingbird
import NIOCore
import Scheduler
import Daemon

/// The encoded `GET /api/v1/jobs` body, reused while nothing it depends on changed: no event
/// journaled and no reconcile since (`Runner.changes`), and the same second (next fires move
/// with the clock).
///
/// Building 1,000 status rows (schedule in words, next fire, percentiles) costs milliseconds;
/// a dashboard polling every 5 s and a scraper should not pay it on every request. The check
/// reads an atomic counter instead of asking the runner's actor, so thousands of requests a
/// second put no work on the runner's thread.
actor JobsCache {
    private struct Key: Equatable {
        var changes: UInt64
        var second: Int64
    }

    private var key: Key?
    private var body: ByteBuffer?
    /// The body being built: requests arriving meanwhile wait for it instead of each building
    /// their own (the actor is reentrant at the `await`), so a new second costs one build.
    private var building: (key: Key, task: Task<ByteBuffer, any Error>)?

    func body(for handle: RunnerHandle, now: Date) async throws -> ByteBuffer {
        let key = Key(changes: handle.runner.changes.load(ordering: .relaxed),
                      second: Int64(now.timeIntervalSince1970.rounded(.down)))
        if key == self.key, let body { return body }
        if let building, building.key == key { return try await building.task.value }
        let task = Task { try await Self.build(handle, now: now) }
        building = (key, task)
        defer { if building?.key == key { building = nil } }
        let body = try await task.value
        self.key = key
        self.body = body
        return body
    }

    private static func build(_ handle: RunnerHandle, now: Date) async throws -> ByteBuffer {
        let snapshot = await Snapshot.take(handle, now: now)
        let data = try APIJSON.encoder().encode(
            JobsResponse(generatedAt: snapshot.now, jobs: snapshot.report.jobs, problems: snapshot.report.problems))
        return ByteBuffer(bytes: data)
    }
}

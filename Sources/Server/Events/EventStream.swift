import Foundation
import Hummingbird
import Journal
import NIOCore
import Daemon
import ServiceLifecycle

/// One `GET /api/v1/events` stream: the journal's events after `cursor`, then each new one as
/// it becomes durable, until the client goes, the runner drains or the server shuts down.
///
/// Events come from the feed while it reaches back far enough, else from the journal; on a
/// shared journal (a cluster) always from the database, polled each second, so peers' events
/// are there too and in the database's seq order. Ids are seqs in order; a `job` filter only
/// leaves events out, so `Last-Event-ID` resumes the same way with or without it.
struct EventStream: Sendable {
    let handle: RunnerHandle
    let feed: EventFeed
    var cursor: UInt64
    let job: String?
    let heartbeat: Duration

    /// How long a gap in the feed is waited for before the stream goes past it: two writers'
    /// notices can cross by a few milliseconds; an event that never came is not waited for.
    static let gapWait: Duration = .seconds(1)
    static let pageSize = 1000

    func write(to writer: inout any ResponseBodyWriter,
               wakes: AsyncStream<Void>, waker: AsyncStream<Void>.Continuation) async throws {
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(1))
                waker.yield()
            }
        }
        defer {
            ticker.cancel()
            waker.finish()
        }
        let clock = ContinuousClock()
        var cursor = self.cursor
        var lastWrite = clock.now
        var gapSince: ContinuousClock.Instant?
        let shared = handle.journal is any ClusterJournal
        try await writer.write(ByteBuffer(string: ServerSentEvent.opening(after: cursor, retryMs: 3000)))
        var iterator = wakes.makeAsyncIterator()
        // The runner drains before the server stops, so its streams end first; a server shut
        // down on its own (tests, an embedding) ends them too rather than wait on them.
        while !handle.runner.isStopping, !Task.isShuttingDownGracefully {
            var out = ""
            var fromFeed = false
            let batch: [JournalEvent]
            if !shared, let recent = feed.events(after: cursor) {
                (batch, fromFeed) = (recent, true)
            } else {
                batch = try await handle.journal.events(after: cursor, limit: Self.pageSize)
            }
            for event in batch {
                if event.seq != cursor + 1 {
                    if fromFeed {
                        let since = gapSince ?? clock.now
                        gapSince = since
                        if clock.now - since < Self.gapWait { break }
                    } else {
                        out += ServerSentEvent.reset(after: cursor, next: event.seq)
                    }
                }
                gapSince = nil
                cursor = event.seq
                if job == nil || event.job == job { out += try ServerSentEvent.frame(event) }
            }
            if !out.isEmpty {
                try await writer.write(ByteBuffer(string: out))
                lastWrite = clock.now
            } else if clock.now - lastWrite >= heartbeat {
                try await writer.write(ByteBuffer(string: ServerSentEvent.heartbeat))
                lastWrite = clock.now
            }
            // A full page read from the journal: the next one at once, without waiting.
            if !fromFeed, batch.count == Self.pageSize { continue }
            if await iterator.next() == nil { break }
        }
        try await writer.finish(nil)
    }
}

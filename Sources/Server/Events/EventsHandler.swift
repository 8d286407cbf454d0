import Foundation
import Hummingbird
import NIOCore
import Daemon

/// `GET /api/v1/events`: the journal as Server-Sent Events, with the same auth as reads.
///
/// Where it starts: after `Last-Event-ID` (what a browser's EventSource sends when it
/// reconnects), else after `after=SEQ`, else after the newest event (only what happens from
/// now). `job=NAME` keeps one job's events; `heartbeat=S` sets the comment a quiet stream
/// sends to keep proxies from closing it (default 15 s).
struct EventsHandler: Sendable {
    let link: RunnerLink
    let access: Access
    let feed: EventFeed

    func events(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let query = request.uri.queryParameters
        var job: String?
        if let name = query["job"].map(String.init) {
            guard APIHandlers.isValidName(name) else {
                throw APIError.badRequest("bad job '\(name.prefix(80))': names are [a-z0-9][a-z0-9._-]{0,62}")
            }
            job = name
        }
        let heartbeat = try APIHandlers.integer(request, "heartbeat", in: 1...300) ?? 15
        var after: UInt64?
        if let text = request.headers[.lastEventID] ?? query["after"].map(String.init) {
            guard let seq = UInt64(String(text).trimmingCharacters(in: .whitespaces)) else {
                throw APIError.badRequest("Last-Event-ID and after must be an event id (a journal seq: 0, 1, 2, …)")
            }
            after = seq
        }
        let handle = try await link.require()
        let state = await handle.runner.journalState()
        if let job, state.jobs[job] == nil, !handle.runner.specs().contains(where: { $0.name == job }) {
            throw APIError.notFound("no job named '\(job)'")
        }
        guard feed.hasRoom else {
            throw APIError(.serviceUnavailable, "too many event streams open (\(EventFeed.maxStreams)); try again later",
                           headers: [.retryAfter: "5"])
        }
        let stream = EventStream(handle: handle, feed: feed, cursor: after ?? state.lastSeq, job: job,
                                 heartbeat: .seconds(heartbeat))
        return Response(
            status: .ok,
            headers: [.contentType: "text/event-stream; charset=utf-8", .cacheControl: "no-store", .accelBuffering: "no"],
            body: ResponseBody { writer in
                // Registered only once the body is written: a HEAD request, whose body is
                // never written, holds no slot.
                guard let (wakes, waker) = feed.listen() else {
                    try await writer.write(ByteBuffer(string: ": too many event streams open\n\n"))
                    return try await writer.finish(nil)
                }
                try await stream.write(to: &writer, wakes: wakes, waker: waker)
            })
    }
}

extension HTTPFields.Element.Name {
    /// The header a reconnecting EventSource sends with the last `id:` it saw.
    static let lastEventID = Self("Last-Event-ID")!
    /// Tells nginx-style proxies not to buffer the stream.
    static let accelBuffering = Self("X-Accel-Buffering")!
}

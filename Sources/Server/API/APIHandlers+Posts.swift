import AlmanacCore
import APIBodies
import Foundation
import Hummingbird
import Journal
import Scheduler
import Status

// `almanac posts metrics` and `almanac posts suggest` through the API (docs/posting-times.md).
extension APIHandlers {
    /// `POST /api/v1/posts/{name}/metrics`: journals engagement numbers of a published post.
    /// 200 with what was recorded; 404 no such post; 400 bad numbers, or a target or
    /// occurrence the post was not published to.
    func metrics(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.write(request)
        let name = try Self.name(context)
        let bytes = Array(buffer: try await Self.readBody(request))
        let body: MetricsBody
        do {
            body = try MetricsBody.decode(bytes)
            _ = try RequesterBody.requester(from: bytes)
        } catch {
            throw APIError.badRequest(error.message)
        }
        var scheduledAt: Date?
        if let text = body.scheduledAt {
            guard let date = APIJSON.parse(text) else {
                throw APIError.badRequest("scheduledAt must be an RFC 3339 time, e.g. 2026-03-03T09:00:00Z")
            }
            scheduledAt = date
        }
        let runner = try await link.require().runner
        let recorded: JournalRecord.Engagement?
        do throws(EngagementRefusal) {
            recorded = try await runner.recordEngagement(EngagementRequest(
                post: name, target: body.target, scheduledAt: scheduledAt, metrics: body.metrics, source: .api))
        } catch {
            throw error.kind == .unknownPost ? APIError.notFound(error.message) : APIError.badRequest(error.message)
        }
        guard let recorded else {
            throw APIError(.serviceUnavailable, runner.journalFault?.reason ?? "the journal refused the write")
        }
        return try json(EngagementView(recorded))
    }

    /// `GET /api/v1/posts/suggestions?channel=C[&metric=M][&tz=ZONE]`: the channel's slots
    /// ranked as `almanac posts suggest --format json` ranks them.
    func suggestions(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let query = request.uri.queryParameters
        guard let channel = query["channel"].map(String.init), !channel.isEmpty else {
            throw APIError.badRequest("channel is required, e.g. ?channel=blog")
        }
        var zone: TimeZone?
        if let name = query["tz"].map(String.init) {
            guard let named = TimeZone.named(name) else { throw APIError.badRequest("tz: unknown time zone '\(name.prefix(80))'") }
            zone = named
        }
        let handle = try await link.require()
        let state = await handle.runner.journalState()
        let slots: PostingSlots
        do throws(SuggestionError) {
            slots = try PostingSlots.rank(state.jobs.values.flatMap(\.engagement), channel: channel,
                                          metric: query["metric"].map(String.init), zone: zone)
        } catch {
            throw error.noData ? APIError.notFound(error.message) : APIError.badRequest(error.message)
        }
        return try json(slots.json)
    }
}

/// What `POST /api/v1/posts/{name}/metrics` recorded.
struct EngagementView: Encodable {
    var post: String
    var target: String
    var scheduledAt: Date?
    var channel: String?
    var metrics: [String: Double]
    var source: String?

    init(_ record: JournalRecord.Engagement) {
        (post, target, scheduledAt, channel) = (record.job, record.target, record.scheduledAt, record.channel)
        (metrics, source) = (record.metrics, record.source?.rawValue)
    }
}

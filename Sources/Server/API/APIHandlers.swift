import APIBodies
import Foundation
import Hummingbird
import Journal
import NIOCore
import Scheduler
import Daemon
import Status

/// The JSON API's handlers; routes are wired in `buildRouter`.
struct APIHandlers: Sendable {
    let link: RunnerLink
    let settings: ServerSettings
    let access: Access
    let limiter: RateLimiter
    let now: @Sendable () -> Date
    let cache = JobsCache()

    // MARK: Reads

    func jobs(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let body = try await cache.body(for: try await link.require(), now: now())
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: body))
    }

    func job(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let name = try Self.name(context)
        let snapshot = await Snapshot.take(try await link.require(), now: now())
        let status = try snapshot.job(name)
        let recorded = snapshot.state.jobs[name]
        let detail = JobDetail(
            job: status, spec: snapshot.specs[name]?.fields ?? recorded?.applied?.fields ?? [:],
            nextFires: snapshot.nextFires(name), pendingRetry: recorded?.pendingRetry, queued: recorded?.queued.count ?? 0,
            lifetimeSuccesses: recorded?.stats.successCount ?? 0, lifetimeFailures: recorded?.stats.failureCount ?? 0,
            lifetimeRetries: recorded?.stats.retries ?? 0,
            after: status.after ?? [], dependents: status.dependents ?? [])
        return try json(detail)
    }

    func executions(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let name = try Self.name(context)
        let query = request.uri.queryParameters
        let limit = try Self.integer(request, "limit", in: 1...500) ?? 20
        var before: Date?
        if let text = query["before"] {
            guard let date = APIJSON.parse(String(text)) else {
                throw APIError.badRequest("before must be an RFC 3339 time, e.g. 2026-03-08T03:00:00Z")
            }
            before = date
        }
        let snapshot = await Snapshot.take(try await link.require(), now: now())
        _ = try snapshot.job(name)
        let all = snapshot.executions(name).filter { before == nil || $0.startedAt < (before ?? .distantFuture) }
        let page = Array(all.prefix(limit))
        let next = all.count > limit ? page.last?.startedAt : nil
        return try json(ExecutionsPage(job: name, executions: page.map(ExecutionView.init), nextBefore: next))
    }

    /// `GET /api/v1/jobs/{name}/executions/{scheduledAt}/{attempt}/log`: one attempt's output
    /// as the runner wrote it (masked, capped), as text; `tail=N` keeps its last N lines. A
    /// running attempt's log is what it has written so far.
    func log(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let name = try Self.name(context)
        let text = context.parameters.get("scheduledAt").map { $0.removingPercentEncoding ?? $0 } ?? ""
        guard let scheduledAt = APIJSON.parse(text) else {
            throw APIError.badRequest("scheduledAt must be an RFC 3339 time, e.g. 2026-03-08T03:00:00Z")
        }
        guard let attempt = context.parameters.get("attempt").flatMap({ Int($0) }), (1...1_000_000).contains(attempt) else {
            throw APIError.badRequest("attempt must be an integer from 1 to 1000000")
        }
        let tail = try Self.integer(request, "tail", in: 0...1_000_000)
        let handle = try await link.require()
        let snapshot = await Snapshot.take(handle, now: now())
        _ = try snapshot.job(name)
        guard let execution = snapshot.executions(name).first(where: { $0.key.scheduledAt == scheduledAt && $0.attempt == attempt }) else {
            throw APIError.notFound("\(name) has no attempt \(attempt) scheduled \(APIJSON.format(scheduledAt))")
        }
        // Another runner's attempt wrote its log on that runner's machine.
        guard execution.runner == nil || execution.runner == (handle.journal as? any ClusterJournal)?.runner,
              let reader = LogReader(path: ExecutionLog.path(execution, stateDirectory: handle.stateDirectory)) else {
            throw APIError.notFound(ExecutionLog.missing(execution, job: name, stateDirectory: handle.stateDirectory))
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: reader.readAll(tail: tail))))
    }

    func posts(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let snapshot = await Snapshot.take(try await link.require(), now: now())
        return try json(PostsResponse(posts: snapshot.posts()))
    }

    /// `GET /api/v1/runners`: every runner of the cluster this one is in (the last day's), with
    /// its lease and which one leads; an empty list for a runner on a journal of its own.
    func runners(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let handle = try await link.require()
        return try json(RunnersResponse(runners: try await Self.runners(of: handle)))
    }

    /// The cluster's runners, or none without one; a 503 when the database does not answer.
    static func runners(of handle: RunnerHandle) async throws(APIError) -> [ClusterRunner] {
        guard let cluster = handle.runner.journal as? any ClusterJournal else { return [] }
        do {
            return try await cluster.runners()
        } catch {
            throw APIError(.serviceUnavailable, "the shared journal does not answer: \(error)")
        }
    }

    func plan(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.read(request)
        let handle = try await link.require()
        guard let plan = handle.runner.lastPlan else { throw APIError(.serviceUnavailable, "no reconcile yet") }
        let state = await handle.runner.journalState()
        let paused = state.jobs.filter { $0.value.paused }.map(\.key).sorted()
        return try json(PlanView(plan, paused: paused))
    }

    // MARK: Writes

    func trigger(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.write(request)
        let name = try Self.name(context)
        if let wait = await limiter.take(context.clientKey) {
            throw APIError(.tooManyRequests, "at most \(settings.triggersPerMinute) manual runs a minute per client; retry in \(wait)s",
                           headers: [.retryAfter: "\(wait)"])
        }
        let by = try await Self.requester(request)
        let runner = try await link.require().runner
        guard await runner.trigger(name, by: by) else {
            if let fault = runner.journalFault { throw APIError(.serviceUnavailable, fault.reason) }
            throw APIError.notFound("no job named '\(name)'")
        }
        return try json(ActionResponse(job: name, action: "trigger", changed: true), status: .accepted)
    }

    /// `POST /api/v1/jobs/{name}/backfill`: `almanac backfill` through the API. 202 with the
    /// plan when queued, 200 with it for `dryRun`; rate limited like `trigger`.
    func backfill(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.write(request)
        let name = try Self.name(context)
        let bytes = Array(buffer: try await Self.readBody(request))
        let body: BackfillBody
        do {
            body = try BackfillBody.decode(bytes)
            // `by` is checked as on every state-changing endpoint; the runs are journaled
            // `triggeredBy: backfill`, the runner's log names no requester.
            _ = try RequesterBody.requester(from: bytes)
        } catch {
            throw APIError.badRequest(error.message)
        }
        guard let from = APIJSON.parse(body.from), let to = APIJSON.parse(body.to) else {
            throw APIError.badRequest("from and to must be RFC 3339 times, e.g. 2026-03-01T00:00:00Z")
        }
        if !body.dryRun, let wait = await limiter.take(context.clientKey) {
            throw APIError(.tooManyRequests, "at most \(settings.triggersPerMinute) manual runs a minute per client; retry in \(wait)s",
                           headers: [.retryAfter: "\(wait)"])
        }
        let runner = try await link.require().runner
        let plan: BackfillPlan
        do {
            plan = body.dryRun ? try await runner.planBackfill(name, from: from, to: to, rerun: body.rerun)
                : try await runner.backfill(name, from: from, to: to, rerun: body.rerun, parallel: body.parallel)
        } catch {
            if error.isUnknownJob { throw APIError.notFound(error.description) }
            if let fault = runner.journalFault { throw APIError(.serviceUnavailable, fault.reason) }
            throw APIError.badRequest(error.description)
        }
        return try json(BackfillView(plan, dryRun: body.dryRun), status: body.dryRun ? .ok : .accepted)
    }

    func pause(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try await override(request, context, action: "pause") { await $0.pause($1, by: $2) }
    }

    func resume(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try await override(request, context, action: "resume") { await $0.resume($1, by: $2) }
    }

    func cancel(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try await override(request, context, action: "cancel") { await $0.cancelPost($1, by: $2) }
    }

    func sync(_ request: Request, _ context: AlmanacRequestContext) async throws -> Response {
        try access.write(request)
        _ = try await Self.requester(request)
        switch await link.sync() {
        case .done: return try json(["sync": "done"])
        case .remoteFailed(let why): throw APIError(.badGateway, why)
        case .failed(let why): throw APIError(.serviceUnavailable, why)
        case nil: throw APIError(.serviceUnavailable, "the runner is starting")
        }
    }

    private func override(_ request: Request, _ context: AlmanacRequestContext, action: String,
                          _ body: (Runner, String, String) async -> OverrideResult) async throws -> Response {
        try access.write(request)
        let name = try Self.name(context)
        let by = try await Self.requester(request)
        let runner = try await link.require().runner
        switch await body(runner, name, by) {
        case .done: return try json(ActionResponse(job: name, action: action, changed: true))
        case .unchanged: return try json(ActionResponse(job: name, action: action, changed: false))
        case .notFound: throw APIError.notFound(action == "cancel" ? "no post named '\(name)'" : "no job named '\(name)'")
        case .conflict(let why): throw APIError(.conflict, why)
        }
    }

    // MARK: Helpers

    /// The `{name}` parameter, checked against the job-name grammar before anything looks it up.
    /// The query parameter `name` as an integer in `range`; nil when absent, 400 when not one.
    static func integer(_ request: Request, _ name: String, in range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let value = Int(String(text)), range.contains(value) else {
            throw .badRequest("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    static func name(_ context: AlmanacRequestContext) throws(APIError) -> String {
        let name = context.parameters.get("name") ?? ""
        guard isValidName(name) else {
            throw .badRequest("bad name '\(name.prefix(80))': names are [a-z0-9][a-z0-9._-]{0,62}")
        }
        return name
    }

    static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, bytes.count <= 63 else { return false }
        func alnum(_ b: UInt8) -> Bool { (0x61...0x7a).contains(b) || (0x30...0x39).contains(b) }
        return alnum(first) && bytes.dropFirst().allSatisfy { alnum($0) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }
    }

    /// Reads the optional JSON body `{"by": "who"}` (64 KiB at most) and returns who asked
    /// (`RequesterBody` holds the rule, which the OpenAPI document publishes).
    static func requester(_ request: Request) async throws -> String {
        let body = try await readBody(request)
        do {
            return try RequesterBody.requester(from: Array(buffer: body))
        } catch {
            throw APIError.badRequest(error.message)
        }
    }

    /// The whole body, or 413 past `ServerSettings.bodyLimit`.
    static func readBody(_ request: Request) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > ServerSettings.bodyLimit {
            throw APIError(.contentTooLarge, "the body is larger than \(ServerSettings.bodyLimit) bytes")
        }
        do {
            return try await request.body.collect(upTo: ServerSettings.bodyLimit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, "the body is larger than \(ServerSettings.bodyLimit) bytes")
        }
    }
}

/// Encodes `value` as the API's JSON.
func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
    let data = try APIJSON.encoder().encode(value)
    return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
}

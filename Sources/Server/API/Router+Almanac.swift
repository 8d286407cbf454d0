import Foundation
import Hummingbird
import Scheduler
import Daemon

/// Builds every route: health, metrics, the JSON API, the GitHub webhook and the dashboard.
///
/// Kept apart from `buildApplication` (Hummingbird style) so tests drive the router with no
/// socket, and a live test the same router over 127.0.0.1.
package func buildRouter(link: RunnerLink, settings: ServerSettings, metrics: ServerMetrics,
                        now: @escaping @Sendable () -> Date = { Date() }) -> Router<AlmanacRequestContext> {
    let router = Router(context: AlmanacRequestContext.self)
    router.middlewares.add(JSONErrorMiddleware())
    let access = Access(apiToken: settings.apiToken, readToken: settings.readToken)
    let api = APIHandlers(link: link, settings: settings, access: access,
                          limiter: RateLimiter(capacity: settings.triggersPerMinute, per: .seconds(60)), now: now)
    let hooks = WebhookHandler(link: link, secret: settings.webhookSecret, branch: settings.watchedBranch)
    let dashboard = DashboardHandlers(link: link, access: access, now: now)

    router.get("/healthz") { _, _ in try json(["status": "ok"]) }
    router.get("/readyz") { _, _ in try await readiness(link) }
    router.get("/metrics") { request, _ in
        try access.read(request)
        let bytes = await metrics.exposition(await link.handle, perJob: settings.perJobMetrics)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: .init(bytes: bytes)))
    }

    let v1 = router.group("/api/v1")
    v1.get("/openapi.json") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: OpenAPIDocument.json)))
    }
    v1.get("/jobs", use: api.jobs)
    v1.get("/jobs/{name}", use: api.job)
    v1.get("/jobs/{name}/executions", use: api.executions)
    v1.post("/jobs/{name}/trigger", use: api.trigger)
    v1.post("/jobs/{name}/pause", use: api.pause)
    v1.post("/jobs/{name}/resume", use: api.resume)
    v1.get("/posts", use: api.posts)
    v1.post("/posts/{name}/cancel", use: api.cancel)
    v1.get("/plan", use: api.plan)
    v1.get("/runners", use: api.runners)
    v1.post("/sync", use: api.sync)

    router.post("/hooks/github", use: hooks.github)

    router.get("/", use: dashboard.index)
    router.get("/jobs/{name}", use: dashboard.job)
    return router
}

/// 200 when the journal is open and takes writes, the runner is up and not draining, and a
/// reconcile finished; otherwise 503 with the reasons (`journal: No space left on device (…)`). Problems in the files are reported, not fatal: their jobs
/// keep their last good version, and the runner goes on serving the rest.
func readiness(_ link: RunnerLink) async throws -> Response {
    var reasons: [String] = []
    var problems = 0
    if let handle = await link.handle {
        if let fault = handle.runner.journalFault { reasons.append(fault.reason) }
        if let trouble = handle.runner.clusterTrouble { reasons.append(trouble) }
        if await link.draining { reasons.append("draining") }
        if let plan = handle.runner.lastPlan {
            problems = plan.diagnostics.count
        } else {
            reasons.append("no reconcile yet")
        }
        if let error = handle.git?.reading.lastError {
            reasons.append("git unreachable (running the last good revision): \(error)")
        }
    } else {
        reasons.append("the runner is starting")
    }
    struct Ready: Encodable {
        var ready: Bool
        var reasons: [String]
        var problems: Int
    }
    return try json(Ready(ready: reasons.isEmpty, reasons: reasons, problems: problems),
                    status: reasons.isEmpty ? .ok : .serviceUnavailable)
}

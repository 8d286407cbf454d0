import Foundation
import Hummingbird
import Scheduler
import Daemon

/// Builds every route: health, metrics, the JSON API and its event stream, the GitHub webhook and the dashboard.
///
/// Kept apart from `buildApplication` (Hummingbird style) so tests drive the router with no
/// socket, and a live test the same router over 127.0.0.1.
package func buildRouter(link: RunnerLink, settings: ServerSettings, metrics: ServerMetrics, feed: EventFeed = EventFeed(),
                        now: @escaping @Sendable () -> Date = { Date() }) -> Router<AlmanacRequestContext> {
    let access = Access(apiToken: settings.apiToken, readToken: settings.readToken)
    let api = APIHandlers(link: link, settings: settings, access: access,
                          limiter: RateLimiter(capacity: settings.triggersPerMinute, per: .seconds(60)), now: now)
    let hooks = WebhookHandler(link: link, secret: settings.webhookSecret, branch: settings.watchedBranch)
    let dashboard = DashboardHandlers(link: link, access: access, now: now)
    let events = EventsHandler(link: link, access: access, feed: feed)
    typealias Handler = @Sendable (Request, AlmanacRequestContext) async throws -> Response

    let routes: [(HTTPRequest.Method, String, Handler)] = [
        (.get, "/healthz", { _, _ in try json(["status": "ok"]) }),
        (.get, "/readyz", { _, _ in try await readiness(link) }),
        (.get, "/metrics", { request, _ in
            try access.read(request)
            let bytes = await metrics.exposition(await link.handle, perJob: settings.perJobMetrics)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: .init(bytes: bytes)))
        }),
        (.get, "/api/v1/openapi.json", { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: .init(string: OpenAPIDocument.json)))
        }),
        (.get, "/api/v1/jobs", api.jobs),
        (.get, "/api/v1/jobs/{name}", api.job),
        (.get, "/api/v1/jobs/{name}/executions", api.executions),
        (.get, "/api/v1/jobs/{name}/executions/{scheduledAt}/{attempt}/log", api.log),
        (.post, "/api/v1/jobs/{name}/trigger", api.trigger),
        (.post, "/api/v1/jobs/{name}/backfill", api.backfill),
        (.post, "/api/v1/jobs/{name}/pause", api.pause),
        (.post, "/api/v1/jobs/{name}/resume", api.resume),
        (.get, "/api/v1/posts", api.posts),
        (.get, "/api/v1/posts/suggestions", api.suggestions),
        (.post, "/api/v1/posts/{name}/metrics", api.metrics),
        (.post, "/api/v1/posts/{name}/cancel", api.cancel),
        (.get, "/api/v1/plan", api.plan),
        (.get, "/api/v1/runners", api.runners),
        (.get, "/api/v1/events", events.events),
        (.post, "/api/v1/sync", api.sync),
        (.post, "/hooks/github", hooks.github),
        (.get, "/", dashboard.index),
        (.get, "/jobs/{name}", dashboard.job),
    ]

    // Every GET answers HEAD too. Middlewares apply to the routes added after them, and to
    // unknown paths: security headers on everything (errors included), errors as JSON, the
    // Host check, then 405 for a known path asked with a method it does not serve.
    let router = Router(context: AlmanacRequestContext.self, options: .autoGenerateHeadEndpoints)
    router.middlewares.add(SecurityHeadersMiddleware())
    router.middlewares.add(JSONErrorMiddleware())
    router.middlewares.add(HostCheckMiddleware(allowList: HostAllowList(configured: settings.allowedHosts), access: access,
                                               exempt: ["/hooks/github"]))
    router.middlewares.add(MethodNotAllowedMiddleware(table: RouteTable(routes.map { ($0.0, $0.1) })))
    for (method, path, handler) in routes {
        router.on(RouterPath(path), method: method, use: handler)
    }
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

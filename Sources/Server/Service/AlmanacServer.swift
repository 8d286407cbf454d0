import Foundation
import Hummingbird
import Logging
import Scheduler
import Daemon
import ServiceLifecycle

/// Builds the Hummingbird application around `buildRouter`.
public func buildApplication(link: RunnerLink, settings: ServerSettings, metrics: ServerMetrics,
                             logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(link: link, settings: settings, metrics: metrics),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "almanac/\(AlmanacVersion.current)"),
        logger: logger)
}

/// `almanac run --listen`: the runner and the HTTP server under one ServiceGroup.
///
/// SIGTERM/SIGINT shut the group down in reverse order: first the runner drains (no new fires,
/// running children get the drain timeout, the journal is flushed and closed), then the server
/// closes — so `/readyz` says "draining" while it happens. `--for` ends the runner, which
/// shuts the group down the same way.
public struct AlmanacServer: Sendable {
    /// Directory or repository mode: the same API, and a push webhook that starts a reload or a fetch.
    public var runner: any HookedRunnerService
    public var settings: ServerSettings
    public var logger: Logger

    public init(runner: any HookedRunnerService, settings: ServerSettings, logger: Logger) {
        self.runner = runner
        self.settings = settings
        self.logger = logger
    }

    public func run(for duration: Duration?) async throws {
        let link = RunnerLink()
        let metrics = ServerMetrics()
        var service = runner
        let previous = service.hooks.observer
        service.hooks.observer = { notice in
            previous?(notice)
            metrics.observe(notice)
        }
        service.hooks.started = { handle in await link.attach(handle) }
        service.hooks.trapsSignals = false
        var settings = self.settings
        if settings.watchedBranch == nil { settings.watchedBranch = service.watchedBranch }
        let app = buildApplication(link: link, settings: settings, metrics: metrics, logger: logger)
        let runnerService = RunnerLifecycleService(service: service, link: link, duration: duration)
        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: app),
                .init(service: runnerService, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        if settings.apiToken == nil {
            logger.notice("no API token: trigger, pause, resume, cancel and sync are disabled (set ALMANAC_API_TOKEN or --api-token-file)")
        }
        logger.info("listening on http://\(settings.host):\(settings.port)")
        try await group.run()
    }
}

/// The runner as a swift-service-lifecycle service: graceful shutdown stops its loop, and
/// `run()` returns once it has drained and closed the journal.
struct RunnerLifecycleService: Service {
    let service: any HookedRunnerService
    let link: RunnerLink
    let duration: Duration?

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await service.run(for: duration)
        } onGracefulShutdown: {
            let link = self.link
            Task { await link.stop() }
        }
    }
}

import Foundation
import Hummingbird
import Logging
import Scheduler
import Daemon

/// Builds the Hummingbird application around `buildRouter`.
package func buildApplication(link: RunnerLink, settings: ServerSettings, metrics: ServerMetrics, feed: EventFeed,
                             logger: Logger) -> some ApplicationProtocol {
    Application(
        router: buildRouter(link: link, settings: settings, metrics: metrics, feed: feed),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "almanac/\(AlmanacVersion.current)"),
        logger: logger)
}

/// `almanac run --listen`: the HTTP server added to the runner's ServiceGroup.
///
/// The group is the one every `almanac run` is (ServiceSession.drive): SIGTERM/SIGINT, `--for`
/// or a journal fault shut it down in reverse order, the server last — so the runner drains
/// (no new fires, running children get the drain timeout, the journal is flushed and closed)
/// while `/readyz` says "draining", then the server closes.
package struct AlmanacServer: Sendable {
    /// Directory or repository mode: the same API, and a push webhook that starts a reload or a fetch.
    package var runner: any HookedRunnerService
    package var settings: ServerSettings
    package var logger: Logger

    package init(runner: any HookedRunnerService, settings: ServerSettings, logger: Logger) {
        self.runner = runner
        self.settings = settings
        self.logger = logger
    }

    package func run(for duration: Duration?) async throws {
        let link = RunnerLink()
        let metrics = ServerMetrics()
        let feed = EventFeed()
        var service = runner
        let previous = service.hooks.observer
        service.hooks.observer = { notice in
            previous?(notice)
            metrics.observe(notice)
            feed.observe(notice)
        }
        service.hooks.started = { handle in await link.attach(handle) }
        var settings = self.settings
        if settings.watchedBranch == nil { settings.watchedBranch = service.watchedBranch }
        service.hooks.services.insert(buildApplication(link: link, settings: settings, metrics: metrics, feed: feed, logger: logger), at: 0)
        service.hooks.logger = logger
        if settings.apiToken == nil {
            logger.notice("no API token: trigger, pause, resume, cancel and sync are disabled (set ALMANAC_API_TOKEN or --api-token-file)")
        }
        logger.info("listening on http://\(settings.host):\(settings.port)")
        try await service.run(for: duration)
    }
}

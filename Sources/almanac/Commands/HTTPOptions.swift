import ArgumentParser
import Foundation
import Logging
import Scheduler
import Processes
import Daemon
import Server

/// `almanac run --listen …`: the HTTP API, dashboard and metrics beside the runner.
struct HTTPOptions: ParsableArguments {
    @Option(help: "Serve the API, dashboard and /metrics on HOST:PORT (e.g. 127.0.0.1:8080).")
    var listen: String?

    @Option(name: .customLong("api-token-file"),
            help: "File whose first line is the bearer token for state-changing endpoints (else ALMANAC_API_TOKEN; without either they are disabled).")
    var apiTokenFile: String?

    @Option(name: .customLong("allow-host"),
            help: "A Host name served while reads need no token (repeatable; `.example.com` for a domain, `*` for any), beside IP addresses, localhost and this machine's name; adds to ALMANAC_ALLOWED_HOSTS.")
    var allowHost: [String] = []

    @Option(name: .customLong("log-format"), help: "Log lines as text or json.")
    var logFormat: String = "text"

    @Option(name: .customLong("log-level"),
            help: "The least level logged: trace, debug, info (starts, successes), notice, warning (failed runs), error (file, spawn and journal errors) or critical.")
    var logLevel: String = "info"

    @Option(name: .customLong("per-job-metrics"),
            help: "on or off: the /metrics series with a job label (3 to 13 per job; off for very large trees).")
    var perJobMetrics: Switch = .on

    /// `on` or `off`, as an option's value.
    enum Switch: String, ExpressibleByArgument {
        case on, off
    }

    /// The runner's log without `--listen`: plain lines on stderr at `--log-level` and above, or
    /// JSON lines through swift-log with `--log-format json`. (`serve` sets its own.)
    func runnerLog() throws -> RunnerLog {
        guard listen == nil else { return RunnerLog { _, _ in } }
        guard let minimum = Logger.Level(rawValue: logLevel) else {
            printError("error: --log-level must be one of trace, debug, info, notice, warning, error, critical")
            throw ExitCode(1)
        }
        switch logFormat {
        case "text":
            return .plain(minimum: minimum) { printError($0) }
        case "json":
            do {
                _ = try AlmanacLogging.bootstrap(format: logFormat, level: logLevel)
            } catch {
                printError("error: \(error.message)")
                throw ExitCode(1)
            }
            return RunnerLog(Logger(label: "almanac.runner"))
        default:
            printError("error: --log-format must be text or json")
            throw ExitCode(1)
        }
    }

    /// Runs the runner and the server under one ServiceGroup until SIGTERM/SIGINT or `--for`.
    func serve(_ service: some HookedRunnerService, listen: String, for length: Duration?) async throws {
        let logger: Logger
        let settings: ServerSettings
        do {
            logger = try AlmanacLogging.bootstrap(format: logFormat, level: logLevel)
            var made = try ServerSettings.make(listen: listen, environment: Workspace.environment, tokenFile: apiTokenFile)
            made.allowedHosts += allowHost
            made.perJobMetrics = perJobMetrics == .on
            settings = made
        } catch {
            printError("error: \(error.message)")
            throw ExitCode(1)
        }
        var service = service
        let runnerLogger = Logger(label: "almanac.runner")
        service.log = RunnerLog(runnerLogger)
        do {
            try await AlmanacServer(runner: service, settings: settings, logger: logger).run(for: length)
        } catch ProcessError.journalFailed {
            // Logged once already, when the journal refused the write; the server said 503 meanwhile.
            throw ExitCode(Runner.journalFaultExitCode)
        } catch {
            logger.error("\(error)")
            throw ExitCode(1)
        }
    }
}

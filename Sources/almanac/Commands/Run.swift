import ArgumentParser
import Foundation
import PostgresJournal
import GitSync
import Manifest
import Scheduler
import Processes
import Daemon
import Server

extension Almanac {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the scheduler on a directory of job files, or on a git repository.",
            discussion: "Watches the directory and re-reconciles within a second of a change. With --repo, clones the repository into the state directory, fetches every --poll interval and reconciles each new commit of --branch (each `applied` event records the commit id), and writes status files back to the status branch. SIGINT/SIGTERM stop firing, give running jobs the drain timeout, journal what was left and exit 0. When the journal refuses a write (disk full, I/O error, read-only file system) the runner says so once, stops firing, drains the same way and exits 75, so a supervisor restarts it; exit 1 is a bad start.")

        @OptionGroup var workspace: WorkspaceOptions

        @Option(name: .customLong("for"), help: "Stop cleanly after this duration (e.g. 30s, 5m, 1h30m).")
        var duration: String?

        @Option(name: .customLong("drain-timeout"), help: "How long running jobs get to finish at shutdown.")
        var drainTimeout: String = "30s"

        @Option(help: "Run from this git repository (URL or path) instead of a directory.")
        var repo: String?

        @Option(help: "With --repo: the branch to follow.")
        var branch: String = "main"

        @Option(name: .customLong("path"), help: "With --repo: the job directory inside the repository.")
        var repoPath: String = "jobs.d"

        @Option(help: "With --repo: how often to fetch.")
        var poll: String = "30s"

        @Option(name: .customLong("token-env"), help: "With --repo: the environment variable holding an HTTPS token.")
        var tokenEnvironment: String?

        @Option(name: .customLong("status-dir"), help: "Directory mode: write status files (per-job JSON, STATUS.md) here.")
        var statusDirectory: String?

        @Option(name: .customLong("status-interval"), help: "Write status at most this often.")
        var statusInterval: String = "10s"

        @Flag(name: .customLong("no-status"), help: "With --repo: do not commit status files back.")
        var noStatus = false

        @Option(name: .customLong("bot-name"), help: "The name status commits are made with.")
        var botName: String = StatusIdentity.defaultName

        @Option(name: .customLong("bot-email"), help: "The e-mail status commits are made with (its commits never re-plan).")
        var botEmail: String = StatusIdentity.defaultEmail

        @Option(name: .customLong("status-message"), help: "The message of status commits.")
        var statusMessage: String = "almanac: status [skip ci]"

        @OptionGroup var http: HTTPOptions

        @OptionGroup var database: DatabaseOptions

        @Flag(name: .customLong("no-migrate"), help: "With --database: refuse a database whose schema is not current instead of migrating it.")
        var noMigrate = false

        func run() async throws {
            var length: Duration?
            let drain: Duration, pollInterval: Duration, statusEvery: Duration
            do {
                length = try duration.map(parseDuration)
                drain = try parseDuration(drainTimeout)
                pollInterval = try parseDuration(poll)
                statusEvery = try parseDuration(statusInterval)
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
            let stateDirectory = workspace.stateDirectory(repository: repo, branch: branch)
            let owner = repo.map { GitCredentials.none.redacted($0) + "#" + branch } ?? workspace.root.path
            if let refusal = StateLocation.claim(stateDirectory, for: owner) {
                printError("error: \(refusal)")
                throw ExitCode(1)
            }
            let log = try http.runnerLog()
            var store = JournalStore.file
            var environment = Workspace.environment
            if let url = try database.url() {
                let migrate = !noMigrate
                store = .shared(location: url.description, open: { try await PostgresJournal.open(url, migrate: migrate) })
                // The database's credentials are the runner's, not its jobs': children (which see
                // the runner's environment) and `${VAR}` templates never get them.
                for name in ["ALMANAC_DATABASE_URL", "PGPASSWORD", "PGPASSFILE"] { environment[name] = nil }
            }
            do {
                if let repo {
                    var credentials = GitCredentials.none
                    credentials.tokenEnvironmentVariable = tokenEnvironment
                    let source = RepoSource.Options(
                        url: repo, branch: branch, path: repoPath, stateDirectory: stateDirectory,
                        environment: environment, credentials: credentials, botEmail: botEmail)
                    var service = RepoRunnerService(
                        source: source, poll: pollInterval, options: Runner.Options(drainTimeout: drain),
                        statusInterval: noStatus ? nil : statusEvery,
                        identity: StatusIdentity(name: botName, email: botEmail, message: statusMessage),
                        log: log)
                    service.store = store
                    if let listen = http.listen {
                        try await http.serve(service, listen: listen, for: length)
                    } else {
                        try await service.run(for: length)
                    }
                } else {
                    var service = RunnerService(
                        root: workspace.root, stateDirectory: stateDirectory, environment: environment,
                        options: Runner.Options(drainTimeout: drain),
                        log: log)
                    service.store = store
                    service.statusDirectory = statusDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL }
                    service.statusInterval = statusEvery
                    if let listen = http.listen {
                        try await http.serve(service, listen: listen, for: length)
                    } else {
                        try await service.run(for: length)
                    }
                }
            } catch ProcessError.journalFailed {
                // Said once already, with the cause, when the journal refused the write.
                throw ExitCode(Runner.journalFaultExitCode)
            } catch let error as ExitCode {
                throw error
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

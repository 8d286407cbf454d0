import ArgumentParser
import Foundation
import Manifest
import Runner
import Server

extension Almanac {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the scheduler on a directory of job files.",
            discussion: "Watches the directory and re-reconciles within a second of a change. SIGINT/SIGTERM stop firing, give running jobs the drain timeout, journal what was left and exit 0.")

        @OptionGroup var workspace: WorkspaceOptions

        @Option(name: .customLong("for"), help: "Stop cleanly after this duration (e.g. 30s, 5m, 1h30m).")
        var duration: String?

        @Option(name: .customLong("drain-timeout"), help: "How long running jobs get to finish at shutdown.")
        var drainTimeout: String = "30s"

        @OptionGroup var http: HTTPOptions

        func run() async throws {
            var length: Duration?
            let drain: Duration
            do {
                length = try duration.map(parseDuration)
                drain = try parseDuration(drainTimeout)
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
            let service = RunnerService(
                root: workspace.root, stateDirectory: workspace.stateDirectory, environment: Workspace.environment,
                options: Runner.Options(drainTimeout: drain),
                log: { printError($0) })
            if let listen = http.listen {
                try await http.serve(service, listen: listen, for: length)
                return
            }
            do {
                try await service.run(for: length)
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

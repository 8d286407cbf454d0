import AlmanacCore
import ArgumentParser
import CronSchedule
import Foundation
import Journal
import Status

extension Almanac {
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the executions of one job, newest first: scheduled vs. actual start, duration, attempt, exit code, error class.")

        @Argument(help: "The job name.")
        var name: String

        @Option(help: "How many executions to show.")
        var limit: Int = 20

        @OptionGroup var stateOptions: StateOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let stateDirectory = stateOptions.stateDirectory
            let state = try await Workspace.state(stateDirectory, database: database)
            guard let job = state.jobs[name] else {
                printError("error: no history for '\(name)' in \(stateDirectory.path)")
                throw ExitCode(1)
            }
            let executions = Array((job.history + job.running).sorted { $0.startedAt > $1.startedAt }.prefix(max(limit, 0)))
            if format == .json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                encoder.dateEncodingStrategy = .custom { date, encoder in
                    var container = encoder.singleValueContainer()
                    try container.encode(RFC3339.format(date))
                }
                print(String(decoding: try encoder.encode(executions), as: UTF8.self))
                return
            }
            // Beside peers each attempt names the runner that ran it.
            let cluster = executions.contains { $0.runner != nil }
            var rows = [["SCHEDULED", "STARTED", "LATE", "DURATION", "ATTEMPT", "OUTCOME", "EXIT", "CLASS", "BY"] + (cluster ? ["RUNNER"] : [])]
            for execution in executions {
                rows.append([
                    RFC3339.format(execution.key.scheduledAt), RFC3339.format(execution.startedAt),
                    StatusRenderer.duration(execution.lateMs), execution.metrics.durationMs.map(StatusRenderer.duration) ?? "-",
                    String(execution.attempt), execution.metrics.outcome?.rawValue ?? "running", execution.metrics.exitCode.map(String.init) ?? "-",
                    execution.metrics.errorClass?.rawValue ?? "-", execution.triggeredBy?.rawValue ?? "-",
                ] + (cluster ? [execution.runner ?? "-"] : []))
            }
            print(StatusRenderer.table(rows), terminator: "")
        }
    }
}

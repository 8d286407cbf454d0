import ArgumentParser
import Foundation
import Manifest
import Status

extension Almanac {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each job: schedule in words, next fire, last run and result, success rate, durations.")

        @Argument(help: "Show only this job.")
        var name: String?

        @Option(name: .long, help: "The watched directory of job files.")
        var path: String = "jobs.d"

        @Option(name: .long, help: "The state directory (journal, logs). Default: .almanac/ beside the watched directory.")
        var state: String?

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let workspace = try WorkspaceOptions.parse([path] + (state.map { ["--state", $0] } ?? []))
            let now = Date()
            let manifest = try? Workspace.manifest(workspace, now: now, unsetVariables: .warning)
            let journalState = try Workspace.state(workspace.stateDirectory)
            var report = StatusReport.make(manifest: manifest, state: journalState, now: now)
            if let name {
                report.jobs = report.jobs.filter { $0.name == name }
                guard !report.jobs.isEmpty else {
                    printError("error: no job named '\(name)'")
                    throw ExitCode(1)
                }
            }
            print(format == .json ? StatusRenderer.json(report) : StatusRenderer.text(report), terminator: "")
        }
    }
}

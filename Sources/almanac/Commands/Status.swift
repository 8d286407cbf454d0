import ArgumentParser
import Foundation
import GitSync
import Journal
import Manifest
import Scheduler
import Processes
import Daemon
import Status

extension Almanac {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each job: schedule in words, next fire, last run and result, success rate, durations.",
            discussion: "Says when no runner holds the state directory (`no runner is up (last seen …)`; JSON: runnerUp false), and then shows attempts the journal still has running as `interrupted?`, not as running. With --repo, the job files are read from the repository's --branch (as `plan --repo`), without a checkout.")

        @Argument(help: "Show only this job.")
        var name: String?

        @Option(name: .long, help: "The watched directory of job files; with --repo, the job directory inside the repository.")
        var path: String = "jobs.d"

        @Option(name: .long, help: "The state directory (journal, logs). Default: .almanac/<name>/ beside the watched directory <name>; with --repo, that of `run --repo` (.almanac/repo-<repository>-<branch>/).")
        var state: String?

        @Option(help: "Read the job files from this git repository (path) instead of a directory.")
        var repo: String?

        @Option(help: "With --repo: the branch (or any revision) to read.")
        var branch: String = "main"

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let workspace = try WorkspaceOptions.parse([path] + (state.map { ["--state", $0] } ?? []))
            let now = Date()
            let manifest: Manifest?
            if let repo {
                do {
                    let repository = try GitRepository.open(URL(fileURLWithPath: repo))
                    manifest = try await RevisionPlan.manifest(in: repository, revision: branch, path: path,
                                                               environment: Workspace.environment, now: now, unsetVariables: .warning).0
                } catch {
                    printError("error: \(error)")
                    throw ExitCode(1)
                }
            } else {
                manifest = try? Workspace.manifest(workspace, now: now, unsetVariables: .warning)
            }
            let stateDirectory = workspace.stateDirectory(repository: repo, branch: branch)
            var report: StatusReport
            if let url = try database.url() {
                // The whole cluster, from any machine: the shared journal and every runner.
                let (journalState, rows) = try await Workspace.reading(url) { journal in
                    (await journal.state(), try await journal.runners())
                }
                report = StatusReport.make(manifest: manifest, state: journalState, now: now)
                report.setRunner(up: rows.contains(where: \.live), state: journalState)
                report.runners = rows
            } else {
                let journalState = try Workspace.state(stateDirectory)
                report = StatusReport.make(manifest: manifest, state: journalState, now: now)
                report.setRunner(up: RunnerProbe.isRunning(stateDirectory), state: journalState)
            }
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

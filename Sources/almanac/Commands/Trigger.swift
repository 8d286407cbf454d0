import ArgumentParser
import Foundation
import Journal
import Manifest
import Scheduler
import Processes
import Daemon
import PostgresJournal

extension Almanac {
    struct Trigger: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue a manual run of a job.",
            discussion: "The running runner picks the request up within a second and journals it with triggeredBy. With --now, and no runner up, the job runs here in the foreground.")

        @Argument(help: "The job name.")
        var name: String

        @Option(name: .long, help: "The watched directory of job files (used with --now).")
        var path: String = "jobs.d"

        @Option(name: .long, help: "The state directory. Default: .almanac/ beside the watched directory.")
        var state: String?

        @Flag(help: "Run it now in the foreground (needs no runner; refuses while one holds the state directory).")
        var now = false

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let workspace = try WorkspaceOptions.parse([path] + (state.map { ["--state", $0] } ?? []))
            let stateDirectory = workspace.stateDirectory
            let who = "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown")
            if let url = try database.url() {
                guard !now else { throw ValidationError("--now runs a job here, beside no runner; with --database the cluster runs it") }
                try await Self.queue(name, by: who, workspace: workspace, url: url)
                return
            }
            guard now else {
                guard Self.knownJobs(workspace).contains(name) else {
                    printError("error: no job named '\(name)'")
                    throw ExitCode(1)
                }
                try TriggerInbox(stateDirectory: stateDirectory).submit(job: name, requestedBy: who)
                if !RunnerProbe.isRunning(stateDirectory) {
                    printError("warning: no runner holds \(stateDirectory.path); the request waits until one starts (or use --now)")
                }
                print("queued: \(name)")
                return
            }
            let journal = try Workspace.openJournal(stateDirectory)
            let manifest = try Workspace.manifest(workspace, now: Date(), unsetVariables: .error)
            Workspace.printDiagnostics(manifest, workspace)
            let executor = ProcessJobLauncher(root: workspace.root, stateDirectory: stateDirectory, environment: Workspace.environment)
            let runner = Runner(clock: SystemClock(), journal: journal, launcher: executor)
            try await runner.apply(manifest)
            guard await runner.trigger(name, by: who) else {
                printError("error: no job named '\(name)' in \(workspace.path)")
                try await journal.close()
                throw ExitCode(1)
            }
            await runner.step()
            _ = await runner.waitUntilIdle(timeout: .seconds(86_400))
            let state = await journal.state()
            try await journal.close()
            guard let last = state.jobs[name]?.history.last else { throw ExitCode(1) }
            print("\(name): \(last.metrics.outcome?.rawValue ?? "?")" + (last.metrics.exitCode.map { " (exit \($0))" } ?? "")
                + (last.metrics.durationMs.map { " in \($0) ms" } ?? ""))
            if let tail = last.metrics.outputTail, !tail.isEmpty { print(tail, terminator: tail.hasSuffix("\n") ? "" : "\n") }
            if !(last.metrics.outcome?.succeeded ?? false) { throw ExitCode(1) }
        }

        /// Journals the request in the cluster's database, where every runner picks it up within
        /// a second and one of them runs it (the claim decides which). Keyed as a runner keys it
        /// (`Runner.trigger`): the jobs are read from PATH, and must be at the applied version.
        static func queue(_ name: String, by who: String, workspace: WorkspaceOptions, url: DatabaseURL) async throws {
            let manifest = try Workspace.manifest(workspace, now: Date(), unsetVariables: .warning)
            let queued = try await Workspace.reading(url) { journal in
                let launcher = ProcessJobLauncher(root: workspace.root, stateDirectory: workspace.stateDirectory,
                                                  environment: Workspace.environment)
                let runner = Runner(clock: SystemClock(), journal: journal, launcher: launcher)
                // A follower writes nothing about desired state: it only holds the applied jobs.
                await runner.setRole(.follower)
                try await runner.apply(manifest)
                return await runner.trigger(name, by: who)
            }
            guard queued else {
                printError("error: no job named '\(name)' at the version the cluster applied (read from \(workspace.path))")
                throw ExitCode(1)
            }
            print("queued: \(name) (the cluster runs it within a second)")
        }

        /// The jobs a runner of this state directory knows (applied in its journal, not removed)
        /// and those in the watched directory, when there is one: a request for any other name
        /// would wait in the inbox for ever.
        static func knownJobs(_ workspace: WorkspaceOptions) -> Set<String> {
            var names = Set<String>()
            if let files = try? FileTree(root: workspace.root).read() {
                names.formUnion(ManifestLoader.load(files: files, environment: Workspace.environment, now: Date()).jobs.map(\.name))
            }
            let file = workspace.stateDirectory.appendingPathComponent("journal.jsonl")
            if let state = try? FileJournal.replay(file: file).state {
                for (name, job) in state.jobs where job.applied != nil && !job.removed { names.insert(name) }
            }
            return names
        }
    }
}

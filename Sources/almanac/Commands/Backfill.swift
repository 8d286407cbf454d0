import AlmanacCore
import ArgumentParser
import Foundation
import Journal
import Manifest
import Processes
import Scheduler
import Daemon
import Status

extension Almanac {
    struct Backfill: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every occurrence of a job's schedule in [--from, --to) once, each with its own scheduled time.",
            discussion: """
                Each occurrence runs with ALMANAC_SCHEDULED_AT set to its own time and is journaled \
                triggeredBy: backfill. One that already succeeded is skipped unless --rerun, so the same \
                backfill run again runs nothing new; one that failed or never ran gets its next attempt. \
                Occurrences after now are not run. Like trigger, the request is queued for the running runner \
                (it plans again on its own journal); with --now, and no runner up, they run here in the \
                foreground. Exit 0 queued or all succeeded; 1 bad request, unknown job, or (with --now) a failure.
                """)

        @Argument(help: "The job name.")
        var name: String

        @Option(help: "The first instant of the range (RFC 3339), included.")
        var from: String

        @Option(help: "The end of the range (RFC 3339), excluded; later than now means now.")
        var to: String

        @Flag(help: "List what would run and what is skipped; run nothing.")
        var dryRun = false

        @Option(help: "How many occurrences run at once, in order (a job without concurrency: allow runs one at a time).")
        var parallel: Int = 1

        @Flag(help: "Run occurrences that already succeeded again (as their next attempt).")
        var rerun = false

        @Flag(help: "Run them here in the foreground (needs no runner; refuses while one holds the state directory).")
        var now = false

        @Option(name: .long, help: "The watched directory of job files.")
        var path: String = "jobs.d"

        @Option(name: .long, help: "The state directory. Default: .almanac/ beside the watched directory.")
        var state: String?

        @Option(help: "Output format of the list: text or json.")
        var format: OutputFormat = .text

        func validate() throws {
            guard RFC3339.parse(from) != nil else { throw ValidationError("--from must be an RFC 3339 time, e.g. 2026-03-01T00:00:00Z") }
            guard RFC3339.parse(to) != nil else { throw ValidationError("--to must be an RFC 3339 time, e.g. 2026-03-08T00:00:00Z") }
            guard parallel >= 1 else { throw ValidationError("--parallel is at least 1") }
        }

        func run() async throws {
            let (from, to) = (RFC3339.parse(from) ?? Date(), RFC3339.parse(to) ?? Date())
            let workspace = try WorkspaceOptions.parse([path] + (state.map { ["--state", $0] } ?? []))
            let stateDirectory = workspace.stateDirectory
            let manifest = try Workspace.manifest(workspace, now: Date(), unsetVariables: now ? .error : .warning)
            guard let job = manifest.jobs.first(where: { $0.name == name }) else {
                Workspace.printDiagnostics(manifest, workspace)
                printError("error: no job named '\(name)' in \(workspace.path)")
                throw ExitCode(1)
            }
            let plan: BackfillPlan
            do {
                plan = try BackfillPlan.make(job: job, state: try Workspace.state(stateDirectory).jobs[name], from: from, to: to,
                                             now: Date(), rerun: rerun)
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
            if parallel > 1, job.concurrency != .allow {
                printError("warning: \(name) has concurrency: \(job.concurrency.rawValue); its backfill runs one occurrence at a time")
            }
            if dryRun || !now { print(Self.render(plan, format: format), terminator: "") }
            if dryRun { return }
            guard now else {
                try TriggerInbox(stateDirectory: stateDirectory).submit(
                    job: name, requestedBy: "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown"),
                    backfill: .init(from: from, to: to, rerun: rerun, parallel: parallel))
                if !RunnerProbe.isRunning(stateDirectory) {
                    printError("warning: no runner holds \(stateDirectory.path); the request waits until one starts (or use --now)")
                }
                if format == .text { print("queued: backfill of \(name), \(plan.runs.count) occurrence(s)") }
                return
            }
            try await runHere(plan, manifest: manifest, workspace: workspace)
        }

        /// `--now`: a runner of our own on the state directory, only until the backfill is done.
        func runHere(_ plan: BackfillPlan, manifest: Manifest, workspace: WorkspaceOptions) async throws {
            let stateDirectory = workspace.stateDirectory
            let journal = try Workspace.openJournal(stateDirectory)
            Workspace.printDiagnostics(manifest, workspace)
            let executor = ProcessJobLauncher(root: workspace.root, stateDirectory: stateDirectory, environment: Workspace.environment)
            let runner = Runner(clock: SystemClock(), journal: journal, launcher: executor)
            try await runner.apply(manifest)
            let ran: BackfillPlan
            do {
                ran = try await runner.backfill(name, from: plan.from, to: plan.to, rerun: rerun, parallel: parallel)
            } catch {
                printError("error: \(error)")
                try await journal.close()
                throw ExitCode(1)
            }
            // Retries come due on the runner's queue: step it until every occurrence has ended.
            while await runner.backfillRemaining(name) > 0 {
                await runner.step()
                try await Task.sleep(for: .milliseconds(50))
            }
            _ = await runner.waitUntilIdle(timeout: .seconds(86_400))
            let state = await journal.state()
            try await journal.close()
            var failed = 0
            var rows = [["SCHEDULED", "ATTEMPT", "OUTCOME", "EXIT", "DURATION"]]
            for item in ran.runs {
                let last = (state.jobs[name]?.history ?? []).filter { $0.key.scheduledAt == item.scheduledAt }.max { $0.attempt < $1.attempt }
                let outcome = last?.metrics.outcome
                if !(outcome?.succeeded ?? false) { failed += 1 }
                rows.append([RFC3339.format(item.scheduledAt), last.map { String($0.attempt) } ?? "-", outcome?.rawValue ?? "not run",
                             last?.metrics.exitCode.map(String.init) ?? "-", last?.metrics.durationMs.map(StatusRenderer.duration) ?? "-"])
            }
            print(StatusRenderer.table(rows), terminator: "")
            print("\(ran.runs.count - failed) of \(ran.runs.count) succeeded, \(ran.items.count - ran.runs.count) skipped")
            if failed > 0 { throw ExitCode(1) }
        }

        /// The plan as a table (SCHEDULED, ATTEMPT, ACTION) or JSON.
        static func render(_ plan: BackfillPlan, format: OutputFormat) -> String {
            if format == .json {
                let items = plan.items.map { item -> [String: Any] in
                    ["scheduledAt": RFC3339.format(item.scheduledAt), "attempt": item.attempt, "action": item.action.rawValue]
                }
                let object: [String: Any] = ["job": plan.job, "from": RFC3339.format(plan.from), "to": RFC3339.format(plan.to),
                                             "runs": plan.runs.count, "occurrences": items]
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data()
                return String(decoding: data, as: UTF8.self) + "\n"
            }
            var rows = [["SCHEDULED", "ATTEMPT", "ACTION"]]
            for item in plan.items {
                rows.append([RFC3339.format(item.scheduledAt), String(item.attempt), item.action.rawValue])
            }
            return StatusRenderer.table(rows) + "\(plan.runs.count) to run, \(plan.items.count - plan.runs.count) skipped, "
                + "[\(RFC3339.format(plan.from)), \(RFC3339.format(plan.to)))\n"
        }
    }
}

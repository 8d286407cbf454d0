import ArgumentParser
import Foundation
import GitSync
import Manifest
import Reconciler
import Scheduler
import Processes
import Daemon

/// The reconciler's plan (inside `Almanac.Plan`, `Plan` names the command).
typealias ReconcilerPlan = Plan

extension Almanac {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what `run` would change, against the journal (or between two git revisions).",
            discussion: "Exit 0: no changes; 2: changes; 1: errors (as `terraform plan -detailed-exitcode`). With --repo, --base and --head, PATH is the job directory inside the repository and the plan is what merging head onto base would change (for a pull-request comment: --format markdown).")

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "Output format: text, json or markdown.")
        var format: OutputFormat = .text

        @Option(help: "A git repository (path) to plan between --base and --head, read without a checkout.")
        var repo: String?

        @Option(help: "The base revision (branch, tag, commit) with --repo, e.g. origin/main.")
        var base: String?

        @Option(help: "The head revision with --repo, e.g. HEAD or the pull request's commit.")
        var head: String?

        func validate() throws {
            if repo != nil, base == nil || head == nil {
                throw ValidationError("--repo needs --base and --head")
            }
            if repo == nil, base != nil || head != nil {
                throw ValidationError("--base and --head need --repo")
            }
        }

        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            let now = Date()
            if let repo, let base, let head {
                let plan: ReconcilerPlan
                do {
                    let repository = try GitRepository.open(URL(fileURLWithPath: repo))
                    plan = try await RevisionPlan.plan(in: repository, base: base, head: head, path: workspace.path,
                                                       environment: Workspace.environment, now: now, unsetVariables: .warning)
                } catch {
                    printError("error: \(error)")
                    throw ExitCode(1)
                }
                try show(plan)
                return
            }
            let manifest = try Workspace.manifest(workspace, now: now, unsetVariables: .warning)
            let state = try await Workspace.state(workspace.stateDirectory, database: database)
            try show(Reconciler.plan(desired: manifest, state: state, now: now))
        }

        /// Prints the plan with paths as typed and exits 0 (no changes), 2 (changes) or 1 (errors).
        func show(_ plan: ReconcilerPlan) throws {
            var plan = plan
            for index in plan.changes.indices {
                plan.changes[index].source = plan.changes[index].source.map(workspace.display)
            }
            plan.diagnostics = plan.diagnostics.map(workspace.display)
            switch format {
            case .text: print(PlanRenderer.text(plan), terminator: "")
            case .json: print(PlanRenderer.json(plan), terminator: "")
            case .markdown: print(PlanRenderer.markdown(plan), terminator: "")
            }
            if plan.hasErrors { throw ExitCode(1) }
            if plan.hasChanges { throw ExitCode(2) }
        }
    }
}

import ArgumentParser
import Foundation
import Manifest
import Reconciler

extension Almanac {
    struct Plan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what `run` would change, against the journal.",
            discussion: "Exit 0: no changes; 2: changes; 1: errors (as `terraform plan -detailed-exitcode`).")

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "Output format: text, json or markdown.")
        var format: OutputFormat = .text

        func run() throws {
            let now = Date()
            var manifest = try Workspace.manifest(workspace, now: now)
            manifest.diagnostics = manifest.diagnostics.map { diagnostic in
                var shown = diagnostic
                shown.location.file = workspace.display(diagnostic.location.file)
                return shown
            }
            let state = try Workspace.state(workspace.stateDirectory)
            var plan = Reconciler.plan(desired: manifest, state: state, now: now)
            for index in plan.changes.indices {
                plan.changes[index].source = plan.changes[index].source.map(workspace.display)
            }
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

import ArgumentParser
import Foundation
import GitSync
import Manifest
import Scheduler
import Processes
import Daemon
import Journal
import Status

extension Almanac {
    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every job file; print path:line:col: error: message per problem.",
            discussion: "Exit 0 when every file is valid, 1 otherwise. All problems of all files are reported in one run. With --rev, PATH is the job directory inside the repository (--repo, default .) and the files are read at that revision, without a checkout.")

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @Option(help: "Validate the files at this git revision (branch, tag, commit) instead of the directory.")
        var rev: String?

        @Option(help: "The git repository --rev is read from.")
        var repo: String = "."

        func run() async throws {
            var manifest: Manifest
            if let rev {
                do {
                    let repository = try GitRepository.open(URL(fileURLWithPath: repo))
                    manifest = try await RevisionPlan.manifest(in: repository, revision: rev, path: workspace.path,
                                                               environment: Workspace.environment, now: Date(), unsetVariables: .warning).0
                } catch {
                    printError("error: \(error)")
                    throw ExitCode(1)
                }
            } else {
                manifest = try Workspace.manifest(workspace, now: Date(), unsetVariables: .warning)
                manifest.diagnostics += Self.postingNotes(manifest, workspace: workspace)
            }
            let errors = manifest.diagnostics.filter { $0.severity == .error }.count
            switch format {
            case .json:
                let problems: [[String: Any]] = manifest.diagnostics.map {
                    ["file": workspace.display($0.location.file), "line": $0.location.line, "column": $0.location.column,
                     "severity": $0.severity.rawValue, "message": $0.message]
                }
                let object: [String: Any] = ["valid": errors == 0, "jobs": manifest.jobs.count, "problems": problems]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            case .text, .markdown:
                for diagnostic in manifest.diagnostics {
                    print(workspace.display(diagnostic).description)
                }
                if errors == 0 {
                    printError("ok: \(manifest.jobs.count) job(s) valid in \(workspace.path)" + (rev.map { " at \($0)" } ?? ""))
                } else {
                    printError("\(errors) error(s) in \(manifest.invalidFiles.count) file(s)")
                }
            }
            if errors > 0 { throw ExitCode(1) }
        }

        /// Notes on posts scheduled away from their channel's best slots, from the engagement in
        /// the state directory's journal when there is one (docs/posting-times.md).
        static func postingNotes(_ manifest: Manifest, workspace: WorkspaceOptions) -> [Diagnostic] {
            guard manifest.jobs.contains(where: { $0.kind == .post && $0.channel != nil }) else { return [] }
            let file = workspace.stateDirectory.appendingPathComponent("journal.jsonl")
            guard let state = try? FileJournal.replay(file: file).state else { return [] }
            return PostingAdvice.notes(for: manifest, engagement: state.jobs.values.flatMap(\.engagement), now: Date())
        }
    }
}

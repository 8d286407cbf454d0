import ArgumentParser
import Foundation
import Manifest

extension Almanac {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check every job file; print path:line:col: error: message per problem.",
            discussion: "Exit 0 when every file is valid, 1 otherwise. All problems of all files are reported in one run.")

        @OptionGroup var workspace: WorkspaceOptions

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        func run() throws {
            let manifest = try Workspace.manifest(workspace, now: Date())
            let errors = manifest.diagnostics.filter { $0.severity == .error }.count
            switch format {
            case .json:
                let problems: [[String: Any]] = manifest.diagnostics.map {
                    ["file": workspace.display($0.location.file), "line": $0.location.line, "column": $0.location.column,
                     "severity": $0.severity == .error ? "error" : "warning", "message": $0.message]
                }
                let object: [String: Any] = ["valid": errors == 0, "jobs": manifest.jobs.count, "problems": problems]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                print(String(decoding: data, as: UTF8.self))
            case .text, .markdown:
                for diagnostic in manifest.diagnostics {
                    var shown = diagnostic
                    shown.location.file = workspace.display(diagnostic.location.file)
                    print(shown.description)
                }
                if errors == 0 {
                    printError("ok: \(manifest.jobs.count) job(s) valid in \(workspace.path)")
                } else {
                    printError("\(errors) error(s) in \(manifest.invalidFiles.count) file(s)")
                }
            }
            if errors > 0 { throw ExitCode(1) }
        }
    }
}

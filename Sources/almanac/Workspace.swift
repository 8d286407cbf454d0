import ArgumentParser
import Foundation
import Journal
import Manifest
import Scheduler
import Processes
import Daemon

/// Reads what the read commands need: the job tree and the journal, without taking the lock.
enum Workspace {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// Loads the tree; diagnostics keep root-relative paths (print them through `display`).
    /// Read-only commands pass `.warning`: an unset `${VAR}` is the runner's business.
    static func manifest(_ options: WorkspaceOptions, now: Date, unsetVariables: UnsetVariables) throws -> Manifest {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: options.root.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            printError("error: \(options.path): no such directory")
            throw ExitCode(1)
        }
        let files = try FileTree(root: options.root).read()
        return ManifestLoader.load(files: files, environment: environment, now: now, unsetVariables: unsetVariables)
    }

    /// The journal's state, or an empty one when no runner has run yet.
    static func state(_ stateDirectory: URL) throws -> JournalState {
        let file = stateDirectory.appendingPathComponent("journal.jsonl")
        guard FileManager.default.fileExists(atPath: file.path) else { return JournalState() }
        do {
            let report = try FileJournal.replay(file: file)
            if let torn = report.droppedTornLine { printError("warning: \(torn)") }
            return report.state
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    static func printDiagnostics(_ manifest: Manifest, _ options: WorkspaceOptions) {
        for diagnostic in manifest.diagnostics {
            printError(options.display(diagnostic).description)
        }
    }
}

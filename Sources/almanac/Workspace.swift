import ArgumentParser
import Foundation
import Journal
import Manifest
import Scheduler
import Processes
import Daemon
import PostgresJournal

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

    /// The state directory's journal opened for writing, for the commands that run jobs here
    /// (`trigger --now`, `backfill --now`); a runner holding it is an error (exit 1).
    static func openJournal(_ stateDirectory: URL) throws -> FileJournal {
        try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        do {
            return try FileJournal(directory: stateDirectory)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The journal's state, or an empty one when no runner has run yet. `warnTorn: false` for
    /// a reader polling while a runner appends (`logs --follow`): it may see a line half
    /// written, which its next read sees whole.
    static func state(_ stateDirectory: URL, warnTorn: Bool = true) throws -> JournalState {
        let file = stateDirectory.appendingPathComponent("journal.jsonl")
        guard FileManager.default.fileExists(atPath: file.path) else { return JournalState() }
        do {
            let report = try FileJournal.replay(file: file)
            if warnTorn, let torn = report.droppedTornLine { printError("warning: \(torn)") }
            return report.state
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    /// The state of the journal the read commands read: the database's when `database` names
    /// one (read only: neither migrated nor joined), else the state directory's file.
    static func state(_ stateDirectory: URL, database: DatabaseOptions) async throws -> JournalState {
        guard let url = try database.url() else { return try state(stateDirectory) }
        return try await reading(url) { await $0.state() }
    }

    /// `body` on the database's journal, opened for reading; errors say what failed and exit 1.
    static func reading<T: Sendable>(_ url: DatabaseURL, _ body: (PostgresJournal) async throws -> T) async throws -> T {
        let journal: PostgresJournal
        do {
            journal = try await PostgresJournal.open(url, runner: "reader:" + ProcessInfo.processInfo.hostName, migrate: false)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        do {
            let result = try await body(journal)
            try? await journal.close()
            return result
        } catch {
            try? await journal.close()
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

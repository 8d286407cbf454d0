import ArgumentParser
import Foundation
import Journal
import PostgresJournal

extension Almanac {
    struct JournalCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "journal",
            abstract: "Check or repair a state directory's journal, or move it between a state directory and PostgreSQL.",
            subcommands: [Verify.self, Repair.self, Import.self, Export.self])

        struct Import: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Load a state directory's journal into a PostgreSQL database that holds none.",
                discussion: "The lines move unchanged (history, counters, claims), so a runner on the database carries on where the file journal stopped. Stop the runner first: a state directory a runner holds is refused.")

            @OptionGroup var options: TransferOptions

            func run() async throws {
                let (url, directory) = try options.resolved()
                let file = directory.appendingPathComponent("journal.jsonl")
                guard FileManager.default.fileExists(atPath: file.path) else {
                    printError("error: no journal at \(file.path)")
                    throw ExitCode(1)
                }
                do {
                    if let dropped = try FileJournal.replay(file: file).droppedTornLine { printError("warning: \(dropped)") }
                    let events = try FileJournal.events(file: file)
                    let count = try await PostgresJournal.using(url) { try await $0.importJournal(events) }
                    print("imported \(count) events from \(file.path) into \(url)")
                } catch {
                    printError("error: \(error)")
                    throw ExitCode(1)
                }
            }
        }

        struct Export: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write a PostgreSQL database's journal into a state directory that has none.",
                discussion: "The snapshot (when the database was compacted) and every event after it, as journal lines: `almanac run` on that directory goes on from there without the database.")

            @OptionGroup var options: TransferOptions

            func run() async throws {
                let (url, directory) = try options.resolved()
                do {
                    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                    let file = directory.appendingPathComponent("journal.jsonl")
                    let count = try await PostgresJournal.using(url, migrate: false) { try await $0.exportJournal(to: file) }
                    print("exported \(count) lines from \(url) to \(file.path)")
                } catch {
                    printError("error: \(error)")
                    throw ExitCode(1)
                }
            }
        }
    }
}

/// The two ends of a move: a state directory no runner holds, and a database.
struct TransferOptions: ParsableArguments {
    @OptionGroup var workspace: WorkspaceOptions
    @OptionGroup var database: DatabaseOptions

    /// The database and the state directory; exits 1 when a runner holds the directory.
    func resolved() throws -> (DatabaseURL, URL) {
        let url = try database.required()
        let directory = workspace.stateDirectory
        if let pid = FileJournal.lockHolder(directory: directory) { throw refuseHeld(directory, pid: pid) }
        return (url, directory)
    }
}

/// The refusal of a command that needs a state directory no runner holds: says so, exit 1.
func refuseHeld(_ directory: URL, pid: Int?) -> ExitCode {
    printError("error: a runner (pid \(pid.map(String.init) ?? "?")) holds \(directory.path); stop it first")
    return ExitCode(1)
}

import ArgumentParser
import Foundation
import Journal
import Logging
import PostgresJournal

/// `--database URL` (or `ALMANAC_DATABASE_URL`): the PostgreSQL journal a cluster shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The PostgreSQL journal: postgres://USER@HOST[:PORT]/DB (or ALMANAC_DATABASE_URL).",
        discussion: "The password comes from the URL, PGPASSWORD or ~/.pgpass and is never printed."))
    var database: String?

    /// The URL given; a usage error without one.
    func required() throws -> DatabaseURL {
        guard let url = try url() else { throw ValidationError("--database (or ALMANAC_DATABASE_URL) is required") }
        return url
    }

    /// The URL given, or nil when neither the option nor the variable is set.
    func url() throws -> DatabaseURL? {
        guard let text = database ?? ProcessInfo.processInfo.environment["ALMANAC_DATABASE_URL"], !text.isEmpty else { return nil }
        do {
            return try DatabaseURL.parse(text)
        } catch {
            throw ValidationError("--database: \(error)")
        }
    }
}

extension Almanac {
    struct Database: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "db",
            abstract: "Manage the PostgreSQL journal of a cluster.",
            subcommands: [Migrate.self])

        struct Migrate: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Create or upgrade the schema (versioned migrations in this binary, applied under an advisory lock).",
                discussion: "Safe to run from several machines at once and again at any time: what the database already has is left alone. A database migrated by a newer almanac is refused.")

            @OptionGroup var database: DatabaseOptions

            func run() async throws {
                let url = try database.required()
                let before: Int, applied: [Int]
                do {
                    (before, applied) = try await PostgresJournal.migrate(url)
                } catch {
                    printError("error: \(error)")
                    throw ExitCode(1)
                }
                if applied.isEmpty {
                    print("\(url): schema is current (version \(before))")
                } else {
                    print("\(url): migrated from version \(before) to \(applied.last ?? before) "
                        + "(applied \(applied.map(String.init).joined(separator: ", ")))")
                }
            }
        }
    }
}

import ArgumentParser
import CronSchedule
import Foundation

/// The cron expression, its zone and its `H` key, shared by `next` and `explain`.
struct ExpressionOptions: ParsableArguments {
    @Argument(help: "A cron expression: 5 fields, 6 with leading seconds, or a macro such as @daily.")
    var expression: String

    @Option(name: .customLong("tz"), help: "IANA time zone the expression is read in.")
    var timeZone: String = "UTC"

    @Option(name: .customLong("hash-key"), help: "The job name that `H` fields hash.")
    var hashKey: String = ""

    /// The zone, or `error: unknown time zone` and exit 1.
    func zone() throws -> TimeZone {
        guard let zone = TimeZone(identifier: timeZone) else {
            printError("error: unknown time zone '\(timeZone)'")
            throw ExitCode(1)
        }
        return zone
    }

    /// The parsed schedule, or `error: <field>: <why>` and exit 1.
    func schedule(in zone: TimeZone) throws -> Schedule {
        do {
            return try Schedule.parse(expression, timeZone: zone, hashKey: hashKey)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}

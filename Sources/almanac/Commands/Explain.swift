import ArgumentParser
import CronSchedule
import Foundation

extension Almanac {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a cron expression in words.",
            discussion: "e.g. `almanac explain '0 9 * * 1-5' --tz America/New_York` prints \"At 09:00, Monday through Friday, in America/New_York\".")

        @Argument(help: "A cron expression: 5 fields, 6 with leading seconds, or a macro such as @daily.")
        var expression: String

        @Option(name: .customLong("tz"), help: "IANA time zone the expression is read in.")
        var timeZone: String = "UTC"

        @Option(name: .customLong("hash-key"), help: "The job name that `H` fields hash.")
        var hashKey: String = ""

        func run() throws {
            guard let zone = TimeZone(identifier: timeZone) else {
                printError("error: unknown time zone '\(timeZone)'")
                throw ExitCode(1)
            }
            do {
                print(try Schedule.parse(expression, timeZone: zone, hashKey: hashKey).explain())
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }
}

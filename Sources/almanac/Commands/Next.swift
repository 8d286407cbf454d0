import AlmanacCore
import ArgumentParser
import CronSchedule
import Foundation

extension Almanac {
    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the next fire times of a cron expression.",
            discussion: "One RFC 3339 time with the zone's offset per line, e.g. 2026-03-08T03:00:00-04:00.")

        @OptionGroup var cron: ExpressionOptions

        @Option(help: "Start after this RFC 3339 instant (default: now).")
        var from: String?

        @Option(help: "How many fire times to print.")
        var count: Int = 5

        func run() throws {
            let zone = try cron.zone()
            guard count > 0 else {
                printError("error: --count must be at least 1")
                throw ExitCode(1)
            }
            var start = Date()
            if let from {
                guard let date = parseInstant(from) else {
                    printError("error: --from: '\(from)' is not an RFC 3339 time (e.g. 2026-03-08T01:30:00-05:00)")
                    throw ExitCode(1)
                }
                start = date
            }
            let schedule = try cron.schedule(in: zone)
            var printed = 0
            var cursor = start
            while printed < count, let fire = schedule.next(after: cursor) {
                print(RFC3339.format(fire, in: zone))
                printed += 1
                cursor = fire
            }
            if printed == 0 {
                printError("error: '\(cron.expression)' never fires after \(RFC3339.format(start, in: zone))")
                throw ExitCode(1)
            }
        }
    }
}

/// RFC 3339 with an offset or Z, with or without fractional seconds.
func parseInstant(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
}

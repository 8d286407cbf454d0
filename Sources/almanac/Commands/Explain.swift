import ArgumentParser
import CronSchedule
import Foundation

extension Almanac {
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a cron expression in words.",
            discussion: "e.g. `almanac explain '0 9 * * 1-5' --tz America/New_York` prints \"At 09:00, Monday through Friday, in America/New_York\".")

        @OptionGroup var cron: ExpressionOptions

        func run() throws {
            print(try cron.schedule(in: cron.zone()).explain())
        }
    }
}

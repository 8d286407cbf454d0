import AlmanacCore
import ArgumentParser
import Foundation
import Journal
import Status

extension Almanac.Posts {
    struct Suggest: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rank a channel's weekday × hour slots by the median of an engagement metric.",
            discussion: """
                A sample is one published post target on the channel with the metric recorded; its slot is the \
                occurrence's scheduled time in --tz (default: the zone most of the channel's posts use, else UTC). \
                Slots with fewer than 5 samples are listed apart as "not enough data (n < 5)", never ranked. \
                Without --metric: the channel's only metric, else the first of likes, score, upvotes, reactions, \
                views it has. Exit 0 with a ranking; 1 no data for the channel or an unknown metric or zone.
                """)

        @Option(help: "The channel (a post's content.channel).")
        var channel: String

        @Option(help: "The metric to rank by (likes, comments, …).")
        var metric: String?

        @Option(help: "The zone slots are read in (IANA, e.g. Europe/London).")
        var tz: String?

        @Option(help: "Output format: text or json.")
        var format: OutputFormat = .text

        @OptionGroup var stateOptions: StateOptions

        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if let tz, TimeZone.named(tz) == nil { throw ValidationError("--tz: unknown time zone '\(tz)'") }
        }

        func run() async throws {
            let state = try await Workspace.state(stateOptions.stateDirectory, database: database)
            let slots: PostingSlots
            do {
                slots = try PostingSlots.rank(state.jobs.values.flatMap(\.engagement), channel: channel, metric: metric,
                                              zone: tz.flatMap(TimeZone.named))
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
            switch format {
            case .json: print(slots.json.canonicalText)
            case .text, .markdown: print(slots.text)
            }
        }
    }
}

import ArgumentParser

extension Almanac {
    struct Posts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a post's engagement numbers; rank a channel's posting slots by them.",
            discussion: "See docs/posting-times.md for how slots are ranked and what the ranking cannot tell.",
            subcommands: [Metrics.self, Suggest.self])
    }
}

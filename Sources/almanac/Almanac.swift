import ArgumentParser

/// The `almanac` command: it only configures subcommands (one file each under Commands/).
@main
struct Almanac: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac",
        abstract: "Schedules as code: cron jobs and scheduled posts kept as YAML files.",
        subcommands: [])
}

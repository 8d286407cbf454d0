import ArgumentParser
import Scheduler
import Processes
import Daemon

/// The `almanac` command: it only configures subcommands (one file each under Commands/).
@main
struct Almanac: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "almanac",
        abstract: "Schedules as code: cron jobs and scheduled posts kept as YAML files.",
        discussion: "Jobs live in YAML files under a directory (default jobs.d). `almanac run` fires them and keeps a journal in the state directory (default .almanac/ beside the watched directory).",
        version: AlmanacVersion.current,
        subcommands: [Run.self, Validate.self, Plan.self, Status.self, History.self, Logs.self, Backfill.self, Trigger.self, Posts.self, Next.self, Explain.self, Database.self, JournalCommand.self])
}

import Foundation
import Journal

// almanac-bench: `swift run -c release almanac-bench [section...]` prints one table.
// Each section lives in its own file (CronBench.swift, ManifestBench.swift, …).
let sections: [(String, () async throws -> [BenchResult])] = [
    ("spawn", SpawnBench.run),
    ("manifest", ManifestBench.run),
    ("runner", RunnerBench.run),
    ("lateness", LatenessBench.run),
    ("cron", CronBench.run),
    ("journal", JournalBench.run),
    ("git", GitBench.run),
    ("git-poll", GitPollBench.run),
    ("cluster", ClusterBench.run),
]

if CommandLine.arguments.dropFirst().first == "--rss-child" {
    try await RunnerBench.rssChild()
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "--replay", CommandLine.arguments.count > 2 {
    // For profilers: replays (writing it first if absent) the journal bench's 1M-event file.
    try await JournalBench.replayOnly(directory: URL(fileURLWithPath: CommandLine.arguments[2]))
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "--decode", CommandLine.arguments.count > 3, let count = Int(CommandLine.arguments[3]) {
    // For instruction counters (callgrind): decodes the first COUNT lines of DIR's journal.
    let lines = try JournalBench.firstLines(of: URL(fileURLWithPath: CommandLine.arguments[2]).appendingPathComponent("journal.jsonl"),
                                            count: count)
    print(ProcessInfo.processInfo.environment["ALMANAC_BENCH_APPLY"] == nil
          ? "decoded \(try DecodePaths.scanner(lines)) lines"
          : "applied \(lines.count) lines to \(try DecodePaths.decodeAndApply(lines)) jobs")
    exit(0)
}

let wanted = Set(CommandLine.arguments.dropFirst())
var rows: [BenchResult] = []
for (name, run) in sections where wanted.isEmpty || wanted.contains(name) {
    do { rows += try await run() } catch { print("\(name): error: \(error)") }
}
print(renderTable(rows))

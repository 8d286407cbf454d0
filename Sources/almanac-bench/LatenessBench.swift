import Foundation
import Glibc
import Journal
import Manifest
import Scheduler
import Processes
import Daemon

/// Fire lateness with both cores busy: the real runner (its thread, its journal, real child
/// processes) fires 30 one-second jobs while two spinning nice-0 processes keep every CPU
/// busy, and the lateness each `finished` event journals (`lateUs`: the planned instant to the
/// spawn's return) is read back from the journal file.
///
/// The jobs are spread over the second by their jitter (a hash of the name), as in
/// `scripts/bench-http.py`, so each fire is measured on its own rather than behind 29 others.
/// `ALMANAC_BENCH_LATENESS_SECONDS` (20 by default; 0 skips it) sets how long it runs.
enum LatenessBench {
    static let jobs = 30
    /// Fires of the first seconds fault in pages and caches; they are not counted.
    static let warmUpSeconds = 2

    static func run() async throws -> [BenchResult] {
        let seconds = Int(ProcessInfo.processInfo.environment["ALMANAC_BENCH_LATENESS_SECONDS"] ?? "") ?? 20
        guard seconds > 0 else { return [] }
        let spinners = try (0..<2).map { _ in try spin() }
        defer {
            for pid in spinners { kill(pid, SIGKILL) }
            for pid in spinners { var status: Int32 = 0; waitpid(pid, &status, 0) }
        }
        let late = try await measure(seconds: TimeInterval(seconds))
        guard !late.isEmpty else { throw BenchFailure(message: "lateness: no fire was journaled") }
        let p50 = percentile(late, 0.5), p99 = percentile(late, 0.99)
        let label = "\(jobs) one-second jobs, 2 spinning nice-0 processes, \(late.count) fires"
        return [
            BenchResult(section: "lateness", name: "journaled lateness p50 (\(label))", value: p50, unit: "ms",
                        target: "< 2 ms", met: p50 < 2),
            BenchResult(section: "lateness", name: "journaled lateness p99", value: p99, unit: "ms",
                        target: "< 10 ms", met: p99 < 10),
            BenchResult(section: "lateness", name: "journaled lateness max", value: late.max() ?? 0, unit: "ms"),
        ]
    }

    /// Runs the runner for `seconds` and returns the lateness of every counted fire, in ms.
    static func measure(seconds: TimeInterval) async throws -> [Double] {
        let directory = try RunnerBench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = ""
        for i in 0..<jobs {
            text += "name: tick-\(i)\nschedule: \"* * * * * *\"\njitter: 999ms\nrun: [\"/bin/true\"]\n---\n"
        }
        let journal = try FileJournal(directory: directory)
        let executor = ProcessJobLauncher(root: directory, stateDirectory: directory,
                                       environment: ProcessInfo.processInfo.environment)
        // The claim lead `almanac run` uses (ServiceSession).
        let runner = Runner(clock: SystemClock(), journal: journal, launcher: executor,
                            options: Runner.Options(claimLead: .milliseconds(50)))
        let manifest = ManifestLoader.load(files: [SourceFile(path: "tick.yaml", bytes: Array(text.utf8))],
                                           environment: [:], now: Date())
        guard manifest.isValid else { throw BenchFailure(message: "lateness manifest invalid: \(manifest.diagnostics.prefix(2))") }
        try await runner.apply(manifest)
        try await runner.start()
        await runner.run(until: Date().addingTimeInterval(seconds))
        await runner.shutdown()
        try await journal.close()
        let lines = try String(contentsOf: directory.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        let late = lines.split(separator: "\n").compactMap { line -> Double? in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  object["type"] as? String == "finished", let lateUs = object["lateUs"] as? Int else { return nil }
            return Double(lateUs) / 1000
        }
        return Array(late.dropFirst(warmUpSeconds * jobs))
    }

    /// A process that spins until killed, at the bench's own nice (0 when started normally).
    static func spin() throws -> pid_t {
        let arguments: [String] = ["/bin/sh", "-c", "while :; do :; done"]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let code = posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ)
        guard code == 0 else { throw BenchFailure(message: "spinner: posix_spawn: \(String(cString: strerror(code)))") }
        return pid
    }

    /// The nearest-rank percentile of `values`.
    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1))]
    }
}

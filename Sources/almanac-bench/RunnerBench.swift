import Foundation
import Journal
import Manifest
import Reconciler
import Scheduler
import Processes
import Daemon
import Synchronization

/// The runner end to end: timer precision, a burst of due jobs, and memory with 100,000 jobs.
enum RunnerBench {
    static func run() async throws -> [BenchResult] {
        var rows: [BenchResult] = []
        rows += try await burst()
        rows += try rssInChild()
        rows += try await timerPrecision()
        return rows
    }

    /// Records when each child was spawned, against its scheduled time.
    final class TimingLauncher: JobLauncher {
        let inner: ProcessJobLauncher
        let starts = Mutex<[(scheduled: Date, spawned: Date)]>([])

        init(inner: ProcessJobLauncher) { self.inner = inner }

        func start(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle {
            let handle = try await inner.start(job, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy)
            let spawned = Date()
            starts.withLock { $0.append((occurrence.scheduledAt, spawned)) }
            return handle
        }
    }

    static func makeRunner(_ yaml: [SourceFile], in directory: URL) async throws -> (Runner, FileJournal, TimingLauncher) {
        let journal = try FileJournal(directory: directory)
        let executor = TimingLauncher(inner: ProcessJobLauncher(root: directory, stateDirectory: directory,
                                                             environment: ProcessInfo.processInfo.environment))
        let runner = Runner(clock: SystemClock(), journal: journal, launcher: executor,
                            options: Runner.Options(claimLead: .milliseconds(20)))
        let manifest = ManifestLoader.load(files: yaml, environment: [:], now: Date())
        guard manifest.isValid else { throw BenchFailure(message: "bench manifest invalid: \(manifest.diagnostics.prefix(2))") }
        try await runner.apply(manifest)
        try await runner.start()
        return (runner, journal, executor)
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("almanac-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// 1,000 jobs due in the same second, each `/bin/true`: the rate at which they all start,
    /// against a raw posix_spawn loop in the same run.
    static func burst() async throws -> [BenchResult] {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let due = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 4).rounded(.down))
        let second = Int(due.timeIntervalSince1970) % 60
        let minute = Int(due.timeIntervalSince1970) / 60 % 60
        var text = ""
        for i in 0..<1000 {
            text += "name: burst-\(i)\nschedule: \"\(second) \(minute) * * * *\"\nrun: [\"/bin/true\"]\nconcurrency: allow\n---\n"
        }
        let (runner, journal, executor) = try await makeRunner([SourceFile(path: "burst.yaml", bytes: Array(text.utf8))], in: directory)
        let loop = Task { await runner.run(until: due.addingTimeInterval(30)) }
        while executor.starts.withLock({ $0.count }) < 1000 && Date() < due.addingTimeInterval(30) {
            try await Task.sleep(for: .milliseconds(5))
        }
        let starts = executor.starts.withLock { $0 }
        await runner.stop()
        await loop.value
        await runner.shutdown()
        let state = await journal.state()
        try await journal.close()
        let journaled = state.jobs.values.reduce(0) { $0 + $1.history.count + $1.running.count }
        guard let last = starts.map(\.spawned).max(), starts.count == 1000 else {
            throw BenchFailure(message: "burst: only \(starts.count) of 1000 started")
        }
        let elapsed = last.timeIntervalSince(due)
        let rate = 1000 / elapsed
        let raw = try SpawnBench.rawLoop(count: 1000)
        let rawRate = 1000 / raw
        return [
            BenchResult(section: "runner", name: "burst: 1,000 due jobs all started (\(journaled) journaled)", value: elapsed * 1000,
                        unit: "ms"),
            BenchResult(section: "runner", name: "burst start rate vs raw posix_spawn loop", value: rate, unit: "starts/s",
                        peer: "raw loop", peerValue: rawRate, target: "≥ 65% of raw", met: rate >= 0.65 * rawRate),
        ]
    }

    /// 200 single fires of a 1-second schedule: p50/p99 of (child spawned − scheduled time).
    static func timerPrecision() async throws -> [BenchResult] {
        let fires = Int(ProcessInfo.processInfo.environment["ALMANAC_BENCH_TIMER_FIRES"] ?? "") ?? 200
        guard fires > 0 else { return [] }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let yaml = "name: tick\nschedule: \"* * * * * *\"\nrun: [\"/bin/true\"]\n"
        let (runner, journal, executor) = try await makeRunner([SourceFile(path: "tick.yaml", bytes: Array(yaml.utf8))], in: directory)
        let loop = Task { await runner.run() }
        while executor.starts.withLock({ $0.count }) < fires {
            try await Task.sleep(for: .milliseconds(100))
        }
        await runner.stop()
        await loop.value
        await runner.shutdown()
        try await journal.close()
        let lateness = executor.starts.withLock { $0 }.prefix(fires).map { $0.spawned.timeIntervalSince($0.scheduled) * 1000 }.sorted()
        func percentile(_ p: Double) -> Double { lateness[min(lateness.count - 1, Int((p * Double(lateness.count)).rounded(.up)) - 1)] }
        return [
            BenchResult(section: "runner", name: "timer lateness p50 (\(fires) fires, child spawned − scheduled)", value: percentile(0.5), unit: "ms"),
            BenchResult(section: "runner", name: "timer lateness p99", value: percentile(0.99), unit: "ms", target: "< 5 ms",
                        met: percentile(0.99) < 5),
        ]
    }

    /// Resident memory with 100,000 jobs loaded and scheduled, measured in a child process of
    /// this benchmark so earlier sections' allocations don't count.
    static func rssInChild() throws -> [BenchResult] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = ["--rss-child"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let numbers = output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard numbers.count == 3 else { throw BenchFailure(message: "rss child printed '\(output)'") }
        return [
            BenchResult(section: "runner", name: "RSS after loading 100,000 jobs", value: numbers[0], unit: "MB"),
            BenchResult(section: "runner", name: "RSS after applying them (journal state)", value: numbers[1], unit: "MB"),
            BenchResult(section: "runner", name: "RSS with 100,000 jobs loaded and scheduled", value: numbers[2], unit: "MB",
                        target: "< 200 MB", met: numbers[2] < 200),
        ]
    }

    /// Like the runner service, the manifest lives only until it is applied; returns the RSS
    /// right after loading.
    static func loadAndApply(_ files: [SourceFile], into runner: Runner) async throws -> Double {
        let manifest = ManifestLoader.load(files: files, environment: [:], now: Date())
        guard manifest.isValid else { throw BenchFailure(message: "bench manifest invalid") }
        let loaded = residentMB()
        try await runner.apply(manifest)
        return loaded
    }

    static func residentMB() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let kb = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } } ?? 0
        return kb / 1024
    }

    /// The child side of `rssInChild`: loads, applies and schedules 100,000 jobs, prints VmRSS
    /// in MB after each phase (load, apply, scheduled).
    static func rssChild() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let zones = ["UTC", "Europe/London", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
        var files: [SourceFile] = []
        for f in 0..<1000 {
            var text = ""
            for j in 0..<100 {
                let i = f * 100 + j
                text += "name: job-\(i)\nschedule: \"\(i % 60) \(i % 24) * * *\"\ntimezone: \(zones[i % zones.count])\nrun: [\"/bin/true\", \"\(i)\"]\n---\n"
            }
            files.append(SourceFile(path: "team-\(f / 100)/jobs-\(f).yaml", bytes: Array(text.utf8)))
        }
        let journal = try FileJournal(directory: directory)
        let runner = Runner(clock: SystemClock(), journal: journal, launcher: ProcessJobLauncher(
            root: directory, stateDirectory: directory, environment: [:]))
        let loaded = try await loadAndApply(files, into: runner)
        files = []
        let applied = residentMB()
        try await runner.start()
        let scheduled = await runner.queuedCount
        guard scheduled == 100_000 else { throw BenchFailure(message: "scheduled \(scheduled) of 100000") }
        try await journal.close()
        print(String(format: "%.1f %.1f %.1f", loaded, applied, residentMB()))
    }
}

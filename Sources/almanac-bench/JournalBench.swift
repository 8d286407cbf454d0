import Foundation
import Journal

/// Journal numbers: replay of a million events, append throughput with fsync, compaction.
enum JournalBench {
    static func run() async throws -> [BenchResult] {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-bench-journal-\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        var rows: [BenchResult] = []

        // 1,000,000 events: 50 hourly jobs, started/finished pairs with ~100-byte output tails.
        let journal = try FileJournal(directory: dir.appendingPathComponent("big"))
        let total = 1_000_000
        var written = 0, run = 0
        while written < total {
            let batch = workload(run: &run, jobs: 50, limit: min(10_000, total - written))
            _ = try await journal.append(batch)
            written += batch.count
        }
        try await journal.close()
        let file = journal.fileURL
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        var report = ReplayReport(state: JournalState())
        let replaySeconds = try secondsFor { report = try FileJournal.replay(file: file) }
        let peer = pythonParseSeconds(file: file, lines: 100_000).map { $0 * Double(total) / 100_000 }
        rows.append(BenchResult(section: "journal", name: "replay 1,000,000 events (\(size / 1_000_000) MB)",
                                value: replaySeconds, unit: "s", peer: peer == nil ? nil : "python3 json.loads per line (parse only, ×10 of 100k)",
                                peerValue: peer, target: "< 1.5 s", met: replaySeconds < 1.5))
        rows.append(BenchResult(section: "journal", name: "replay throughput",
                                value: Double(report.events) / replaySeconds / 1e6, unit: "M events/s"))
        rows += try decodeRows(file: file, lines: 100_000)

        // Compaction of that journal with default retention (30 days, 1000 per job).
        let writer = try FileJournal(directory: dir.appendingPathComponent("big"))
        let clock = ContinuousClock()
        var start = clock.now
        try await writer.compact(now: start0.addingTimeInterval(Double(run) * 3600), retention: Retention())
        let compactSeconds = seconds(clock.now - start)
        try await writer.close()
        rows.append(BenchResult(section: "journal", name: "compact 1,000,000 events → snapshot", value: compactSeconds, unit: "s"))
        let snapshotSeconds = try secondsFor { _ = try FileJournal.replay(file: file) }
        rows.append(BenchResult(section: "journal", name: "replay compacted snapshot", value: snapshotSeconds * 1000, unit: "ms"))

        // Append throughput with fsync: one appender awaiting each event, then 64 at once.
        for appenders in [1, 64] {
            let j = try FileJournal(directory: dir.appendingPathComponent("append-\(appenders)"))
            let perAppender = appenders == 1 ? 300 : 40
            start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for a in 0..<appenders {
                    group.addTask {
                        for i in 0..<perAppender {
                            _ = try await j.append(JournalEvent(at: start0, .notified(.init(job: "job-\(a)", status: i))))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = seconds(clock.now - start)
            let fsyncs = await j.fsyncCount
            try await j.close()
            let events = appenders * perAppender
            rows.append(BenchResult(section: "journal",
                                    name: "append+fsync, \(appenders) appender\(appenders == 1 ? "" : "s") (\(String(format: "%.1f", Double(events) / Double(fsyncs))) events/fsync)",
                                    value: Double(events) / elapsed, unit: "events/s"))
        }
        return rows
    }

    /// The first `count` lines of `file`, for `--decode`: cut out one by one, since splitting the
    /// whole 276 MB journal cost more instructions than decoding the lines did.
    static func firstLines(of file: URL, count: Int) throws -> [[UInt8]] {
        let data = try Data(contentsOf: file)
        return data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lines: [[UInt8]] = []
            var start = 0
            while lines.count < count, start < bytes.count,
                  let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(Array(bytes[start..<end]))
                start = end + 1
            }
            return lines
        }
    }

    /// `almanac-bench --replay DIR`: the 1,000,000-event journal in DIR (written when absent),
    /// replayed once and timed; nothing else runs, so a profiler sees only the replay.
    static func replayOnly(directory: URL) async throws {
        let file = directory.appendingPathComponent("journal.jsonl")
        if !FileManager.default.fileExists(atPath: file.path) {
            let journal = try FileJournal(directory: directory)
            var (written, run) = (0, 0)
            while written < 1_000_000 {
                let batch = workload(run: &run, jobs: 50, limit: min(10_000, 1_000_000 - written))
                _ = try await journal.append(batch)
                written += batch.count
            }
            try await journal.close()
        }
        var events = 0
        let elapsed = try secondsFor { events = try FileJournal.replay(file: file).events }
        print("replayed \(events) events in \(String(format: "%.2f", elapsed)) s")
        let phases = try DecodePaths.phases(file: file)
        print("one thread: decode \(phases.events) in \(String(format: "%.2f", phases.decode)) s, "
              + "apply in \(String(format: "%.2f", phases.apply)) s")
    }

    private static let start0 = Date(timeIntervalSince1970: 1_772_953_200)

    /// The journal's own line reader against Foundation's `JSONDecoder` over the same lines:
    /// the measured reason EventCodec keeps a hand-written scanner.
    private static func decodeRows(file: URL, lines count: Int) throws -> [BenchResult] {
        let data = try Data(contentsOf: file)
        let lines = data.split(separator: UInt8(ascii: "\n")).prefix(count).map { [UInt8]($0) }
        var decoded = 0
        let scanner = try secondsFor { decoded = try DecodePaths.scanner(lines) }
        let foundation = try secondsFor { decoded = try DecodePaths.foundation(lines) }
        _ = decoded
        return [BenchResult(section: "journal", name: "decode 100,000 lines (journal scanner)", value: scanner * 1000,
                            unit: "ms", peer: "Foundation JSONDecoder, same lines", peerValue: foundation * 1000)]
    }

    /// Up to `limit` events of hourly runs from `run` on: started + finished, a retry or skip now and then.
    private static func workload(run r: inout Int, jobs: Int, limit: Int) -> [JournalEvent] {
        var events: [JournalEvent] = []
        events.reserveCapacity(limit)
        if r == 0 {
            for j in 0..<jobs {
                events.append(JournalEvent(at: start0, .applied(.init(job: "job-\(j)", hash: "sha256:\(j)", kind: "job",
                                                                      source: "jobs.d/j.yaml:1:1", fields: ["schedule": "@hourly", "run": "./job.sh"]))))
            }
        }
        while events.count < limit {
            for j in 0..<jobs where events.count + 2 <= limit {
                let scheduled = start0.addingTimeInterval(Double(r) * 3600)
                let job = "job-\(j)"
                if (r + j) % 23 == 0 {
                    events.append(JournalEvent(at: scheduled, .skipped(.init(job: job, scheduledAt: scheduled, reason: .overlap))))
                    continue
                }
                let ok = (r * 7 + j) % 10 != 0
                events.append(JournalEvent(at: scheduled.addingTimeInterval(0.012), .started(.init(
                    job: job, scheduledAt: scheduled, attempt: 1, triggeredBy: .schedule, pid: 10_000 + r % 50_000))))
                let metrics = ExecutionMetrics(
                    outcome: ok ? .success : .failure, exitCode: ok ? 0 : 1, durationMs: 2333, errorClass: ok ? nil : .exit,
                    cpuUserMs: 120, cpuSystemMs: 30, maxRSSKB: 20_480, logPath: "/var/lib/almanac/logs/\(job)/\(r).log",
                    outputTail: "backup \(job) run \(r): copied 1234 files (56.7 MB) to s3://bucket/\(job)/ in 2.3 s\n")
                events.append(JournalEvent(at: scheduled.addingTimeInterval(2.345), .finished(.init(
                    job: job, scheduledAt: scheduled, attempt: 1, metrics: metrics))))
            }
            r += 1
            if events.count + 2 > limit { break }
        }
        return events
    }

    /// Seconds CPython's C json parser takes for the first `lines` lines: a yardstick for this machine.
    private static func pythonParseSeconds(file: URL, lines: Int) -> Double? {
        let script = """
            import itertools, json, sys, time
            f = open(sys.argv[1], 'rb'); rows = list(itertools.islice(f, int(sys.argv[2])))
            t = time.perf_counter()
            for row in rows: json.loads(row)
            print(time.perf_counter() - t)
            """
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path, String(lines)]
        process.standardOutput = output
        guard (try? process.run()) != nil else { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

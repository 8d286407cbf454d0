import Executors
import Foundation
import Journal
import Manifest
import PostgresJournal
import PostgresTestSupport
import Processes
import Scheduler

/// The cluster firing real children (docs/cluster.md): 1,000 `/bin/true` jobs due in the same
/// second across three runners on one PostgreSQL journal, each on its own thread as three
/// processes would be, and the fire lateness of 30 jobs on the database backend; the file
/// backend measured alongside in the same run.
enum ClusterFireBench {
    static let burstJobs = 1000

    static func run() async throws -> [BenchResult] {
        let (cluster, clusterStarted) = try await burst(runners: 3)
        let (_, fileStarted) = try await burst(runners: 0)
        let databaseLate = try await lateness(database: true)
        let fileLate = try await lateness(database: false)
        let p50 = LatenessBench.percentile(databaseLate, 0.5), p99 = LatenessBench.percentile(databaseLate, 0.99)
        return [
            BenchResult(section: "cluster", name: "\(burstJobs) /bin/true jobs due in one second across 3 runners: the last started after (\(cluster) started, each once)",
                        value: clusterStarted * 1000, unit: "ms", peer: "file journal, one runner", peerValue: fileStarted * 1000,
                        target: "< 1,500 ms", met: clusterStarted < 1.5),
            BenchResult(section: "cluster", name: "fire lateness p50, PostgreSQL journal (30 one-second jobs, \(databaseLate.count) fires; local server, fsync off)",
                        value: p50, unit: "ms", peer: "file journal", peerValue: LatenessBench.percentile(fileLate, 0.5)),
            BenchResult(section: "cluster", name: "fire lateness p99, PostgreSQL journal", value: p99, unit: "ms", peer: "file journal",
                        peerValue: LatenessBench.percentile(fileLate, 0.99), target: "< 10 ms", met: p99 < 10),
        ]
    }

    /// Runners (0: one runner on the file journal) sharing `burstJobs` jobs due at one instant a
    /// few seconds ahead; returns how many attempts started and when the last one did, in
    /// seconds after the instant (the journaled lateness of the latest).
    static func burst(runners count: Int) async throws -> (Int, Double) {
        let directory = try RunnerBench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let second = (Calendar(identifier: .gregorian).component(.second, from: Date()) + 4) % 60
        var text = ""
        for i in 0..<burstJobs { text += "name: burst-\(i)\nschedule: \"\(second) * * * * *\"\nconcurrency: allow\nrun: [\"/bin/true\"]\n---\n" }
        let manifest = ManifestLoader.load(files: [SourceFile(path: "burst.yaml", bytes: Array(text.utf8))], environment: [:], now: Date())
        guard manifest.isValid else { throw BenchFailure(message: "burst manifest invalid: \(manifest.diagnostics.prefix(2))") }
        var journals: [any JournalBackend] = []
        if count == 0 {
            journals.append(try FileJournal(directory: directory))
        } else {
            let url = try await TestPostgres.database()
            for index in 0..<count { journals.append(try await PostgresJournal.open(url, runner: "burst-\(index)")) }
        }
        var runners: [Runner] = []
        for (index, journal) in journals.enumerated() {
            let launcher = ProcessJobLauncher(root: directory, stateDirectory: directory.appendingPathComponent("state-\(index)"),
                                              environment: ProcessInfo.processInfo.environment)
            let runner = Runner(clock: SystemClock(), journal: journal, launcher: launcher,
                                options: Runner.Options(claimLead: .milliseconds(50)),
                                thread: DedicatedExecutor(name: "runner-\(index)", spawnsJobs: true))
            if count > 0 { await runner.setRole(index == 0 ? .leader : .follower) }
            runners.append(runner)
        }
        // The leader first: followers hold the jobs once it has applied them.
        for runner in runners {
            try await runner.apply(manifest)
            try await runner.start()
        }
        let now = Date()
        var due = Calendar(identifier: .gregorian).nextDate(after: now.addingTimeInterval(-1), matching: DateComponents(second: second),
                                                            matchingPolicy: .strict) ?? now
        if due < now { due = now }
        let end = due.addingTimeInterval(3)
        await withTaskGroup(of: Void.self) { group in
            for runner in runners { group.addTask { await runner.run(until: end) } }
        }
        for runner in runners { await runner.shutdown() }
        let state = await journals[0].state()
        for journal in journals { try await journal.close() }
        var started = 0, latest = 0
        for index in 0..<burstJobs {
            let history = state.jobs["burst-\(index)"]?.history ?? []
            started += history.count
            latest = max(latest, history.compactMap(\.metrics.lateUs).max() ?? 0)
        }
        guard started == burstJobs else {
            throw BenchFailure(message: "burst across \(count) runner(s): \(started) attempts started for \(burstJobs) jobs")
        }
        return (started, Double(latest) / 1e6)
    }

    /// The lateness of 30 one-second jobs for 10 s on one runner, journaled by the database
    /// (or the file) backend, in ms, without the first seconds' warm-up.
    static func lateness(database: Bool) async throws -> [Double] {
        let directory = try RunnerBench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var text = ""
        for i in 0..<LatenessBench.jobs { text += "name: tick-\(i)\nschedule: \"* * * * * *\"\njitter: 999ms\nrun: [\"/bin/true\"]\n---\n" }
        let manifest = ManifestLoader.load(files: [SourceFile(path: "tick.yaml", bytes: Array(text.utf8))], environment: [:], now: Date())
        let journal: any JournalBackend = database
            ? try await PostgresJournal.open(try await TestPostgres.database(), runner: "lateness")
            : try FileJournal(directory: directory)
        let launcher = ProcessJobLauncher(root: directory, stateDirectory: directory, environment: ProcessInfo.processInfo.environment)
        let runner = Runner(clock: SystemClock(), journal: journal, launcher: launcher, options: Runner.Options(claimLead: .milliseconds(50)))
        try await runner.apply(manifest)
        try await runner.start()
        await runner.run(until: Date().addingTimeInterval(10))
        await runner.shutdown()
        let state = await journal.state()
        try await journal.close()
        let executions = state.jobs.values.flatMap(\.history).sorted { $0.key.scheduledAt < $1.key.scheduledAt }
        return executions.dropFirst(LatenessBench.warmUpSeconds * LatenessBench.jobs).compactMap(\.metrics.lateUs).map { Double($0) / 1000 }
    }
}

/// Takeover after SIGKILL through the real binary (`almanac` beside `almanac-bench`): two
/// runners, a triggered attempt that sleeps, its runner and its child SIGKILLed (as a
/// supervisor's cgroup would go), and the time until the peer's retry writes its first line.
enum TakeoverBench {
    static func run() async throws -> [BenchResult] {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("almanac")
        guard FileManager.default.isExecutableFile(atPath: binary.path) else {
            print("takeover: not measured, \(binary.path) is missing (swift build -c release --product almanac)")
            return []
        }
        let directory = try RunnerBench.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let jobs = directory.appendingPathComponent("jobs"), effects = directory.appendingPathComponent("effects")
        try FileManager.default.createDirectory(at: jobs, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: effects.path, contents: nil)
        try """
            name: long
            schedule: "0 0 1 1 *"
            retry: {max: 2, initial: 1s}
            run: "echo $ALMANAC_ATTEMPT $PPID $$ >> \(effects.path); sleep 60"
            """.write(to: jobs.appendingPathComponent("long.yaml"), atomically: true, encoding: .utf8)
        let url = try await TestPostgres.database()
        let database = "postgres://\(url.user)@\(url.host):\(url.port)/\(url.database)?sslmode=disable"
        func launch(_ arguments: [String], log: String) throws -> Process {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            _ = FileManager.default.createFile(atPath: directory.appendingPathComponent(log).path, contents: nil)
            let handle = try FileHandle(forWritingTo: directory.appendingPathComponent(log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            return process
        }
        func lines() -> [[Substring]] {
            ((try? String(contentsOf: effects, encoding: .utf8)) ?? "").split(separator: "\n").map { $0.split(separator: " ") }
        }
        func wait(for count: Int, seconds: Double) async throws {
            let deadline = Date().addingTimeInterval(seconds)
            while lines().count < count, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            guard lines().count >= count else { throw BenchFailure(message: "takeover: \(count) run(s) expected, saw \(lines())") }
        }
        let runners = try (0..<2).map { index in
            try launch(["run", jobs.path, "--state", directory.appendingPathComponent("state-\(index)").path, "--database", database,
                        "--drain-timeout", "1s"], log: "runner-\(index).log")
        }
        defer { for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .seconds(3))
        let trigger = try launch(["trigger", "long", "--path", jobs.path, "--database", database], log: "trigger.log")
        trigger.waitUntilExit()
        try await wait(for: 1, seconds: 10)
        let first = lines()[0]
        guard let owner = Int32(first[1]), let child = Int32(first[2]) else { throw BenchFailure(message: "takeover: \(first)") }
        kill(-child, SIGKILL)
        kill(owner, SIGKILL)
        let killed = Date()
        try await wait(for: 2, seconds: 30)
        let seconds = Date().timeIntervalSince(killed)
        for runner in runners where runner.isRunning { kill(runner.processIdentifier, SIGTERM) }
        for runner in runners { runner.waitUntilExit() }
        for line in lines() { if let pid = Int32(line[2]) { kill(-pid, SIGKILL) } }
        return [
            BenchResult(section: "cluster", name: "takeover: SIGKILL of a runner mid-attempt to its retry starting on a peer "
                            + "(10 s lease; Quartz ~15 s, db-scheduler 30 min, Oban 60 min)",
                        value: seconds, unit: "s", target: "≤ 15 s", met: seconds <= 15),
        ]
    }
}

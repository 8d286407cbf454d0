import AlmanacCore
import CronSchedule
import Foundation
import Journal
import Manifest
import Scheduler

/// Runs a job's `run:` as a child process through `ProcessLauncher`.
///
/// Each attempt gets its own log file, `STATE/logs/<job>/<scheduled>-<attempt>.log`, capped at
/// the job's `output.maxBytes` (10 MiB by default; head and tail kept, `LogCap`), and its own
/// `$ALMANAC_RESULT` path; the child sees the runner's environment, the job's `env:`
/// and `ALMANAC_JOB`, `ALMANAC_SCHEDULED_AT`, `ALMANAC_ATTEMPT`, `ALMANAC_TRIGGER`, plus the
/// `ALMANAC_RUN` marker a restarted runner finds leftovers by.
package struct ProcessJobLauncher: JobLauncher {
    package let root: URL
    package let stateDirectory: URL
    package let environment: [String: String]
    package let killGrace: Duration
    /// The state directory's id (`STATE/instance-id`), the first part of each child's marker.
    package let instance: String
    let launcher = ProcessLauncher()

    package init(root: URL, stateDirectory: URL, environment: [String: String], killGrace: Duration = .seconds(5)) {
        self.root = root
        self.stateDirectory = stateDirectory
        self.environment = environment
        self.killGrace = killGrace
        self.instance = StateInstance.id(of: stateDirectory)
    }

    package var runInstance: String? { instance }

    package func leftovers() -> [Leftover] { LeftoverSweep.scan(instance: instance) }

    package func stopLeftovers(_ leftovers: [Leftover], grace: Duration) async -> Set<Int32> {
        await LeftoverSweep.terminate(leftovers, grace: grace)
    }

    package func start(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle {
        try launch(job, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy)
    }

    /// Everything but the spawn: the environment, the resolved executable, the open log file.
    package func prepare(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any PreparedAttempt {
        let (spec, logPath, resultPath) = try processSpec(job, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy)
        return PreparedJobProcess(launcher: launcher, prepared: try launcher.prepare(spec), logPath: logPath, resultPath: resultPath)
    }

    /// Starts the job's command; `environment` is added to the child's (a scan's
    /// `ALMANAC_ACTIVITY`) and `stdin` is written to it.
    package func launch(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String,
                environment extra: [String: String] = [:], stdin: [UInt8]? = nil) throws -> ProcessHandle {
        let (spec, logPath, resultPath) = try processSpec(job, occurrence: occurrence, attempt: attempt, triggeredBy: triggeredBy,
                                                          environment: extra, stdin: stdin)
        let process = try launcher.start(spec)
        return ProcessHandle(process: process, logPath: logPath, resultPath: resultPath)
    }

    /// The child's command, environment (marker included), working directory and files.
    func processSpec(_ job: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String,
                     environment extra: [String: String] = [:], stdin: [UInt8]? = nil) throws -> (ProcessSpec, String, String) {
        guard let command = job.command else {
            throw ProcessError.invalidSpec("job \(job.name) has no run: command")
        }
        let logPath = AttemptFiles.log(in: stateDirectory, job: job.name, scheduledAt: occurrence.scheduledAt, attempt: attempt).path
        let resultPath = AttemptFiles.path("results", in: stateDirectory, job: job.name, scheduledAt: occurrence.scheduledAt,
                                           suffix: String(attempt), ext: "json").path
        try? FileManager.default.createDirectory(atPath: (resultPath as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        var env = environment
        for (key, value) in job.environment { env[key] = value }
        env["ALMANAC_JOB"] = job.name
        env["ALMANAC_SCHEDULED_AT"] = RFC3339.format(occurrence.scheduledAt)
        env["ALMANAC_ATTEMPT"] = String(attempt)
        env["ALMANAC_TRIGGER"] = triggeredBy
        env["ALMANAC_RESULT"] = resultPath
        for (key, value) in extra { env[key] = value }
        env = RunMarker(instance: instance, key: occurrence, attempt: attempt).stamped(env)
        let workdir = job.workdir.hasPrefix("/") ? job.workdir : root.appendingPathComponent(job.workdir).standardizedFileURL.path
        var spec = ProcessSpec(
            command: Self.processCommand(command), workdir: workdir, environment: env, logPath: logPath,
            timeout: job.timeout, killGrace: killGrace, stdin: stdin, resultPath: resultPath, limits: Self.limits(job),
            secrets: job.secrets, shownCommand: Self.shownCommand(job), shownWorkdir: Self.shownWorkdir(job))
        spec.outputLimit = Int64(clamping: job.output?.maxBytes ?? OutputPolicy.defaultMaxBytes)
        return (spec, logPath, resultPath)
    }

    /// The command as written, when `${VAR}`s made the one that runs differ from it.
    static func shownCommand(_ job: JobSpec) -> ProcessCommand? {
        guard let template = job.commandTemplate, template != job.command else { return nil }
        return processCommand(template)
    }

    /// The workdir as written, when it holds a `${VAR}`.
    static func shownWorkdir(_ job: JobSpec) -> String? {
        job.workdirTemplate == job.workdir ? nil : job.workdirTemplate
    }

    package static func processCommand(_ command: Command) -> ProcessCommand {
        switch command {
        case .argv(let argv): .argv(argv)
        case .shell(let script): .shell(script)
        }
    }

    static func limits(_ job: JobSpec) -> ProcessLimits {
        guard let limits = job.limits else { return .none }
        return ProcessLimits(memoryBytes: limits.memory, cpuSeconds: limits.cpu.map { UInt64(max(1, $0.components.seconds)) })
    }
}

/// A running child, reported in the runner's terms.
package struct ProcessHandle: ExecutionHandle {
    let process: RunningProcess
    let logPath: String
    let resultPath: String

    package var pid: Int32? { process.pid }

    package func wait() async -> ExecutionReport {
        let result = await process.wait()
        try? FileManager.default.removeItem(atPath: resultPath)
        var report = ExecutionReport(
            outcome: .success, exitCode: result.exitCode.map(Int.init), signal: result.signal.map(Int.init),
            startedAt: result.startedAt, finishedAt: result.finishedAt, outputTail: result.outputTail,
            cpuUserMs: Int(result.cpuUser.milliseconds),
            cpuSystemMs: Int(result.cpuSystem.milliseconds),
            maxRSSKB: result.maxRSSKB, result: result.result?.raw, logPath: logPath, pid: Int(result.pid))
        switch result.outcome {
        case .success: report.outcome = .success
        case .partial: report.outcome = .partial
        case .failure:
            report.outcome = .failure
            report.metrics.errorClass = .exit
        case .timeout:
            report.outcome = .timeout
            report.metrics.errorClass = .timeout
        case .killed:
            report.outcome = .killed
            report.metrics.errorClass = .signal
        }
        return report
    }

    package func terminate(grace: Duration) {
        process.terminate(grace: grace)
    }
}

/// A job's child ready to spawn.
struct PreparedJobProcess: PreparedAttempt {
    let launcher: ProcessLauncher
    let prepared: PreparedProcess
    let logPath: String
    let resultPath: String

    func launch() async throws -> any ExecutionHandle {
        ProcessHandle(process: try launcher.launch(prepared), logPath: logPath, resultPath: resultPath)
    }

    func discard() { prepared.discard() }
}

import CLinux
import Foundation
import Glibc
import Scheduler

/// Starts job executions as child processes with `posix_spawn` and reaps them.
///
/// Not Foundation.Process: that costs a thread and several pipes per child and cannot put
/// the child in its own process group. Here a spawn is one `clone(CLONE_VFORK)` + `execve`,
/// stdout and stderr go straight to the log file (no pipe to drain), and one reaper queue
/// collects all children. Creating a launcher sets SIGPIPE to ignored process-wide, so that
/// writing stdin to a child that has gone returns EPIPE instead of killing the runner;
/// children get every signal reset to its default.
package final class ProcessLauncher: Sendable {
    private let reaper = ProcessReaper()

    /// A launcher with its own reaper queue; one per runner is enough.
    package init() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Spawns the child described by `spec`; returns once its pid is known.
    ///
    /// `startedAt` is taken right after the spawn. Every failure before the child runs —
    /// bad workdir, command not on the child's PATH, ENOENT/EACCES from exec, an unopenable
    /// log — is thrown as a `ProcessError`; nothing is left behind but the log file.
    package func start(_ spec: ProcessSpec) throws(ProcessError) -> RunningProcess {
        try launch(prepare(spec))
    }

    /// Resolves the executable and working directory, builds the environment and opens the log
    /// (and the stdin and output pipes): all the work of a start that can happen before the instant.
    ///
    /// Errors name the spec's `shownCommand`/`shownWorkdir`, never paths made of `${VAR}` values.
    package func prepare(_ spec: ProcessSpec) throws(ProcessError) -> PreparedProcess {
        do {
            return try resolve(spec)
        } catch {
            throw error.shown(for: spec)
        }
    }

    private func resolve(_ spec: ProcessSpec) throws(ProcessError) -> PreparedProcess {
        let workdir = try ExecutableResolver.directory(spec.workdir)
        var arguments = spec.command.arguments
        guard let name = arguments.first else { throw .invalidSpec("empty command") }
        arguments[0] = try ExecutableResolver.executable(name, searchPath: spec.environment["PATH"], workdir: workdir)
        var environment = spec.environment
        if let resultPath = spec.resultPath, environment["ALMANAC_RESULT"] == nil { environment["ALMANAC_RESULT"] = resultPath }
        let envp = environment.map { "\($0.key)=\($0.value)" }
        guard !(arguments + envp).contains(where: { $0.utf8.contains(0) }) else {
            throw .invalidSpec("NUL byte in an argument or environment variable")
        }
        // A stale file from an earlier attempt must not pass for this execution's result.
        // Removed here, not at the instant: an unlink can wait on the filesystem's journal.
        if let resultPath = spec.resultPath { unlink(resultPath) }
        let (logFD, logStart) = try Self.openLog(spec.logPath)
        var stdinPipe: PreparedProcess.Pipe?
        var outputPipe: PreparedProcess.OutputPipe?
        do throws(ProcessError) {
            if spec.stdin != nil { stdinPipe = try Self.pipe() }
            if !spec.secrets.isEmpty { outputPipe = try Self.outputPipe(logFD: logFD) }
        } catch {
            close(logFD)
            if let stdinPipe { stdinPipe.close() }
            throw error
        }
        return PreparedProcess(spec: spec, arguments: arguments, envp: envp, workdir: workdir, logFD: logFD,
                               logStart: logStart, stdinPipe: stdinPipe, outputPipe: outputPipe)
    }

    /// A close-on-exec pipe with both ends above the stdio descriptors.
    private static func pipe() throws(ProcessError) -> PreparedProcess.Pipe {
        var fds: [Int32] = [-1, -1]
        guard almanac_pipe_cloexec(&fds) == 0 else { throw .system(call: "pipe2", errno: errno) }
        return .init(read: aboveStdio(fds[0]), write: aboveStdio(fds[1]))
    }

    /// The pipe a masked child writes its output to, and the pump's own descriptor of the log.
    private static func outputPipe(logFD: Int32) throws(ProcessError) -> PreparedProcess.OutputPipe {
        let pipe = try pipe()
        _ = fcntl(pipe.read, F_SETFL, fcntl(pipe.read, F_GETFL) | O_NONBLOCK)
        let log = fcntl(logFD, F_DUPFD_CLOEXEC, 3)
        guard log >= 0 else {
            let code = errno
            pipe.close()
            throw .system(call: "fcntl(F_DUPFD_CLOEXEC)", errno: code)
        }
        return .init(pipe: pipe, log: log)
    }

    /// Spawns a prepared child and watches it: the only step on the fire's clock.
    ///
    /// The child execs with the launching thread's nice and scheduler slice (the runner's thread
    /// asks for a short slice so the exec is not held up behind a busy CPU, Executors), and is
    /// made ordinary, SCHED_OTHER at nice 0 with the default slice, as soon as the spawn returns.
    package func launch(_ prepared: PreparedProcess) throws(ProcessError) -> RunningProcess {
        let process: RunningProcess
        do {
            process = try spawn(prepared)
        } catch {
            throw error.shown(for: prepared.spec)
        }
        return adopt(process, prepared)
    }

    /// `posix_spawn`, then the child's limits; `startedAt` is taken right after the spawn.
    private func spawn(_ prepared: PreparedProcess) throws(ProcessError) -> RunningProcess {
        let spec = prepared.spec
        let (logFD, stdinPipe, arguments) = (prepared.logFD, prepared.stdinPipe, prepared.arguments)
        var pid: pid_t = 0
        let code = SpawnCall.spawn(
            &pid, path: arguments[0], arguments: arguments, environment: prepared.envp,
            workdir: prepared.workdir, outputFD: prepared.outputPipe?.pipe.write ?? logFD, stdinFD: stdinPipe?.read)
        let startedAt = Date()
        if let read = stdinPipe?.read { close(read) }
        // The child holds the write end now: the pump sees end of file when the last holder exits.
        if let write = prepared.outputPipe?.pipe.write { close(write) }
        guard code == 0 else {
            close(logFD)
            if let write = stdinPipe?.write { close(write) }
            prepared.outputPipe?.closeReading()
            throw .spawn(path: arguments[0], errno: code)
        }
        // The child exec'd with the spawning thread's short slice (and nice); from here it is an
        // ordinary process. Off the fire's clock: `startedAt` is taken.
        _ = almanac_process_make_ordinary(pid)
        if !spec.limits.isEmpty, let failure = Self.applyLimits(spec.limits, to: pid) {
            close(logFD)
            if let write = stdinPipe?.write { close(write) }
            prepared.outputPipe?.closeReading()
            throw failure
        }
        return RunningProcess(
            pid: pid, startedAt: startedAt, logFD: logFD, logStart: prepared.logStart, resultPath: spec.resultPath,
            logCap: spec.outputLimit.map { LogCap(maxBytes: $0) })
    }

    /// Collects the child's exit on the reaper, arms its timeout and feeds its stdin.
    private func adopt(_ process: RunningProcess, _ prepared: PreparedProcess) -> RunningProcess {
        let spec = prepared.spec
        // Before the reaper watches: a child that exits at once still finds its pump to wait for.
        if let output = prepared.outputPipe {
            process.attach(OutputPump(readFD: output.pipe.read, logFD: output.log, mask: spec.secrets))
        }
        reaper.watch(process)
        if let timeout = spec.timeout { process.scheduleTimeout(after: timeout, grace: spec.killGrace) }
        process.scheduleLogCap()
        if let write = prepared.stdinPipe?.write, let bytes = spec.stdin { StdinWriter.deliver(bytes, to: write) }
        return process
    }

    /// Opens (creating 0600, with 0700 parent dirs) the log for appending; returns the fd and its size.
    static func openLog(_ path: String) throws(ProcessError) -> (fd: Int32, start: Int64) {
        let flags = O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC
        var fd = open(path, flags, 0o600)
        if fd < 0, errno == ENOENT {
            createParents(of: path)
            fd = open(path, flags, 0o600)
        }
        guard fd >= 0 else { throw .logFile(path: path, errno: errno) }
        fd = aboveStdio(fd)
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let code = errno
            close(fd)
            throw .logFile(path: path, errno: code)
        }
        return (fd, Int64(info.st_size))
    }

    private static func createParents(of path: String) {
        var prefix = ""
        for component in path.split(separator: "/", omittingEmptySubsequences: false).dropLast() {
            prefix += (prefix.isEmpty && !path.hasPrefix("/") ? "" : "/") + component
            if !component.isEmpty { mkdir(prefix, 0o700) }
        }
    }

    /// Moves an fd out of 0…2, where the child's dup2 of stdio would clobber it.
    ///
    /// Only matters for a daemon started with stdin or stdout closed.
    static func aboveStdio(_ fd: Int32) -> Int32 {
        guard fd >= 0, fd < 3 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        guard moved >= 0 else { return fd }
        close(fd)
        return moved
    }

    /// Applies the limits with prlimit; on failure kills and reaps the child and returns the error.
    private static func applyLimits(_ limits: ProcessLimits, to pid: pid_t) -> ProcessError? {
        func set(_ resource: __rlimit_resource, _ current: rlim_t, _ maximum: rlim_t) -> Int32 {
            var limit = rlimit(rlim_cur: current, rlim_max: maximum)
            return almanac_prlimit(pid, Int32(resource.rawValue), &limit) == 0 ? 0 : errno
        }
        var failure: Int32 = 0
        if let bytes = limits.memoryBytes { failure = set(RLIMIT_AS, rlim_t(bytes), rlim_t(bytes)) }
        if failure == 0, let seconds = limits.cpuSeconds { failure = set(RLIMIT_CPU, rlim_t(seconds), rlim_t(seconds + 1)) }
        guard failure != 0 else { return nil }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        return .limits(errno: failure)
    }
}

/// A child ready to spawn: what `ProcessLauncher.prepare` resolved and opened.
package struct PreparedProcess: Sendable {
    struct Pipe: Sendable {
        let read: Int32
        let write: Int32

        func close() {
            Glibc.close(read)
            Glibc.close(write)
        }
    }

    /// The masked child's output pipe and a descriptor of the log for the pump.
    struct OutputPipe: Sendable {
        let pipe: Pipe
        let log: Int32

        /// Closes what the parent keeps after the spawn closed the write end.
        func closeReading() {
            close(pipe.read)
            close(log)
        }
    }

    let spec: ProcessSpec
    let arguments: [String]
    let envp: [String]
    let workdir: String
    let logFD: Int32
    let logStart: Int64
    let stdinPipe: Pipe?
    let outputPipe: OutputPipe?

    /// Closes the log and pipe descriptors of a child that will not be spawned.
    package func discard() {
        close(logFD)
        stdinPipe?.close()
        if let outputPipe {
            outputPipe.pipe.close()
            close(outputPipe.log)
        }
    }
}

import Foundation
import Manifest
import Scheduler

/// What to execute: an argument vector, or a shell script run with `/bin/sh -c`.
///
/// A job's `run:` is a list (argv, no shell involved) or a string (shell), so both shapes
/// reach the launcher unchanged and quoting stays the author's business.
package enum ProcessCommand: Sendable, Hashable {
    /// `argv[0]` without `/` is looked up on the child's `PATH`; a relative path resolves against the workdir.
    case argv([String])
    /// Run with `/bin/sh -c script`.
    case shell(String)

    /// The argument vector handed to the kernel, before `argv[0]` is resolved.
    var arguments: [String] {
        switch self {
        case .argv(let argv): argv
        case .shell(let script): ["/bin/sh", "-c", script]
        }
    }
}

/// Resource limits applied to one child with `prlimit(2)`.
///
/// posix_spawn cannot call setrlimit in the child, so the limits are set right after the
/// spawn returns: the child runs unlimited for the few microseconds in between.
package struct ProcessLimits: Sendable, Hashable {
    /// Address-space limit (`RLIMIT_AS`), the only memory limit Linux enforces per process.
    package var memoryBytes: UInt64?
    /// CPU-time limit (`RLIMIT_CPU`): SIGXCPU at the limit, SIGKILL one second later.
    package var cpuSeconds: UInt64?

    /// Limits with both values optional; `nil` leaves the inherited limit.
    package init(memoryBytes: UInt64? = nil, cpuSeconds: UInt64? = nil) {
        self.memoryBytes = memoryBytes
        self.cpuSeconds = cpuSeconds
    }

    /// No limits: the child inherits the runner's.
    package static let none = ProcessLimits()

    var isEmpty: Bool { memoryBytes == nil && cpuSeconds == nil }
}

/// Everything needed to run one execution of a job as a child process.
///
/// The spec is complete on its own: the caller merges the environment (runner's, job's,
/// `ALMANAC_*`), so the launcher never reads its own environment behind the caller's back.
package struct ProcessSpec: Sendable {
    /// The program and its arguments.
    package var command: ProcessCommand
    /// The child's working directory; relative paths resolve against the runner's cwd.
    package var workdir: String
    /// The child's full environment (nothing is inherited implicitly).
    package var environment: [String: String]
    /// stdout and stderr are appended here; the file is created 0600, with parent dirs (0700).
    package var logPath: String
    /// Wall-clock limit; at the deadline the process group gets SIGTERM, then SIGKILL after `killGrace`.
    package var timeout: Duration?
    /// Time between SIGTERM and SIGKILL when a timeout fires.
    package var killGrace: Duration
    /// Bytes written to the child's stdin (posts and scans send JSON); `nil` means /dev/null.
    package var stdin: [UInt8]?
    /// The `$ALMANAC_RESULT` file, removed before the spawn and read after the exit.
    ///
    /// When set and `environment` has no `ALMANAC_RESULT`, the launcher adds it.
    package var resultPath: String?
    /// Optional per-child resource limits.
    package var limits: ProcessLimits
    /// The most bytes this execution may leave in its log (head and tail kept, `LogCap`);
    /// nil for no cap.
    package var outputLimit: Int64? = nil
    /// Values masked (`***`) out of the child's output before it reaches the log; with any,
    /// the output goes through a pipe and `OutputPump` instead of straight to the file.
    package var secrets: SecretMask
    /// The command and workdir as written (`${VAR}` kept), for error messages: a spawn or
    /// chdir failure names these, never the substituted values.
    package var shownCommand: ProcessCommand?
    package var shownWorkdir: String?

    /// A spec with the defaults a job gets: no timeout, 5 s kill grace, stdin from /dev/null.
    package init(
        command: ProcessCommand,
        workdir: String = ".",
        environment: [String: String],
        logPath: String,
        timeout: Duration? = nil,
        killGrace: Duration = .seconds(5),
        stdin: [UInt8]? = nil,
        resultPath: String? = nil,
        limits: ProcessLimits = .none,
        secrets: SecretMask = .none,
        shownCommand: ProcessCommand? = nil,
        shownWorkdir: String? = nil
    ) {
        self.command = command
        self.workdir = workdir
        self.environment = environment
        self.logPath = logPath
        self.timeout = timeout
        self.killGrace = killGrace
        self.stdin = stdin
        self.resultPath = resultPath
        self.limits = limits
        self.secrets = secrets
        self.shownCommand = shownCommand
        self.shownWorkdir = shownWorkdir
    }
}

import Glibc
import Manifest
import Scheduler

/// Why a child process could not be started, or why the runner around it had to stop.
///
/// Spawning fails before any user code runs, so every case names the path involved and
/// the system's reason; the runner journals the text as the execution's error.
package enum ProcessError: Error, CustomStringConvertible, Equatable {
    /// The spec cannot describe a process (empty argv, a NUL byte in an argument …).
    case invalidSpec(String)
    /// `argv[0]` has no `/` and is not an executable file in any `PATH` directory.
    case commandNotFound(name: String, searchPath: String)
    /// The working directory is missing or not a directory.
    case workdir(path: String, errno: Int32)
    /// The log file (or its parent directories) could not be opened or created.
    case logFile(path: String, errno: Int32)
    /// posix_spawn failed (ENOENT, EACCES, ENOEXEC …) for the resolved executable.
    case spawn(path: String, errno: Int32)
    /// The resource limits could not be applied; the child was killed.
    case limits(errno: Int32)
    /// Another system call on the way to the spawn failed.
    case system(call: String, errno: Int32)
    /// The journal refused a write, so the runner drained and stopped (Runner+JournalFault); the
    /// runner has logged the reason already, and `almanac run` exits with `Runner.journalFaultExitCode`.
    case journalFailed(reason: String)

    /// One line naming the path and the system's reason, for logs and the journal.
    package var description: String {
        switch self {
        case .invalidSpec(let why):
            "invalid process spec: \(why)"
        case .commandNotFound(let name, let searchPath):
            "command not found: \(name) (PATH=\(searchPath))"
        case .workdir(let path, let errno):
            "cannot use working directory \(path): \(Self.text(errno))"
        case .logFile(let path, let errno):
            "cannot open log file \(path): \(Self.text(errno))"
        case .spawn(let path, let errno):
            "cannot run \(path): \(Self.text(errno))"
        case .limits(let errno):
            "cannot apply resource limits: \(Self.text(errno))"
        case .system(let call, let errno):
            "\(call) failed: \(Self.text(errno))"
        case .journalFailed(let reason):
            "\(reason): the runner stopped"
        }
    }

    /// `strerror` text for an errno value.
    static func text(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

extension ProcessError {
    /// This error as it may be shown when the spec's command or workdir came from `${VAR}`s:
    /// paths named by the templates (`cannot run ${BIN}`), since the resolved executable or
    /// directory embeds the values; a search path masked.
    func shown(for spec: ProcessSpec) -> ProcessError {
        guard spec.shownCommand != nil || spec.shownWorkdir != nil else { return self }
        let program = (spec.shownCommand ?? spec.command).arguments.first ?? ""
        switch self {
        case .workdir(let path, let errno):
            return .workdir(path: spec.shownWorkdir ?? path, errno: errno)
        case .commandNotFound(_, let searchPath):
            return .commandNotFound(name: program, searchPath: spec.secrets.mask(searchPath))
        case .spawn(_, let errno):
            return .spawn(path: program, errno: errno)
        case .invalidSpec, .logFile, .limits, .system, .journalFailed:
            return self
        }
    }
}

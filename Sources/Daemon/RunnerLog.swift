import Logging
import Scheduler
import Processes
import Publishing

/// Where a runner's progress lines go, each at its swift-log level, so `--log-level warning`
/// keeps file errors and failed runs and drops the routine starts and successes.
///
/// A callable value rather than a bare closure: `log("…")` is an `info` line, `log(.error, "…")`
/// says more; the CLI prints the text as it is, the server hands it to its swift-log logger.
public struct RunnerLog: Sendable {
    private let write: @Sendable (Logger.Level, String) -> Void

    public init(_ write: @escaping @Sendable (Logger.Level, String) -> Void) {
        self.write = write
    }

    /// Every line through `logger` at its level (the server's JSON or text handler).
    public init(_ logger: Logger) {
        self.init { level, text in logger.log(level: level, "\(text)") }
    }

    /// Lines at `minimum` or above, as plain text, to `print` (stderr in the CLI).
    public static func plain(minimum: Logger.Level, _ print: @escaping @Sendable (String) -> Void) -> RunnerLog {
        RunnerLog { level, text in if level >= minimum { print(text) } }
    }

    /// A routine line (`info`).
    public func callAsFunction(_ text: String) {
        write(.info, text)
    }

    public func callAsFunction(_ level: Logger.Level, _ text: String) {
        write(level, text)
    }
}

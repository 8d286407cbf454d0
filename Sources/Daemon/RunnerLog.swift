import Logging
import Scheduler
import Processes
import Publishing

/// Where a runner's progress lines go, each at its swift-log level, so `--log-level warning`
/// keeps file errors and failed runs and drops the routine starts and successes.
///
/// A callable value rather than a bare closure: `log("…")` is an `info` line, `log(.error, "…")`
/// says more; the CLI prints the text as it is, the server hands it to its swift-log logger.
package struct RunnerLog: Sendable {
    private let write: @Sendable (Logger.Level, String) -> Void

    package init(_ write: @escaping @Sendable (Logger.Level, String) -> Void) {
        self.write = write
    }

    /// Every line through `logger` at its level (the server's JSON or text handler).
    package init(_ logger: Logger) {
        self.init { level, text in logger.log(level: level, "\(text)") }
    }

    /// Lines at `minimum` or above, as plain text, to `print` (stderr in the CLI).
    package static func plain(minimum: Logger.Level, _ print: @escaping @Sendable (String) -> Void) -> RunnerLog {
        RunnerLog { level, text in if level >= minimum { print(text) } }
    }

    /// A routine line (`info`).
    package func callAsFunction(_ text: String) {
        write(.info, text)
    }

    package func callAsFunction(_ level: Logger.Level, _ text: String) {
        write(level, text)
    }
}

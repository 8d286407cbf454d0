import AlmanacCore
import Foundation
import Journal

/// One attempt's output, as `almanac logs` and `GET …/executions/{scheduledAt}/{attempt}/log`
/// show it: the file the runner wrote for that attempt (`STATE/logs/<job>/<stamp>-<attempt>.log`).
/// What it holds is what the runner wrote there: masked
/// (`${VAR}` values as `***`) and capped by `output.maxBytes` (head and tail around a marker).
package enum ExecutionLog {
    /// The attempt asked for: of the occurrence scheduled at `scheduledAt` (its latest attempt,
    /// or `attempt`), or without one the job's latest started attempt (running ones included).
    package static func select(_ job: JobState, scheduledAt: Date?, attempt: Int?) -> Execution? {
        let all = (job.running + job.history).filter { candidate in
            (scheduledAt.map { candidate.key.scheduledAt == $0 } ?? true) && (attempt.map { candidate.attempt == $0 } ?? true)
        }
        return all.max { ($0.startedAt, $0.attempt) < ($1.startedAt, $1.attempt) }
    }

    /// The executions not yet `shown` that started no earlier than `execution`, oldest first:
    /// what `--follow` shows next. Attempts claimed in one batch share their start's
    /// millisecond, so the order breaks ties by scheduled time and attempt, and `shown` (not a
    /// strict "later") keeps any of them from being skipped.
    package static func after(_ execution: Execution, in job: JobState, shown: Set<RunID>) -> [Execution] {
        func order(_ e: Execution) -> (Date, Date, Int) { (e.startedAt, e.key.scheduledAt, e.attempt) }
        return (job.running + job.history)
            .filter { order($0) >= order(execution) && !shown.contains(RunID($0)) }
            .sorted { order($0) < order($1) }
    }

    /// One attempt: its occurrence and number.
    package struct RunID: Hashable, Sendable {
        package var key: OccurrenceKey
        package var attempt: Int
        package init(_ execution: Execution) { (key, attempt) = (execution.key, execution.attempt) }
    }

    /// Whether `execution` is still running in `job` (a `finished` or `interrupted` record ends it).
    package static func isRunning(_ execution: Execution, in job: JobState) -> Bool {
        job.running.contains { $0.key == execution.key && $0.attempt == execution.attempt }
    }

    /// The last `lines` lines of `bytes` (a final line without a newline counts as one).
    package static func tail(_ bytes: [UInt8], lines: Int) -> ArraySlice<UInt8> {
        guard lines > 0 else { return bytes[bytes.endIndex...] }
        var end = bytes.endIndex
        if end > bytes.startIndex, bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        var seen = 0, index = end
        while index > bytes.startIndex {
            if bytes[index - 1] == UInt8(ascii: "\n") {
                seen += 1
                if seen == lines { return bytes[index...] }
            }
            index -= 1
        }
        return bytes[...]
    }

    /// Where `execution`'s log is: the name the runner gives it under `STATE/logs/`, running or
    /// ended. Never the journal's `logPath`: a journal row (a peer's, in a shared database) is
    /// not trusted to name which file the API serves.
    package static func path(_ execution: Execution, stateDirectory: URL) -> String {
        AttemptFiles.log(in: stateDirectory, job: execution.key.job, scheduledAt: execution.key.scheduledAt,
                         attempt: execution.attempt).path
    }

    /// Why an attempt has no log to show, in words a user can act on.
    package static func missing(_ execution: Execution, job: String, stateDirectory: URL) -> String {
        let what = "\(job) scheduled \(RFC3339.format(execution.key.scheduledAt)) attempt \(execution.attempt)"
        let path = path(execution, stateDirectory: stateDirectory)
        if let runner = execution.runner { return "the log of \(what) is at \(path) on runner \(runner), not on this machine" }
        return "the log of \(what) is gone (\(path)): retention removed it, or the state directory moved"
    }
}

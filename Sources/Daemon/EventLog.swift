import AlmanacCore
import CronSchedule
import Foundation
import Journal
import Logging
import Scheduler
import Processes
import Publishing

/// One human line per journaled event, for the runner's log (stderr).
///
/// Only secret-free fields are shown: names, times, outcomes and the first line of output.
package enum EventLog {
    /// The level a line is logged at: `error` for what needs a person (files that do not load,
    /// jobs that cannot be spawned, a journal that refuses writes), `warning` for runs that
    /// failed, timed out, were killed or missed, `info` for starts, successes and changes,
    /// `debug` for the detail (syncs, delivered notifications).
    package static func level(_ event: JournalEvent) -> Logger.Level {
        switch event.type {
        case .finished where event.errorClass == "spawn":
            return .error
        case .finished:
            return ["success", "skipped"].contains(event.outcome ?? "") ? .info : .warning
        case .skipped:
            return event.reason == "journal" ? .error : event.reason == "paused" ? .info : .warning
        case .diagnostics:
            return (event.messages?.isEmpty ?? true) ? .info : .error
        case .notified:
            return event.outcome == "delivered" ? .debug : .warning
        case .synced:
            return .debug
        default:
            return .info
        }
    }

    package static func line(_ event: JournalEvent) -> String? {
        let job = event.job ?? "-"
        let when = event.scheduledAt.map { "@" + RFC3339.format($0) } ?? ""
        let attempt = (event.attempt ?? 1) > 1 ? " attempt \(event.attempt ?? 1)" : ""
        switch event.type {
        case .started:
            return "▶ \(job)\(when)\(attempt) started (\(event.triggeredBy ?? "schedule"))"
        case .finished where event.target != nil:
            return "✗ \(job)\(when)\(destination(event.target, preposition: "to")) failed: \(event.errorClass ?? "?")"
                + (event.message.map { " — \($0)" } ?? "")
        case .finished where event.outcome == "skipped":
            // A skip (a scan with no activity) is not a failure: it gets the skip mark.
            return "⤼ \(job)\(when)\(attempt) skipped" + (event.reason.map { ": \($0)" } ?? "")
        case .finished:
            let outcome = event.outcome ?? "?"
            let mark = outcome == "success" ? "✓" : outcome == "partial" ? "~" : "✗"
            var text = "\(mark) \(job)\(when)\(attempt) \(outcome)"
            if let code = event.exitCode, code != 0 { text += " (exit \(code))" }
            if let signal = event.signal { text += " (signal \(signal))" }
            if let ms = event.durationMs { text += " in \(ms) ms" }
            if outcome != "success", let tail = event.outputTail?.split(separator: "\n").last {
                text += ": " + String(tail.prefix(160))
            }
            return text
        case .retry:
            return "↻ \(job)\(when) retry\(attempt) at \(event.retryAt.map { RFC3339.format($0) } ?? "?") after \(event.errorClass ?? "failure")"
        case .skipped:
            return "⤼ \(job)\(when) skipped: \(event.reason ?? "?")" + (event.message.map { " (\($0))" } ?? "")
        case .queued:
            return "… \(job)\(when) queued: maxParallel reached"
        case .cancelled:
            return "⊘ \(job)\(when) cancelled: \(event.reason ?? "?")"
        case .applied:
            return "= \(job) applied (\(event.source ?? "?"), \(event.hash.map { String($0.prefix(12)) } ?? "?"))"
        case .removed:
            return "- \(job) removed"
        case .triggered:
            if event.isAfterTrigger, let by = event.triggeredBy {
                return "⚑ \(job)\(when) owed: \(by.dropFirst(JournalEvent.afterPrefix.count)) succeeded"
            }
            return "⚑ \(job) manual run requested by \(event.triggeredBy ?? "?")"
        case .processing:
            return "→ \(job)\(when) publishing\(destination(event.target, preposition: "to"))\(attempt)"
        case .published:
            return "✓ \(job)\(when) published\(destination(event.target, preposition: "to"))" + (event.url.map { " \($0)" } ?? "")
                + (event.status.map { " (HTTP \($0))" } ?? "")
        case .notified:
            return "✉ \(job) \(event.reason ?? "") notification \(event.outcome ?? "?") via \(event.target ?? "?")"
        case .paused:
            return "‖ \(job) paused by \(event.triggeredBy ?? "?")"
        case .resumed:
            return "▷ \(job) resumed by \(event.triggeredBy ?? "?")" + (event.reason.map { " (\($0))" } ?? "")
        case .synced:
            return "⇣ \(job) synced to \(event.commit.map { String($0.prefix(12)) } ?? "?")"
        case .diagnostics:
            let count = event.messages?.count ?? 0
            return count == 0 ? "= all files valid again" : "! \(count) problem(s) in the job files"
        default:
            return nil
        }
    }

    /// A publish target as the log names it: ` to blog` for a named one. An unnamed target is
    /// journaled by its index; the only (or first) one needs no name, later ones say which.
    static func destination(_ target: String?, preposition: String) -> String {
        guard let target else { return "" }
        guard let index = Int(target) else { return " \(preposition) \(target)" }
        return index == 0 ? "" : " \(preposition) target \(index + 1)"
    }
}

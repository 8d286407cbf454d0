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
        switch event.record {
        case .finished(let f) where f.metrics.errorClass == .spawn:
            return .error
        case .finished(let f):
            return [.success, .skipped].contains(f.metrics.outcome) ? .info : .warning
        case .skipped(let s):
            return s.reason == .journal ? .error : s.reason == .paused ? .info : .warning
        case .diagnostics(let d):
            return (d.messages?.isEmpty ?? true) ? .info : .error
        case .notified(let n):
            return n.outcome == .delivered ? .debug : .warning
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
        switch event.record {
        case .started(let s):
            return "▶ \(job)\(when)\(attempt) started (\(s.triggeredBy?.rawValue ?? "schedule"))"
        case .finished(let f) where f.target != nil:
            return "✗ \(job)\(when)\(destination(f.target, preposition: "to")) failed: \(f.metrics.errorClass?.rawValue ?? "?")"
                + (f.message.map { " — \($0)" } ?? "")
        case .finished(let f) where f.metrics.outcome == .skipped:
            // A skip (a scan with no activity) is not a failure: it gets the skip mark.
            return "⤼ \(job)\(when)\(attempt) skipped" + (f.reason.map { ": \($0)" } ?? "")
        case .finished(let f):
            let m = f.metrics
            let outcome = m.outcome?.rawValue ?? "?"
            let mark = m.outcome == .success ? "✓" : m.outcome == .partial ? "~" : "✗"
            var text = "\(mark) \(job)\(when)\(attempt) \(outcome)"
            if let code = m.exitCode, code != 0 { text += " (exit \(code))" }
            if let signal = m.signal { text += " (signal \(signal))" }
            if let ms = m.durationMs { text += " in \(ms) ms" }
            if m.outcome != .success, let tail = m.outputTail?.split(separator: "\n").last {
                text += ": " + String(tail.prefix(160))
            }
            return text
        case .retry(let r):
            return "↻ \(job)\(when) retry\(attempt) at \(r.retryAt.map { RFC3339.format($0) } ?? "?") after \(r.errorClass?.rawValue ?? "failure")"
        case .skipped(let s):
            return "⤼ \(job)\(when) skipped: \(s.reason?.rawValue ?? "?")" + (s.message.map { " (\($0))" } ?? "")
        case .queued:
            return "… \(job)\(when) queued: maxParallel reached"
        case .cancelled(let c):
            return "⊘ \(job)\(when) cancelled: \(c.reason?.rawValue ?? "?")"
        case .applied(let a):
            return "= \(job) applied (\(a.source ?? "?"), \(a.hash.map { String($0.prefix(12)) } ?? "?"))"
        case .removed:
            return "- \(job) removed"
        case .triggered(let t):
            if let upstream = t.triggeredBy?.upstream {
                return "⚑ \(job)\(when) owed: \(upstream) succeeded"
            }
            return "⚑ \(job) manual run requested by \(t.triggeredBy?.rawValue ?? "?")"
        case .processing(let p):
            return "→ \(job)\(when) publishing\(destination(p.target, preposition: "to"))\(attempt)"
        case .published(let p):
            return "✓ \(job)\(when) published\(destination(p.target, preposition: "to"))" + (p.url.map { " \($0)" } ?? "")
                + (p.status.map { " (HTTP \($0))" } ?? "")
        case .notified(let n):
            return "✉ \(job) \(n.reason ?? "") notification \(n.outcome?.rawValue ?? "?") via \(n.target ?? "?")"
        case .paused(let o):
            return "‖ \(job) paused by \(o.triggeredBy?.rawValue ?? "?")"
        case .resumed(let o):
            return "▷ \(job) resumed by \(o.triggeredBy?.rawValue ?? "?")" + (o.reason.map { " (\($0))" } ?? "")
        case .synced(let s):
            return "⇣ \(job) synced to \(s.commit.map { String($0.prefix(12)) } ?? "?")"
        case .diagnostics(let d):
            let count = d.messages?.count ?? 0
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

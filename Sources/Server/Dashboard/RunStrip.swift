import AlmanacCore
import Foundation
import Journal
import Status

/// The overview's strip of a job's last runs, as GitHub Actions and Airflow show them: one
/// coloured mark per attempt, oldest on the left, each a link to its row on the job page.
enum RunStrip {
    static let length = 12

    /// `executions` newest first (as `Snapshot.executions` gives them).
    static func html(_ job: String, _ executions: [Execution]) -> String {
        let marks = executions.prefix(length).reversed().map { execution -> String in
            let status = execution.finishedAt == nil ? "running" : execution.metrics.outcome?.rawValue ?? "unknown"
            let took = execution.metrics.durationMs.map { " in " + StatusRenderer.duration($0) } ?? ""
            let attempt = execution.attempt > 1 ? " (attempt \(execution.attempt))" : ""
            let title = "\(status)\(attempt): \(APIJSON.format(execution.key.scheduledAt))\(took)"
            return "<a class=\(HTML.css(status)) href=\"/jobs/\(HTML.escape(job))#\(anchor(execution))\" title=\"\(HTML.escape(title))\""
                + " aria-label=\"\(HTML.escape(title))\"></a>"
        }
        return marks.isEmpty ? "<span class=muted>–</span>" : marks.joined()
    }

    /// The id of an attempt's row on the job page: its scheduled time (ms since 1970) and attempt.
    static func anchor(_ execution: Execution) -> String {
        "run-\(Int64((execution.key.scheduledAt.timeIntervalSince1970 * 1000).rounded()))-\(execution.attempt)"
    }
}

/// What a job reported through `$ALMANAC_RESULT` (its message and item counts), or the
/// execution's own message; escaped for the page.
enum ResultText {
    static func html(_ execution: Execution) -> String {
        var parts: [String] = []
        if let text = execution.metrics.result, let value = JSONValue.parse(Data(text.utf8)), case .object(let result) = value {
            if case .string(let message)? = result["message"] { parts.append(HTML.escape(message)) }
            if case .object(let items)? = result["items"] {
                let counts = items.keys.sorted().map { key in "\(key) \(items[key].map(number) ?? "")" }
                if !counts.isEmpty { parts.append("<span class=muted>\(HTML.escape(counts.joined(separator: " · ")))</span>") }
            }
        }
        if parts.isEmpty, let message = execution.message { parts.append(HTML.escape(message)) }
        return parts.isEmpty ? "<span class=muted>–</span>" : parts.joined(separator: "<br>")
    }

    private static func number(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        default: value.description
        }
    }
}

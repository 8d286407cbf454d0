import AlmanacCore
import Foundation
import Journal
import CronSchedule

/// Renders a `StatusReport` for a terminal (aligned columns) or for scripts (JSON, sorted keys,
/// so the same state always gives the same bytes).
package enum StatusRenderer {
    /// What a runner fires: its revision (a commit's first 12 digits, or "files"), and how many
    /// jobs it holds back because its files differ from the applied version.
    package static func fires(_ runner: ClusterRunner) -> String {
        (runner.revision.map { String($0.prefix(12)) } ?? "files") + (runner.differing > 0 ? " (\(runner.differing) differ)" : "")
    }

    package static func text(_ report: StatusReport) -> String {
        var out = ""
        if report.runnerUp == false {
            out += "no runner is up" + (report.runnerLastSeen.map { " (last seen \(RFC3339.format($0)))" } ?? " (none has run here)") + "\n"
        }
        if let runners = report.runners {
            var rows = [["RUNNER", "HOST", "PID", "VERSION", "FIRES", "STARTED", "LAST HEARTBEAT", "LEASE"]]
            for runner in runners {
                rows.append([
                    runner.id + (runner.leader ? " (leader)" : ""), runner.host, String(runner.pid), runner.version, fires(runner),
                    RFC3339.format(runner.startedAt), runner.lastHeartbeat.map { RFC3339.format($0) } ?? "-",
                    runner.live ? "live until \(runner.leaseUntil.map { RFC3339.format($0) } ?? "?")"
                        : runner.stoppedAt.map { "stopped \(RFC3339.format($0))" } ?? "lapsed",
                ])
            }
            out += runners.isEmpty ? "no runner has joined this database\n" : table(rows) + "\n"
        }
        var rows = [["JOB", "SCHEDULE", "NEXT", "LAST RUN", "RESULT", "SUCCESS", "RETRIES", "AVG", "P95"]]
        for job in report.jobs {
            rows.append([
                job.name + (job.paused ? " (paused)" : job.enabled ? "" : " (disabled)"),
                job.schedule,
                // In the job's zone, always with a numeric offset: one form down the column.
                job.nextFire.map { RFC3339.format($0, in: TimeZone.named(job.timeZone), numericOffset: true) } ?? "-",
                job.lastRun.map { RFC3339.format($0) } ?? "never",
                job.running > 0 ? "running" : job.runningUnknown != nil ? "interrupted? (runner not up)"
                    : (job.lastOutcome.map { mark($0) + " " + $0 } ?? "-"),
                job.successRate.map { "\(Int(($0 * 100).rounded()))% of \(job.runs)" } ?? "-",
                String(job.retries),
                job.averageDurationMs.map(duration) ?? "-",
                job.p95DurationMs.map(duration) ?? "-",
            ])
        }
        out += table(rows)
        for job in report.jobs where job.lastSuccess != nil || job.lastFailure != nil || job.problem != nil
            || job.after != nil || job.dependents != nil {
            var details: [String] = []
            if let after = job.after { details.append("after: " + after.joined(separator: ", ")) }
            if let dependents = job.dependents { details.append("then: " + dependents.joined(separator: ", ")) }
            if let date = job.lastSuccess { details.append("last success \(RFC3339.format(date))") }
            if let date = job.lastFailure { details.append("last failure \(RFC3339.format(date))") }
            if let problem = job.problem { details.append(problem) }
            out += "\(job.name): " + details.joined(separator: "; ") + "\n"
        }
        if !report.problems.isEmpty {
            out += "\nProblems:\n" + report.problems.joined(separator: "\n") + "\n"
        }
        return out
    }

    package static func json(_ report: StatusReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(RFC3339.format(date))
        }
        let data = (try? encoder.encode(report)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func mark(_ outcome: String) -> String {
        outcome == "success" ? "✓" : outcome == "partial" ? "~" : "✗"
    }

    /// 850 → "850ms", 61000 → "1m1s".
    package static func duration(_ ms: Int) -> String {
        if ms < 1000 { return "\(ms)ms" }
        let seconds = ms / 1000
        if seconds < 60 { return "\(seconds).\(ms % 1000 / 100)s" }
        if seconds < 3600 { return "\(seconds / 60)m\(seconds % 60)s" }
        return "\(seconds / 3600)h\(seconds / 60 % 60)m"
    }

    /// Columns aligned by padding, two spaces apart; the first row is the header.
    package static func table(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map { $0.count }
        for row in rows { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return rows.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}

import CronSchedule
import Foundation
import Journal

/// The files written to the repository's `status/` directory: one JSON per job and a
/// `STATUS.md` table a person reads on the repo page.
///
/// Deterministic — same report, same bytes (sorted keys, no "generated at" stamp) — so the
/// git write-back commits only when something really changed and diffs stay small.
public enum StatusFiles {
    /// Path (under the status directory) → file bytes.
    public static func render(_ report: StatusReport, state: JournalState, recent: Int = 10) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        files.reserveCapacity(report.jobs.count + 1)
        for job in report.jobs {
            let recentRuns = (state.jobs[job.name]?.history ?? []).suffix(recent).reversed()
            files["\(job.name).json"] = Array(StatusJSON.file(job, recent: Array(recentRuns)).utf8)
        }
        files["STATUS.md"] = Array(markdown(report, state: state).utf8)
        return files
    }

    public static func markdown(_ report: StatusReport, state: JournalState) -> String {
        var out = "# Almanac status\n\n"
        let jobs = report.jobs.filter { $0.kind != "post" }
        let posts = report.jobs.filter { $0.kind == "post" }
        if !jobs.isEmpty {
            out += "| job | schedule | next fire (UTC) | next fire (job zone) | last result | last run (UTC) | success | p95 |\n"
            out += "|---|---|---|---|---|---|---|---|\n"
            var zones: [String: TimeZone?] = [:]  // TimeZone(identifier:) is slow on Linux: once per zone
            for job in jobs {
                let zone: TimeZone?
                if let known = zones[job.timeZone] {
                    zone = known
                } else {
                    zone = TimeZone(identifier: job.timeZone == "UTC" ? "GMT" : job.timeZone)
                    zones[job.timeZone] = zone
                }
                let result: String
                if job.running > 0 {
                    result = "⏳ running"
                } else if let outcome = job.lastOutcome {
                    result = (outcome == "success" ? "✓ " : outcome == "partial" ? "~ " : "✗ ") + outcome
                } else {
                    result = "–"
                }
                let name = job.paused ? "\(job.name) (paused)" : job.enabled ? job.name : "\(job.name) (disabled)"
                out += "| \(cell(name)) | \(cell(job.schedule)) | \(job.nextFire.map { RFC3339.format($0) } ?? "–") | "
                    + "\(job.nextFire.map { RFC3339.format($0, in: zone) } ?? "–") | \(result) | "
                    + "\(job.lastRun.map { RFC3339.format($0) } ?? "never") | "
                    + "\(job.successRate.map { "\(Int(($0 * 100).rounded()))% (\(job.runs))" } ?? "–") | "
                    + "\(job.p95DurationMs.map(StatusRenderer.duration) ?? "–") |\n"
            }
        }
        if !posts.isEmpty {
            out += "\n## Posts\n\n| post | scheduled | state | published |\n|---|---|---|---|\n"
            for post in posts {
                let publications = state.jobs[post.name]?.publications ?? [:]
                let states = publications.values.map(\.state)
                let overall = states.isEmpty ? (post.nextFire == nil ? "–" : "pending")
                    : states.allSatisfy { $0 == "published" } ? "✓ published"
                    : states.contains("published") ? "~ partial" : states.first ?? "–"
                let links = publications.keys.sorted().compactMap { key in publications[key]?.url.map { "[\(key)](\($0))" } }
                out += "| \(cell(post.name)) | \(post.nextFire.map { RFC3339.format($0) } ?? post.lastScheduledAt.map { RFC3339.format($0) } ?? "–") | "
                    + "\(overall) | \(links.joined(separator: " ")) |\n"
            }
        }
        if !report.problems.isEmpty {
            out += "\n## Problems\n\n```\n" + report.problems.joined(separator: "\n") + "\n```\n"
        }
        return out
    }

    static func cell(_ text: String) -> String {
        // Most cells need nothing; Foundation's replacingOccurrences is slow on Linux.
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\n") }) else { return text }
        return text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

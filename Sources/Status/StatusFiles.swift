import AlmanacCore
import CronSchedule
import Foundation
import Journal

/// The files written to the repository's `status/` directory: one JSON per job and a
/// `STATUS.md` table a person reads on the repo page.
///
/// Deterministic — same report, same bytes (sorted keys, no "generated at" stamp) — so the
/// git write-back commits only when something really changed and diffs stay small. Built as
/// bytes, not strings: a write-back of 10,000 jobs renders 10 MB, and it has to take tens of
/// milliseconds, not hundreds.
package enum StatusFiles {
    /// Path (under the status directory) → file bytes.
    package static func render(_ report: StatusReport, state: JournalState, recent: Int = 10) -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        files.reserveCapacity(report.jobs.count + 1)
        for job in report.jobs {
            let recentRuns = (state.jobs[job.name]?.history ?? []).suffix(recent).reversed()
            files[job.name + ".json"] = StatusJSON.file(job, recent: recentRuns)
        }
        files["STATUS.md"] = markdownBytes(report, state: state)
        return files
    }

    package static func markdown(_ report: StatusReport, state: JournalState) -> String {
        String(decoding: markdownBytes(report, state: state), as: UTF8.self)
    }

    static func markdownBytes(_ report: StatusReport, state: JournalState) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(160 * report.jobs.count + 256)
        out.appendText("# Almanac status\n\n")
        let jobs = report.jobs.filter { $0.kind != "post" }
        let posts = report.jobs.filter { $0.kind == "post" }
        if !jobs.isEmpty {
            out.appendText("| job | schedule | next fire (UTC) | next fire (job zone) | last result | last run (UTC) | success | retries | p95 |\n")
            out.appendText("|---|---|---|---|---|---|---|---|---|\n")
            var zones: [String: TimeZone?] = [:]  // TimeZone(identifier:) is slow on Linux: once per zone
            for job in jobs {
                let zone: TimeZone?
                if let known = zones[job.timeZone] {
                    zone = known
                } else {
                    zone = TimeZone.named(job.timeZone)
                    zones[job.timeZone] = zone
                }
                row(job, zone: zone, into: &out)
            }
        }
        if !posts.isEmpty {
            out.appendText("\n## Posts\n\n| post | scheduled | state | published |\n|---|---|---|---|\n")
            for post in posts {
                let publications = state.jobs[post.name]?.publications ?? [:]
                let states = publications.values.map(\.state)
                let overall = states.isEmpty ? (post.nextFire == nil ? "–" : "pending")
                    : states.allSatisfy { $0 == .published } ? "✓ published"
                    : states.contains(.published) ? "~ partial" : states.first?.rawValue ?? "–"
                let links = publications.keys.sorted().compactMap { key in publications[key]?.url.map { "[\(key)](\($0))" } }
                out.appendText("| ")
                cell(post.name, into: &out)
                out.appendText(" | ")
                if let date = post.nextFire ?? post.lastScheduledAt { RFC3339.write(date, into: &out) } else { out.appendText("–") }
                out.appendText(" | " + overall + " | " + links.joined(separator: " ") + " |\n")
            }
        }
        if !report.problems.isEmpty {
            out.appendText("\n## Problems\n\n```\n" + report.problems.joined(separator: "\n") + "\n```\n")
        }
        return out
    }

    /// One job's line of the table.
    static func row(_ job: JobStatus, zone: TimeZone?, into out: inout [UInt8]) {
        out.appendText("| ")
        cell(job.name, into: &out)
        out.appendText(job.paused ? " (paused) | " : job.enabled ? " | " : " (disabled) | ")
        cell(job.schedule, into: &out)
        out.appendText(" | ")
        if let next = job.nextFire { RFC3339.write(next, into: &out) } else { out.appendText("–") }
        out.appendText(" | ")
        // One form down the column: a UTC job's time reads +00:00 like a London winter one.
        if let next = job.nextFire { RFC3339.write(next, in: zone, numericOffset: true, into: &out) } else { out.appendText("–") }
        out.appendText(" | ")
        if job.running > 0 {
            out.appendText("⏳ running")
        } else if let outcome = job.lastOutcome {
            out.appendText(outcome == "success" ? "✓ " : outcome == "partial" ? "~ " : "✗ ")
            out.appendText(outcome)
        } else {
            out.appendText("–")
        }
        out.appendText(" | ")
        if let last = job.lastRun { RFC3339.write(last, into: &out) } else { out.appendText("never") }
        out.appendText(" | ")
        if let rate = job.successRate {
            out.appendDecimal(Int((rate * 100).rounded()))
            out.appendText("% (")
            out.appendDecimal(job.runs)
            out.appendText(")")
        } else {
            out.appendText("–")
        }
        out.appendText(" | ")
        out.appendDecimal(job.retries)
        out.appendText(" | ")
        out.appendText(job.p95DurationMs.map(StatusRenderer.duration) ?? "–")
        out.appendText(" |\n")
    }

    /// A table cell: `|` escaped and newlines flattened, so a value cannot break the row.
    static func cell(_ text: String, into out: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes in
            guard bytes.contains(where: { $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: "\n") }) else {
                out.append(contentsOf: bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "|"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "|")])
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: " "))
                default: out.append(byte)
                }
            }
        }
    }
}

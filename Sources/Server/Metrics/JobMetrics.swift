import Foundation
import Journal
import Status

/// The per-job series of `/metrics`, rendered at scrape time from the journal's state.
///
/// Not kept in the swift-prometheus registry: the state already holds every figure (lifetime
/// counters that survive retention, the latest attempt), so a scrape reads it exactly and a
/// removed job's series simply stop, with no second copy to keep in step or to prune. Gauges
/// and counters only, no per-job histogram: a histogram with the server's 17 buckets is 19
/// series a job, 1.9 million for 100,000 jobs; the last duration is one.
///
/// Series per job: 3 for a job that never ran (`runs_total` for success and failure, and
/// `retries_total`), 7 once it has run, plus one `runs_total` for each other outcome it has
/// had (timeout, partial, killed, error, interrupted, skipped): at most 13. `--per-job-metrics
/// off` leaves them all out.
enum JobMetrics {
    /// What one job contributes, read from its state once: the label escaped, the figures.
    struct Row {
        var label: [UInt8]
        var stats: JobStats
    }

    /// Appends every family, each with its HELP and TYPE lines.
    ///
    /// One pass gathers the rows, then each family is a loop of byte appends: a scrape of
    /// 100,000 jobs writes about 700,000 lines, so no per-line strings, no sorting (Prometheus
    /// does not need an order) and each label escaped once.
    static func render(_ state: JournalState, into out: inout [UInt8]) {
        var rows: [Row] = []
        rows.reserveCapacity(state.jobs.count)
        for (name, job) in state.jobs where job.applied != nil {
            rows.append(Row(label: escaped(name), stats: job.stats))
        }
        out.reserveCapacity(out.count + rows.count * 500)
        seconds(&out, "almanac_job_last_run_timestamp_seconds", rows,
                "When the job's latest attempt ended (Unix seconds); absent before its first.") { $0.lastFinished.map(milliseconds) }
        seconds(&out, "almanac_job_last_success_timestamp_seconds", rows,
                "When an attempt of the job last ended success or partial (Unix seconds); absent before the first.") {
            $0.lastSuccess.map(milliseconds)
        }
        family(&out, "almanac_job_last_outcome", "gauge",
               "1, labelled with how the job's latest attempt ended (success, failure, timeout, partial, killed, error, interrupted, skipped).")
        for row in rows {
            guard let outcome = row.stats.lastOutcome?.rawValue else { continue }
            open(&out, "almanac_job_last_outcome", row, outcome: outcome)
            out.append(UInt8(ascii: "1"))
            out.append(newline)
        }
        seconds(&out, "almanac_job_last_duration_seconds", rows, "How long the job's latest attempt ran.") { $0.lastDurationMs }
        family(&out, "almanac_job_runs_total", "counter", "Finished attempts of the job by outcome, retries included.")
        for row in rows {
            let outcomes = row.stats.outcomes
            // success and failure always, so rate() and increase() see a job's first failure.
            for outcome in ["success", "failure"] {
                open(&out, "almanac_job_runs_total", row, outcome: outcome)
                out.appendDecimal(outcomes[outcome] ?? 0)
                out.append(newline)
            }
            guard outcomes.count > (outcomes["success"] == nil ? 0 : 1) + (outcomes["failure"] == nil ? 0 : 1) else { continue }
            for (outcome, count) in outcomes.sorted(by: { $0.key < $1.key }) where outcome != "success" && outcome != "failure" {
                open(&out, "almanac_job_runs_total", row, outcome: outcome)
                out.appendDecimal(count)
                out.append(newline)
            }
        }
        family(&out, "almanac_job_retries_total", "counter", "Finished attempts of the job that were retries (attempt 2 and later).")
        for row in rows {
            open(&out, "almanac_job_retries_total", row)
            out.appendDecimal(row.stats.retries)
            out.append(newline)
        }
    }

    private static let newline = UInt8(ascii: "\n")
    /// The runner's outcomes, which need no escaping.
    private static let outcomes: Set<String> = ["success", "failure", "timeout", "partial", "killed", "error", "interrupted", "skipped"]

    /// A gauge family in seconds from milliseconds, one sample per row that has a value.
    private static func seconds(_ out: inout [UInt8], _ name: StaticString, _ rows: [Row], _ help: String,
                                _ milliseconds: (JobStats) -> Int?) {
        family(&out, "\(name)", "gauge", help)
        for row in rows {
            guard let ms = milliseconds(row.stats) else { continue }
            open(&out, name, row)
            out.appendMilliseconds(ms)
            out.append(newline)
        }
    }

    private static func milliseconds(_ date: Date) -> Int { Int((date.timeIntervalSince1970 * 1000).rounded()) }

    private static func family(_ out: inout [UInt8], _ name: String, _ type: String, _ help: String) {
        out.appendText("# HELP \(name) \(help)\n# TYPE \(name) \(type)\n")
    }

    /// `name{job="…"} ` or `name{job="…",outcome="…"} `: everything before the value.
    private static func open(_ out: inout [UInt8], _ name: StaticString, _ row: borrowing Row, outcome: String? = nil) {
        out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        out.append(contentsOf: #"{job=""#.utf8)
        out.append(contentsOf: row.label)
        if let outcome {
            out.append(contentsOf: #"",outcome=""#.utf8)
            if outcomes.contains(outcome) { out.append(contentsOf: outcome.utf8) } else { out.append(contentsOf: escaped(outcome)) }
        }
        out.append(contentsOf: #""} "#.utf8)
    }

    /// A label value as the text format wants it: backslash, double quote and newline escaped.
    /// Job names never need it (`[a-z0-9._-]`), nor do outcomes; the check is for odd journals.
    static func escaped(_ text: String) -> [UInt8] {
        let bytes = Array(text.utf8)
        guard bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == newline }) else { return bytes }
        var out: [UInt8] = []
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case newline: out.append(contentsOf: #"\n"#.utf8)
            default: out.append(byte)
            }
        }
        return out
    }
}

extension Array where Element == UInt8 {
    /// Milliseconds as seconds with three decimals (`1764579600.250`), exact and without Double's digits.
    mutating func appendMilliseconds(_ ms: Int) {
        if ms < 0 { append(UInt8(ascii: "-")) }
        appendDecimal(abs(ms) / 1000)
        append(UInt8(ascii: "."))
        appendDecimal(abs(ms) % 1000, width: 3)
    }
}

import AlmanacCore
import Foundation

/// Where an attempt's files live in the state directory, named by job, scheduled time and
/// attempt: its output (`logs/`), its `$ALMANAC_RESULT` (`results/`), a scan's activity
/// (`activity/`). One definition, because the runner writes them and `almanac logs` finds a
/// running attempt's log by this name before the journal's `finished` record carries the path.
package enum AttemptFiles {
    /// `2026-03-08T07:00:00Z` → `20260308T070000Z` (plus milliseconds for manual runs): file-name safe and sortable.
    package static func stamp(_ date: Date) -> String {
        RFC3339.format(date).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// `STATE/<kind>/<job>/<stamp>-<suffix>.<ext>`; the suffix is the attempt, or a post's target.
    package static func path(_ kind: String, in stateDirectory: URL, job: String, scheduledAt: Date, suffix: String, ext: String) -> URL {
        stateDirectory.appendingPathComponent("\(kind)/\(job)/\(stamp(scheduledAt))-\(suffix).\(ext)")
    }

    /// The output of one attempt of a job.
    package static func log(in stateDirectory: URL, job: String, scheduledAt: Date, attempt: Int) -> URL {
        path("logs", in: stateDirectory, job: job, scheduledAt: scheduledAt, suffix: String(attempt), ext: "log")
    }
}

import AlmanacCore
import Foundation

/// Identifies one occurrence of a job: its name and the time it was scheduled for.
///
/// Executions are keyed by it (plus the attempt number), so replay after a crash can tell
/// which occurrences already ran and never fires one twice.
package struct OccurrenceKey: Sendable, Hashable, Codable, CustomStringConvertible {
    package var job: String
    package var scheduledAt: Date

    package init(job: String, scheduledAt: Date) {
        self.job = job
        self.scheduledAt = scheduledAt
    }

    /// `nightly@2026-03-08T07:00:00Z`, as in logs and error messages.
    package var description: String { "\(job)@\(RFC3339.format(scheduledAt))" }
}

/// One claimable unit: an occurrence and its attempt number (attempt 1 is the first run).
package struct Claim: Hashable, Sendable {
    package var key: OccurrenceKey
    package var attempt: Int

    package init(key: OccurrenceKey, attempt: Int) {
        self.key = key
        self.attempt = attempt
    }
}

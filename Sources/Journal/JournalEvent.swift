import Foundation

/// One line of the journal: a typed record, with its position, time and record version.
///
/// `at` is the caller's clock (the runner may use a virtual one); the journal never reads the
/// wall clock. Dates are stored with millisecond precision.
///
/// Secrets: the journal stores exactly what it is given. Callers pass secret-free templates
/// (e.g. `fields` with `${VAR}` unexpanded), never substituted environment values.
package struct JournalEvent: Sendable, Hashable {
    /// Position in the journal, assigned by the backend on append (1, 2, 3, …).
    package var seq: UInt64
    package var at: Date
    package var record: JournalRecord
    /// Record version; absent on disk means 1.
    package var v: Int

    /// Creates an event; `seq` is normally left 0 and assigned by the backend.
    package init(seq: UInt64 = 0, at: Date, _ record: JournalRecord, v: Int = 1) {
        self.seq = seq
        self.at = at
        self.record = record
        self.v = v
    }

    package var type: EventType { record.type }
    /// The job the event is about; nil for the runner's own events.
    package var job: String? { record.job }
    package var scheduledAt: Date? { record.scheduledAt }
    package var attempt: Int? { record.attempt }
    package var triggeredBy: Cause? { record.triggeredBy }

    /// The occurrence this event is about, when it names a job and a scheduled time.
    package var key: OccurrenceKey? {
        guard let header = record.header, let scheduledAt = header.scheduledAt else { return nil }
        return OccurrenceKey(job: header.job, scheduledAt: scheduledAt)
    }

    /// Whether the event is about a run owed to `after:` (`triggeredBy: after:<upstream>`).
    package var isAfterTrigger: Bool { triggeredBy?.isAfter ?? false }
}

import Foundation

/// What a journal line says: one case per event type, each with its own payload.
///
/// The case is the line's `type`; the payload holds exactly the fields that type carries.
/// Payloads list their fields with the line keys they are stored under (`RecordPayload`), so
/// the codec needs no per-type code. New cases may be added; existing types and keys never
/// change, because old journals must keep replaying.
package enum JournalRecord: Sendable, Hashable {
    case applied(Applied)
    case removed(Removed)
    case diagnostics(Diagnostics)
    case scheduled(Scheduled)
    case queued(Queued)
    case started(Started)
    case finished(Finished)
    case retry(Retry)
    case skipped(Skipped)
    case cancelled(Cancelled)
    /// An attempt the runner found running at its start: ended like `finished`.
    case interrupted(Finished)
    case triggered(Triggered)
    case processing(PostTarget)
    case published(PostTarget)
    case synced(Synced)
    case paused(Override)
    case resumed(Override)
    case notified(Notified)
    case runnerStarted(RunnerLife)
    case runnerStopped(RunnerLife)
    /// Engagement numbers of one published post target.
    case engagement(Engagement)
    /// The whole replayed state, written by compaction as the journal's first line.
    case snapshot(JournalState)

    package var type: EventType {
        switch self {
        case .applied: .applied
        case .removed: .removed
        case .diagnostics: .diagnostics
        case .scheduled: .scheduled
        case .queued: .queued
        case .started: .started
        case .finished: .finished
        case .retry: .retry
        case .skipped: .skipped
        case .cancelled: .cancelled
        case .interrupted: .interrupted
        case .triggered: .triggered
        case .processing: .processing
        case .published: .published
        case .synced: .synced
        case .paused: .paused
        case .resumed: .resumed
        case .notified: .notified
        case .runnerStarted: .runnerStarted
        case .runnerStopped: .runnerStopped
        case .engagement: .engagement
        case .snapshot: .snapshot
        }
    }

    /// What every job record has, read from its payload; nil for the runner's own records.
    ///
    /// Through a generic call per case, not an `any JobRecord`: a payload is larger than an
    /// existential's inline buffer, so each `event.job` would box a copy on the heap, and
    /// replay asks for the job, key and cause of every event.
    var header: RecordHeader? {
        switch self {
        case .applied(let p): RecordHeader(p)
        case .removed(let p): RecordHeader(p)
        case .scheduled(let p): RecordHeader(p)
        case .queued(let p): RecordHeader(p)
        case .started(let p): RecordHeader(p)
        case .finished(let p), .interrupted(let p): RecordHeader(p)
        case .retry(let p): RecordHeader(p)
        case .skipped(let p): RecordHeader(p)
        case .cancelled(let p): RecordHeader(p)
        case .triggered(let p): RecordHeader(p)
        case .processing(let p), .published(let p): RecordHeader(p)
        case .synced(let p): RecordHeader(p)
        case .paused(let p), .resumed(let p): RecordHeader(p)
        case .notified(let p): RecordHeader(p)
        case .engagement(let p): RecordHeader(p)
        case .diagnostics, .runnerStarted, .runnerStopped, .snapshot: nil
        }
    }

    /// The job the record is about; nil for the runner's own records.
    package var job: String? { header?.job }
    /// The occurrence's scheduled time, for records about one occurrence.
    package var scheduledAt: Date? { header?.scheduledAt }
    /// 1 for the first run of an occurrence, 2 for the first retry, …
    package var attempt: Int? { header?.attempt }
    /// What started the run (or made the override), when the record says.
    package var triggeredBy: Cause? { header?.triggeredBy }
}

/// The fields every job record has, copied out of its payload.
struct RecordHeader {
    let job: String
    let scheduledAt: Date?
    let attempt: Int?
    let triggeredBy: Cause?

    @inline(__always)
    init(_ record: some JobRecord) {
        (job, scheduledAt, attempt, triggeredBy) = (record.job, record.scheduledAt, record.attempt, record.triggeredBy)
    }
}

/// What every job record has: the job, and where it applies the occurrence and attempt.
package protocol JobRecord: Sendable {
    var job: String { get }
    var scheduledAt: Date? { get }
    var attempt: Int? { get }
    var triggeredBy: Cause? { get }
}

extension JobRecord {
    package var scheduledAt: Date? { nil }
    package var attempt: Int? { nil }
    package var triggeredBy: Cause? { nil }

    /// The occurrence this record is about, when it names a scheduled time.
    package var key: OccurrenceKey? { scheduledAt.map { OccurrenceKey(job: job, scheduledAt: $0) } }
}

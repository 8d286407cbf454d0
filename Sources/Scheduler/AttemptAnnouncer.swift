import Foundation
import Journal
import Manifest

/// Told how attempts ended, for a job's `notify:` targets.
///
/// The seam between scheduling and publishing: the runner decides *that* an attempt ended and
/// whether another is scheduled; what a notification looks like and how it travels (a webhook,
/// a command) is the Publishing module's (`NotifyingAnnouncer`). Both calls must return at once.
package protocol AttemptAnnouncer: Sendable {
    /// An attempt of `job` ended with `report`; `retryIn` is set when another attempt is scheduled,
    /// `previous` is the outcome of the occurrence before (for `recovered`).
    func attemptEnded(_ job: JobSpec, report: ExecutionReport, attempt: Int, key: OccurrenceKey, retryIn: Duration?, previous: Outcome?)
    /// A one-shot post's instant passed while no runner was up, outside its catch-up window.
    func missed(_ job: JobSpec, key: OccurrenceKey)
    /// Waits, at most `timeout`, for what was announced to reach its targets (shutdown);
    /// returns how many announcements are still on their way.
    func drain(timeout: Duration) async -> Int
}

extension AttemptAnnouncer {
    package func drain(timeout: Duration) async -> Int { 0 }
}

extension Runner {
    /// Installs what tells `notify:` targets; deliveries come back through the journal.
    package func setAnnouncer(_ announcer: any AttemptAnnouncer) {
        self.announcer = announcer
    }

    /// Tells the job's `notify:` targets how an attempt ended (nothing for skipped attempts or
    /// jobs without targets).
    func announce(_ job: JobSpec, report: ExecutionReport, attempt: Int, key: OccurrenceKey, retryIn: Duration?, previous: Outcome?) {
        guard let announcer, !job.notify.isEmpty, report.outcome != .skipped else { return }
        announcer.attemptEnded(job, report: report, attempt: attempt, key: key, retryIn: retryIn, previous: previous)
    }

    func announceMissed(_ job: JobSpec, key: OccurrenceKey) {
        guard let announcer, !job.notify.isEmpty else { return }
        announcer.missed(job, key: key)
    }
}

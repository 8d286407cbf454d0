import Foundation
import Journal
import Manifest
import Processes
import Scheduler

/// Turns the runner's "attempt ended" into notifications: `retry` when another attempt is
/// scheduled, `success` (and `recovered` after a failure), or `failure` when it gave up.
package struct NotifyingAnnouncer: AttemptAnnouncer {
    package let notifier: Notifier

    package init(_ notifier: Notifier) {
        self.notifier = notifier
    }

    package func attemptEnded(_ job: JobSpec, report: ExecutionReport, attempt: Int, key: OccurrenceKey, retryIn: Duration?, previous: Outcome?) {
        var events: [NotificationEvent] = []
        let succeeded = report.outcome == .success || (report.outcome == .partial && job.kind != .post)
        if succeeded {
            events.append(.success)
            if let previous, !previous.succeeded, previous != .skipped { events.append(.recovered) }
        } else if retryIn != nil {
            events.append(.retry)
        } else {
            events.append(.failure)
        }
        let targets = job.notify.compactMap { Self.target($0, secrets: job.secrets) }
        for name in events {
            let payload = NotificationPayload(
                job: job.name, kind: job.kind == .post ? .post : .job, event: name, outcome: report.outcome.rawValue,
                attempt: attempt, maxAttempts: job.retry.maxAttempts > 1 ? job.retry.maxAttempts : nil,
                durationMs: report.metrics.durationMs ?? 0, exitCode: report.metrics.exitCode.map { Int32(truncatingIfNeeded: $0) },
                error: report.metrics.errorClass?.rawValue, outputTail: report.metrics.outputTail.flatMap { $0.isEmpty ? nil : $0 },
                scheduledAt: key.scheduledAt, retryIn: retryIn)
            notifier.notify(payload, to: targets)
        }
    }

    package func drain(timeout: Duration) async -> Int {
        await notifier.drain(timeout: timeout)
    }

    package func missed(_ job: JobSpec, key: OccurrenceKey) {
        let payload = NotificationPayload(job: job.name, kind: job.kind == .post ? .post : .job, event: .missed,
                                          outcome: "missed", attempt: 0, error: "missed", scheduledAt: key.scheduledAt)
        notifier.notify(payload, to: job.notify.compactMap { Self.target($0, secrets: job.secrets) })
    }

    /// A `notify:` entry as the notifier's target; an unusable URL is dropped (validation reports it).
    static func target(_ spec: NotifySpec, secrets: SecretMask = .none) -> NotificationTarget? {
        let on = Set(spec.on.compactMap { NotificationEvent(rawValue: $0.rawValue) })
        switch spec.target {
        case .webhook(let url, let headers):
            guard let endpoint = URL(string: url) else { return nil }
            return NotificationTarget(on: on, destination: .webhook(url: endpoint, headers: headers))
        case .run(let command):
            return NotificationTarget(on: on, destination: .command(ProcessJobLauncher.processCommand(command), workdir: ".",
                                                                  environment: ProcessInfo.processInfo.environment,
                                                                  secrets: secrets))
        }
    }
}

extension Runner {
    /// Installs the notifier; deliveries are journaled as `notified` events.
    package func setNotifier(_ notifier: Notifier) {
        setAnnouncer(NotifyingAnnouncer(notifier))
    }

    /// Journals one notification delivery (called back by the notifier, off the hot path).
    package func recordDelivery(_ delivery: NotificationDelivery) async {
        await record([JournalEvent(at: clock.now(), .notified(.init(
            job: delivery.job, attempt: delivery.attempts, outcome: delivery.delivered ? .delivered : .failed,
            reason: delivery.event.rawValue, message: delivery.error, target: delivery.target, status: delivery.status)))])
    }
}

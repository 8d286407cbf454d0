import Foundation
import Journal
import Manifest

extension Runner {
    /// Installs the notifier; deliveries are journaled as `notified` events.
    public func setNotifier(_ notifier: Notifier) {
        self.notifier = notifier
    }

    /// Journals one notification delivery (called back by the notifier, off the hot path).
    public func recordDelivery(_ delivery: NotificationDelivery) async {
        await record([JournalEvent(at: clock.now(), .notified(.init(
            job: delivery.job, attempt: delivery.attempts, outcome: delivery.delivered ? .delivered : .failed,
            reason: delivery.event.rawValue, message: delivery.error, target: delivery.target, status: delivery.status)))])
    }

    /// Tells the job's `notify:` targets how an attempt ended: `retry` when another attempt is
    /// scheduled, `success` (and `recovered` after a failure), or `failure` when it gave up.
    func announce(_ job: JobSpec, report: ExecutionReport, attempt: Int, key: OccurrenceKey, retryIn: Duration?, previous: String?) {
        guard let notifier, !job.notify.isEmpty, report.outcome != .skipped else { return }
        var events: [NotificationEvent] = []
        let succeeded = report.outcome == .success || (report.outcome == .partial && job.kind != .post)
        if succeeded {
            events.append(.success)
            if let previous, previous != "success", previous != "partial", previous != "skipped" { events.append(.recovered) }
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
                durationMs: report.durationMs, exitCode: report.exitCode.map { Int32(truncatingIfNeeded: $0) },
                error: report.errorClass, outputTail: report.outputTail.isEmpty ? nil : report.outputTail,
                scheduledAt: key.scheduledAt, retryIn: retryIn)
            notifier.notify(payload, to: targets)
        }
    }

    func announceMissed(_ job: JobSpec, key: OccurrenceKey) {
        guard let notifier, !job.notify.isEmpty else { return }
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
            return NotificationTarget(on: on, destination: .command(ProcessExecutor.processCommand(command), workdir: ".",
                                                                  environment: ProcessInfo.processInfo.environment,
                                                                  secrets: secrets))
        }
    }
}

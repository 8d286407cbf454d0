import Foundation
import AlmanacCore
import Scheduler
import Processes
import Synchronization

/// Delivers notifications in the background, with retries, and reports each delivery.
///
/// A notifier must never hold up the runner: `notify` returns at once and the deliveries
/// run in a detached task, each target on its own, retried a few times with a short
/// backoff. When they are done, `onDelivery` is called once per target with the result (the
/// runner journals it). A stopping runner waits for what is in flight (`drain`), so the
/// failure alert of an attempt that ended in the drain is sent, and journaled, before exit.
package struct Notifier: Sendable {
    /// How hard to try one delivery.
    package struct Policy: Sendable, Hashable {
        /// Attempts per target, at least 1.
        package var attempts: Int
        /// The wait before attempt 2, 3, …; the last value repeats.
        package var backoff: [Duration]
        /// Per-attempt limit for a request or a command.
        package var timeout: Duration

        /// A policy; the default is 3 attempts, 1 s then 5 s apart, 10 s each.
        package init(attempts: Int = 3, backoff: [Duration] = [.seconds(1), .seconds(5)], timeout: Duration = .seconds(10)) {
            self.attempts = max(1, attempts)
            self.backoff = backoff
            self.timeout = timeout
        }
    }

    private let launcher: ProcessLauncher
    private let sender: HTTPSender
    private let logPath: String
    private let policy: Policy
    private let onDelivery: @Sendable (NotificationDelivery) async -> Void
    private let inFlight = InFlight()

    /// A notifier; webhooks go through `sender` (the runner's), command notifiers append their output to `logPath`.
    package init(
        launcher: ProcessLauncher, sender: HTTPSender, logPath: String, policy: Policy = Policy(),
        onDelivery: @escaping @Sendable (NotificationDelivery) async -> Void = { _ in }
    ) {
        self.launcher = launcher
        self.sender = sender
        self.logPath = logPath
        self.policy = policy
        self.onDelivery = onDelivery
    }

    /// Starts delivering `payload` to every target whose `on:` has its event; returns immediately.
    ///
    /// The returned task finishes when all deliveries are done (tests and shutdown may await
    /// it; the runner need not). Its value lists the deliveries in target order.
    @discardableResult
    package func notify(_ payload: NotificationPayload, to targets: [NotificationTarget]) -> Task<[NotificationDelivery], Never> {
        let chosen = targets.enumerated().filter { $0.element.on.contains(payload.event) }
        inFlight.begin()  // before the task exists, so a drain that starts now waits for it
        return Task.detached { [self] in
            defer { inFlight.end() }
            return await withTaskGroup(of: NotificationDelivery.self) { group in
                for (index, target) in chosen {
                    group.addTask {
                        let delivery = await deliver(payload, to: target, index: index)
                        await onDelivery(delivery)
                        return delivery
                    }
                }
                var deliveries: [NotificationDelivery] = []
                for await delivery in group { deliveries.append(delivery) }
                return deliveries.sorted { $0.targetIndex < $1.targetIndex }
            }
        }
    }

    /// Waits until every notification started so far is delivered (or has given up) and
    /// reported, for at most `timeout`; returns how many are still in flight then.
    package func drain(timeout: Duration) async -> Int {
        let inFlight = self.inFlight
        _ = await poll(every: .milliseconds(10), timeout: timeout) { inFlight.count == 0 }
        return inFlight.count
    }

    /// Notifications started and not yet reported.
    private final class InFlight: Sendable {
        private let running = Atomic<Int>(0)
        var count: Int { running.load(ordering: .acquiring) }
        func begin() { running.add(1, ordering: .relaxed) }
        func end() { running.subtract(1, ordering: .releasing) }
    }

    /// One target, with retries while the failure is retryable.
    private func deliver(_ payload: NotificationPayload, to target: NotificationTarget, index: Int) async -> NotificationDelivery {
        let body = payload.encoded
        var report = NotificationDelivery(
            job: payload.job, event: payload.event, targetIndex: index, target: target.summary,
            delivered: false, attempts: 0)
        for attempt in 1...policy.attempts {
            if attempt > 1, let wait = policy.backoff[safe: attempt - 2] ?? policy.backoff.last {
                try? await Task.sleep(for: wait)
            }
            report.attempts = attempt
            let failure = await attemptDelivery(body, to: target.destination, report: &report)
            report.error = failure?.message
            guard let failure, failure.isRetryable, !Task.isCancelled else { break }
        }
        report.delivered = report.error == nil
        return report
    }

    /// One attempt; returns the failure, or nil when delivered. Records status or exit code.
    private func attemptDelivery(
        _ body: Data, to destination: NotificationTarget.Destination, report: inout NotificationDelivery
    ) async -> PublishOutcome.Failure? {
        switch destination {
        case .webhook(let url, let headers):
            var all = [("Content-Type", "application/json"), ("User-Agent", "almanac")]
            all += headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
            let result = await sender.send(url: url, method: "POST", headers: all, body: body, timeout: policy.timeout)
            let target = PublishDestination.Webhook(url: url, headers: headers, timeout: policy.timeout)
            let outcome = WebhookPublisher.outcome(result, target: target, now: Date(), duration: .zero)
            if case .answer(let answer) = result { report.status = answer.status }
            guard case .failed(let failure) = outcome else { return nil }
            return failure
        case .command(let command, let workdir, let environment, let secrets):
            let run = await CommandPublisher.run(
                command, stdin: body, workdir: workdir, environment: environment,
                logPath: logPath, timeout: policy.timeout, secrets: secrets, launcher: launcher)
            switch run {
            case .notStarted(let error):
                return .init(errorClass: PublishClassifier.errorClass(for: error), message: error.description)
            case .finished(let result):
                report.exitCode = result.exitCode
                guard let errorClass = PublishClassifier.errorClass(for: result, nonRetryableExitCodes: []) else { return nil }
                return .init(errorClass: errorClass, message: CommandPublisher.describe(result), exitCode: result.exitCode)
            }
        }
    }
}

extension Array {
    /// The element at `index`, or nil when out of range.
    fileprivate subscript(safe index: Int) -> Element? {
        indices.contains(index) ? self[index] : nil
    }
}

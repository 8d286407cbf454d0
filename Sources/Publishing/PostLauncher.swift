import CronSchedule
import Foundation
import Journal
import Manifest
import Scheduler
import Processes

/// Publishes one occurrence of a post to each of its targets, exactly once per target.
///
/// Each target is its own unit: `processing` is journaled (durably) before the request and
/// `published` (or the target's failure) after it, and every request carries
/// `Idempotency-Key: <post>@<scheduled time>` (`#<target>` with several targets). A retry, or
/// a restart after a crash between the two records, sends only the targets not yet published,
/// with the same key — never a new one.
package struct PostLauncher: JobLauncher {
    let journal: any JournalBackend
    let clock: any RunnerClock
    let root: URL
    let stateDirectory: URL
    let environment: [String: String]
    let webhook: WebhookPublisher
    let command: CommandPublisher
    let observer: (@Sendable (RunnerNotice) -> Void)?
    /// The state directory's id: `run:` targets' children carry the `ALMANAC_RUN` marker too.
    let instance: String

    /// An executor whose webhooks go through `sender`, the runner's one HTTP client.
    package init(journal: any JournalBackend, clock: any RunnerClock, root: URL, stateDirectory: URL, environment: [String: String],
                sender: HTTPSender, launcher: ProcessLauncher = ProcessLauncher(), observer: (@Sendable (RunnerNotice) -> Void)? = nil) {
        self.journal = journal
        self.clock = clock
        self.root = root
        self.stateDirectory = stateDirectory
        self.environment = environment
        self.webhook = WebhookPublisher(sender: sender, clock: { [clock] in clock.now() })
        self.command = CommandPublisher(launcher: launcher)
        self.observer = observer
        self.instance = StateInstance.id(of: stateDirectory)
    }

    package var runInstance: String? { instance }

    package func start(_ post: JobSpec, occurrence: OccurrenceKey, attempt: Int, triggeredBy: String) async throws -> any ExecutionHandle {
        let task = Task { await publish(post, occurrence: occurrence, attempt: attempt) }
        return PostHandle(task: task)
    }

    /// The name a target is journaled and keyed under: its `name:`, else its index.
    static func targetName(_ target: PublishTarget, index: Int) -> String {
        target.journalName(index: index)
    }

    func publish(_ post: JobSpec, occurrence: OccurrenceKey, attempt: Int) async -> ExecutionReport {
        let startedAt = clock.now()
        let publications = await journal.state().jobs[post.name]?.publications ?? [:]
        let several = post.publish.count > 1
        var published = 0
        var failures: [(String, PublishOutcome.Failure)] = []
        var lines: [String] = []
        for (index, target) in post.publish.enumerated() {
            let name = Self.targetName(target, index: index)
            if let done = publications[name], done.scheduledAt == occurrence.scheduledAt, done.state == .published {
                published += 1
                continue
            }
            let processing = JournalEvent(at: clock.now(), .processing(.init(job: post.name, scheduledAt: occurrence.scheduledAt,
                                                                             attempt: attempt, target: name)))
            if let refused = await record([processing]) {
                // Not sent, and the attempt ends here unrecorded: a restart or a peer takes it over.
                return journalFailure(refused, startedAt: startedAt)
            }
            let request = PublishRequest(post: post.name, scheduledAt: occurrence.scheduledAt, attempt: attempt,
                                         target: several ? name : nil, content: post.content)
            let outcome = await send(request, to: target, post: post, name: name)
            var done: [JournalEvent]
            switch outcome {
            case .published(let receipt):
                done = [JournalEvent(at: clock.now(), .published(.init(job: post.name, scheduledAt: occurrence.scheduledAt, attempt: attempt,
                                                                       target: name, url: receipt.url ?? receipt.id, status: receipt.status)))]
                if !receipt.metrics.isEmpty {
                    // The answer's first numbers, in the same write: suggestions learn from them.
                    done.append(JournalEvent(at: clock.now(), .engagement(.init(
                        job: post.name, scheduledAt: occurrence.scheduledAt, target: name, channel: post.channel,
                        timezone: post.timeZone.displayName, metrics: receipt.metrics, source: .publish))))
                }
                published += 1
                lines.append("\(name): published" + (receipt.url.map { " \($0)" } ?? "") + (receipt.status.map { " (HTTP \($0))" } ?? ""))
            case .failed(let failure):
                // A target that failed ends like an attempt, with the target named.
                done = [JournalEvent(at: clock.now(), .finished(.init(
                    job: post.name, scheduledAt: occurrence.scheduledAt, attempt: attempt,
                    metrics: ExecutionMetrics(outcome: .failed, errorClass: FailureClass(rawValue: failure.errorClass.rawValue)),
                    message: failure.message, target: name, status: failure.status)))]
                failures.append((name, failure))
                lines.append("\(name): \(failure.description)")
            }
            if let refused = await record(done.map { $0.masked(by: post.secrets) }) {
                // Sent but not recorded: the takeover resends with the same key, which the receiver dedups.
                return journalFailure(refused, startedAt: startedAt)
            }
        }
        var report = ExecutionReport(outcome: .success, startedAt: startedAt, finishedAt: clock.now(),
                                     outputTail: lines.joined(separator: "\n"))
        guard !failures.isEmpty else { return report }
        report.outcome = published > 0 ? .partial : .failure
        // Retry when any failed target can still succeed; wait at least what a receiver asked for.
        let retryable = failures.filter { $0.1.isRetryable }
        report.retryable = !retryable.isEmpty
        report.metrics.errorClass = FailureClass(rawValue: (retryable.first ?? failures[0]).1.errorClass.rawValue)
        report.retryAfter = failures.compactMap { $0.1.retryAfter }.max()
        report.metrics.exitCode = failures.compactMap { $0.1.status }.first
        return report
    }

    func send(_ request: PublishRequest, to target: PublishTarget, post: JobSpec, name: String) async -> PublishOutcome {
        switch target.kind {
        case .webhook(let url, let method, let headers):
            guard let endpoint = URL(string: url), endpoint.scheme == "http" || endpoint.scheme == "https" else {
                return .failed(.init(errorClass: .configuration, message: "target \(name): not an http(s) URL"))
            }
            return await webhook.publish(request, to: .init(url: endpoint, method: method, headers: headers,
                                                            timeout: post.timeout ?? .seconds(30)))
        case .run(let run):
            var env = environment
            for (key, value) in post.environment { env[key] = value }
            let key = OccurrenceKey(job: post.name, scheduledAt: request.scheduledAt)
            env = RunMarker(instance: instance, key: key, attempt: request.attempt).stamped(env)
            let workdir = post.workdir.hasPrefix("/") ? post.workdir : root.appendingPathComponent(post.workdir).standardizedFileURL.path
            let log = AttemptFiles.path("logs", in: stateDirectory, job: post.name, scheduledAt: request.scheduledAt,
                                        suffix: name, ext: "log").path
            return await command.publish(request, to: .init(command: ProcessJobLauncher.processCommand(run), workdir: workdir,
                                                            environment: env, timeout: post.timeout ?? .seconds(300),
                                                            nonRetryableExitCodes: post.nonRetryableExitCodes,
                                                            secrets: post.secrets), logPath: log)
        }
    }

    /// Appends `events`; returns the journal's refusal, nil when they are written.
    func record(_ events: [JournalEvent]) async -> JournalError? {
        do {
            for event in try await journal.append(events) { observer?(.recorded(event)) }
            return nil
        } catch let error as JournalError {
            return error
        } catch {
            return JournalError(kind: .failed, path: "journal", message: "\(error)")
        }
    }

    /// The report of an attempt a refused write cut short: the runner stops on it (Runner+JournalFault)
    /// without journaling the attempt's end.
    func journalFailure(_ error: JournalError, startedAt: Date) -> ExecutionReport {
        var report = ExecutionReport(outcome: .error, startedAt: startedAt, finishedAt: clock.now(),
                                     outputTail: "journal write failed: \(error)")
        report.journalError = error
        return report
    }
}

/// A post occurrence being published.
struct PostHandle: ExecutionHandle {
    let task: Task<ExecutionReport, Never>
    var pid: Int32? { nil }
    func wait() async -> ExecutionReport { await task.value }
    func terminate(grace: Duration) { task.cancel() }
}

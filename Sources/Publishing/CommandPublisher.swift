import Foundation
import Manifest
import Scheduler
import Processes

/// Publishes a post by running a command with the post's JSON on stdin.
///
/// For platforms without a webhook: the command (a CLI client, a script) reads the JSON,
/// publishes, and may print `{"url": ..., "id": ...}` as its last JSON line so the journal
/// records where the post went. Its environment also carries the idempotency key, so a
/// script can pass it on to an API that supports one.
package struct CommandPublisher: Sendable {
    private let launcher: ProcessLauncher

    /// A publisher starting children with `launcher` (share the runner's).
    package init(launcher: ProcessLauncher) {
        self.launcher = launcher
    }

    /// Runs one attempt, appending its output to `logPath`, and classifies the exit; never throws.
    ///
    /// The environment gets `ALMANAC_POST`, `ALMANAC_SCHEDULED_AT`, `ALMANAC_ATTEMPT`,
    /// `ALMANAC_IDEMPOTENCY_KEY` and (for a named target) `ALMANAC_TARGET`, unless the
    /// target's environment already sets them.
    package func publish(_ request: PublishRequest, to target: PublishDestination.Command, logPath: String) async -> PublishOutcome {
        var environment = target.environment
        let added = [
            "ALMANAC_POST": request.post,
            "ALMANAC_SCHEDULED_AT": PublishRequest.rfc3339(request.scheduledAt),
            "ALMANAC_ATTEMPT": String(request.attempt),
            "ALMANAC_IDEMPOTENCY_KEY": request.idempotencyKey,
            "ALMANAC_TARGET": request.target,
        ]
        for case let (name, value?) in added where environment[name] == nil { environment[name] = value }
        let run = await Self.run(
            target.command, stdin: request.body, workdir: target.workdir, environment: environment,
            logPath: logPath, timeout: target.timeout, secrets: target.secrets, launcher: launcher)
        switch run {
        case .notStarted(let error):
            return .failed(.init(errorClass: PublishClassifier.errorClass(for: error), message: error.description))
        case .finished(let result):
            guard let errorClass = PublishClassifier.errorClass(for: result, nonRetryableExitCodes: target.nonRetryableExitCodes) else {
                let report = PublishClassifier.lastJSONObject(in: result.outputTail)
                return .published(.init(
                    exitCode: 0, id: report?["id"]?.text, url: report?["url"]?.text, metrics: PublishClassifier.metrics(in: report),
                    outputTail: result.outputTail, duration: result.duration))
            }
            return .failed(.init(
                errorClass: errorClass, message: Self.describe(result), exitCode: result.exitCode,
                outputTail: result.outputTail, duration: result.duration))
        }
    }

    /// How a command run ended: it could not start, or it finished.
    enum Run: Sendable {
        case notStarted(ProcessError)
        case finished(ExecutionResult)
    }

    /// Starts `command` with `stdin` and waits for it; shared with the command notifier.
    static func run(
        _ command: ProcessCommand, stdin: Data, workdir: String, environment: [String: String],
        logPath: String, timeout: Duration?, secrets: SecretMask = .none, launcher: ProcessLauncher
    ) async -> Run {
        let spec = ProcessSpec(
            command: command, workdir: workdir, environment: environment, logPath: logPath,
            timeout: timeout, killGrace: .seconds(2), stdin: [UInt8](stdin), secrets: secrets)
        do {
            return .finished(try await launcher.start(spec).wait())
        } catch {
            return .notStarted(error)
        }
    }

    /// One line for a failed run: `exit 3`, `killed by signal 9`, `timed out after 1502 ms`.
    static func describe(_ result: ExecutionResult) -> String {
        if result.timedOut {
            return "timed out after \(result.duration.milliseconds) ms"
        }
        if let signal = result.signal { return "killed by signal \(signal)" }
        return result.exitCode.map { "exit \($0)" } ?? "exit status unknown"
    }
}

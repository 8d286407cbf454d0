import Foundation
import Manifest
import Scheduler
import Processes

/// Where a post is published: an HTTP endpoint or a local command.
///
/// Mirrors the two shapes of `publish:` — `{webhook: URL, method, headers}` and
/// `{run: [...]}` — as plain values, so the runner maps the manifest onto them and the
/// publishers stay free of manifest types.
package enum PublishDestination: Sendable, Hashable {
    case webhook(Webhook)
    case command(Command)

    /// An HTTP endpoint that receives the request body as JSON.
    package struct Webhook: Sendable, Hashable {
        /// The endpoint; it may carry a token (Slack-style), so errors name only its host.
        package var url: URL
        /// The HTTP method, `POST` unless the post says otherwise.
        package var method: String
        /// Extra headers (e.g. `Authorization`); their values never appear in errors.
        package var headers: [String: String]
        /// The whole request — connect, send, wait, read — must finish within this.
        package var timeout: Duration

        /// A webhook target with the defaults: POST, no extra headers, 30 s.
        package init(url: URL, method: String = "POST", headers: [String: String] = [:], timeout: Duration = .seconds(30)) {
            self.url = url
            self.method = method
            self.headers = headers
            self.timeout = timeout
        }
    }

    /// A command that gets the request body as JSON on stdin.
    package struct Command: Sendable, Hashable {
        /// The argv, or a shell string.
        package var command: ProcessCommand
        /// The working directory, already resolved against the post file's directory.
        package var workdir: String
        /// The child's full environment (the caller merges runner, post and `${VAR}` values).
        package var environment: [String: String]
        /// Wall-clock limit; the process group is stopped at the deadline.
        package var timeout: Duration?
        /// Exit codes that mean "this content will never be accepted": not retried.
        package var nonRetryableExitCodes: Set<Int32>
        /// The post's `${VAR}` values, masked out of the command's output.
        package var secrets: SecretMask

        /// A command target; `timeout` defaults to 5 minutes.
        package init(
            command: ProcessCommand, workdir: String = ".", environment: [String: String],
            timeout: Duration? = .seconds(300), nonRetryableExitCodes: Set<Int32> = [], secrets: SecretMask = .none
        ) {
            self.command = command
            self.workdir = workdir
            self.environment = environment
            self.timeout = timeout
            self.nonRetryableExitCodes = nonRetryableExitCodes
            self.secrets = secrets
        }
    }
}

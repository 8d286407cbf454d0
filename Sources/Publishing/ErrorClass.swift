import Scheduler
import Processes
/// Why a publish attempt failed, as far as retrying is concerned.
///
/// The class decides whether a retry can help: a rejected token or invalid content fails
/// the same way every time, an overloaded or unreachable receiver may recover. Raw values
/// are the strings the journal records.
package enum ErrorClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// 401/403: the credentials were refused.
    case auth
    /// 400/404/413/422, or a command's non-retryable exit code: the content was refused.
    case content
    /// 408/429: the receiver asked to come back later (`Retry-After` is honoured).
    case rateLimited
    /// 5xx: the receiver failed.
    case server
    /// No complete answer within the timeout.
    case timeout
    /// Connection refused or reset, DNS failure, TLS failure: the receiver was not reached.
    case connection
    /// A command publisher exited non-zero (outside `nonRetryableExitCodes`) or was killed.
    case command
    /// Any other 4xx, or an unexpected 1xx/3xx: refused for a reason a retry won't change.
    case rejected
    /// The target cannot work as configured: a malformed URL, a command that is not there.
    case configuration

    /// Whether another attempt may succeed.
    package var isRetryable: Bool {
        switch self {
        case .rateLimited, .server, .timeout, .connection, .command: true
        case .auth, .content, .rejected, .configuration: false
        }
    }
}

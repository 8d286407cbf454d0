import AsyncHTTPClient
import Journal
import Processes
import Foundation

/// Maps what a receiver answered — an HTTP status, a transport error, an exit — to an `ErrorClass`.
///
/// Pure: no I/O and no clock (the time an answer arrived is passed in to read an HTTP-date
/// `Retry-After`), so every rule is a line in a case table.
package enum PublishClassifier {
    /// The class of an HTTP status; nil for 2xx, which means published.
    package static func errorClass(status: Int) -> ErrorClass? {
        switch status {
        case 200...299: nil
        case 401, 403: .auth
        case 400, 404, 413, 422: .content
        case 408, 429: .rateLimited
        case 500...599: .server
        default: .rejected
        }
    }

    /// The class of an AsyncHTTPClient transport error.
    ///
    /// Anything that kept the request from reaching the receiver or the answer from coming
    /// back is `connection` (retryable); running out of time at any stage is `timeout`; a URL
    /// or proxy setting that cannot work at all is `configuration`.
    package static func errorClass(for error: any Error) -> ErrorClass {
        guard let error = error as? HTTPClientError else { return .connection }
        switch error {
        case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
             .httpProxyHandshakeTimeout, .socksHandshakeTimeout, .getConnectionFromPoolTimeout:
            return .timeout
        case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .invalidProxyConfiguration,
             .proxyAuthenticationRequired:
            return .configuration
        default:
            return .connection
        }
    }

    /// The class of a finished command; nil for exit 0, which means published.
    ///
    /// A timeout wins over everything else; an exit code in `nonRetryableExitCodes` means
    /// the content was refused; any other exit or a signal is a retryable `command` failure.
    package static func errorClass(for result: ExecutionResult, nonRetryableExitCodes: Set<Int32>) -> ErrorClass? {
        if result.timedOut { return .timeout }
        if let code = result.exitCode {
            if code == 0 { return nil }
            if nonRetryableExitCodes.contains(code) { return .content }
        }
        return .command
    }

    /// The class of a command that could not be started.
    ///
    /// A missing program or workdir will not appear by itself within minutes: configuration.
    /// A log file or system call that failed may work next time.
    package static func errorClass(for error: ProcessError) -> ErrorClass {
        switch error {
        case .invalidSpec, .commandNotFound, .workdir, .spawn: .configuration
        case .logFile, .limits, .system, .journalFailed: .command
        }
    }

    /// A `Retry-After` value — delay-seconds or an HTTP-date — as a delay from `now`.
    ///
    /// A date in the past gives zero; anything unreadable gives nil. Capping is left to
    /// `RetryDelays`, which knows the policy.
    package static func retryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return Int64(text).map { .seconds($0) } ?? .seconds(Int64.max / 1_000_000_000_000)
        }
        guard let date = httpDate(text) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return .seconds(Int64(seconds.rounded(.up)))
    }

    /// Parses the three date forms of RFC 9110: IMF-fixdate, RFC 850 and asctime.
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// `id`, `url` and `metrics` from a JSON object answer; nil and empty for anything else.
    package static func receiptFields(_ body: Data) -> (id: String?, url: String?, metrics: [String: Double]) {
        guard let object = PayloadJSON.parse(body) else { return (nil, nil, [:]) }
        return (object["id"]?.text, object["url"]?.text, metrics(in: object))
    }

    /// The answer's `metrics` object (`{"likes": 12, "comments": 3}`): its finite numbers
    /// under valid names (EngagementMetric), at most 32; anything else in it is left out, so a
    /// receiver's odd field never fails a post that was published.
    package static func metrics(in answer: PayloadJSON?) -> [String: Double] {
        guard case .object(let members)? = answer?["metrics"] else { return [:] }
        var metrics: [String: Double] = [:]
        for name in members.keys.sorted() where EngagementMetric.isValidName(name) && metrics.count < EngagementMetric.maxCount {
            switch members[name] {
            case .int(let value)?: metrics[name] = Double(value)
            case .double(let value)? where value.isFinite: metrics[name] = value
            default: continue
            }
        }
        return metrics
    }

    /// The last line of `output` that is a JSON object, the way a command reports its post.
    ///
    /// stdout and stderr share the log, so progress lines and warnings may surround the
    /// object; only a whole line starting with `{` counts.
    package static func lastJSONObject(in output: String) -> PayloadJSON? {
        for line in output.split(whereSeparator: \.isNewline).reversed() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("{"), let value = PayloadJSON.parse(Data(trimmed.utf8)),
                  case .object = value else { continue }
            return value
        }
        return nil
    }
}

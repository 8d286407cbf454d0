import Dispatch
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Scheduler
import Processes

/// Sends one HTTP request with a hard deadline and returns the answer or a classified failure.
///
/// Shared by the webhook publisher and the webhook notifier. `URLRequest.timeoutInterval`
/// is an idle timeout — a receiver that trickles bytes never trips it — so a timer cancels
/// the task at the deadline as well, and that cancellation is reported as `timeout`.
struct HTTPSender: Sendable {
    /// A complete HTTP answer, whatever its status.
    struct Answer: Sendable {
        var status: Int
        /// Header names lowercased.
        var headers: [String: String]
        var body: Data
    }

    enum Result: Sendable {
        case answer(Answer)
        case failure(ErrorClass, String)
    }

    let session: URLSession

    /// A sender over `session`; by default an ephemeral session without cookies or cache.
    init(session: URLSession? = nil) {
        self.session = session ?? Self.makeSession()
    }

    static func makeSession() -> URLSession {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        return URLSession(configuration: configuration)
    }

    /// Sends `body` to `url`; headers are applied in order, a later one replacing an earlier one.
    func send(url: URL, method: String, headers: [(String, String)], body: Data, timeout: Duration) async -> Result {
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        // corelibs' URLSession truncates this to whole seconds (0.5 s would expire at once);
        // it only backs up the timer below, so round up and add a second.
        request.timeoutInterval = Double(max(0, timeout.components.seconds)) + 2
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let state = Mutex(Pending())
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result, Never>) in
                let task = session.dataTask(with: request) { data, response, error in
                    let timedOut = state.withLock { $0.timedOut }
                    continuation.resume(returning: Self.result(data, response, error, timedOut: timedOut, url: url))
                }
                let cancelled = state.withLock { pending in
                    pending.task = task
                    return pending.cancelled
                }
                task.resume()
                if cancelled { task.cancel() }
                DispatchQueue.global().asyncAfter(deadline: .now() + RunningProcess.interval(timeout)) {
                    let running = state.withLock { pending -> URLSessionDataTask? in
                        pending.timedOut = true
                        return pending.task
                    }
                    running?.cancel()
                }
            }
        } onCancel: {
            state.withLock { pending in
                pending.cancelled = true
                return pending.task
            }?.cancel()
        }
    }

    /// The in-flight task and why it may be cancelled; only touched under the `Mutex`.
    ///
    /// `@unchecked` because corelibs' `URLSessionDataTask` is not marked `Sendable`; the
    /// task is only resumed and cancelled, both thread-safe operations.
    private struct Pending: @unchecked Sendable {
        var task: URLSessionDataTask?
        var cancelled = false
        var timedOut = false
    }

    private static func result(_ data: Data?, _ response: URLResponse?, _ error: (any Error)?, timedOut: Bool, url: URL) -> Result {
        if let http = response as? HTTPURLResponse, error == nil {
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                if let name = name as? String, let value = value as? String { headers[name.lowercased()] = value }
            }
            return .answer(Answer(status: http.statusCode, headers: headers, body: data ?? Data()))
        }
        if timedOut { return .failure(.timeout, "no answer from \(location(url)) within the timeout") }
        let errorClass = error.map(PublishClassifier.errorClass(for:)) ?? .connection
        let reason = (error as? URLError).map { "\($0.code.rawValue)" } ?? "no response"
        let text = errorClass == .timeout ? "no answer from \(location(url)) within the timeout"
            : "cannot reach \(location(url)) (URLError \(reason))"
        return .failure(errorClass, text)
    }

    /// `host:port` of `url`: enough to tell targets apart, without a token from the path or query.
    static func location(_ url: URL) -> String {
        let host = url.host ?? "?"
        return url.port.map { "\(host):\($0)" } ?? host
    }

    /// The first 200 characters of a body, on one line, for an error message.
    static func snippet(_ body: Data) -> String {
        let text = String(decoding: body.prefix(600), as: UTF8.self)
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    /// `text` with every secret value — and each long word of one — replaced by `[redacted]`.
    ///
    /// Header values never go into messages on purpose; this also catches a receiver that
    /// echoes the request (`{"error": "bad token Bearer abc…"}`) in its error body.
    static func redact(_ text: String, secrets: some Sequence<String>) -> String {
        var words: Set<String> = []
        for secret in secrets {
            if secret.count >= 4 { words.insert(secret) }
            for word in secret.split(separator: " ") where word.count >= 8 { words.insert(String(word)) }
        }
        return words.sorted { $0.count > $1.count }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }
}

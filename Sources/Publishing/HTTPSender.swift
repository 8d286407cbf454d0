import AlmanacCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import Scheduler
import Processes

/// Sends outbound HTTP — webhook posts and notifications — and returns the answer or a classified failure.
///
/// One sender lives as long as the runner (`HTTPSender.with`), so every request shares
/// AsyncHTTPClient's connection pool, and it is shut down on every way out of the runner
/// (a drained stop, a bad start, the journal-fault exit). Each request gets its own deadline
/// from its timeout, to the nanosecond: AsyncHTTPClient's deadline covers connecting, sending
/// and the response head, and the body is read against the same instant, because AHC leaves
/// a streamed body to the caller. Proxies come from the environment (`ProxyEnvironment`);
/// TLS is AHC's default (the system's trust roots, certificate and host name verified).
package struct HTTPSender: Sendable {
    /// A complete HTTP answer, whatever its status.
    struct Answer: Sendable {
        var status: Int
        /// Header names lowercased.
        var headers: [String: String]
        /// At most `maxBodyBytes` of the body; the rest is not read.
        var body: Data
    }

    enum Result: Sendable {
        case answer(Answer)
        case failure(ErrorClass, String)
    }

    /// The most of an answer's body kept: enough for any receipt (`{"id", "url"}`) and error
    /// snippet, without holding a receiver's megabytes in memory. The rest is not read.
    static let maxBodyBytes = 1 << 20

    private let direct: HTTPClient
    private let proxied: [HTTPClient.Configuration.Proxy: HTTPClient]
    private let proxies: ProxyEnvironment

    /// A sender with its own clients: one direct, one per proxy named in `environment`.
    ///
    /// Call `shutdown()` when done (or use `with`): AsyncHTTPClient requires it.
    package init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        proxies = ProxyEnvironment(environment)
        direct = Self.client(proxy: nil)
        var proxied: [HTTPClient.Configuration.Proxy: HTTPClient] = [:]
        for proxy in [proxies.http, proxies.https].compactMap({ $0 }) where proxied[proxy] == nil {
            proxied[proxy] = Self.client(proxy: proxy)
        }
        self.proxied = proxied
    }

    /// Runs `body` with a new sender and shuts the sender down after it, whether it returns or throws.
    package static func with<Value>(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        isolation: isolated (any Actor)? = #isolation,
        _ body: (HTTPSender) async throws -> Value
    ) async throws -> Value {
        let sender = HTTPSender(environment: environment)
        do {
            let value = try await body(sender)
            await sender.shutdown()
            return value
        } catch {
            await sender.shutdown()
            throw error
        }
    }

    /// Closes every pooled connection; requests still in flight fail as `connection`.
    package func shutdown() async {
        for client in [direct] + Array(proxied.values) {
            try? await client.shutdown()  // only fails when already shut down
        }
    }

    /// Redirects are followed (up to 5, no cycles), as URLSession did. A refused connection
    /// fails the attempt at once instead of being retried until the deadline: retrying is the
    /// runner's decision (`RetryDelays`, `Notifier.Policy`), made with the error class in hand.
    private static func client(proxy: HTTPClient.Configuration.Proxy?) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.proxy = proxy
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }

    /// Sends `body` to `url`; headers are applied in order, a later one replacing an earlier one.
    ///
    /// The whole exchange — connect, send, wait, read — must end within `timeout`.
    func send(url: URL, method: String, headers: [(String, String)], body: Data, timeout: Duration) async -> Result {
        let deadline = ContinuousClock.now + timeout
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https", url.host?.isEmpty == false else {
            return .failure(.configuration, "cannot reach \(Self.location(url)) (not an http or https URL)")
        }
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        request.body = .bytes(body)
        let client = proxies.proxy(for: url).flatMap { proxied[$0] } ?? direct
        do {
            let response = try await client.execute(request, deadline: .now() + Self.timeAmount(timeout))
            var answerHeaders: [String: String] = [:]
            for (name, value) in response.headers { answerHeaders[name.lowercased()] = value }
            let received = try await Self.collect(response.body, until: deadline)
            return .answer(Answer(status: Int(response.status.code), headers: answerHeaders, body: received))
        } catch {
            let errorClass = PublishClassifier.errorClass(for: error)
            if errorClass == .timeout { return .failure(.timeout, "no answer from \(Self.location(url)) within the timeout") }
            return .failure(errorClass, "cannot reach \(Self.location(url)) (\(Self.reason(error)))")
        }
    }

    /// Reads up to `maxBodyBytes` of `body`, or throws `deadlineExceeded` at `deadline`.
    ///
    /// A receiver that sends its head in time and then trickles the body must not hold the
    /// attempt past its timeout; cancelling the read makes AHC close the connection.
    private static func collect(_ body: HTTPClientResponse.Body, until deadline: ContinuousClock.Instant) async throws -> Data {
        try await withThrowingTaskGroup(of: Data?.self) { group in
            group.addTask {
                var data = Data()
                for try await chunk in body {
                    data.append(contentsOf: chunk.readableBytesView.prefix(maxBodyBytes - data.count))
                    if data.count >= maxBodyBytes { break }
                }
                return data
            }
            group.addTask {
                try await Task.sleep(until: deadline, clock: .continuous)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let data = first else { throw HTTPClientError.deadlineExceeded }
            return data
        }
    }

    /// `duration` as NIO's `TimeAmount`, clamped to 0…Int64.max nanoseconds.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        .nanoseconds(max(0, duration.nanoseconds))
    }

    /// A short reason for a transport failure, without the URL (its path or query may hold a token).
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as HTTPClientError: return error.shortDescription.lowercased()
        case let error as IOError: return String(cString: strerror(error.errnoCode)).lowercased()
        case let error as NIOConnectionError:
            return error.connectionErrors.first.map { reason($0.error) } ?? "no address for the host"
        case is CancellationError: return "cancelled"
        default: return "\(type(of: error))"
        }
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

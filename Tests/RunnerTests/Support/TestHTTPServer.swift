import Foundation
import Hummingbird
import Logging
import Synchronization

/// A Hummingbird server on 127.0.0.1 that plays a platform or a webhook receiver in tests.
///
/// Binds port 0 (an ephemeral port, read back once the server runs), records every request
/// and answers from a per-path script: real HTTP over loopback, so the client's pooling,
/// deadlines and error paths are the ones production takes. `stop()` (and, without waiting,
/// deinit) ends the server and every hanging answer.
final class TestHTTPServer: Sendable {
    /// One scripted answer.
    enum Reply: Sendable {
        /// A status with a body (JSON by default) and extra headers.
        case json(Int, String = "{}", headers: [String: String] = [:])
        /// Never answer; the request stays open until the server stops.
        case hang
        /// Answer `reply` after `delay`.
        indirect case delayed(Duration, Reply)
        /// An answer computed from the request (e.g. echo it back).
        case respond(@Sendable (Request) -> Reply)
        /// 200 with `first` of the body at once and `rest` after `delay`: a head in time, a body too late.
        case trickle(String, String, after: Duration)

        static func ok(_ body: String = "{}") -> Reply { .json(200, body) }
        static func status(_ code: Int) -> Reply { .json(code, #"{"error":"scripted \#(code)"}"#) }
        static func rateLimited(retryAfter: String) -> Reply { .json(429, "{}", headers: ["Retry-After": retryAfter]) }
    }

    /// A request as received.
    struct Request: Sendable {
        var method: String
        /// The request target: path and query (`host:port` for a proxy CONNECT).
        var path: String
        /// Header names lowercased.
        var headers: [String: String]
        var body: Data
        var at: Date
        /// The client's address and port: one value for requests over one pooled connection.
        var peer: String

        /// The body parsed as a JSON object.
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    let port: Int
    private let book: Book
    private let serving: Task<Void, Never>

    /// The scripts and the requests, shared with the responder.
    private final class Book: Sendable {
        struct State {
            var scripts: [String: [Reply]] = [:]
            var requests: [Request] = []
            var stopped = false
        }
        let state = Mutex(State())
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
    }

    /// Starts the server and returns once it listens.
    init() async throws {
        let book = Book()
        let (ports, announce) = AsyncStream<Int>.makeStream()
        let responder = CallbackResponder<PeerContext> { request, context in
            try await Self.answer(request, peer: context.peer, book: book)
        }
        let app = Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "test-receiver"),
            onServerRunning: { channel in
                announce.yield(channel.localAddress?.port ?? 0)
                announce.finish()
            },
            logger: Logger(label: "test-receiver") { _ in SwiftLogNoOpLogHandler() })
        serving = Task {
            try? await app.run()
            announce.finish()
        }
        var listening: Int?
        for await port in ports { listening = port }
        guard let listening, listening > 0 else {
            serving.cancel()
            throw ServerError(description: "the test server did not start")
        }
        self.book = book
        self.port = listening
    }

    deinit {
        book.state.withLock { $0.stopped = true }
        serving.cancel()
    }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)")!
    }

    /// Scripts the answers for `path`, used in order; the last one repeats. Unscripted paths get 200 `{}`.
    func script(_ path: String, _ replies: Reply...) {
        book.state.withLock { $0.scripts[path] = replies }
    }

    /// Every request so far (to `path`, if given), in arrival order.
    func requests(to path: String? = nil) -> [Request] {
        book.state.withLock { $0.requests }.filter { path == nil || $0.path == path }
    }

    /// Waits until `count` requests (to `path`) arrived, or `timeout` passed; returns them.
    func waitForRequests(_ count: Int, to path: String? = nil, timeout: Duration = .seconds(10)) async -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while requests(to: path).count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return requests(to: path)
    }

    /// Stops the server, ending hanging answers, and waits until it is down.
    func stop() async {
        book.state.withLock { $0.stopped = true }
        serving.cancel()
        await serving.value
    }

    /// A port on 127.0.0.1 that nothing listens on (a server's, after it stopped): connections are refused.
    static func closedPort() async throws -> Int {
        let server = try await TestHTTPServer()
        await server.stop()
        return server.port
    }

    /// The request context, with the connection's remote address.
    private struct PeerContext: RequestContext {
        var coreContext: CoreRequestContextStorage
        let peer: String

        init(source: ApplicationRequestContextSource) {
            coreContext = .init(source: source)
            peer = source.channel.remoteAddress.map { "\($0)" } ?? "?"
        }
    }

    private static func answer(_ request: Hummingbird.Request, peer: String, book: Book) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let body = try await request.body.collect(upTo: .max)
        let received = Request(method: request.method.rawValue, path: (request.method == .connect ? request.head.authority : request.head.path) ?? "/", headers: headers,
                               body: Data(body.readableBytesView), at: Date(), peer: peer)
        var reply = book.state.withLock { state -> Reply in
            state.requests.append(received)
            var queue = state.scripts[received.path] ?? [.ok()]
            let next = queue.first ?? .ok()
            if queue.count > 1 { queue.removeFirst() }
            state.scripts[received.path] = queue
            return next
        }
        while true {
            switch reply {
            case .json(let status, let text, let extra):
                var fields = HTTPFields()
                fields[.contentType] = "application/json"
                for (name, value) in extra {
                    if let name = HTTPFields.Element.Name(name) { fields[name] = value }
                }
                return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: text)))
            case .hang:
                while !book.state.withLock({ $0.stopped }) { try await Task.sleep(for: .milliseconds(20)) }
                throw CancellationError()
            case .delayed(let delay, let then):
                try await Task.sleep(for: delay)
                reply = then
            case .respond(let make):
                reply = make(received)
            case .trickle(let first, let rest, let delay):
                return Response(status: .ok, body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: first))
                    try await Task.sleep(for: delay)
                    try await writer.write(ByteBuffer(string: rest))
                    try await writer.finish(nil)
                })
            }
        }
    }
}

/// Runs blocking `work` (a child process waited for) on a thread of its own and awaits it.
///
/// The test server answers from Swift tasks; a test that blocks a cooperative thread while
/// the child talks to the server could starve it on a two-core machine.
func offThePool<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

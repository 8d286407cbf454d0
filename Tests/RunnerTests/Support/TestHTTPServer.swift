import Dispatch
import Foundation
import Glibc
import Synchronization

/// A small HTTP/1.1 server on 127.0.0.1 that plays a platform or a webhook receiver in tests.
///
/// Binds port 0 (an ephemeral port), serves each connection on its own thread, reads
/// requests with a Content-Length body, records every request and answers from a per-path
/// script. Every answer closes the connection, so clients never reuse a half-scripted one.
/// `stop()` (also run on deinit) wakes the accept loop and every hanging connection and
/// waits for their threads to end.
final class TestHTTPServer: Sendable {
    /// One scripted answer.
    enum Reply: Sendable {
        /// A status with a body (JSON by default) and extra headers.
        case json(Int, String = "{}", headers: [String: String] = [:])
        /// Never answer; the connection stays open until the client gives up or the server stops.
        case hang
        /// An answer computed from the request (e.g. echo it back).
        case respond(@Sendable (Request) -> Reply)

        static func ok(_ body: String = "{}") -> Reply { .json(200, body) }
        static func status(_ code: Int) -> Reply { .json(code, #"{"error":"scripted \#(code)"}"#) }
        static func rateLimited(retryAfter: String) -> Reply { .json(429, "{}", headers: ["Retry-After": retryAfter]) }
    }

    /// A request as received.
    struct Request: Sendable {
        var method: String
        var path: String
        /// Header names lowercased.
        var headers: [String: String]
        var body: Data
        var at: Date

        /// The body parsed as a JSON object.
        var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    let port: UInt16
    private let listener: Int32
    private let threads = DispatchGroup()
    private let state = Mutex(State())

    private struct State {
        var scripts: [String: [Reply]] = [:]
        var requests: [Request] = []
        var connections: Set<Int32> = []
        var stopped = false
    }

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket: errno \(errno)") }
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 64) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else {
            close(fd)
            throw ServerError("bind/listen: errno \(errno)")
        }
        listener = fd
        port = UInt16(bigEndian: address.sin_port)
        threads.enter()
        Thread { [self] in acceptLoop() }.start()
    }

    deinit { stop() }

    /// `http://127.0.0.1:<port><path>`.
    func url(_ path: String) -> URL {
        URL(string: "http://127.0.0.1:\(port)\(path)")!
    }

    /// Scripts the answers for `path`, used in order; the last one repeats. Unscripted paths get 200 `{}`.
    func script(_ path: String, _ replies: Reply...) {
        state.withLock { $0.scripts[path] = replies }
    }

    /// Every request so far (to `path`, if given), in arrival order.
    func requests(to path: String? = nil) -> [Request] {
        state.withLock { $0.requests }.filter { path == nil || $0.path == path }
    }

    /// Waits until `count` requests (to `path`) arrived, or `timeout` passed; returns them.
    func waitForRequests(_ count: Int, to path: String? = nil, timeout: Duration = .seconds(10)) async -> [Request] {
        let deadline = ContinuousClock.now + timeout
        while requests(to: path).count < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        return requests(to: path)
    }

    /// Stops accepting, wakes hanging connections and waits (up to 5 s) for all threads.
    func stop() {
        state.withLock { state in
            guard !state.stopped else { return }
            state.stopped = true
            shutdown(listener, Int32(SHUT_RDWR))
            for fd in state.connections { shutdown(fd, Int32(SHUT_RDWR)) }
        }
        _ = threads.wait(timeout: .now() + 5)
    }

    /// A port on 127.0.0.1 that nothing listens on (bound, then closed): connections are refused.
    static func closedPort() throws -> UInt16 {
        let server = try TestHTTPServer()
        server.stop()
        return server.port
    }

    private func acceptLoop() {
        defer {
            close(listener)
            threads.leave()
        }
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0, errno == EINTR { continue }
            guard fd >= 0 else { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // tests spawn children; they must not hold connections open
            let admitted = state.withLock { state in
                guard !state.stopped else { return false }
                state.connections.insert(fd)
                return true
            }
            guard admitted else {
                close(fd)
                return
            }
            threads.enter()
            Thread { [self] in
                serve(fd)
                state.withLock { state in
                    state.connections.remove(fd)
                    close(fd)
                }
                threads.leave()
            }.start()
        }
    }

    private func serve(_ fd: Int32) {
        guard let request = readRequest(fd) else { return }
        var reply = state.withLock { state -> Reply in
            state.requests.append(request)
            var queue = state.scripts[request.path] ?? [.ok()]
            let next = queue.first ?? .ok()
            if queue.count > 1 { queue.removeFirst() }
            state.scripts[request.path] = queue
            return next
        }
        while case .respond(let make) = reply { reply = make(request) }
        guard case .json(let status, let body, let headers) = reply else {
            var byte: UInt8 = 0
            while recv(fd, &byte, 1, 0) > 0 {}  // hang: until the client closes or stop() shuts down
            return
        }
        var head = "HTTP/1.1 \(status) Scripted\r\nContent-Type: application/json\r\n"
        head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        send(fd, Array((head + "\r\n" + body).utf8))
    }

    /// Reads the request line, headers and a Content-Length body; nil on EOF or garbage.
    private func readRequest(_ fd: Int32) -> Request? {
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        func fill() -> Bool {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer += chunk.prefix(n) }
            return n > 0
        }
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        var headEnd: Int?
        while headEnd == nil {
            guard fill() else { return nil }
            headEnd = buffer.indices.dropLast(3).first { Array(buffer[$0..<$0 + 4]) == separator }
        }
        guard let headEnd else { return nil }
        let lines = String(decoding: buffer[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        guard parts.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if headers["expect"]?.lowercased() == "100-continue" { send(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        while buffer.count < headEnd + 4 + length {
            guard fill() else { return nil }
        }
        let body = Data(buffer[(headEnd + 4)..<(headEnd + 4 + length)])
        return Request(method: String(parts[0]), path: String(parts[1]), headers: headers, body: body, at: Date())
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            offset += n
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One Server-Sent Events message as a browser's EventSource would dispatch it.
package struct SSEMessage: Sendable, Equatable {
    package var id: String?
    package var event: String?
    package var data: String

    /// `data` as a JSON object.
    package var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
    }
}

/// A Server-Sent Events client on a plain socket (HTTP/1.1, chunked bodies decoded), so tests
/// read `GET /api/v1/events` as a client would, message by message, as they arrive.
///
/// Blocking reads with a deadline: call it off the cooperative pool (`Task.detached`).
package final class SSEClient: @unchecked Sendable {
    private let fd: Int32
    private var raw: [UInt8] = []
    private var body: [UInt8] = []
    private var chunked = false
    package private(set) var status = 0
    package private(set) var headers: [String: String] = [:]
    /// Every message so far, in order.
    package private(set) var messages: [SSEMessage] = []
    /// Comment lines (`: heartbeat`) so far, without the colon.
    package private(set) var comments: [String] = []
    /// Whether the server ended the stream.
    package private(set) var ended = false

    /// Connects to 127.0.0.1:`port` and sends `GET path` with `headers`; reads the status line
    /// and headers (up to `timeout`).
    package init(port: Int, path: String, headers: [String: String] = [:], timeout: TimeInterval = 10) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SSEClientError("socket: errno \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            throw SSEClientError("connect to port \(port): errno \(errno)")
        }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nAccept: text/event-stream\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        request += "\r\n"
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else {
            close(fd)
            throw SSEClientError("send: errno \(errno)")
        }
        let deadline = Date().addingTimeInterval(timeout)
        while headerEnd() == nil {
            guard fill(until: deadline) else { throw SSEClientError("no response headers within \(timeout) s: \(String(decoding: raw, as: UTF8.self))") }
        }
        let end = headerEnd()!
        let head = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        status = Int(head.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            self.headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        chunked = self.headers["transfer-encoding"]?.lowercased().contains("chunked") ?? false
        raw.removeFirst(end + 4)
        decode()
    }

    deinit { close(fd) }

    /// The whole body read so far, as text (for an error answer).
    package var text: String { String(decoding: body, as: UTF8.self) }

    /// Reads until `done(messages)` holds, the stream ends, or `timeout` passes; says whether
    /// `done` held.
    @discardableResult
    package func read(timeout: TimeInterval, until done: ([SSEMessage]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !done(messages) {
            guard !ended, fill(until: deadline) else { return done(messages) }
            decode()
        }
        return true
    }

    /// Reads until the server ends the stream (or `timeout`); says whether it ended.
    package func readToEnd(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !ended, fill(until: deadline) { decode() }
        return ended
    }

    private func headerEnd() -> Int? {
        guard raw.count >= 4 else { return nil }
        for index in 0...(raw.count - 4) where raw[index] == 13 && raw[index + 1] == 10 && raw[index + 2] == 13 && raw[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// Waits for bytes until `deadline`; false at the deadline or when the peer closed.
    private func fill(until deadline: Date) -> Bool {
        let left = deadline.timeIntervalSinceNow
        guard left > 0 else { return false }
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(min(left, 1) * 1000)) > 0 else { return deadline.timeIntervalSinceNow > 0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else {
            ended = true
            return false
        }
        raw += buffer[..<count]
        return true
    }

    /// Moves whole chunks (or everything, unchunked) from `raw` to `body`, then whole messages
    /// from `body` to `messages`.
    private func decode() {
        if chunked {
            while let lineEnd = find([13, 10], in: raw) {
                guard let size = Int(String(decoding: raw[..<lineEnd], as: UTF8.self).split(separator: ";").first ?? "", radix: 16) else { break }
                if size == 0 {
                    ended = true
                    raw.removeAll()
                    break
                }
                guard raw.count >= lineEnd + 2 + size + 2 else { break }
                body += raw[(lineEnd + 2)..<(lineEnd + 2 + size)]
                raw.removeFirst(lineEnd + 2 + size + 2)
            }
        } else {
            body += raw
            raw.removeAll()
        }
        while let end = find([10, 10], in: body) {
            let block = String(decoding: body[..<end], as: UTF8.self)
            body.removeFirst(end + 2)
            var message = SSEMessage(id: nil, event: nil, data: "")
            var hasField = false
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix(":") {
                    comments.append(String(line.dropFirst()).trimmingCharacters(in: .whitespaces))
                    continue
                }
                let (field, value) = line.firstIndex(of: ":").map {
                    (String(line[..<$0]), String(line[line.index(after: $0)...]).replacingOccurrences(of: "^ ", with: "", options: .regularExpression))
                } ?? (String(line), "")
                switch field {
                case "id": message.id = value; hasField = true
                case "event": message.event = value; hasField = true
                case "data": message.data += (message.data.isEmpty ? "" : "\n") + value; hasField = true
                default: continue
                }
            }
            if hasField { messages.append(message) }
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where haystack[index] == needle[0] && haystack[index + 1] == needle[1] {
            return index
        }
        return nil
    }
}

package struct SSEClientError: Error, CustomStringConvertible {
    package let description: String
    init(_ description: String) { self.description = description }
}

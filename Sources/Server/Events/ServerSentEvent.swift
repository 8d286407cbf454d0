import Journal

/// The `text/event-stream` framing (WHATWG HTML, "Server-sent events"): pure, so tests and the
/// stream share it.
enum ServerSentEvent {
    /// One journal event: `id:` its seq (what `Last-Event-ID` resumes from), `event:` its type,
    /// `data:` its journal line, the same secret-free JSON the journal file holds.
    static func frame(_ event: JournalEvent) throws -> String {
        var line = try JournalLine.encode(event, source: "GET /api/v1/events").line
        if line.last == UInt8(ascii: "\n") { line.removeLast() }
        return "id: \(event.seq)\nevent: \(event.type.rawValue)\ndata: \(String(decoding: line, as: UTF8.self))\n\n"
    }

    /// Told when events between the client's last id and `next` are gone (compacted away, or
    /// from before a journal repair): the client should reload what it shows, as after a gap.
    static func reset(after seq: UInt64, next: UInt64) -> String {
        "event: reset\ndata: {\"after\":\(seq),\"next\":\(next),\"reason\":\"events after \(seq) before \(next) are no longer in the journal\"}\n\n"
    }

    /// The first bytes: the client's reconnection delay, and a comment saying where it starts.
    static func opening(after seq: UInt64, retryMs: Int) -> String {
        "retry: \(retryMs)\n: almanac journal events after seq \(seq)\n\n"
    }

    /// A comment line: keeps proxies and load balancers from closing an idle stream.
    static let heartbeat = ": heartbeat\n\n"
}

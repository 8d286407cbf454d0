import Foundation

/// Converts journal events to and from their JSON line, by hand, for speed.
///
/// Writing: fixed key order (`seq`, `at`, `type`, `job`, …, `v`), nil fields omitted, `result`
/// embedded as compact JSON, `outputTail` cut to its last 4 KiB. Reading: any key order and
/// whitespace, `null` for absent, unknown keys skipped (newer writers may add fields).
enum EventCodec {
    /// The most output kept per event, in UTF-8 bytes.
    static let maxOutputTail = 4096

    /// The line for `event`, newline included.
    static func encode(_ e: JournalEvent) throws(JSONLineError) -> [UInt8] {
        var w = JSONLineWriter(capacity: 192 + (e.outputTail?.utf8.count ?? 0))
        w.beginObject()
        w.field("seq", e.seq)
        w.field("at", e.at)
        w.field("type", e.type.rawValue)
        w.field("job", e.job)
        w.field("scheduledAt", e.scheduledAt)
        w.field("attempt", e.attempt)
        w.field("triggeredBy", e.triggeredBy)
        w.field("hash", e.hash)
        w.field("revision", e.revision)
        w.field("kind", e.kind)
        w.field("enabled", e.enabled)
        w.field("source", e.source)
        w.field("fields", e.fields)
        w.field("outcome", e.outcome)
        w.field("exitCode", e.exitCode)
        w.field("signal", e.signal)
        w.field("durationMs", e.durationMs)
        w.field("lateUs", e.lateUs)
        w.field("errorClass", e.errorClass)
        w.field("cpuUserMs", e.cpuUserMs)
        w.field("cpuSystemMs", e.cpuSystemMs)
        w.field("maxRSSKB", e.maxRSSKB)
        w.field("pid", e.pid)
        w.field("logPath", e.logPath)
        w.field("reason", e.reason)
        w.field("retryAt", e.retryAt)
        w.field("message", e.message)
        w.field("messages", e.messages)
        w.field("target", e.target)
        w.field("url", e.url)
        w.field("status", e.status)
        w.field("commit", e.commit)
        w.rawField("result", try e.result.map(compactJSON))
        w.field("outputTail", e.outputTail.map(tail))
        w.rawField("snapshot", try e.snapshot.map(SnapshotCodec.encode))
        w.field("v", e.v)
        w.endObject()
        var bytes = w.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Reads one line (without its newline); trailing whitespace is allowed, anything else is not.
    static func decode(_ line: UnsafeBufferPointer<UInt8>) throws(JSONLineError) -> JournalEvent {
        var e = blank
        var dirty: UInt64 = 0
        try decode(line, into: &e, dirty: &dirty)
        return e
    }

    /// What `decode(_:into:)` starts from: every optional field nil (built in place, not copied).
    @inline(__always)
    static var blank: JournalEvent { JournalEvent(at: Date(timeIntervalSince1970: 0), type: .applied) }

    /// Reads one line into `e`, which may hold the previous line's event: it is cleared first.
    ///
    /// `dirty` marks the optional fields `e` has set (one bit per `Key`): those are cleared on
    /// entry, and on return it marks what this line set. Replay decodes a million lines into one
    /// reused event this way: clearing the few fields a line used costs far less than creating,
    /// copying and destroying a fresh 40-field struct per line.
    static func decode(_ line: UnsafeBufferPointer<UInt8>, into e: inout JournalEvent,
                       dirty: inout UInt64) throws(JSONLineError) {
        clear(&e, dirty)
        dirty = 0
        let keys = Self.keys  // once per line, not once per key
        var s = JSONScanner(line)
        var seen = (seq: false, at: false, type: false)
        try s.expect(UInt8(ascii: "{"))
        var first = true
        members: while true {
            let entry: KeyEntry?
            switch try s.nextKey(first: &first, in: keys) {
            case .end: break members
            case .known(let known): entry = known
            case .other(let token): entry = token.escaped ? keyEntry(try s.decode(token)) : nil
            }
            if s.consumeNull() { continue }
            dirty |= entry?.bit ?? 0
            switch entry?.key {
            case .seq:
                let value = try s.integer()
                guard value >= 0 else { throw s.error("seq must not be negative") }
                e.seq = UInt64(value)
                seen.seq = true
            case .at:
                e.at = try s.date()
                seen.at = true
            case .type:
                if let type = s.lookupString(in: types) {
                    e.type = type
                } else {
                    let token = try s.stringToken()
                    guard let type = token.escaped ? EventType(rawValue: try s.decode(token)) : types.lookup(s.slice(token)) else {
                        throw s.error("unknown event type '\(try s.decode(token))'")
                    }
                    e.type = type
                }
                seen.type = true
            case .v: e.v = try s.integer()
            case .job: e.job = try s.string()
            case .scheduledAt: e.scheduledAt = try s.date()
            case .attempt: e.attempt = try s.integer()
            case .triggeredBy: e.triggeredBy = try s.string()
            case .hash: e.hash = try s.string()
            case .revision: e.revision = try s.string()
            case .kind: e.kind = try s.string()
            case .enabled: e.enabled = try s.bool()
            case .source: e.source = try s.string()
            case .fields: e.fields = try stringMap(&s)
            case .outcome: e.outcome = try s.string()
            case .exitCode: e.exitCode = try s.integer()
            case .signal: e.signal = try s.integer()
            case .durationMs: e.durationMs = try s.integer()
            case .lateUs: e.lateUs = try s.integer()
            case .outputTail: e.outputTail = try s.string()
            case .errorClass: e.errorClass = try s.string()
            case .cpuUserMs: e.cpuUserMs = try s.integer()
            case .cpuSystemMs: e.cpuSystemMs = try s.integer()
            case .maxRSSKB: e.maxRSSKB = try s.integer()
            case .pid: e.pid = try s.integer()
            case .logPath: e.logPath = try s.string()
            case .reason: e.reason = try s.string()
            case .retryAt: e.retryAt = try s.date()
            case .message: e.message = try s.string()
            case .messages: e.messages = try stringArray(&s)
            case .target: e.target = try s.string()
            case .url: e.url = try s.string()
            case .status: e.status = try s.integer()
            case .commit: e.commit = try s.string()
            case .result:
                let range = try s.skipValue()
                e.result = try compactJSON(UnsafeBufferPointer(rebasing: line[range]))
                    .map { String(decoding: $0, as: UTF8.self) }
            case .snapshot:
                let range = try s.skipValue()
                e.snapshot = try SnapshotCodec.decode(UnsafeBufferPointer(rebasing: line[range]))
            case nil:
                _ = try s.skipValue()  // a key from a newer version
            }
        }
        s.skipWhitespace()
        guard s.isAtEnd else { throw s.error("unexpected bytes after the object") }
        guard seen.seq, seen.at, seen.type else { throw JSONLineError(message: "missing seq, at or type", column: 1) }
    }

    // MARK: helpers

    /// The keys this version reads; others are skipped.
    private enum Key: String, CaseIterable {
        case seq, at, type, v, job, scheduledAt, attempt, triggeredBy, hash, revision, kind, enabled, source, fields
        case outcome, exitCode, signal, durationMs, outputTail, errorClass, cpuUserMs, cpuSystemMs, maxRSSKB, pid
        case logPath, reason, retryAt, message, messages, target, url, status, commit, result, snapshot, lateUs
    }

    /// A key and its bit in `decode`'s dirty mask.
    private struct KeyEntry: Sendable {
        var key: Key
        var bit: UInt64
    }

    private static let keys = KeyTable(Key.allCases.enumerated().map { ($1.rawValue, KeyEntry(key: $1, bit: 1 << $0)) })

    private static func keyEntry(_ name: String) -> KeyEntry? {
        var name = name
        return name.withUTF8 { keys.lookup($0) }
    }

    /// Resets the fields `dirty` marks, and the always-present ones, to what `blank` holds.
    static func clear(_ e: inout JournalEvent, _ dirty: UInt64) {
        (e.v, e.seq, e.at, e.type) = (1, 0, Date(timeIntervalSince1970: 0), .applied)
        var dirty = dirty
        while dirty != 0 {
            let key = Key.allCases[dirty.trailingZeroBitCount]
            dirty &= dirty - 1
            switch key {
            case .seq, .at, .type, .v: break
            case .job: e.job = nil
            case .scheduledAt: e.scheduledAt = nil
            case .attempt: e.attempt = nil
            case .triggeredBy: e.triggeredBy = nil
            case .hash: e.hash = nil
            case .revision: e.revision = nil
            case .kind: e.kind = nil
            case .enabled: e.enabled = nil
            case .source: e.source = nil
            case .fields: e.fields = nil
            case .outcome: e.outcome = nil
            case .exitCode: e.exitCode = nil
            case .signal: e.signal = nil
            case .durationMs: e.durationMs = nil
            case .lateUs: e.lateUs = nil
            case .outputTail: e.outputTail = nil
            case .errorClass: e.errorClass = nil
            case .cpuUserMs: e.cpuUserMs = nil
            case .cpuSystemMs: e.cpuSystemMs = nil
            case .maxRSSKB: e.maxRSSKB = nil
            case .pid: e.pid = nil
            case .logPath: e.logPath = nil
            case .reason: e.reason = nil
            case .retryAt: e.retryAt = nil
            case .message: e.message = nil
            case .messages: e.messages = nil
            case .target: e.target = nil
            case .url: e.url = nil
            case .status: e.status = nil
            case .commit: e.commit = nil
            case .result: e.result = nil
            case .snapshot: e.snapshot = nil
            }
        }
    }
    private static let types = KeyTable(EventType.allCases.map { ($0.rawValue, $0) })

    private static func stringMap(_ s: inout JSONScanner) throws(JSONLineError) -> [String: String]? {
        if s.consumeNull() { return nil }
        try s.expect(UInt8(ascii: "{"))
        var map: [String: String] = [:]
        var first = true
        while let key = try s.nextKey(first: &first) {
            map[try s.decode(key)] = try s.string()
        }
        return map
    }

    private static func stringArray(_ s: inout JSONScanner) throws(JSONLineError) -> [String]? {
        if s.consumeNull() { return nil }
        try s.expect(UInt8(ascii: "["))
        var values: [String] = []
        if s.consume(UInt8(ascii: "]")) { return values }
        repeat { values.append(try s.string()) } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "]"))
        return values
    }

    /// The last `maxOutputTail` bytes of `text`, starting on a character boundary.
    static func tail(_ text: String) -> String {
        let utf8 = text.utf8
        guard utf8.count > maxOutputTail else { return text }
        var start = utf8.index(utf8.endIndex, offsetBy: -maxOutputTail)
        while start < utf8.endIndex, utf8[start] & 0xC0 == 0x80 { start = utf8.index(after: start) }
        return String(decoding: utf8[start...], as: UTF8.self)
    }

    /// Validates `text` as one JSON value and returns it without insignificant whitespace.
    static func compactJSON(_ text: String) throws(JSONLineError) -> [UInt8] {
        var text = text
        let result = text.withUTF8 { utf8 in Result { () throws(JSONLineError) in try compactJSON(utf8) } }
        guard let compact = try result.get() else { throw JSONLineError(message: "result is null", column: 1) }
        return compact
    }

    /// Nil for `null`; otherwise the value's bytes with whitespace outside strings removed.
    private static func compactJSON(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONLineError) -> [UInt8]? {
        var s = JSONScanner(bytes)
        let range = try s.skipValue()
        s.skipWhitespace()
        guard s.isAtEnd else { throw s.error("result has bytes after its JSON value") }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var inString = false, escaped = false
        for byte in bytes[range] {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true }
                else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                continue
            }
            out.append(byte)
        }
        return out == Array("null".utf8) ? nil : out
    }
}

import Foundation

/// Converts journal events to and from their JSON line.
///
/// Writing: `seq`, `at`, `type`, then the payload's fields in `RecordKey` order, then `v`; nil
/// fields omitted, `result` embedded as compact JSON, `outputTail` cut to its last 4 KiB.
/// Reading: any key order and whitespace, `null` for absent, keys the line's type does not
/// carry skipped (newer writers may add fields).
///
/// Hand-written over `JSONScanner` rather than through `JSONDecoder`, for a measured reason:
/// replaying the bench's 1,000,000-event journal through `JSONDecoder` (the same records'
/// `Codable` form) takes about 6× as long as this reader, well past the 1.5 s target
/// (`almanac-bench journal`, row "decode 100,000 lines").
enum EventCodec {
    /// The most output kept per event, in UTF-8 bytes.
    static let maxOutputTail = 4096

    /// The line for `event`, newline included.
    static func encode(_ e: JournalEvent) throws(JSONLineError) -> [UInt8] {
        var sink = LineSink(capacity: 384)
        sink.writer.beginObject()
        sink.writer.field("seq", e.seq)
        sink.writer.field("at", e.at)
        sink.writer.field("type", e.type.rawValue)
        try e.record.write(to: &sink)
        sink.writer.field("v", e.v)
        sink.writer.endObject()
        var bytes = sink.writer.bytes
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Reads one line (without its newline); trailing whitespace is allowed, anything else is not.
    static func decode(_ line: UnsafeBufferPointer<UInt8>) throws(JSONLineError) -> JournalEvent {
        let head = try findType(line)
        var source = LineSource(line, head: head)
        let record = try JournalRecord.make(head.type, from: &source)
        guard let seq = source.seq, let at = source.at else { throw JSONLineError(message: "missing seq, at or type", column: 1) }
        return JournalEvent(seq: seq, at: at, record, v: source.v)
    }

    /// A stand-in event for slots that hold none (the replay pipeline's batches).
    static let blank = JournalEvent(at: Date(timeIntervalSince1970: 0), .runnerStopped(.init()))

    /// What precedes the payload on a line: its `type`, and `seq` and `at` when they come first.
    struct LineHead {
        var type: EventType
        var seq: UInt64?
        var at: Date?
        /// Where the members after `type` start, when only `seq` and `at` came before it (the
        /// writer's order): the payload is then read from there, not from the first key again.
        var resume: Int?
    }

    /// The line's `type`: the writer puts it third, after `seq` and `at`, which are read on the way.
    private static func findType(_ line: UnsafeBufferPointer<UInt8>) throws(JSONLineError) -> LineHead {
        var s = JSONScanner(line)
        try s.expect(UInt8(ascii: "{"))
        var first = true
        var (seq, at): (UInt64?, Date?) = (nil, nil)
        var onlyHead = true
        while true {
            let key: RecordKey?
            switch try s.nextKey(first: &first, in: keys) {
            case .end: throw JSONLineError(message: "missing seq, at or type", column: 1)
            case .known(let known): key = known
            case .other(let token): key = token.escaped ? recordKey(try s.decode(token)) : nil
            }
            if s.consumeNull() {
                if key != .seq && key != .at { onlyHead = false }
                continue
            }
            switch key {
            case .seq: seq = try LineSource.seq(&s)
            case .at: at = try s.date()
            case .type:
                let type: EventType
                if let known = s.lookupString(in: types) {
                    type = known
                } else {
                    let token = try s.stringToken()
                    guard let named = token.escaped ? EventType(rawValue: try s.decode(token)) : types.lookup(s.slice(token)) else {
                        throw s.error("unknown event type '\(try s.decode(token))'")
                    }
                    type = named
                }
                return onlyHead ? LineHead(type: type, seq: seq, at: at, resume: s.index) : LineHead(type: type)
            default:
                onlyHead = false
                _ = try s.skipValue()
            }
        }
    }

    static let keys = KeyTable(RecordKey.allCases.map { ($0.name, $0) })
    private static let types = KeyTable(EventType.allCases.map { ($0.rawValue, $0) })

    static func recordKey(_ name: String) -> RecordKey? {
        var name = name
        return name.withUTF8 { keys.lookup($0) }
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
    static func compactJSON(_ bytes: UnsafeBufferPointer<UInt8>) throws(JSONLineError) -> [UInt8]? {
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

/// Writes a payload's fields onto a line.
private struct LineSink: FieldSink {
    var writer: JSONLineWriter

    init(capacity: Int) { writer = JSONLineWriter(capacity: capacity) }

    mutating func write<P: RecordPayload>(_ payload: P, _ index: FieldIndex<P>) throws(JSONLineError) {
        for field in index.ordered {
            guard let value = field.get(payload) else { continue }
            writer.key(RecordKey.utf8[field.key.rawValue])
            switch value {
            case .string(let text): writer.string(field.key == .outputTail ? EventCodec.tail(text) : text)
            case .int(let number): writer.raw(Array(String(number).utf8))
            case .bool(let flag): writer.raw(Array((flag ? "true" : "false").utf8))
            case .date(let date): writer.date(date)
            case .strings(let values): writer.strings(values)
            case .map(let map): writer.map(map)
            case .json(let text): writer.raw(try EventCodec.compactJSON(text))
            case .numbers(let map): writer.numbers(map)
            }
        }
    }

    mutating func write(snapshot: JournalState) throws(JSONLineError) {
        writer.rawField("snapshot", try SnapshotCodec.encode(snapshot))
    }
}

/// Reads a payload's fields from a line, and the line's `seq`, `at` and `v` on the way.
private struct LineSource: FieldSource {
    let line: UnsafeBufferPointer<UInt8>
    /// `seq`, `at` and `v`, found while the payload is read.
    var seq: UInt64?
    var at: Date?
    var v = 1
    private let head: EventCodec.LineHead

    init(_ line: UnsafeBufferPointer<UInt8>, head: EventCodec.LineHead) {
        self.line = line
        self.head = head
    }

    /// A `seq` value: a non-negative integer.
    static func seq(_ s: inout JSONScanner) throws(JSONLineError) -> UInt64 {
        let value = try s.integer()
        guard value >= 0 else { throw s.error("seq must not be negative") }
        return UInt64(value)
    }

    mutating func payload<P: RecordPayload>(_ index: FieldIndex<P>) throws(JSONLineError) -> P {
        var payload = P.blank
        var seen: UInt64 = 0
        let line = self.line
        try index.byKey.withUnsafeBufferPointer { fields throws(JSONLineError) in
            // The field is used where it lies, not copied out: a copy retains and releases the
            // contexts of both its closures, two dozen atomic operations on every line.
            try members { key, s throws(JSONLineError) in
                guard let key, fields[key.rawValue] != nil else { return false }
                if let value = try Self.read(fields[key.rawValue].unsafelyUnwrapped.kind, &s, line: line) {
                    fields[key.rawValue].unsafelyUnwrapped.set(&payload, value)
                    seen |= 1 << UInt64(key.rawValue)
                }
                return true
            }
        }
        guard seen & index.requiredMask == index.requiredMask else {
            let missing = RecordKey.allCases.filter { index.requiredMask & ~seen & 1 << UInt64($0.rawValue) != 0 }
            throw JSONLineError(message: "missing " + missing.map(\.name).joined(separator: ", "), column: 1)
        }
        return payload
    }

    mutating func snapshot() throws(JSONLineError) -> JournalState {
        var state: JournalState?
        let line = self.line
        try members { key, s throws(JSONLineError) in
            guard key == .snapshot else { return false }
            let range = try s.skipValue()
            state = try SnapshotCodec.decode(UnsafeBufferPointer(rebasing: line[range]))
            return true
        }
        guard let state else { throw JSONLineError(message: "a snapshot line needs snapshot", column: 1) }
        return state
    }

    /// Walks the object's members: `seq`, `at`, `v` and `type` here, the rest through `body`,
    /// which returns false for a key it does not read (its value is then skipped).
    private mutating func members(_ body: (RecordKey?, inout JSONScanner) throws(JSONLineError) -> Bool) throws(JSONLineError) {
        var (seq, at, v): (UInt64?, Date?, Int) = (nil, nil, 1)
        defer { (self.seq, self.at, self.v) = (seq, at, v) }
        var s = JSONScanner(line)
        var first = true
        if let resume = head.resume {
            // `findType` read `seq`, `at` and `type` already; go on after them.
            (seq, at, s.index, first) = (head.seq, head.at, resume, false)
        } else {
            try s.expect(UInt8(ascii: "{"))
        }
        while true {
            let key: RecordKey?
            switch try s.nextKey(first: &first, in: EventCodec.keys) {
            case .end:
                s.skipWhitespace()
                guard s.isAtEnd else { throw s.error("unexpected bytes after the object") }
                return
            case .known(let known): key = known
            case .other(let token): key = token.escaped ? EventCodec.recordKey(try s.decode(token)) : nil
            }
            if s.consumeNull() { continue }
            switch key {
            case .seq: seq = try Self.seq(&s)
            case .at: at = try s.date()
            case .v: v = try s.integer()
            case .type: _ = try s.skipValue()
            default: if try !body(key, &s) { _ = try s.skipValue() }
            }
        }
    }

    /// One value of `kind`; nil for a `result` that is JSON `null`.
    private static func read(_ kind: FieldKind, _ s: inout JSONScanner, line: UnsafeBufferPointer<UInt8>) throws(JSONLineError) -> FieldValue? {
        switch kind {
        case .string: return .string(try s.string())
        case .int: return .int(try s.integer())
        case .bool: return .bool(try s.bool())
        case .date: return .date(try s.date())
        case .strings: return .strings(try stringArray(&s))
        case .map: return .map(try object(&s) { (s: inout JSONScanner) throws(JSONLineError) in try s.string() })
        case .numbers: return .numbers(try object(&s) { (s: inout JSONScanner) throws(JSONLineError) in try s.number() })
        case .json:
            let range = try s.skipValue()
            return try EventCodec.compactJSON(UnsafeBufferPointer(rebasing: line[range]))
                .map { .json(String(decoding: $0, as: UTF8.self)) }
        }
    }

    /// An object whose values `value` reads: strings (`map`) or numbers (`numbers`).
    private static func object<Value>(_ s: inout JSONScanner,
                                      _ value: (inout JSONScanner) throws(JSONLineError) -> Value) throws(JSONLineError) -> [String: Value] {
        try s.expect(UInt8(ascii: "{"))
        var map: [String: Value] = [:]
        var first = true
        while let key = try s.nextKey(first: &first) {
            map[try s.decode(key)] = try value(&s)
        }
        return map
    }

    private static func stringArray(_ s: inout JSONScanner) throws(JSONLineError) -> [String] {
        try s.expect(UInt8(ascii: "["))
        var values: [String] = []
        if s.consume(UInt8(ascii: "]")) { return values }
        repeat { values.append(try s.string()) } while s.consume(UInt8(ascii: ","))
        try s.expect(UInt8(ascii: "]"))
        return values
    }
}

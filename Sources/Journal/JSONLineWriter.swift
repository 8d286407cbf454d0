import AlmanacCore
import Foundation

/// Builds one compact JSON object (a journal line) byte by byte, skipping nil fields.
///
/// The counterpart of `JSONScanner`: keys come in a fixed order, strings are escaped per
/// RFC 8259 (quote, backslash, control characters; other UTF-8 is written as is), so every
/// line parses with any JSON reader and identical events give identical bytes.
struct JSONLineWriter {
    private(set) var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func key(_ name: StaticString) {
        key(UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
    }

    /// A key given as bytes (a record key's name); it must need no escaping.
    mutating func key(_ name: some Collection<UInt8>) {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = true
    }

    /// Bytes that are already valid JSON (a number, a literal, compact JSON), written as they are.
    mutating func raw(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: Int?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: StaticString, _ value: UInt64) {
        key(name)
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func field(_ name: StaticString, _ value: Bool?) {
        guard let value else { return }
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func field(_ name: StaticString, _ value: Date?) {
        guard let value else { return }
        key(name)
        date(value)
    }

    mutating func date(_ value: Date) {
        bytes.append(UInt8(ascii: "\""))
        RFC3339.write(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func field(_ name: StaticString, _ values: [String]?) {
        guard let values else { return }
        key(name)
        strings(values)
    }

    mutating func strings(_ values: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A string map, written with sorted keys so equal maps give equal bytes.
    mutating func field(_ name: StaticString, _ map: [String: String]?) {
        guard let map else { return }
        key(name)
        self.map(map)
    }

    /// A string map, with sorted keys.
    mutating func map(_ map: [String: String]) {
        bytes.append(UInt8(ascii: "{"))
        for (i, k) in map.keys.sorted().enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(k)
            bytes.append(UInt8(ascii: ":"))
            string(map[k] ?? "")
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// A map of numbers, with sorted keys; a value JSON cannot hold (NaN, an infinity) is left out.
    mutating func numbers(_ map: [String: Double]) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for k in map.keys.sorted() {
            guard let value = map[k], value.isFinite else { continue }
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            string(k)
            bytes.append(UInt8(ascii: ":"))
            bytes.append(contentsOf: JSONValue.double(value).canonicalText.utf8)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Already-valid compact JSON, embedded verbatim (the caller validated it).
    mutating func rawField(_ name: StaticString, _ json: [UInt8]?) {
        guard let json else { return }
        key(name)
        bytes.append(contentsOf: json)
    }

    mutating func string(_ value: String) { JSONString.append(value, to: &bytes) }
}

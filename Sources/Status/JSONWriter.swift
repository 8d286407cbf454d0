import AlmanacCore
import CronSchedule
import Foundation
import Manifest

/// Appends pretty-printed JSON to a byte buffer: two-space indents, one member per line,
/// `"key" : value` — the layout of Foundation's `.prettyPrinted`, which the status files have
/// always had.
///
/// Keys are written in the order given: callers pass them sorted, so files keep sorted keys
/// without sorting anything at run time.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Nesting depth of the object or array being written.
    private var depth = 0
    /// True until the open object or array has its first member.
    private var empty = true

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    /// Starts the next member of an object; its value follows.
    mutating func key(_ key: StaticString) {
        newLine()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: " "), UInt8(ascii: ":"), UInt8(ascii: " ")])
    }

    /// Starts the next element of an array; its value follows.
    mutating func element() { newLine() }

    mutating func string(_ value: String) { JSONString.append(value, to: &bytes) }

    /// An array of strings, one per line like every other array here.
    mutating func strings(_ values: [String]) {
        beginArray()
        for value in values {
            element()
            string(value)
        }
        endArray()
    }

    mutating func bool(_ value: Bool) {
        bytes.append(contentsOf: value ? [116, 114, 117, 101] : [102, 97, 108, 115, 101])  // true, false
    }

    mutating func int(_ value: Int) { bytes.appendDecimal(value) }

    /// A quoted RFC 3339 instant in UTC.
    mutating func date(_ value: Date) {
        bytes.append(UInt8(ascii: "\""))
        RFC3339.write(value, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// 0…1 with four decimals (`0.6429`).
    mutating func fraction(_ value: Double) {
        let scaled = Int((value * 10_000).rounded())
        bytes.appendDecimal(scaled / 10_000)
        bytes.append(UInt8(ascii: "."))
        bytes.appendDecimal(scaled % 10_000, width: 4)
    }

    /// A member `key` with `value`, left out when the value is nil.
    mutating func member<Value>(_ name: StaticString, _ value: Value?, _ write: (inout JSONWriter, Value) -> Void) {
        guard let value else { return }
        key(name)
        write(&self, value)
    }

    private mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
        empty = true
    }

    private mutating func close(_ bracket: UInt8) {
        depth -= 1
        if !empty {
            bytes.append(UInt8(ascii: "\n"))
            indent()
        }
        bytes.append(bracket)
        empty = false
    }

    private mutating func newLine() {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\n"))
        indent()
        empty = false
    }

    private mutating func indent() {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
    }
}

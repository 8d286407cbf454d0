import Foundation

/// Object keys and enum-like string values looked up in a `KeyTable` without building Strings.
extension JSONScanner {
    /// What `nextKey(first:in:)` found: the end of the object, a key of the table, or another key.
    enum KeyMatch<Value> {
        case end
        case known(Value)
        /// Not in the table as written; it may still be a known key spelled with escapes.
        case other(StringToken)
    }

    /// Like `nextKey(first:)`, but looks the key up in `table` without building a String.
    @inline(__always)
    mutating func nextKey<Value>(first: inout Bool, in table: KeyTable<Value>) throws(JSONLineError) -> KeyMatch<Value> {
        // The writer's own form, `,"key":` (or `{"key":`), is matched without the general steps.
        if index + 1 < bytes.count, bytes[index] == (first ? UInt8(ascii: "\"") : UInt8(ascii: ",")) {
            let saved = index
            if !first { index += 1 }
            if let (name, end) = peekPackedString(), end < bytes.count, bytes[end] == UInt8(ascii: ":"),
               let value = table.lookup(name) {
                first = false
                index = end + 1
                skipWhitespace()
                return .known(value)
            }
            index = saved
        }
        if consume(UInt8(ascii: "}")) { return .end }
        if !first { try expect(UInt8(ascii: ",")) }
        first = false
        skipWhitespace()
        let match: KeyMatch<Value>
        if let (name, end) = peekPackedString(), let value = table.lookup(name) {
            index = end
            match = .known(value)
        } else {
            match = .other(try stringToken())
        }
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        return match
    }

    /// Looks up the string value at the index in `table`; nil (consuming nothing) if it is not there as written.
    @inline(__always)
    mutating func lookupString<Value>(in table: KeyTable<Value>) -> Value? {
        guard let (name, end) = peekPackedString(), let value = table.lookup(name) else { return nil }
        index = end
        return value
    }

    /// The string whose opening quote is at the index, packed, if it has at most 16 bytes.
    ///
    /// Escapes are not interpreted: a packed name holding a backslash matches no table entry
    /// (none has one), so the caller then falls back to `stringToken()`, which validates.
    @inline(__always)
    func peekPackedString() -> (name: PackedName, end: Int)? {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let base = bytes.baseAddress else { return nil }
        let start = index + 1
        if start + 16 <= bytes.count {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let low = UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self)
            let high = UnsafeRawPointer(base + start + 8).loadUnaligned(as: UInt64.self)
            // The lowest flagged byte is exactly the first quote (higher flags may be borrow noise).
            let quoteLow = low ^ (ones &* 0x22), quoteHigh = high ^ (ones &* 0x22)
            let hitLow = (quoteLow &- ones) & ~quoteLow & (ones &* 0x80)
            if hitLow != 0 {
                let n = hitLow.trailingZeroBitCount >> 3
                return (PackedName(low: low & ~(~UInt64(0) << UInt64(8 * n)), high: 0, count: n), start + n + 1)
            }
            let hitHigh = (quoteHigh &- ones) & ~quoteHigh & (ones &* 0x80)
            guard hitHigh != 0 else { return nil }
            let n = hitHigh.trailingZeroBitCount >> 3
            return (PackedName(low: low, high: high & ~(~UInt64(0) << UInt64(8 * n)), count: 8 + n), start + 8 + n + 1)
        }
        var i = start
        while i < bytes.count, i - start <= PackedName.maxCount {
            if bytes[i] == UInt8(ascii: "\"") {
                return PackedName(UnsafeBufferPointer(rebasing: bytes[start..<i])).map { ($0, i + 1) }
            }
            i += 1
        }
        return nil
    }
}

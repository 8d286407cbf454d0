import AlmanacCore
import Foundation

/// Why a journal line could not be read: a message and the 1-based column where it went wrong.
struct JSONLineError: Error, Sendable {
    var message: String
    var column: Int
}

/// A byte-level JSON reader over one journal line, just what the event decoder needs.
///
/// Foundation's `JSONDecoder` spends about a microsecond per line; replaying a million lines
/// in well under 1.5 s needs a reader that walks the bytes once and only builds the Strings
/// it keeps. It is strict JSON (RFC 8259): escapes, `\u` surrogate pairs, full number syntax
/// when skipping values, nesting depth capped.
struct JSONScanner {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The next byte to read; only the scanner's own extensions move it.
    var index = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// A string token: its content bytes (quotes excluded) and whether it contains escapes.
    struct StringToken {
        var start: Int
        var end: Int
        var escaped: Bool
    }

    func error(_ message: String) -> JSONLineError { JSONLineError(message: message, column: index + 1) }

    var isAtEnd: Bool { index >= bytes.count }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` (after whitespace) if it is next.
    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(JSONLineError) {
        guard consume(byte) else {
            throw error("expected '\(Character(Unicode.Scalar(byte)))'")
        }
    }

    // MARK: objects

    /// Reads the next member key of an object whose `{` was consumed; nil at the closing `}`.
    @inline(__always)
    mutating func nextKey(first: inout Bool) throws(JSONLineError) -> StringToken? {
        if consume(UInt8(ascii: "}")) { return nil }
        if !first { try expect(UInt8(ascii: ",")) }
        first = false
        skipWhitespace()
        let key = try stringToken()
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        return key
    }

    /// The raw bytes of a token (escapes not decoded).
    @inline(__always)
    func slice(_ token: StringToken) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[token.start..<token.end])
    }

    // MARK: scalars

    /// Consumes `null` if it is next (used for optional fields).
    @inline(__always)
    mutating func consumeNull() -> Bool {
        skipWhitespace()
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"),
              bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
              bytes[index + 3] == UInt8(ascii: "l") else { return false }
        index += 4
        return true
    }

    mutating func bool() throws(JSONLineError) -> Bool {
        if matchLiteral("true") { return true }
        if matchLiteral("false") { return false }
        throw error("expected true or false")
    }

    /// An integer without fraction or exponent; anything else is an error, not a silent cut.
    mutating func integer() throws(JSONLineError) -> Int {
        skipWhitespace()
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let start = index
        var value = 0
        // Up to 18 digits cannot overflow: no checks per digit on the common path.
        while index < bytes.count, index - start < 18, bytes[index] &- UInt8(ascii: "0") < 10 {
            value = value &* 10 &+ Int(bytes[index] &- UInt8(ascii: "0"))
            index += 1
        }
        if negative { value = 0 &- value }
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 {
            let d = Int(bytes[index] &- UInt8(ascii: "0"))
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
            guard !o1, !o2 else { throw error("integer out of range") }
            value = s
            index += 1
        }
        guard index > start else { throw error("expected an integer") }
        guard index - start == 1 || bytes[start] != UInt8(ascii: "0") else { throw error("leading zero in number") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] | 0x20 == UInt8(ascii: "e") {
            throw error("expected an integer")
        }
        return value
    }

    /// A finite JSON number (with fraction or exponent, unlike `integer()`).
    mutating func number() throws(JSONLineError) -> Double {
        skipWhitespace()
        let start = index
        try skipNumber()
        guard let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)),
              value.isFinite else { throw error("number out of range") }
        return value
    }

    mutating func string() throws(JSONLineError) -> String {
        skipWhitespace()
        return try decode(stringToken())
    }

    /// A string holding an RFC 3339 timestamp.
    mutating func date() throws(JSONLineError) -> Date {
        skipWhitespace()
        let column = index + 1
        let token = try stringToken()
        let parsed: Date?
        if token.escaped {
            parsed = RFC3339.parse(try decode(token))
        } else {
            parsed = RFC3339.parse(UnsafeBufferPointer(rebasing: bytes[token.start..<token.end]))
        }
        guard let date = parsed else { throw JSONLineError(message: "invalid RFC 3339 date", column: column) }
        return date
    }

    /// Scans a string whose opening quote is next; validates escapes, builds nothing.
    ///
    /// Plain bytes are skipped 8 at a time with SWAR ("SIMD within a register"): for each byte
    /// b of a word, `(b - 1) & ~b & 0x80` is set only if b is zero (the lowest flagged byte is
    /// exact; borrows only disturb bytes above it); xor-ing with a repeated byte turns "equals
    /// c" into "is zero", and subtracting 0x20 flags bytes below 0x20. Output tails are most of
    /// a journal's bytes. The position lives in a local until the end, so it stays in a register.
    mutating func stringToken() throws(JSONLineError) -> StringToken {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let base = bytes.baseAddress else {
            throw error("expected a string")
        }
        let count = bytes.count
        let start = index + 1
        var i = start
        var escaped = false
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        while true {
            while i + 8 <= count {
                let word = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                let special = (((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                    | ((word &- ones &* 0x20) & ~word)) & highs
                if special != 0 {
                    i += special.trailingZeroBitCount >> 3
                    break
                }
                i += 8
            }
            guard i < count else { break }
            let byte = base[i]
            if byte == UInt8(ascii: "\"") {
                index = i + 1
                return StringToken(start: start, end: i, escaped: escaped)
            }
            if byte < 0x20 {
                index = i
                throw error("control character in string")
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                i += 1
                guard i < count else { break }
                switch base[i] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    guard hex4(at: i + 1) != nil else {
                        index = i
                        throw error("invalid \\u escape")
                    }
                    i += 4
                default:
                    index = i
                    throw error("invalid escape")
                }
            }
            i += 1
        }
        index = count
        throw error("unterminated string")
    }

    // MARK: any value

    /// Skips (and validates) one value of any type and returns the byte range it spanned.
    mutating func skipValue(depth: Int = 0) throws(JSONLineError) -> Range<Int> {
        guard depth < 64 else { throw error("nesting too deep") }
        skipWhitespace()
        let start = index
        guard index < bytes.count else { throw error("expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""):
            _ = try stringToken()
        case UInt8(ascii: "{"):
            index += 1
            var first = true
            while try nextKey(first: &first) != nil { _ = try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            index += 1
            if !consume(UInt8(ascii: "]")) {
                repeat { _ = try skipValue(depth: depth + 1) } while consume(UInt8(ascii: ","))
                try expect(UInt8(ascii: "]"))
            }
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            _ = try bool()
        case UInt8(ascii: "n"):
            guard consumeNull() else { throw error("expected a value") }
        default:
            try skipNumber()
        }
        return start..<index
    }

    private mutating func skipNumber() throws(JSONLineError) {
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let intStart = index
        guard skipDigits() > 0 else { throw error("expected a value") }
        if bytes[intStart] == UInt8(ascii: "0"), index - intStart > 1 { throw error("leading zero in number") }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard skipDigits() > 0 else { throw error("expected digits after '.'") }
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard skipDigits() > 0 else { throw error("expected exponent digits") }
        }
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] &- UInt8(ascii: "0") < 10 { index += 1 }
        return index - start
    }

    private mutating func matchLiteral(_ literal: StaticString) -> Bool {
        skipWhitespace()
        let n = literal.utf8CodeUnitCount
        guard bytes.count - index >= n, matches(literal, at: index) else { return false }
        index += n
        return true
    }

    private func matches(_ literal: StaticString, at position: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard position + n <= bytes.count else { return false }
        for i in 0..<n where bytes[position + i] != literal.utf8Start[i] { return false }
        return true
    }

    func hex4(at position: Int) -> UInt32? {
        guard position + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for i in position..<position + 4 {
            guard let d = Hex.value(of: bytes[i]) else { return nil }
            value = value << 4 | UInt32(d)
        }
        return value
    }
}

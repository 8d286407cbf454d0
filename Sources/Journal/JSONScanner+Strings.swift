import Foundation

/// Building the Strings that string tokens denote.
extension JSONScanner {
    /// The String a token denotes, unescaping only when the token has escapes.
    ///
    /// Unescaping writes into a scratch buffer (an escaped string is never shorter than what it
    /// denotes), copying the runs between backslashes whole; the String is made from that once.
    func decode(_ token: StringToken) throws(JSONLineError) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[token.start..<token.end])
        guard token.escaped else { return String(decoding: raw, as: UTF8.self) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: raw.count) { out in
            String(decoding: UnsafeBufferPointer(rebasing: out[..<unescape(token, into: out)]), as: UTF8.self)
        }
    }

    /// Writes the bytes `token` denotes into `out` and returns how many.
    private func unescape(_ token: StringToken, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        guard let base = bytes.baseAddress, let target = out.baseAddress else { return 0 }
        var n = 0
        var i = token.start
        while i < token.end {
            let run = memchr(base + i, Int32(UInt8(ascii: "\\")), token.end - i)
                .map { UnsafeRawPointer($0) - UnsafeRawPointer(base) } ?? token.end
            (target + n).update(from: base + i, count: run - i)
            n += run - i
            guard run + 1 < token.end else { break }
            let escape = bytes[run + 1]
            i = run + 2
            switch escape {
            case UInt8(ascii: "b"): out[n] = 0x08
            case UInt8(ascii: "f"): out[n] = 0x0C
            case UInt8(ascii: "n"): out[n] = 0x0A
            case UInt8(ascii: "r"): out[n] = 0x0D
            case UInt8(ascii: "t"): out[n] = 0x09
            case UInt8(ascii: "u"):
                var scalar = hex4(at: i) ?? 0xFFFD
                i += 4
                if (0xD800..<0xDC00).contains(scalar), i + 6 <= token.end, bytes[i] == UInt8(ascii: "\\"),
                   bytes[i + 1] == UInt8(ascii: "u"), let low = hex4(at: i + 2), (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                let char = Unicode.Scalar(scalar) ?? "\u{FFFD}"  // a lone surrogate becomes U+FFFD
                UTF8.encode(char) { unit in
                    out[n] = unit
                    n += 1
                }
                continue
            default: out[n] = escape  // \" \\ \/
            }
            n += 1
        }
        return n
    }
}

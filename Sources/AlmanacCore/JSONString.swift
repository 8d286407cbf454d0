/// JSON string literals: the one escaper for journal lines, status files, the API and the
/// canonical text that content hashes cover.
///
/// It writes what RFC 8259 §7 requires and RFC 8785 (canonical JSON) fixes as the one spelling:
/// `"` and `\` escaped, the two-character forms `\b \f \n \r \t`, every other control character
/// as `\u00xx` in lowercase hex, and all else (including `/`, DEL and non-ASCII) as is. That is
/// also what Foundation's `JSONEncoder` and JavaScript's `JSON.stringify` write.
package enum JSONString {
    /// `text` as a JSON string literal, quotes included.
    package static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 2)
        append(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `quoted(text)` as UTF-8 bytes.
    ///
    /// Works on the UTF-8 bytes: every byte that needs escaping is ASCII, and multi-byte
    /// sequences never contain ASCII bytes, so runs between escapes are copied whole — much
    /// cheaper than appending unicode scalars one by one, for the thousands of strings a journal
    /// append or status write renders.
    package static func append(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                start = index + 1
                appendEscape(byte, to: &out)
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
        case 0x08: out.append(UInt8(ascii: "b"))
        case 0x0C: out.append(UInt8(ascii: "f"))
        case 0x0A: out.append(UInt8(ascii: "n"))
        case 0x0D: out.append(UInt8(ascii: "r"))
        case 0x09: out.append(UInt8(ascii: "t"))
        default:
            out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
            Hex.append(byte, to: &out)
        }
    }
}

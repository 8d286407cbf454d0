import AlmanacCore
import Foundation
import Testing

@Suite("JSON string escaping")
struct JSONStringTests {
    /// RFC 8259 §7 with RFC 8785's one spelling: the two-character escapes where JSON has one.
    static let shortForms: [UInt8: String] = [0x08: #"\b"#, 0x09: #"\t"#, 0x0A: #"\n"#, 0x0C: #"\f"#, 0x0D: #"\r"#]

    @Test("every control character is escaped, short forms where JSON has them", arguments: 0..<0x20)
    func control(code: Int) throws {
        let byte = UInt8(code)
        let expected = Self.shortForms[byte] ?? String(format: "\\u%04x", code)
        let text = String(decoding: [UInt8(ascii: "a"), byte, UInt8(ascii: "z")], as: UTF8.self)
        #expect(JSONString.quoted(text) == "\"a" + expected + "z\"")
        let decoded = try JSONDecoder().decode(String.self, from: Data(JSONString.quoted(text).utf8))
        #expect(decoded == text)
    }

    @Test("what JSON does not require escaping passes as is", arguments: [
        ("", #""""#), ("plain", #""plain""#), ("a/b", #""a/b""#), ("\u{7F}", "\"\u{7F}\""),
        ("é ✓ 𝄞", "\"é ✓ 𝄞\""), ("\u{2028}", "\"\u{2028}\""),
    ])
    func unescaped(text: String, quoted: String) {
        #expect(JSONString.quoted(text) == quoted)
    }

    @Test("quotes and backslashes are escaped", arguments: [
        (#"say "hi""#, #""say \"hi\"""#), (#"C:\dir"#, #""C:\\dir""#), (#"\""#, #""\\\"""#),
    ])
    func quotes(text: String, quoted: String) {
        #expect(JSONString.quoted(text) == quoted)
    }

    @Test("agrees with JSONEncoder on every ASCII character")
    func matchesFoundation() throws {
        let text = String(decoding: Array(0..<0x80), as: UTF8.self)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        let foundation = String(decoding: try encoder.encode(text), as: UTF8.self)
        #expect(JSONString.quoted(text) == foundation)
    }

    @Test("appends to what is already in the buffer")
    func appends() {
        var out = Array("[".utf8)
        JSONString.append("a\u{0C}", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"["a\f""#)
    }
}

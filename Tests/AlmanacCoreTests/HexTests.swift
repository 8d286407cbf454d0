import AlmanacCore
import Testing

@Suite("hex")
struct HexTests {
    @Test("bytes to lowercase hex and back", arguments: [
        ([], ""), ([0], "00"), ([0x0F, 0xF0], "0ff0"), ([0xDE, 0xAD, 0xBE, 0xEF], "deadbeef"),
        (Array(0...255), (0...255).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()),
    ] as [([UInt8], String)])
    func roundTrip(bytes: [UInt8], text: String) {
        #expect(Hex.string(bytes) == text)
        #expect(Hex.bytes(text) == bytes)
        #expect(Hex.bytes(text.uppercased()) == bytes)
    }

    @Test("text that is not whole hex pairs is refused", arguments: ["0", "abc", "0g", "zz", " 00", "0x00"])
    func refuses(text: String) {
        #expect(Hex.bytes(text) == nil)
    }
}

import Foundation
import Testing
@testable import Server

@Suite("HMAC-SHA256")
struct HMACTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            out.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        return out
    }

    // RFC 4231 test cases 1, 2, 3, 4, 6 and 7 (case 5 is truncated output).
    @Test("matches the RFC 4231 vectors", arguments: [
        ("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        ("4a656665", Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (String(repeating: "aa", count: 20), [UInt8](repeating: 0xdd, count: 50),
         "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        ("0102030405060708090a0b0c0d0e0f10111213141516171819", [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        (String(repeating: "aa", count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        (String(repeating: "aa", count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func rfc4231(key: String, message: [UInt8], expected: String) {
        #expect(HMAC.hex(HMAC.sha256(key: Self.bytes(key), message: message)) == expected)
    }

    @Test("verifies GitHub's documented example signature and rejects tampering")
    func github() {
        // From GitHub's "Validating webhook deliveries" documentation.
        let body = Array("Hello, World!".utf8)
        let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        #expect(HMAC.verifyGitHub(signature: signature, body: body, secret: "It's a Secret to Everybody"))
        #expect(!HMAC.verifyGitHub(signature: signature, body: body + [0x21], secret: "It's a Secret to Everybody"))
        #expect(!HMAC.verifyGitHub(signature: signature, body: body, secret: "another secret"))
        #expect(!HMAC.verifyGitHub(signature: nil, body: body, secret: "It's a Secret to Everybody"))
        #expect(!HMAC.verifyGitHub(signature: "sha1=abc", body: body, secret: "It's a Secret to Everybody"))
    }

    @Test("constant-time comparison agrees with ==")
    func constantTime() {
        #expect(ConstantTime.equal("token", "token"))
        #expect(!ConstantTime.equal("token", "tokem"))
        #expect(!ConstantTime.equal("token", "token2"))
        #expect(!ConstantTime.equal("", "x"))
        #expect(ConstantTime.equal("", ""))
    }
}

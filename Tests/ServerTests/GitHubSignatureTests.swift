import Testing
@testable import Server

@Suite("GitHub signatures and tokens (swift-crypto)")
struct GitHubSignatureTests {
    static let secret = "It's a Secret to Everybody"
    // From GitHub's "Validating webhook deliveries" documentation.
    static let body = Array("Hello, World!".utf8)
    static let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test("signs like GitHub's documented example")
    func signs() {
        #expect(GitHubSignature.header(body: Self.body, secret: Self.secret) == Self.signature)
    }

    @Test("verifies GitHub's documented example signature, in either hex case")
    func verifies() {
        #expect(GitHubSignature.verify(Self.signature, body: Self.body, secret: Self.secret))
        #expect(GitHubSignature.verify("sha256=" + Self.signature.dropFirst(7).uppercased(), body: Self.body, secret: Self.secret))
    }

    @Test("rejects tampering, other secrets and malformed headers", arguments: [
        (signature, body + [0x21], secret), (signature, body, "another secret"), (nil, body, secret),
        ("sha1=abc", body, secret), ("sha256=", body, secret), ("sha256=757107ea0eb2509f", body, secret),
        ("sha256=zz" + signature.dropFirst(9), body, secret), ("SHA256=" + signature.dropFirst(7), body, secret),
    ] as [(String?, [UInt8], String)])
    func rejects(header: String?, body: [UInt8], secret: String) {
        #expect(!GitHubSignature.verify(header, body: body, secret: secret))
    }

    @Test("bearer tokens match only when equal", arguments: [
        ("token", "token", true), ("token", "tokem", false), ("token", "token2", false), ("", "x", false), ("", "", true),
    ])
    func tokens(given: String, token: String, equal: Bool) {
        #expect(Access.matches(given, token) == equal)
    }
}

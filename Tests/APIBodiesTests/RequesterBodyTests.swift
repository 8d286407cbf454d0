import APIBodies
import Foundation
import Testing

@Suite("API request bodies")
struct RequesterBodyTests {
    private func requester(_ json: String) throws(BodyError) -> String {
        try RequesterBody.requester(from: Array(json.utf8))
    }

    @Test("no body or no by is the plain api requester; a by is prefixed")
    func plain() throws {
        #expect(try RequesterBody.requester(from: []) == "api")
        #expect(try requester("{}") == "api")
        #expect(try requester(#"{"by": null}"#) == "api")
        #expect(try requester(#"{"by": "alice"}"#) == "api:alice")
    }

    @Test("refused bodies", arguments: [
        #"{"by": ""}"#, #"{"by": "a\nb"}"#, #"{"by": "a\u2028b"}"#, "not json", #"{"by": 3}"#,
        // fuzz-api-bodies: a leading combining mark fused with the prefix's `:` into one
        // Character, so the journaled requester no longer read as `api:` + by.
        #"{"by": "\u0301x"}"#, #"{"by": "\u200dx"}"#, #"{"by": "\u093ex"}"#,
    ])
    func refused(_ body: String) {
        #expect(throws: BodyError.self) { try requester(body) }
    }

    @Test("by's 64 are Unicode scalars, as JSON Schema's maxLength counts: 33 accented e's are 66")
    func scalarLength() throws {
        let accented = String(repeating: "e\u{301}", count: 33)
        #expect(accented.count == 33)
        #expect(throws: BodyError.self) { try requester(#"{"by": "\#(accented)"}"#) }
        let sixtyFour = String(repeating: "e\u{301}", count: 32)
        #expect(try requester(#"{"by": "\#(sixtyFour)"}"#) == "api:" + sixtyFour)
    }

    @Test("a combining mark later in by is kept")
    func laterMark() throws {
        #expect(try requester(#"{"by": "jose\u0301"}"#) == "api:jose\u{301}")
    }

    @Test("the combining table is exactly the scalars that join a preceding character")
    func tableMatchesGraphemeBreaking() {
        var live: [ClosedRange<UInt32>] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            var text = ":"
            text.unicodeScalars.append(scalar)
            guard text.count == 1 else { continue }
            if let last = live.last, last.upperBound + 1 == value {
                live[live.count - 1] = last.lowerBound...value
            } else {
                live.append(value...value)
            }
        }
        #expect(live == CombiningScalars.ranges, "regenerate CombiningScalars.ranges from this test's scan")
        #expect(CombiningScalars.unpublished.allSatisfy(CombiningScalars.ranges.contains))
    }

    @Test("the published by pattern refuses what the server refuses, and allows what it allows",
          arguments: ["alice", "jose\u{301}", "\u{301}x", "\u{200d}x", "a\u{1D165}", "\u{1D165}a", "\u{1F3FB}x", "😀", "a\nb", "x\u{2029}"])
    func patternAgrees(_ by: String) throws {
        let document = #"{"p": "\#(RequesterBody.byPattern)"}"#
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(document.utf8)) as? [String: String])
        let regex = try NSRegularExpression(pattern: try #require(decoded["p"]))
        let whole = NSRange(by.startIndex..., in: by)
        // The whole string, as ECMA-262's `$` means (ICU's, like Python's, also matches before a
        // final line break).
        let schemaAllows = regex.firstMatch(in: by, range: whole)?.range == whole
        let body = try JSONEncoder().encode(["by": by])
        let serverAllows = (try? RequesterBody.requester(from: Array(body))) != nil
        #expect(schemaAllows == serverAllows)
    }
}

@Suite("GitHub push payload")
struct PushPayloadTests {
    @Test("the ref, or empty without one; not JSON is refused")
    func ref() throws {
        #expect(try PushPayload.ref(from: Array(#"{"ref": "refs/heads/main", "x": [1]}"#.utf8)) == "refs/heads/main")
        #expect(try PushPayload.ref(from: Array("{}".utf8)) == "")
        #expect(throws: BodyError.self) { try PushPayload.ref(from: Array("[".utf8)) }
    }

    @Test("the watched branch is matched byte for byte: a decomposed é is another branch")
    func byteExact() {
        #expect(PushPayload.names(branch: "main", ref: "refs/heads/main"))
        #expect(PushPayload.names(branch: "caf\u{E9}", ref: "refs/heads/caf\u{E9}"))
        #expect(!PushPayload.names(branch: "caf\u{E9}", ref: "refs/heads/cafe\u{301}"))
        #expect(!PushPayload.names(branch: "main", ref: "refs/tags/main"))
    }
}

import Foundation
import Testing
@testable import Journal
import JournalTestSupport

@Suite("compact journal state")
struct CompactStateTests {
    @Test("packed fields round-trip any text, colons, digits and emoji included", arguments: [
        [:],
        ["kind": "job", "timezone": "America/New_York", "run": "[\"/bin/true\",\"1\"]"],
        ["12:34": "5:6:", "": "", "ä": "🙂 multi\nline", "env": "{\"A\":\"${SECRET}\"}"],
    ])
    func packedRoundTrip(fields: [String: String]) {
        let version = AppliedVersion(hash: "h", fields: fields, at: Date(timeIntervalSince1970: 0))
        #expect(version.fields == fields)
        for (key, value) in fields { #expect(version.field(key) == value) }
        #expect(version.field("absent") == nil)
    }

    @Test("equal fields give equal versions whatever order they were built in")
    func packedEquality() {
        var a = AppliedVersion(hash: "h", fields: ["a": "1", "b": "2"], at: Date(timeIntervalSince1970: 0))
        let b = AppliedVersion(hash: "h", fields: ["b": "2", "a": "1"], at: Date(timeIntervalSince1970: 0))
        #expect(a == b)
        a.fields["a"] = "3"
        #expect(a != b)
        #expect(a.fields == ["a": "3", "b": "2"])
    }

    @Test("an applied version encodes its fields as a JSON object, as before")
    func appliedVersionFormat() throws {
        let version = AppliedVersion(hash: "h", fields: ["run": "x"], kind: "job", at: Date(timeIntervalSince1970: 0))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(version), as: UTF8.self)
        #expect(json == #"{"at":-978307200,"enabled":true,"fields":{"run":"x"},"hash":"h","kind":"job"}"#)
        #expect(try JSONDecoder().decode(AppliedVersion.self, from: Data(json.utf8)) == version)
    }

    @Test("a copied job state is independent of the original (copy on write)")
    func copyOnWrite() throws {
        var original = JobState()
        original.paused = true
        var copy = original
        copy.paused = false
        copy.history.append(Execution(key: OccurrenceKey(job: "a", scheduledAt: Date(timeIntervalSince1970: 0)), attempt: 1,
                                      triggeredBy: nil, startedAt: Date(timeIntervalSince1970: 0), pid: nil))
        #expect(original.paused && original.history.isEmpty)
        #expect(!copy.paused && copy.history.count == 1)
        #expect(original != copy)
        let decoded = try JSONDecoder().decode(JobState.self, from: JSONEncoder().encode(copy))
        #expect(decoded == copy)
    }
}

import APIBodies
import Testing

@Suite("the backfill body")
struct BackfillBodyTests {
    @Test("from and to are required; rerun, dryRun default false, parallel 1 and must be 1...100; by is read apart")
    func decode() throws {
        let full = try BackfillBody.decode(Array(#"{"from": "a", "to": "b", "rerun": true, "parallel": 4, "dryRun": true, "by": "ada"}"#.utf8))
        #expect(full == BackfillBody(from: "a", to: "b", rerun: true, parallel: 4, dryRun: true))
        let plain = try BackfillBody.decode(Array(#"{"from": "a", "to": "b"}"#.utf8))
        #expect(plain == BackfillBody(from: "a", to: "b", rerun: false, parallel: 1, dryRun: false))
        for bad in [#"{"from": "a"}"#, "", "[]", #"{"from": 1, "to": "b"}"#, #"{"from": "a", "to": "b", "parallel": 0}"#,
                    #"{"from": "a", "to": "b", "parallel": 101}"#] {
            #expect(throws: BodyError.self, "\(bad)") { try BackfillBody.decode(Array(bad.utf8)) }
        }
    }
}

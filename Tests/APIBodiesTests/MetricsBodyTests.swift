import APIBodies
import Testing

@Suite("the metrics body")
struct MetricsBodyTests {
    @Test("metrics are 1 to 32 numbers; target and scheduledAt optional; by is read apart")
    func decode() throws {
        let full = try MetricsBody.decode(Array(#"{"metrics": {"likes": 12, "ratio": 0.5}, "target": "mastodon", "scheduledAt": "t", "by": "ada"}"#.utf8))
        #expect(full == MetricsBody(metrics: ["likes": 12, "ratio": 0.5], target: "mastodon", scheduledAt: "t"))
        #expect(try MetricsBody.decode(Array(#"{"metrics": {"likes": 1}}"#.utf8)) == MetricsBody(metrics: ["likes": 1]))
        let many = "{" + (0..<33).map { "\"m\($0)\": 1" }.joined(separator: ", ") + "}"
        for bad in ["", "[]", #"{"metrics": {}}"#, #"{"metrics": {"likes": "12"}}"#, #"{"metrics": {"likes": true}}"#,
                    #"{"likes": 12}"#, #"{"metrics": {"likes": 1}, "target": ""}"#, #"{"metrics": \#(many)}"#] {
            #expect(throws: BodyError.self, "\(bad)") { try MetricsBody.decode(Array(bad.utf8)) }
        }
    }
}

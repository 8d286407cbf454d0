import Foundation
import Manifest
import Testing

@Suite("output: the per-attempt log cap")
struct OutputPolicyTests {
    @Test("a job's output.maxBytes, else defaults:'s, else none set (the runner's 10 MiB)")
    func precedence() throws {
        let m = load([
            "almanac.yaml": "defaults: {output: {maxBytes: 2M}}\n",
            "own.yaml": job("own", "output: {maxBytes: 64KiB}\n"),
            "inherits.yaml": job("inherits"),
        ])
        #expect(lines(m) == [])
        #expect(m.job(named: "own")?.output == OutputPolicy(maxBytes: 64 << 10))
        #expect(m.job(named: "own")?.fields["output"] == "maxBytes=65536")
        #expect(m.job(named: "inherits")?.output == OutputPolicy(maxBytes: 2 << 20))
        let plain = load(["a.yaml": job("a")])
        #expect(plain.job(named: "a")?.output == nil)
        #expect(plain.job(named: "a")?.fields["output"] == nil)
        #expect(OutputPolicy().maxBytes == 10 << 20)
    }

    @Test("a bad output: is a positioned error", arguments: [
        ("output: {maxBytes: lots}\n", "a.yaml:4:20: error: output.maxBytes: expected a size of at least 1K like 10M or 1048576, found `lots`"),
        ("output: {maxBytes: 100}\n", "a.yaml:4:20: error: output.maxBytes: expected a size of at least 1K like 10M or 1048576, found `100`"),
        ("output: {max: 1M}\n", "a.yaml:4:10: error: output: unknown key `max`"),
        ("output: {}\n", "a.yaml:4:9: error: output: missing `maxBytes` (a size like 10M)"),
    ])
    func errors(line: String, expected: String) {
        let m = load(["a.yaml": job("a", line)])
        #expect(lines(m).contains { $0.hasPrefix(expected) }, "\(lines(m))")
        #expect(m.jobs.isEmpty)
    }

    @Test("defaults.output is checked with its position")
    func defaultsError() {
        let m = load(["almanac.yaml": "defaults: {output: {maxBytes: -1}}\n", "a.yaml": job("a")])
        #expect(lines(m).first?.hasPrefix("almanac.yaml:1:31: error: defaults.output.maxBytes:") == true, "\(lines(m))")
    }
}

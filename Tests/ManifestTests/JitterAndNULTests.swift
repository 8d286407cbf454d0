import Foundation
import Manifest
import Testing

@Suite("jitter against the period, NUL bytes in run")
struct JitterAndNULTests {
    @Test("a jitter of at least the schedule's period is an error at the jitter scalar", arguments: [
        ("*/5 * * * *", "5m", "jobs.yaml:4:9: error: jitter: 5m is not shorter than the schedule's period (5m between fires)"),
        ("0 * * * *", "2h", "jobs.yaml:4:9: error: jitter: 2h is not shorter than the schedule's period (1h between fires)"),
        ("0 9,17 * * *", "8h", "jobs.yaml:4:9: error: jitter: 8h is not shorter than the schedule's period (8h between fires)"),
        ("*/10 * * * * *", "10s", "jobs.yaml:4:9: error: jitter: 10s is not shorter than the schedule's period (10s between fires)"),
    ])
    func jitterTooLong(schedule: String, jitter: String, expected: String) {
        let manifest = load(["jobs.yaml": "name: a\nschedule: \"\(schedule)\"\nrun: [\"true\"]\njitter: \(jitter)\n"])
        #expect(lines(manifest).count == 1)
        #expect(lines(manifest).first?.hasPrefix(expected) == true, "\(lines(manifest))")
        #expect(manifest.jobs.isEmpty)
    }

    @Test("a jitter shorter than the period is fine", arguments: [("*/5 * * * *", "4m59s"), ("0 3 * * *", "1h"), ("@hourly", "30m"), ("*/10 * * * * *", "9s"), ("* * * * *", "59s")])
    func jitterShorter(schedule: String, jitter: String) {
        let manifest = load(["jobs.yaml": "name: a\nschedule: \"\(schedule)\"\nrun: [\"true\"]\njitter: \(jitter)\n"])
        #expect(lines(manifest).isEmpty)
        #expect(manifest.jobs.count == 1)
    }

    @Test("a NUL byte in run: is an error at the argument or the shell string", arguments: [
        ("run: [\"echo\", \"a\\0b\"]", "jobs.yaml:3:15: error: run[1]: contains a NUL byte"),
        ("run: \"echo a\\0b\"", "jobs.yaml:3:6: error: run: contains a NUL byte"),
    ])
    func nulInRun(run: String, expected: String) {
        let manifest = load(["jobs.yaml": "name: a\nschedule: \"0 3 * * *\"\n\(run)\n"])
        #expect(lines(manifest).count == 1)
        #expect(lines(manifest).first?.hasPrefix(expected) == true, "\(lines(manifest))")
        #expect(manifest.jobs.isEmpty)
    }
}

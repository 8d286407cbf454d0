import Foundation
import Hummingbird
import HummingbirdTesting
import Journal
import JournalTestSupport
import Testing
@testable import Server

@Suite("per-job metrics")
struct JobMetricsTests {
    static let yaml = """
        name: good
        run: ["true"]
        ---
        name: bad
        run: ["sh", "-c", "exit 3"]
        ---
        name: idle
        run: ["true"]
        """

    @Test("after a success and a failure the per-job series carry the right labels and values")
    func successAndFailure() async throws {
        let fixture = try await ServerFixture(yaml: Self.yaml)
        #expect(await fixture.runner.trigger("good"))
        #expect(await fixture.runner.trigger("bad"))
        #expect(try await fixture.waitForHistory("good", count: 1))
        #expect(try await fixture.waitForHistory("bad", count: 1))
        let state = await fixture.runner.journalState()
        try await fixture.app().test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                let lines = Set(text.split(separator: "\n").map(String.init))
                #expect(lines.contains(#"almanac_job_runs_total{job="good",outcome="success"} 1"#))
                #expect(lines.contains(#"almanac_job_runs_total{job="good",outcome="failure"} 0"#))
                #expect(lines.contains(#"almanac_job_runs_total{job="bad",outcome="failure"} 1"#))
                #expect(lines.contains(#"almanac_job_runs_total{job="bad",outcome="success"} 0"#))
                #expect(lines.contains(#"almanac_job_runs_total{job="idle",outcome="success"} 0"#))
                #expect(lines.contains(#"almanac_job_last_outcome{job="good",outcome="success"} 1"#))
                #expect(lines.contains(#"almanac_job_last_outcome{job="bad",outcome="failure"} 1"#))
                #expect(lines.contains(#"almanac_job_retries_total{job="bad"} 0"#))
                #expect(!text.contains(#"almanac_job_last_outcome{job="idle""#))
                #expect(!text.contains(#"almanac_job_last_success_timestamp_seconds{job="bad"}"#))
                let good = try? #require(state.jobs["good"]?.stats)
                let success = try? #require(good?.lastSuccess)
                if let success {
                    var expected: [UInt8] = []
                    expected.appendMilliseconds(Int((success.timeIntervalSince1970 * 1000).rounded()))
                    let value = String(decoding: expected, as: UTF8.self)
                    #expect(lines.contains(#"almanac_job_last_success_timestamp_seconds{job="good"} "# + value))
                    #expect(lines.contains(#"almanac_job_last_run_timestamp_seconds{job="good"} "# + value))
                }
                #expect(text.contains(#"almanac_job_last_duration_seconds{job="bad"} "#))
                #expect(text.contains("# TYPE almanac_job_runs_total counter"))
                try Self.parse(text)
            }
        }
        var off = ServerSettings(port: 0, apiToken: "s3cret")
        off.perJobMetrics = false
        try await fixture.app(off).test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("almanac_up 1"))
                #expect(!text.contains("job=\""))
                #expect(!text.contains("almanac_job_"))
            }
        }
        try await fixture.close()
    }

    @Test("rendering 100,000 jobs' series, timed (a debug build on a shared machine: the bound is loose)")
    func hundredThousandJobs() throws {
        var state = JournalState()
        let start = Date(timeIntervalSince1970: 1_795_435_200)
        for i in 0..<100_000 {
            let name = "job-\(i)"
            state.apply(JournalEvent(at: start, type: .applied, job: name, hash: "h\(i)", fields: [:]))
            let key = OccurrenceKey(job: name, scheduledAt: start)
            state.apply(JournalEvent(at: start, type: .started, job: name, scheduledAt: key.scheduledAt, attempt: 1))
            state.apply(JournalEvent(at: start.addingTimeInterval(1), type: .finished, job: name, scheduledAt: key.scheduledAt,
                                     attempt: 1, outcome: i % 10 == 0 ? "failure" : "success", durationMs: 1000))
        }
        let clock = ContinuousClock()
        var out: [UInt8] = []
        let elapsed = clock.measure { JobMetrics.render(state, into: &out) }
        let lines = out.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        print("per-job metrics for 100,000 jobs: \(elapsed), \(out.count) bytes, \(lines) lines")
        // 7 series a job whose last attempt succeeded, 6 for the 10% that only failed (no last success), 12 HELP/TYPE lines.
        #expect(lines == 90_000 * 7 + 10_000 * 6 + 12)
        #expect(elapsed < .seconds(30))
    }

    @Test("a scrape of 10,000 jobs through the router, timed")
    func tenThousandJobsScrape() async throws {
        let yaml = (0..<10_000).map { "name: job-\($0)\nschedule: \"0 3 * * *\"\nrun: [\"true\"]\n" }.joined(separator: "---\n")
        let fixture = try await ServerFixture(yaml: yaml)
        try await fixture.app().test(.router) { client in
            let clock = ContinuousClock()
            var bytes = 0
            let elapsed = try await clock.measure {
                try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    bytes = response.body.readableBytes
                    #expect(String(buffer: response.body).contains(#"almanac_job_runs_total{job="job-9999",outcome="success"} 0"#))
                }
            }
            print("GET /metrics with 10,000 jobs: \(elapsed), \(bytes) bytes")
            #expect(elapsed < .seconds(5))
        }
        try await fixture.close()
    }

    /// Parses the exposition with the Prometheus project's own Python parser when it is installed
    /// (`pip install prometheus_client`); without it the test relies on the checks above.
    static func parse(_ text: String) throws {
        let script = """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            n = sum(len(f.samples) for f in text_string_to_metric_families(sys.stdin.read()))
            print(n)
            """
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import prometheus_client"]
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return }
        check.waitUntilExit()
        guard check.terminationStatus == 0 else { return }
        let parser = Process()
        parser.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        parser.arguments = ["python3", "-c", script]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        parser.standardInput = input
        parser.standardOutput = output
        parser.standardError = errors
        try parser.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problem = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        parser.waitUntilExit()
        #expect(parser.terminationStatus == 0, "prometheus_client rejected the exposition: \(problem)")
        #expect((Int(printed.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 10)
    }
}

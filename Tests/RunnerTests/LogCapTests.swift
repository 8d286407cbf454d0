import Foundation
import Glibc
import Journal
import JournalTestSupport
import Manifest
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("capped job output")
struct LogCapTests {
    static let mebibyte: Int64 = 1 << 20

    /// A child that prints BEGIN, 3 MiB of `x`, END.
    static let loud = ProcessCommand.shell("echo BEGIN; head -c 3145728 /dev/zero | tr '\\0' x; echo; echo END")

    @Test("a child writing 3 MiB against a 1 MiB cap leaves its head, a marker and its tail")
    func headMarkerTail() async throws {
        let h = try ProcessHarness()
        var spec = h.spec(Self.loud)
        spec.outputLimit = Self.mebibyte
        let result = try await h.launcher.start(spec).wait()
        #expect(result.exitCode == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: h.path("logs/job.log")))
        #expect(Int64(bytes.count) <= Self.mebibyte)
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("BEGIN\nxxx"))
        #expect(text.hasSuffix("xxx\nEND\n"))
        let written = 6 + 3_145_728 + 1 + 4
        let cap = LogCap(maxBytes: Self.mebibyte)
        let cut = written - Int(cap.headBytes) - Int(cap.tailBytes)
        #expect(text.contains("\n… [almanac: \(cut) bytes cut] …\n"))
        #expect(bytes.count == Int(cap.headBytes) + LogCap.marker(cut: Int64(cut)).count + Int(cap.tailBytes))
        #expect(result.outputTail.hasSuffix("xxx\nEND\n"))
    }

    @Test("while the child still runs, the blocks past the cap are given back to the disk")
    func boundedWhileRunning() async throws {
        let h = try ProcessHarness()
        var spec = h.spec(.shell("head -c 3145728 /dev/zero | tr '\\0' x; sleep 30"))
        spec.outputLimit = Self.mebibyte
        let process = try h.launcher.start(spec)
        var info = stat()
        // The cap is applied every second; allow a loaded machine a few.
        for _ in 0..<80 {
            try await Task.sleep(for: .milliseconds(100))
            if stat(h.path("logs/job.log"), &info) == 0, info.st_size >= 3_145_728, Int64(info.st_blocks) * 512 < 2 * Self.mebibyte {
                break
            }
        }
        #expect(info.st_size >= 3_145_728)
        #expect(Int64(info.st_blocks) * 512 < 2 * Self.mebibyte, "\(info.st_blocks * 512) bytes on disk")
        process.terminate(grace: .milliseconds(200))
        let result = await process.wait()
        #expect(result.terminated)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: h.path("logs/job.log"))[.size] as? Int)
        #expect(Int64(size) <= Self.mebibyte)
    }

    @Test("output within the cap is left exactly as written")
    func withinCap() async throws {
        let h = try ProcessHarness()
        var spec = h.spec(.shell("echo small"))
        spec.outputLimit = Self.mebibyte
        _ = try await h.launcher.start(spec).wait()
        #expect(try String(contentsOfFile: h.path("logs/job.log"), encoding: .utf8) == "small\n")
    }

    @Test("each attempt of an occurrence writes its own log file, capped at the job's output.maxBytes")
    func attemptsApart() async throws {
        let h = try ProcessHarness()
        let executor = ProcessJobLauncher(root: URL(fileURLWithPath: h.dir), stateDirectory: URL(fileURLWithPath: h.path("state")),
                                       environment: ["PATH": "/usr/bin:/bin"])
        var job = JobSpec(name: "loud", command: .shell("echo attempt $ALMANAC_ATTEMPT; head -c 3145728 /dev/zero | tr '\\0' x"))
        job.output = OutputPolicy(maxBytes: UInt64(Self.mebibyte))
        let key = OccurrenceKey(job: "loud", scheduledAt: Date(timeIntervalSince1970: 1_800_000_000))
        var paths: [String] = []
        for attempt in 1...2 {
            let report = try await executor.start(job, occurrence: key, attempt: attempt, triggeredBy: "schedule").wait()
            paths.append(try #require(report.metrics.logPath))
        }
        #expect(paths[0] != paths[1])
        #expect(paths.map { ($0 as NSString).lastPathComponent } == ["20270115T080000Z-1.log", "20270115T080000Z-2.log"])
        for (index, path) in paths.enumerated() {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.hasPrefix("attempt \(index + 1)\n"))
            #expect(!text.contains("attempt \(2 - index)\n"))
            #expect(Int64(text.utf8.count) <= Self.mebibyte)
        }
    }

    @Test("through the runner, a retried occurrence journals one log file per attempt and no runner-sized peak memory")
    func journaledAttempts() async throws {
        let live = try await LiveRunner("""
            name: flaky
            run: 'echo "attempt $ALMANAC_ATTEMPT"; [ "$ALMANAC_ATTEMPT" = 2 ]'
            retry: {delays: [200ms]}
            """)
        await live.runner.trigger("flaky")
        let events = try await live.run(for: 2.5)
        let finished = events.filter { $0.type == .finished && $0.job == "flaky" }
        #expect(finished.map(\.outcome) == ["failure", "success"])
        let paths = finished.compactMap(\.logPath)
        #expect(Set(paths).count == 2)
        for (index, path) in paths.enumerated() {
            #expect(try String(contentsOfFile: path, encoding: .utf8) == "attempt \(index + 1)\n")
        }
        // sh's own peak is a few MB, below the runner's: not measurable here, so not journaled.
        #expect(finished.allSatisfy { ($0.maxRSSKB ?? 0) < 10 * 1024 })
    }
}

import Foundation
import Glibc
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Process reaping and resource usage")
struct ProcessReapingTests {
    @Test("reports the CPU time of a CPU-burning child")
    func cpuTime() async throws {
        let result = try await ProcessHarness().run(.shell("i=0; while [ $i -lt 200000 ]; do i=$((i + 1)); done"))
        #expect(result.exitCode == 0)
        #expect(result.cpuUser > .milliseconds(20))
        #expect(result.cpuUser + result.cpuSystem <= result.duration + .milliseconds(50))
    }

    @Test("a child's peak memory is its own: /bin/true reads under 10 MB or nothing, never the runner's")
    func peakMemoryOfTrue() async throws {
        let result = try await ProcessHarness().run(.argv(["/bin/true"]))
        #expect(result.exitCode == 0)
        #expect((result.maxRSSKB ?? 0) < 10 * 1024, "\(result.maxRSSKB ?? 0) KiB: the runner's pages, not /bin/true's")
    }

    @Test("reports the peak memory of a child that allocates more than the runner ever held")
    func peakMemory() async throws {
        // At least 100 MB, and 64 MB above this test process's own peak, so the figure can be told apart.
        let runnerPeak = try #require(ChildPeak.runnerPeakKB())
        let megabytes = max(100, runnerPeak / 1024 + 64)
        let result = try await ProcessHarness().run(.argv(["/usr/bin/python3", "-c", "b = b'x' * (\(megabytes) * 1024 * 1024)"]))
        #expect(result.exitCode == 0)
        #expect((result.maxRSSKB ?? 0) >= megabytes * 1024 * 9 / 10)
    }

    @Test("a reading at or below the runner's own peak is omitted, one above it kept", arguments: [
        (reported: 50_000, runner: 60_000, kept: false), (reported: 61_000, runner: 60_000, kept: false),
        (reported: 200_000, runner: 60_000, kept: true),
    ])
    func peakThreshold(reported: Int, runner: Int, kept: Bool) {
        #expect(ChildPeak.jobPeakKB(reported: reported, runnerPeakKB: runner) == (kept ? reported : nil))
    }

    @Test("applies memory and CPU limits with prlimit")
    func limits() async throws {
        let h = try ProcessHarness()
        var memory = h.spec(.argv(["/usr/bin/python3", "-c", "b = b'x' * (300 * 1024 * 1024)"]))
        memory.limits = ProcessLimits(memoryBytes: 150 * 1024 * 1024)
        let starved = try await h.launcher.start(memory).wait()
        #expect(starved.exitCode == 1)
        #expect(starved.outputTail.contains("MemoryError"))

        var cpu = h.spec(.shell("while :; do :; done"))
        cpu.limits = ProcessLimits(cpuSeconds: 1)
        cpu.timeout = .seconds(20)
        let capped = try await h.launcher.start(cpu).wait()
        #expect(capped.signal == SIGXCPU)
        #expect(!capped.timedOut)
    }

    @Test("leaves no zombies after 200 concurrent short children")
    func noZombies() async throws {
        let h = try ProcessHarness()
        let processes = try (0..<200).map { i in
            try h.launcher.start(h.spec(i.isMultiple(of: 2) ? .argv(["/bin/true"]) : .shell("exit \(i % 7)")))
        }
        let results = await withTaskGroup(of: ExecutionResult.self) { group in
            for process in processes { group.addTask { await process.wait() } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 200)
        let codes = Dictionary(grouping: results, by: \.pid).mapValues { $0[0].exitCode }
        for (i, process) in processes.enumerated() {
            #expect(codes[process.pid] == Int32(i.isMultiple(of: 2) ? 0 : i % 7))
        }
        let me = getpid()
        let zombies = processes.filter { ProcessHarness.procState($0.pid).map { $0.state == "Z" && $0.ppid == me } ?? false }
        #expect(zombies.isEmpty)
    }

    @Test("converts durations to dispatch intervals without overflow")
    func intervals() {
        #expect(RunningProcess.interval(.milliseconds(1500)) == .nanoseconds(1_500_000_000))
        #expect(RunningProcess.interval(.seconds(Int64.max)) == .never)
        #expect(RunningProcess.interval(.seconds(-1)) == .nanoseconds(0))
    }
}

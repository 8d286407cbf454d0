import Executors
import Foundation
import Glibc
import Testing

actor Counter {
    nonisolated let executor: DedicatedExecutor
    nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    var value = 0
    var offThread = 0

    init(on executor: DedicatedExecutor) { self.executor = executor }

    func add() {
        if !executor.isCurrent { offThread += 1 }
        value += 1
    }
}

/// Runs on whatever executor the task prefers (nonisolated async).
func onWhichThread(_ executor: DedicatedExecutor) async -> Bool { executor.isCurrent }

@Suite("DedicatedExecutor")
struct DedicatedExecutorTests {
    static let executor = DedicatedExecutor(name: "almanac-test", nice: -5)

    @Test("an actor on it runs every job on its thread, in order, from many tasks")
    func serial() async {
        let counter = Counter(on: Self.executor)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<1000 { group.addTask { await counter.add() } }
        }
        #expect(await counter.value == 1000)
        #expect(await counter.offThread == 0)
    }

    @Test("nonisolated async code runs on it under withTaskExecutorPreference, and not without")
    func preference() async {
        let inside = await withTaskExecutorPreference(Self.executor) { await onWhichThread(Self.executor) }
        #expect(inside)
        #expect(await onWhichThread(Self.executor) == false)
    }

    @Test("a sleep never ends before its deadline and ends close after it")
    func precise() async throws {
        var lateness: [UInt64] = []
        try await withTaskExecutorPreference(Self.executor) {
            for _ in 0..<20 {
                let deadline = DedicatedExecutor.monotonicNow() + 5_000_000
                try await Self.executor.sleep(untilMonotonic: deadline)
                let now = DedicatedExecutor.monotonicNow()
                #expect(now >= deadline)
                lateness.append(now - deadline)
            }
        }
        lateness.sort()
        // The median stays well under a millisecond even on a busy CI machine.
        #expect(lateness[lateness.count / 2] < 1_000_000, "median lateness \(lateness[lateness.count / 2]) ns")
    }

    @Test("cancelling a sleeping task ends its sleep at once with CancellationError")
    func cancel() async throws {
        let sleeper = Task(executorPreference: Self.executor) {
            try await Self.executor.sleep(untilMonotonic: DedicatedExecutor.monotonicNow() + 10_000_000_000)
        }
        try await Task.sleep(for: .milliseconds(20))
        let start = DedicatedExecutor.monotonicNow()
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        // Well before the 10 s deadline (a loaded parallel test run has taken over a second
        // to hand the result back through the pool).
        #expect(DedicatedExecutor.monotonicNow() - start < 5_000_000_000)
        // Already cancelled before sleeping: throws without waiting.
        let early = Task(executorPreference: Self.executor) {
            withUnsafeCurrentTask { $0?.cancel() }
            try await Self.executor.sleep(untilMonotonic: DedicatedExecutor.monotonicNow() + 10_000_000_000)
        }
        await #expect(throws: CancellationError.self) { try await early.value }
    }

    @Test("a child process spawned from the thread starts at nice 0 whatever the thread's nice")
    func childPriority() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("nice-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let status = await withTaskExecutorPreference(Self.executor) { () -> Int32 in
            var pid: pid_t = 0
            let args = ["/bin/sh", "-c", "cut -d' ' -f19 /proc/self/stat > '\(output.path)'"]
            var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
            defer { argv.forEach { free($0) } }
            guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, Glibc.environ) == 0 else { return -1 }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return status
        }
        #expect(status == 0)
        if getuid() == 0 { #expect(Self.executor.nice == -5, "root may raise the thread's priority") }
        let nice = try String(contentsOf: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(nice == "0", "the child inherited nice \(nice); the thread runs at \(Self.executor.nice)")
    }
}

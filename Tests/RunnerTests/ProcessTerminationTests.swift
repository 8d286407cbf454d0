import Foundation
import Glibc
import Testing
@testable import Scheduler
@testable import Processes
@testable import Publishing
@testable import Daemon

@Suite("Process timeouts and termination")
struct ProcessTerminationTests {
    @Test("a timeout stops the child and its grandchild")
    func timeoutKillsGroup() async throws {
        let h = try ProcessHarness()
        var spec = h.spec(.shell("sleep 30 & echo $! > grandchild.pid; sleep 30"))
        spec.timeout = .milliseconds(500)
        spec.killGrace = .seconds(3)
        let result = try await h.launcher.start(spec).wait()
        #expect(result.timedOut)
        #expect(result.outcome == .timeout)
        #expect(result.signal == SIGTERM)
        #expect(result.duration < .seconds(3))
        let text = try String(contentsOfFile: h.path("grandchild.pid"), encoding: .utf8)
        let grandchild = try #require(Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)))
        try await expectGone(grandchild)
    }

    @Test("a child that ignores SIGTERM is killed with SIGKILL after the grace period")
    func sigkillAfterGrace() async throws {
        let h = try ProcessHarness()
        var spec = h.spec(.shell("trap '' TERM; while :; do sleep 0.05; done"))
        spec.timeout = .milliseconds(300)
        spec.killGrace = .seconds(1)
        let result = try await h.launcher.start(spec).wait()
        #expect(result.timedOut)
        #expect(result.signal == SIGKILL)
        #expect(result.duration >= .milliseconds(1250))
        #expect(result.duration < .seconds(8))
    }

    @Test("terminate() stops a running child and marks the result terminated")
    func terminate() async throws {
        let h = try ProcessHarness()
        let process = try h.launcher.start(h.spec(.argv(["sleep", "30"])))
        try await Task.sleep(for: .milliseconds(100))
        process.terminate(grace: .seconds(5))
        process.terminate(grace: .seconds(5))
        let result = await process.wait()
        #expect(result.terminated && !result.timedOut)
        #expect(result.outcome == .killed(signal: SIGTERM))
        #expect(result.duration < .seconds(5))
        #expect(result.pid == process.pid)
    }

    @Test("terminate() reaches a child that moved out of its own process group")
    func terminateEscapedChild() async throws {
        let h = try ProcessHarness()
        let script = "import os, time; os.setpgid(0, os.getpgid(os.getppid())); print('moved', flush=True); time.sleep(30)"
        let process = try h.launcher.start(h.spec(.argv(["/usr/bin/python3", "-c", script])))
        for _ in 0..<100 where (try? String(contentsOfFile: h.path("logs/job.log"), encoding: .utf8)) != "moved\n" {
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate(grace: .seconds(5))
        let result = await process.wait()
        #expect(result.outputTail == "moved\n")
        #expect(result.outcome == .killed(signal: SIGTERM))
        #expect(result.duration < .seconds(5))
    }

    @Test("terminate() after the exit changes nothing")
    func terminateAfterExit() async throws {
        let h = try ProcessHarness()
        let process = try h.launcher.start(h.spec(.shell("exit 4")))
        let first = await process.wait()
        process.terminate(grace: .zero)
        let again = await process.wait()
        #expect(first.exitCode == 4 && again.exitCode == 4 && !again.terminated)
    }

    @Test("wait() returns at once for a child that exited before it was called, to every waiter")
    func waitAfterExit() async throws {
        let h = try ProcessHarness()
        let process = try h.launcher.start(h.spec(.shell("echo done; exit 2")))
        try await Task.sleep(for: .milliseconds(300))
        async let a = process.wait()
        async let b = process.wait()
        let (first, second) = await (a, b)
        #expect(first.exitCode == 2 && second.exitCode == 2)
        #expect(first.finishedAt == second.finishedAt)
        #expect(first.outputTail == "done\n")
        #expect(first.startedAt == process.startedAt && first.finishedAt >= first.startedAt)
    }

    @Test("a timeout that is not reached leaves the result alone")
    func timeoutNotReached() async throws {
        let h = try ProcessHarness()
        var spec = h.spec(.shell("exit 0"))
        spec.timeout = .seconds(30)
        let result = try await h.launcher.start(spec).wait()
        #expect(!result.timedOut && result.outcome == .success)
    }

    /// Waits up to 5 s for `pid` to be gone (or a zombie of someone else's, i.e. dead).
    private func expectGone(_ pid: Int32) async throws {
        for _ in 0..<100 {
            guard let state = ProcessHarness.procState(pid), state.state != "Z" else { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("process \(pid) is still alive: \(String(describing: ProcessHarness.procState(pid)))")
    }
}

import Foundation
import Journal
import JournalTestSupport
import Manifest
import Scheduler
import Processes
import Publishing
import Daemon
import Synchronization
import Testing

/// Whether `pid` still runs with `marker` in its environment (a zombie or a reused pid does not).
func isRunning(_ pid: Int32, marker: String) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = stat.range(of: ") ", options: .backwards), !stat[close.upperBound...].hasPrefix("Z"),
          let environ = FileManager.default.contents(atPath: "/proc/\(pid)/environ")
    else { return false }
    return environ.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "ALMANAC_RUN=" + marker }
}

/// Polls (real time) until `condition` holds or `timeout` passes.
func eventually(_ timeout: Duration = .seconds(5), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return true
}

@Suite("processes a killed runner left behind", .serialized)
struct LeftoverTests {
    static let yaml = """
        name: long
        schedule: "0 * * * *"
        run: ["sleep", "300"]
        retry: {delays: [1m]}
        """

    /// A process tree as a killed runner leaves it: its own process group, `sh` exec'd into a
    /// sleep, with a grandchild; `ignoreTerm` makes both ignore SIGTERM.
    static func spawnTree(_ marker: RunMarker, in directory: URL, ignoreTerm: Bool = false) throws -> RunningProcess {
        try ProcessLauncher().start(ProcessSpec(
            command: .shell((ignoreTerm ? "trap '' TERM; " : "") + "sleep 300 & exec sleep 299"),
            environment: ["PATH": "/usr/bin:/bin", RunMarker.variable: marker.description, "TOKEN": "s3cret"],
            logPath: directory.appendingPathComponent("tree-\(marker.scheduledAtMs).log").path))
    }

    @Test("children whose pids never reached the journal are stopped at start, trees too; their attempts closed and retried")
    func stopsUnjournaledTrees() async throws {
        let temp = try TempDirectory()
        let state = temp.url.appendingPathComponent("state")
        let instance = StateInstance.id(of: state)
        #expect(StateInstance.id(of: state) == instance)
        let crashed = OccurrenceKey(job: "long", scheduledAt: utc("2026-06-01T00:00:00Z"))
        let stubborn = OccurrenceKey(job: "stubborn", scheduledAt: utc("2026-06-01T00:00:00Z"))
        let done = OccurrenceKey(job: "long", scheduledAt: utc("2026-05-31T23:00:00Z"))
        do {
            // What the killed runner journaled: one attempt finished, two claimed (no pid) and never closed.
            let journal = try FileJournal(directory: state)
            for key in [done, crashed, stubborn] {
                _ = try await journal.claim(key, attempt: 1, event: JournalEvent(
                    at: key.scheduledAt, type: .started, job: key.job, scheduledAt: key.scheduledAt, attempt: 1, triggeredBy: "schedule"))
            }
            _ = try await journal.append([JournalEvent(at: done.scheduledAt.addingTimeInterval(5), type: .finished, job: "long",
                                                       scheduledAt: done.scheduledAt, attempt: 1, outcome: "success", exitCode: 0)])
            try await journal.close()
        }
        let orphan = RunMarker(instance: instance, key: crashed, attempt: 1)
        let deaf = RunMarker(instance: instance, key: stubborn, attempt: 1)
        let finished = RunMarker(instance: instance, key: done, attempt: 1)
        let stranger = RunMarker(instance: "0123456789abcdef", key: crashed, attempt: 1)
        let trees = try [Self.spawnTree(orphan, in: temp.url), Self.spawnTree(deaf, in: temp.url, ignoreTerm: true),
                         Self.spawnTree(finished, in: temp.url), Self.spawnTree(stranger, in: temp.url)]
        defer { for tree in trees { tree.terminate(grace: .zero) } }
        #expect(await eventually { LeftoverSweep.scan(instance: instance).count == 6 })
        let found = LeftoverSweep.scan(instance: instance)
        let orphanPids = found.filter { $0.marker == orphan }.map(\.pid)
        let deafPids = found.filter { $0.marker == deaf }.map(\.pid)
        #expect(orphanPids.count == 2 && deafPids.count == 2)

        let clock = VirtualClock(utc("2026-06-01T00:00:30Z"))
        let journal = try FileJournal(directory: state)
        let notices = Mutex<[String]>([])
        let runner = Runner(clock: clock, journal: journal,
                            launcher: ProcessJobLauncher(root: temp.url, stateDirectory: state, environment: ["PATH": "/usr/bin:/bin"]),
                            options: .init(killGrace: .milliseconds(500), observer: { notice in
                                if case .info(let message) = notice { notices.withLock { $0.append(message) } }
                            }))
        try await runner.apply(manifest(Self.yaml, now: clock.now()))
        try await runner.start()

        for leftover in found where leftover.marker == orphan || leftover.marker == deaf {
            #expect(!isRunning(leftover.pid, marker: leftover.marker.description), "leftover \(leftover.pid) survived the restart")
        }
        // Another attempt's leftovers (finished in the journal) and another state directory's are not ours.
        #expect(LeftoverSweep.scan(instance: instance).map(\.marker) == [finished, finished])
        #expect(LeftoverSweep.scan(instance: "0123456789abcdef").count == 2)
        let said = notices.withLock { $0 }
        #expect(said.contains { $0.hasPrefix("✝ long@2026-06-01T00:00:00Z#1: stopped 2 process(es)") && $0.contains("(SIGTERM)") })
        #expect(said.contains { $0.hasPrefix("✝ stubborn@2026-06-01T00:00:00Z#1: stopped 2 process(es)") && $0.contains("SIGKILL") })

        let events = try FileJournal.events(file: state.appendingPathComponent("journal.jsonl"))
        let closed = try #require(events.first { $0.type == .finished && $0.key == crashed })
        #expect(closed.outcome == "interrupted")
        #expect(closed.message?.contains("leftover process(es)") == true)
        #expect(orphanPids.allSatisfy { closed.message?.contains(String($0)) == true })
        #expect(closed.pid.map { orphanPids.contains(Int32($0)) } == true)
        let closedStubborn = try #require(events.first { $0.type == .finished && $0.key == stubborn })
        #expect(deafPids.allSatisfy { closedStubborn.message?.contains(String($0)) == true })
        // Exactly-once as before: the policy retries the interrupted attempt as attempt 2.
        let retry = try #require(events.first { $0.type == .retry })
        #expect(retry.attempt == 2 && retry.key == crashed)
        let text = try String(contentsOf: state.appendingPathComponent("journal.jsonl"), encoding: .utf8)
        #expect(!text.contains("s3cret"))
        await runner.shutdown()
        try await journal.close()
    }

    @Test("the marker names the state directory, occurrence and attempt, and survives a job's own env: setting")
    func markerInChildEnvironment() async throws {
        let temp = try TempDirectory()
        let executor = ProcessJobLauncher(root: temp.url, stateDirectory: temp.url, environment: ["PATH": "/usr/bin:/bin", "TOKEN": "s3cret"])
        let spec = try #require(manifest("""
            name: show
            schedule: "@daily"
            run: "echo $ALMANAC_RUN"
            env: {ALMANAC_RUN: forged}
            """, now: Date()).jobs.first)
        let key = OccurrenceKey(job: "show", scheduledAt: utc("2026-06-01T00:00:00Z").addingTimeInterval(0.25))
        let report = try await executor.start(spec, occurrence: key, attempt: 3, triggeredBy: "manual").wait()
        let marker = try #require(RunMarker(text: (report.metrics.outputTail ?? "").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(marker == RunMarker(instance: executor.instance, key: key, attempt: 3))
        #expect(marker.description == "\(executor.instance)/show/1780272000250/3")
        #expect(marker.marks(key, attempt: 3) && !marker.marks(key, attempt: 2))
        #expect(RunMarker(text: "a/b/c/1") == nil && RunMarker(text: "a/b/1") == nil)
    }
}

import Foundation
import Testing
@testable import Journal
import JournalTestSupport

@Suite("file journal")
struct FileJournalTests {
    @Test("appends assign seq, are durable on return and replay to the live state")
    func appendAndReplay() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        let stored = try await journal.append(Fixtures.workload(jobs: 2, runs: 3))
        #expect(stored.map(\.seq) == Array(1...UInt64(stored.count)))
        let live = await journal.state()
        #expect(try FileJournal.replay(file: dir.journal).state == live)
        #expect(live.jobs["job-0"]?.history.count == 3)
        #expect(live.lastSeq == UInt64(stored.count))
        try await journal.close()
        let reopened = try FileJournal(directory: dir.url)
        #expect(try await reopened.append(JournalEvent(at: date(), type: .paused, job: "job-0")).seq == UInt64(stored.count + 1))
        try await reopened.close()
    }

    @Test("a second writer on the same state dir is refused naming the pid, until the first closes")
    func lockRefusesSecondWriter() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let first = try FileJournal(directory: dir.url)
        #expect {
            _ = try FileJournal(directory: dir.url)
        } throws: { error in
            guard let error = error as? JournalError else { return false }
            return error.kind == .locked(pid: Int(getpid()))
                && error.description.contains("state dir \(dir.url.path) is locked by pid \(getpid())")
        }
        #expect(try flockInChild(dir.url.appendingPathComponent("lock")) == 1)  // another process sees it too
        let reader = try FileJournal(directory: dir.url, readOnly: true)   // readers need no lock
        #expect(await reader.state() == JournalState())
        await #expect(throws: JournalError.self) { _ = try await reader.append(JournalEvent(at: date(), type: .paused, job: "a")) }

        try await first.close()
        #expect(try flockInChild(dir.url.appendingPathComponent("lock")) == 0)
        let second = try FileJournal(directory: dir.url)
        try await second.close()
    }

    @Test("a lock held by another process refuses this one")
    func lockHeldByChild() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let child = Process()
        let output = Pipe(), input = Pipe()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        child.arguments = [dir.url.appendingPathComponent("lock").path, "sh", "-c", "echo locked; read line"]
        child.standardOutput = output
        child.standardInput = input
        try child.run()
        defer {
            try? input.fileHandleForWriting.close()  // the child's `read` ends, releasing the lock
            child.waitUntilExit()
        }
        #expect(output.fileHandleForReading.availableData == Data("locked\n".utf8))  // blocks until it holds the lock
        #expect {
            _ = try FileJournal(directory: dir.url)
        } throws: { error in
            guard let error = error as? JournalError, case .locked = error.kind else { return false }
            return error.description.contains("is locked by")
        }
    }

    @Test("claim is exactly-once under 1,000 concurrent calls for 100 occurrences")
    func claimExactlyOnce() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        let keys = (0..<100).map { OccurrenceKey(job: "job-\($0 % 7)", scheduledAt: date(Double($0) * 60)) }
        let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<1000 {
                let key = keys[i % 100]
                group.addTask {
                    try await journal.claim(key, attempt: 1, event: JournalEvent(at: date(), type: .started, pid: i))
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(winners == 100)
        let state = await journal.state()
        #expect(state.jobs.values.map(\.running.count).reduce(0, +) == 100)
        #expect(try await journal.claim(keys[0], attempt: 1, event: JournalEvent(at: date(), type: .started)) == false)
        #expect(try await journal.claim(keys[0], attempt: 2, event: JournalEvent(at: date(), type: .started)) == true)
        try await journal.close()

        let report = try FileJournal.replay(file: dir.journal)
        #expect(report.events == 101)
        let reopened = try FileJournal(directory: dir.url)
        #expect(try await reopened.claim(keys[99], attempt: 1, event: JournalEvent(at: date(), type: .started)) == false)
        try await reopened.close()
    }

    @Test("group commit: 64 concurrent appenders share fsyncs, and every event is durable")
    func groupCommit() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<64 {
                group.addTask {
                    for i in 0..<5 {
                        let stored = try await journal.append(JournalEvent(at: date(Double(i)), type: .notified, job: "job-\(task)"))
                        #expect(stored.seq > 0)
                    }
                }
            }
            try await group.waitForAll()
        }
        let fsyncs = await journal.fsyncCount
        #expect(await journal.appendedEvents == 320)
        #expect(fsyncs < 320)
        #expect(fsyncs >= 1)
        try await journal.close()
        let lines = try dir.lines()
        #expect(lines.count == 320)
        #expect(try lines.map { try decode($0).seq }.sorted() == Array(1...320))
    }

    @Test("compaction keeps the state equal and the file one snapshot line")
    func compactionKeepsState() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        _ = try await journal.append(Fixtures.workload(jobs: 3, runs: 20))
        let before = try FileJournal.replay(file: dir.journal).state
        try await journal.compact(now: date(20 * 3600), retention: Retention())
        #expect(try FileJournal.replay(file: dir.journal).state == before)
        #expect(await journal.state() == before)
        #expect(try dir.lines().count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.journal.path + ".compacting"))
        let next = try await journal.append(JournalEvent(at: date(), type: .paused, job: "job-1"))
        #expect(next.seq == before.lastSeq + 1)
        try await journal.close()
        #expect(try FileJournal.replay(file: dir.journal).state.jobs["job-1"]?.paused == true)
    }

    @Test("retention drops executions older than keep and beyond maxPerJob, keeping stats")
    func retention() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        // job-0 runs hourly for 50 days (every 10th hour logged to keep it small).
        var events: [JournalEvent] = [JournalEvent(at: date(), type: .applied, job: "job-0", hash: "h")]
        for hour in stride(from: 0, to: 50 * 24, by: 10) {
            let at = date(Double(hour) * 3600)
            events.append(JournalEvent(at: at, type: .started, job: "job-0", scheduledAt: at, attempt: 1))
            events.append(JournalEvent(at: at.addingTimeInterval(1), type: .finished, job: "job-0", scheduledAt: at,
                                       attempt: 1, outcome: "success", durationMs: 1000))
        }
        events.append(JournalEvent(at: date(), type: .removed, job: "gone"))
        _ = try await journal.append(events)
        let now = date(50 * 86_400)
        try await journal.compact(now: now, retention: Retention(keep: .seconds(30 * 86_400)))
        let kept = try #require(await journal.state().jobs["job-0"])
        #expect(kept.history.allSatisfy { $0.finishedAt.map { now.timeIntervalSince($0) <= 30 * 86_400 } ?? false })
        #expect(kept.history.count == 72)  // hours 480…1190 in steps of 10
        #expect(kept.stats.successCount == 120)
        #expect(await journal.state().jobs["gone"] == nil)

        try await journal.compact(now: now, retention: Retention(maxPerJob: 2))
        let trimmed = try #require(try FileJournal.replay(file: dir.journal).state.jobs["job-0"])
        #expect(trimmed.history.map(\.key.scheduledAt) == [date(1180 * 3600), date(1190 * 3600)])
        #expect(trimmed.lastOccurrence == date(1190 * 3600))
        try await journal.close()
    }

    @Test("retention deletes the log files of the executions it drops, and only those inside the state directory")
    func retentionDeletesLogs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let outside = try TemporaryDirectory()
        defer { outside.remove() }
        let logs = dir.url.appendingPathComponent("logs/job-0", isDirectory: true)
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let journal = try FileJournal(directory: dir.url)
        var events: [JournalEvent] = [JournalEvent(at: date(), type: .applied, job: "job-0", hash: "h")]
        var paths: [String] = []
        for hour in 0..<4 {
            let at = date(Double(hour) * 3600)
            // The first execution's log lies outside the state directory: never deleted.
            let path = hour == 0 ? outside.url.appendingPathComponent("0.log").path : logs.appendingPathComponent("\(hour)-1.log").path
            _ = FileManager.default.createFile(atPath: path, contents: Data("attempt \(hour)\n".utf8))
            paths.append(path)
            events.append(JournalEvent(at: at, type: .started, job: "job-0", scheduledAt: at, attempt: 1))
            events.append(JournalEvent(at: at.addingTimeInterval(1), type: .finished, job: "job-0", scheduledAt: at,
                                       attempt: 1, outcome: "success", durationMs: 1000, logPath: path))
        }
        _ = try await journal.append(events)
        try await journal.compact(now: date(4 * 3600), retention: Retention(maxPerJob: 2))
        let kept = try #require(await journal.state().jobs["job-0"])
        #expect(kept.history.compactMap(\.logPath) == Array(paths.suffix(2)))
        #expect(paths.map { FileManager.default.fileExists(atPath: $0) } == [true, false, true, true])
        try await journal.close()
    }

    @Test("events that cannot be journaled are refused before anything is written")
    func refusesInvalidEvents() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        await #expect(throws: JournalError.self) {
            _ = try await journal.append([JournalEvent(at: date(), type: .paused, job: "a"),
                                          JournalEvent(at: date(), type: .finished, job: "a", result: "not json")])
        }
        await #expect(throws: JournalError.self) { _ = try await journal.append(JournalEvent(at: date(), type: .snapshot)) }
        #expect(try await journal.append(JournalEvent(at: date(), type: .paused, job: "a")).seq == 1)
        try await journal.close()
        #expect(try dir.lines().count == 1)
    }
}

/// Runs `flock -n LOCK true` in a child process: 0 if it could take the lock, 1 if not.
private func flockInChild(_ lock: URL) throws -> Int32 {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
    child.arguments = ["-n", lock.path, "true"]
    try child.run()
    child.waitUntilExit()
    return child.terminationStatus
}

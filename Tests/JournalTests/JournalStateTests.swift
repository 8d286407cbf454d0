import Foundation
import Testing
@testable import Journal
import JournalTestSupport

@Suite("the reducer")
struct JournalStateTests {
    private func state(_ events: [JournalEvent]) -> JournalState {
        var state = JournalState()
        for (i, var event) in events.enumerated() {
            event.seq = UInt64(i + 1)
            state.apply(event)
        }
        return state
    }

    @Test("started then finished moves an execution from running to history and counts it")
    func executionLifecycle() throws {
        let key = OccurrenceKey(job: "nightly", scheduledAt: date())
        let s = state([
            JournalEvent(at: date(), type: .started, job: "nightly", scheduledAt: date(), attempt: 1, triggeredBy: "schedule"),
            JournalEvent(at: date(3), type: .finished, job: "nightly", scheduledAt: date(), attempt: 1, outcome: "failure", exitCode: 2),
            JournalEvent(at: date(4), type: .retry, job: "nightly", scheduledAt: date(), attempt: 2, retryAt: date(64)),
        ])
        let job = try #require(s.jobs["nightly"])
        #expect(job.running.isEmpty)
        #expect(job.history.first?.metrics.durationMs == 3000)
        #expect(job.history.first?.metrics.exitCode == 2)
        #expect(job.stats.failureCount == 1)
        #expect(job.pendingRetry == PendingRetry(key: key, attempt: 2, retryAt: date(64)))
        #expect(job.lastOccurrence == date())
        #expect(s.isClaimed(key, attempt: 1))
        #expect(!s.isClaimed(key, attempt: 2))
        #expect(s.lastSeq == 3)
        #expect(key.description == "nightly@2026-03-08T07:00:00Z")
    }

    @Test("a pause keeps the paused version's hash until resumed or removed; old pauses take the applied hash")
    func pausedHash() throws {
        let applied = JournalEvent(at: date(), type: .applied, job: "a", hash: "sha256:v1")
        var s = state([applied, JournalEvent(at: date(1), type: .paused, job: "a", triggeredBy: "api", hash: "sha256:v1")])
        #expect(s.jobs["a"]?.paused == true)
        #expect(s.jobs["a"]?.pausedHash == "sha256:v1")
        // A newer `applied` does not move it: the pause is bound to the version it paused.
        s.apply(JournalEvent(seq: 3, at: date(2), type: .applied, job: "a", hash: "sha256:v2"))
        #expect(s.jobs["a"]?.pausedHash == "sha256:v1")
        s.apply(JournalEvent(seq: 4, at: date(3), type: .resumed, job: "a", triggeredBy: "files", hash: "sha256:v2",
                             reason: "files changed"))
        #expect(s.jobs["a"]?.paused == false)
        #expect(s.jobs["a"]?.pausedHash == nil)

        let legacy = state([applied, JournalEvent(at: date(1), type: .paused, job: "a")])
        #expect(legacy.jobs["a"]?.pausedHash == "sha256:v1")
        let removed = state([applied, JournalEvent(at: date(1), type: .paused, job: "a", hash: "sha256:v1"),
                             JournalEvent(at: date(2), type: .removed, job: "a")])
        #expect(removed.jobs["a"]?.paused == false)
        #expect(removed.jobs["a"]?.pausedHash == nil)
        // The snapshot (compaction) carries it too.
        let snapshot = JournalEvent(seq: 9, at: date(4), type: .snapshot, snapshot: state([applied, JournalEvent(at: date(1), type: .paused, job: "a", hash: "sha256:v1")]))
        let decoded = try roundTrip(snapshot).decoded
        #expect(decoded.snapshot?.jobs["a"]?.pausedHash == "sha256:v1")
    }

    @Test("a manual start consumes the oldest pending trigger of that job")
    func triggersConsumed() {
        let s = state([
            JournalEvent(at: date(), type: .triggered, job: "a", triggeredBy: "manual"),
            JournalEvent(at: date(1), type: .triggered, job: "b", triggeredBy: "manual"),
            JournalEvent(at: date(2), type: .started, job: "a", scheduledAt: date(2), attempt: 1, triggeredBy: "manual"),
        ])
        #expect(s.pendingTriggers.map(\.job) == ["b"])
    }

    @Test("removal clears the applied version and pending work")
    func removal() {
        let s = state([
            JournalEvent(at: date(), type: .applied, job: "a", hash: "h1", kind: "job", enabled: true),
            JournalEvent(at: date(1), type: .retry, job: "a", scheduledAt: date(), attempt: 2, retryAt: date(60)),
            JournalEvent(at: date(2), type: .removed, job: "a"),
        ])
        #expect(s.jobs["a"]?.applied == nil)
        #expect(s.jobs["a"]?.removed == true)
        #expect(s.jobs["a"]?.pendingRetry == nil)
    }

    @Test("durations: average and nearest-rank p95 over history")
    func durations() {
        var job = JobState()
        for ms in 1...20 {
            var e = Execution(key: OccurrenceKey(job: "a", scheduledAt: date(Double(ms))), attempt: 1, startedAt: date())
            e.metrics.durationMs = ms * 100
            job.history.append(e)
        }
        #expect(job.averageDurationMs == 1050)
        #expect(job.p95DurationMs == 1900)
    }

    @Test("a manual run of a job settles its pending manual trigger, never a run an after: upstream owed it")
    func manualRunKeepsOwedAfterRun() throws {
        let owedAt = date(10).addingTimeInterval(0.001)
        let s = state([
            JournalEvent(at: date(10), type: .triggered, job: "b", scheduledAt: owedAt, attempt: 1, triggeredBy: "after:a"),
            JournalEvent(at: date(20), type: .triggered, job: "b", scheduledAt: date(20), attempt: 1, triggeredBy: "manual"),
            JournalEvent(at: date(20), type: .started, job: "b", scheduledAt: date(20), attempt: 1, triggeredBy: "manual"),
        ])
        #expect(s.pendingTriggers.map(\.triggeredBy) == ["after:a"])
        #expect(s.pendingTriggers.first?.key == OccurrenceKey(job: "b", scheduledAt: owedAt))
    }
}

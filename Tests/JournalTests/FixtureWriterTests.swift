import Foundation
import Testing
@testable import Journal

/// Writes the committed fixture journals with this version's journal (run once, by hand):
/// `ALMANAC_WRITE_FIXTURES=1 swift test --filter FixtureWriterTests`.
///
/// The events are the shapes the runner writes (Runner, Runner+Firing, +Lifecycle, +Overrides,
/// +Posts, +Notify, +After, PostLauncher), with every field each one carries, appended through
/// the real FileJournal and compacted by it. Later versions must replay these files to the
/// same state and re-encode every line to the same bytes.
@Suite("Fixture writer")
struct FixtureWriterTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    @Test("writes the v1 fixture journals", .enabled(if: ProcessInfo.processInfo.environment["ALMANAC_WRITE_FIXTURES"] != nil))
    func write() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)

        let journal = try FileJournal(directory: dir.url)
        _ = try await journal.append(Self.everyShape())
        try await journal.close()
        try FileManager.default.copyItem(at: dir.journal, to: Self.directory.appendingPathComponent("journal-v1.jsonl"))
        let state = try FileJournal.replay(file: dir.journal).state
        try Data(SnapshotCodec.encode(state)).write(to: Self.directory.appendingPathComponent("journal-v1.state.json"))

        let writer = try FileJournal(directory: dir.url)
        try await writer.compact(now: date(40 * 86_400), retention: Retention())
        _ = try await writer.append(Self.afterCompaction())
        try await writer.close()
        try FileManager.default.copyItem(at: dir.journal, to: Self.directory.appendingPathComponent("journal-v1-compacted.jsonl"))
        let compacted = try FileJournal.replay(file: dir.journal).state
        try Data(SnapshotCodec.encode(compacted)).write(to: Self.directory.appendingPathComponent("journal-v1-compacted.state.json"))
    }

    static func event(_ type: EventType, _ job: String?, _ seconds: Double, at: Double? = nil, attempt: Int? = nil) -> JournalEvent {
        JournalEvent(at: date(seconds), type: type, job: job, scheduledAt: at.map { date($0) }, attempt: attempt)
    }

    /// Every event type, and every field each type carries when the runner writes it.
    static func everyShape() -> [JournalEvent] {
        var events: [JournalEvent] = []
        func add(_ type: EventType, _ job: String?, _ seconds: Double, at: Double? = nil, attempt: Int? = nil,
                 _ fill: (inout JournalEvent) -> Void = { _ in }) {
            var e = event(type, job, seconds, at: at, attempt: attempt)
            fill(&e)
            events.append(e)
        }
        add(.runnerStarted, nil, 0) { $0.pid = 4242 }
        add(.diagnostics, nil, 0) { $0.messages = ["jobs.d/x.yaml:1:1: error: bad \"cron\"", "ünïcødé ✓ 🎉"] }
        for (name, kind, enabled) in [("nightly", "job", true), ("downstream", "job", true), ("launch-post", "post", true),
                                      ("repo-scan", "scan", true), ("old-job", "job", false)] {
            add(.applied, name, 0) {
                $0.hash = "sha256:\(name)"
                $0.revision = name == "old-job" ? nil : "0123abcd\(kind)"
                $0.fields = ["run": "[\"./\(name).sh\",\"--full\"]", "schedule": "0 3 * * *", "env.BUCKET": "${BACKUP_BUCKET}"]
                $0.source = "jobs.d/\(name).yaml:3:1"
                $0.kind = kind
                $0.enabled = enabled
            }
        }
        add(.scheduled, "nightly", 1, at: 3600)
        // A scheduled run: queued, started, failed with every metric, retried, killed.
        add(.queued, "nightly", 2, at: 0, attempt: 1) { $0.triggeredBy = "schedule" }
        add(.started, "nightly", 2, at: 0, attempt: 1) { $0.triggeredBy = "schedule"; $0.lateUs = 412 }
        add(.finished, "nightly", 4.5, at: 0, attempt: 1) {
            $0.triggeredBy = "schedule"
            $0.outcome = "failure"
            $0.exitCode = 3
            $0.durationMs = 2333
            $0.lateUs = 398
            $0.outputTail = "line 1\nline \"2\"\t\\ tab\u{1}\u{7f} é 😀\n"
            $0.errorClass = "exit"
            $0.cpuUserMs = 120
            $0.cpuSystemMs = 30
            $0.maxRSSKB = 20_480
            $0.result = #"{"message":"half done","items":{"processed":3,"succeeded":2,"failed":1},"ratio":-1.5e-3,"ok":false,"none":null,"list":["a\"b",[]]}"#
            $0.logPath = "/var/lib/almanac/logs/nightly/1.log"
            $0.pid = 31337
            $0.reason = "exit status 3"
        }
        add(.retry, "nightly", 4.5, at: 0, attempt: 2) { $0.retryAt = date(64.5); $0.errorClass = "exit" }
        add(.started, "nightly", 64.5, at: 0, attempt: 2) { $0.triggeredBy = "retry"; $0.lateUs = 0 }
        add(.finished, "nightly", 70, at: 0, attempt: 2) {
            $0.triggeredBy = "retry"
            $0.outcome = "killed"
            $0.signal = 9
            $0.durationMs = 5500
            $0.lateUs = 77
            $0.outputTail = ""
            $0.errorClass = "signal"
            $0.cpuUserMs = 0
            $0.cpuSystemMs = 1
            $0.maxRSSKB = 1024
            $0.logPath = "/var/lib/almanac/logs/nightly/2.log"
            $0.pid = 31338
        }
        // A success that owes `after:` runs downstream, one run and one left pending.
        add(.started, "nightly", 3600.01, at: 3600, attempt: 1) { $0.triggeredBy = "schedule"; $0.lateUs = 10_000 }
        add(.finished, "nightly", 3601, at: 3600, attempt: 1) {
            $0.triggeredBy = "schedule"; $0.outcome = "success"; $0.exitCode = 0; $0.durationMs = 990; $0.lateUs = 9_876
            $0.outputTail = "done\n"; $0.cpuUserMs = 5; $0.cpuSystemMs = 2; $0.maxRSSKB = 4096; $0.result = #"{"items":{"processed":3}}"#
            $0.logPath = "/var/lib/almanac/logs/nightly/3.log"; $0.pid = 31339
        }
        add(.triggered, "downstream", 3601, at: 3601, attempt: 1) { $0.triggeredBy = "after:nightly" }
        add(.triggered, "downstream", 3601, at: 3601.001, attempt: 1) { $0.triggeredBy = "after:nightly" }
        add(.started, "downstream", 3601.5, at: 3601, attempt: 1) { $0.triggeredBy = "after:nightly"; $0.lateUs = 500_000 }
        add(.finished, "downstream", 3602, at: 3601, attempt: 1) {
            $0.triggeredBy = "after:nightly"; $0.outcome = "partial"; $0.exitCode = 0; $0.durationMs = 500; $0.lateUs = 499_000
            $0.outputTail = "some\n"; $0.cpuUserMs = 1; $0.cpuSystemMs = 1; $0.maxRSSKB = 2048; $0.pid = 31340
        }
        // A manual run, a catch-up run that times out, and an interrupted run with its recovery retry.
        add(.triggered, "nightly", 4000, at: 4000, attempt: 1) { $0.triggeredBy = "manual" }
        add(.started, "nightly", 4000.2, at: 4000, attempt: 1) { $0.triggeredBy = "manual"; $0.lateUs = 200_000 }
        add(.finished, "nightly", 4001, at: 4000, attempt: 1) {
            $0.triggeredBy = "manual"; $0.outcome = "success"; $0.exitCode = 0; $0.durationMs = 800; $0.lateUs = 1
            $0.outputTail = "ok\n"; $0.cpuUserMs = 0; $0.cpuSystemMs = 0; $0.maxRSSKB = 900; $0.pid = 31341
        }
        add(.started, "nightly", 7300, at: 7200, attempt: 1) { $0.triggeredBy = "catchup"; $0.lateUs = 100_000_000 }
        add(.finished, "nightly", 7400, at: 7200, attempt: 1) {
            $0.triggeredBy = "catchup"; $0.outcome = "timeout"; $0.signal = 15; $0.durationMs = 100_000; $0.lateUs = 100_000_123
            $0.outputTail = "slow\n"; $0.errorClass = "timeout"; $0.cpuUserMs = 99_000; $0.cpuSystemMs = 12; $0.maxRSSKB = 65_536; $0.pid = 31342
        }
        add(.started, "nightly", 10_800, at: 10_800, attempt: 1) { $0.triggeredBy = "schedule"; $0.lateUs = 3 }
        add(.runnerStarted, nil, 11_000) { $0.pid = 4343 }
        add(.interrupted, "nightly", 11_000, at: 10_800, attempt: 1) {
            $0.triggeredBy = "schedule"; $0.outcome = "interrupted"; $0.durationMs = 200_000; $0.outputTail = ""
            $0.errorClass = "interrupted"; $0.pid = 31343
            $0.message = "the runner stopped while this attempt ran; its leftover process(es) 31343 were stopped at restart"
        }
        add(.retry, "nightly", 11_000, at: 10_800, attempt: 2) { $0.retryAt = date(11_000); $0.errorClass = "interrupted"; $0.triggeredBy = "recovery" }
        add(.started, "nightly", 11_000.5, at: 10_800, attempt: 2) { $0.triggeredBy = "recovery"; $0.lateUs = 500_000 }
        add(.finished, "nightly", 11_002, at: 10_800, attempt: 2) {
            $0.triggeredBy = "recovery"; $0.outcome = "error"; $0.durationMs = 0; $0.lateUs = 500_001; $0.outputTail = ""
            $0.errorClass = "spawn"; $0.reason = "spawn failed: No such file or directory"
        }
        // Skips of every reason.
        add(.skipped, "nightly", 14_400, at: 14_400, attempt: 1) { $0.reason = "overlap"; $0.triggeredBy = "schedule" }
        add(.skipped, "nightly", 18_000, at: 18_000, attempt: 1) { $0.reason = "missed" }
        add(.skipped, "nightly", 18_000, at: 21_600, attempt: 1) { $0.reason = "missed"; $0.message = "3 more missed occurrences up to this one" }
        add(.skipped, "nightly", 25_200, at: 25_200, attempt: 1) { $0.reason = "journal"; $0.message = "journal.jsonl: write failed: No space left on device" }
        // Pause and resume overrides.
        add(.paused, "nightly", 26_000) { $0.triggeredBy = "api"; $0.hash = "sha256:nightly" }
        add(.skipped, "nightly", 30_000, at: 28_800, attempt: 1) { $0.reason = "paused"; $0.message = "occurrences up to this one fell while the job was paused" }
        add(.resumed, "nightly", 30_000) { $0.triggeredBy = "api" }
        add(.paused, "downstream", 30_001) { $0.triggeredBy = "api"; $0.hash = "sha256:downstream" }
        add(.resumed, "downstream", 30_002) {
            $0.triggeredBy = "files"; $0.reason = "files changed"; $0.hash = "sha256:downstream2"
            $0.message = "the definition changed since the pause; the files win"
        }
        // A post: processing, published, a failed target, a cancelled target, the attempt's end.
        add(.started, "launch-post", 36_000, at: 36_000, attempt: 1) { $0.triggeredBy = "schedule"; $0.lateUs = 12 }
        add(.processing, "launch-post", 36_000, at: 36_000, attempt: 1) { $0.target = "mastodon" }
        add(.published, "launch-post", 36_001, at: 36_000, attempt: 1) { $0.target = "mastodon"; $0.url = "https://social.example/@me/1"; $0.status = 201 }
        add(.processing, "launch-post", 36_001, at: 36_000, attempt: 1) { $0.target = "webhook#1" }
        add(.published, "launch-post", 36_002, at: 36_000, attempt: 1) {
            $0.target = "webhook#1"; $0.outcome = "failed"; $0.errorClass = "http"; $0.status = 503; $0.message = "HTTP 503: try later"
        }
        add(.processing, "launch-post", 36_002, at: 36_000, attempt: 1) { $0.target = "webhook#2" }
        // A failed target, as PostLauncher journals it: `finished` with the target.
        add(.finished, "launch-post", 36_002, at: 36_000, attempt: 1) {
            $0.target = "webhook#2"; $0.outcome = "failed"; $0.errorClass = "auth"; $0.status = 401; $0.message = "HTTP 401: bad token"
        }
        add(.finished, "launch-post", 36_002, at: 36_000, attempt: 1) {
            $0.triggeredBy = "schedule"; $0.outcome = "partial"; $0.exitCode = 503; $0.durationMs = 2000; $0.lateUs = 12
            $0.outputTail = "mastodon: published\nwebhook#1: HTTP 503\n"; $0.errorClass = "http"
        }
        add(.cancelled, "launch-post", 36_100, at: 36_000, attempt: 1) { $0.reason = "api"; $0.triggeredBy = "api"; $0.target = "webhook#1" }
        add(.cancelled, "launch-post", 36_200, at: 36_000, attempt: 1) { $0.reason = "replaced"; $0.target = "mastodon" }
        add(.finished, "launch-post", 40_000, at: 39_000, attempt: 1) {
            $0.outcome = "failure"; $0.errorClass = "missed"; $0.triggeredBy = "catchup"
            $0.message = "due 2026-03-08T17:50:00Z while no runner was up; outside the catch-up window"
        }
        // A scan's sync, a notification of each outcome, cancels, a removal, the runner's stop.
        add(.started, "repo-scan", 43_200, at: 43_200, attempt: 1) { $0.triggeredBy = "schedule"; $0.lateUs = 5 }
        add(.synced, "repo-scan", 43_201, at: 43_200, attempt: 1) { $0.commit = "deadbeefcafe0123" }
        add(.finished, "repo-scan", 43_201, at: 43_200, attempt: 1) {
            $0.triggeredBy = "schedule"; $0.outcome = "skipped"; $0.exitCode = 0; $0.durationMs = 1000; $0.lateUs = 6; $0.outputTail = "no activity\n"
        }
        add(.notified, "nightly", 43_300, attempt: 2) {
            $0.target = "https://hooks.example/T0/B0"; $0.status = 200; $0.outcome = "delivered"; $0.reason = "failure"
        }
        add(.notified, "nightly", 43_301) {
            $0.target = "https://hooks.example/T0/B1"; $0.status = 500; $0.outcome = "failed"; $0.reason = "recovered"; $0.message = "HTTP 500"
        }
        add(.queued, "nightly", 43_400, at: 43_200, attempt: 1) { $0.triggeredBy = "schedule" }
        add(.cancelled, "nightly", 43_401, at: 43_200, attempt: 1) { $0.reason = "removed" }
        add(.queued, "nightly", 43_402, at: 46_800, attempt: 1) { $0.triggeredBy = "schedule" }
        add(.cancelled, "nightly", 43_403, at: 46_800, attempt: 1) { $0.reason = "shutdown" }
        add(.removed, "old-job", 43_500)
        add(.runnerStopped, nil, 43_600) { $0.pid = 4343; $0.message = "drained" }
        return events
    }

    /// What a runner appends after a compaction: its start, a run, a trigger left pending, its stop.
    static func afterCompaction() -> [JournalEvent] {
        var started = event(.runnerStarted, nil, 40 * 86_400)
        started.pid = 5151
        var run = event(.started, "nightly", 40 * 86_400 + 1, at: 40 * 86_400, attempt: 1)
        run.triggeredBy = "schedule"
        run.lateUs = 1_000_000
        var finished = event(.finished, "nightly", 40 * 86_400 + 3, at: 40 * 86_400, attempt: 1)
        (finished.triggeredBy, finished.outcome, finished.exitCode, finished.durationMs, finished.lateUs) = ("schedule", "success", 0, 2000, 999_999)
        (finished.outputTail, finished.cpuUserMs, finished.cpuSystemMs, finished.maxRSSKB, finished.pid) = ("fine\n", 3, 4, 5000, 6000)
        var triggered = event(.triggered, "nightly", 40 * 86_400 + 4, at: 40 * 86_400 + 4, attempt: 1)
        triggered.triggeredBy = "manual"
        var stopped = event(.runnerStopped, nil, 40 * 86_400 + 5)
        stopped.pid = 5151
        stopped.message = "1 attempt(s) still running at exit"
        return [started, run, finished, triggered, stopped]
    }
}

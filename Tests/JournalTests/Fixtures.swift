import Foundation
@testable import Journal
import JournalTestSupport

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("almanac-journal-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    var journal: URL { url.appendingPathComponent("journal.jsonl") }

    func bytes() throws -> Data { try Data(contentsOf: journal) }

    func lines() throws -> [String] {
        String(decoding: try bytes(), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// 2026-03-08T07:00:00Z plus `seconds`.
func date(_ seconds: Double = 0) -> Date { Date(timeIntervalSince1970: 1_772_953_200 + seconds) }

enum Fixtures {
    static let base = date()

    /// One richly filled event of every type, in an order the reducer accepts.
    static func everyType() -> [JournalEvent] {
        let at = base
        let key = (job: "nightly", scheduledAt: date(-60))
        var events: [JournalEvent] = [
            JournalEvent(at: at, type: .runnerStarted, pid: 4242),
            JournalEvent(at: at, type: .applied, job: "nightly", hash: "sha256:abc", revision: "0123abcd",
                         fields: ["run": "[\"./backup.sh\",\"--full\"]", "schedule": "0 3 * * *", "env.BUCKET": "${BACKUP_BUCKET}"],
                         source: "jobs.d/backup.yaml:3:1", kind: "job", enabled: true),
            JournalEvent(at: at, type: .diagnostics, messages: ["jobs.d/x.yaml:1:1: error: bad \"cron\"", "ünïcødé ✓ 🎉"]),
            JournalEvent(at: at, type: .scheduled, job: "nightly", scheduledAt: date(86_400)),
            JournalEvent(at: at, type: .queued, job: "nightly", scheduledAt: key.scheduledAt, triggeredBy: "schedule"),
            JournalEvent(at: at, type: .started, job: "nightly", scheduledAt: key.scheduledAt, attempt: 1,
                         triggeredBy: "schedule", pid: 31337),
            JournalEvent(at: date(1.25), type: .finished, job: "nightly", scheduledAt: key.scheduledAt, attempt: 1,
                         outcome: "failure", exitCode: 3, signal: nil, durationMs: 1250,
                         outputTail: "line 1\nline \"2\"\t\\ tab\u{1}\u{7f} é 😀\n", errorClass: "exit",
                         cpuUserMs: 12, cpuSystemMs: 3, maxRSSKB: 20480, logPath: "/var/log/almanac/nightly.log",
                         result: #"{"message":"half done","items":{"processed":3,"succeeded":2,"failed":1},"ratio":-1.5e-3,"ok":false,"none":null,"list":["a\"b",[]]}"#),
            JournalEvent(at: date(2), type: .retry, job: "nightly", scheduledAt: key.scheduledAt, attempt: 2, retryAt: date(62)),
            JournalEvent(at: date(3), type: .skipped, job: "nightly", scheduledAt: date(3600), reason: "overlap"),
            JournalEvent(at: date(4), type: .cancelled, job: "nightly", scheduledAt: date(7200), reason: "replaced"),
            JournalEvent(at: date(5), type: .interrupted, job: "nightly", scheduledAt: date(-7200), attempt: 1, message: "runner crashed"),
            JournalEvent(at: date(6), type: .triggered, job: "nightly", triggeredBy: "manual"),
            JournalEvent(at: date(7), type: .processing, job: "launch-post", scheduledAt: date(100), target: "mastodon"),
            JournalEvent(at: date(8), type: .published, job: "launch-post", scheduledAt: date(100), target: "mastodon",
                         url: "https://social.example/@me/1", status: 201),
            JournalEvent(at: date(9), type: .synced, job: "repo-scan", commit: "deadbeefcafe"),
            JournalEvent(at: date(10), type: .paused, job: "nightly", triggeredBy: "api", hash: "sha256:0f1e2d"),
            JournalEvent(at: date(11), type: .resumed, job: "nightly", triggeredBy: "files", hash: "sha256:a1b2c3",
                         reason: "files changed"),
            JournalEvent(at: date(12), type: .notified, job: "nightly", target: "https://hooks.example/T0/B0", status: 200),
            JournalEvent(at: date(13), type: .removed, job: "old-job", reason: "file deleted"),
            JournalEvent(at: date(13.5), .engagement(.init(job: "launch-post", scheduledAt: date(100), target: "mastodon", channel: "#launch",
                                                           timezone: "Europe/London", metrics: ["likes": 12, "ratio": -1.5e-3],
                                                           source: .publish))),
            JournalEvent(at: date(14.001), type: .runnerStopped, message: "SIGTERM"),
        ]
        var state = JournalState()
        for i in events.indices {
            events[i].seq = UInt64(i + 1)
            state.apply(events[i])
        }
        events.append(JournalEvent(seq: UInt64(events.count), at: date(15), type: .snapshot, snapshot: state))
        return events
    }

    /// A realistic log: `jobs` jobs, `runs` started/finished pairs each, a retry and a skip now and then.
    static func workload(jobs: Int, runs: Int, start: Date = base) -> [JournalEvent] {
        var events: [JournalEvent] = []
        for j in 0..<jobs {
            events.append(JournalEvent(at: start, type: .applied, job: "job-\(j)", hash: "h\(j)", fields: ["schedule": "@hourly"]))
        }
        for r in 0..<runs {
            for j in 0..<jobs {
                let scheduled = start.addingTimeInterval(Double(r) * 3600)
                let job = "job-\(j)"
                if (r + j) % 17 == 16 {
                    events.append(JournalEvent(at: scheduled, type: .skipped, job: job, scheduledAt: scheduled, reason: "overlap"))
                    continue
                }
                events.append(JournalEvent(at: scheduled, type: .started, job: job, scheduledAt: scheduled, attempt: 1,
                                           triggeredBy: "schedule", pid: 1000 + r))
                let ok = (r * 7 + j) % 5 != 0
                events.append(JournalEvent(at: scheduled.addingTimeInterval(2.5), type: .finished, job: job,
                                           scheduledAt: scheduled, attempt: 1, outcome: ok ? "success" : "failure",
                                           exitCode: ok ? 0 : 1, durationMs: 2500 + r % 100, outputTail: "run \(r) of \(job): ok\n",
                                           errorClass: ok ? nil : "exit"))
                if !ok {
                    events.append(JournalEvent(at: scheduled.addingTimeInterval(3), type: .retry, job: job,
                                               scheduledAt: scheduled, attempt: 2, retryAt: scheduled.addingTimeInterval(60)))
                }
            }
        }
        return events
    }
}

extension JournalEvent {
    /// The event with seq 0, as a caller would pass it in.
    var unsequenced: JournalEvent {
        var copy = self
        copy.seq = 0
        return copy
    }
}

/// Encodes and decodes through the line codec.
func roundTrip(_ event: JournalEvent) throws -> (line: [UInt8], decoded: JournalEvent) {
    let line = try EventCodec.encode(event)
    let decoded = try line.withUnsafeBufferPointer { try EventCodec.decode(UnsafeBufferPointer(rebasing: $0.dropLast())) }
    return (line, decoded)
}

/// Decodes one line of text.
func decode(_ text: String) throws -> JournalEvent {
    let bytes = Array(text.utf8)
    return try bytes.withUnsafeBufferPointer { try EventCodec.decode($0) }
}

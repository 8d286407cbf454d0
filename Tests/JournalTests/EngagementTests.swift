import Foundation
import Testing
@testable import Journal
import JournalTestSupport

@Suite("engagement records")
struct EngagementTests {
    static let line = #"{"seq":7,"at":"2026-03-03T09:05:00Z","type":"engagement","job":"launch","scheduledAt":"2026-03-03T09:00:00Z","source":"cli","target":"0","channel":"blog","timezone":"Europe/London","metrics":{"comments":3,"likes":12.5,"score":-1e-05},"v":1}"#

    static func engagement(_ job: String, at seconds: Double, target: String = "0", _ metrics: [String: Double]) -> JournalEvent {
        JournalEvent(at: date(seconds + 60), .engagement(.init(job: job, scheduledAt: date(seconds), target: target, channel: "blog",
                                                               metrics: metrics, source: .cli)))
    }

    @Test("a line decodes to typed numbers and re-encodes to the same bytes")
    func lineRoundTrip() throws {
        let event = try decode(Self.line)
        guard case .engagement(let record) = event.record else {
            Issue.record("decoded \(event.type.rawValue)")
            return
        }
        #expect(record.metrics == ["comments": 3, "likes": 12.5, "score": -0.00001])
        #expect(record.source == .cli && record.channel == "blog" && record.timezone == "Europe/London" && record.target == "0")
        #expect(String(decoding: try EventCodec.encode(event), as: UTF8.self) == Self.line + "\n")
    }

    @Test("a metric that is not a finite number does not decode", arguments: [
        #"{"seq":1,"at":"2026-03-03T09:05:00Z","type":"engagement","job":"a","scheduledAt":"2026-03-03T09:00:00Z","metrics":{"likes":"12"},"v":1}"#,
        #"{"seq":1,"at":"2026-03-03T09:05:00Z","type":"engagement","job":"a","scheduledAt":"2026-03-03T09:00:00Z","metrics":{"likes":true},"v":1}"#,
        #"{"seq":1,"at":"2026-03-03T09:05:00Z","type":"engagement","job":"a","scheduledAt":"2026-03-03T09:00:00Z","metrics":{"likes":1e999},"v":1}"#,
        #"{"seq":1,"at":"2026-03-03T09:05:00Z","type":"engagement","job":"a","scheduledAt":"2026-03-03T09:00:00Z","metrics":[1],"v":1}"#,
    ])
    func refused(line: String) {
        #expect(throws: (any Error).self) { try decode(line) }
    }

    @Test("replay merges records per occurrence and target, the latest value of a metric winning")
    func replayMerges() throws {
        var state = JournalState()
        // A line without an occurrence holds nothing to merge into.
        state.apply(try decode(#"{"seq":1,"at":"2026-03-03T09:05:00Z","type":"engagement","job":"launch","metrics":{"likes":1},"v":1}"#))
        #expect(state.jobs["launch"]?.engagement.isEmpty == true)
        for event in [Self.engagement("launch", at: 0, ["likes": 3, "comments": 1]), Self.engagement("launch", at: 0, ["likes": 9]),
                      Self.engagement("launch", at: 0, target: "mastodon", ["likes": 2]), Self.engagement("launch", at: 3600, ["likes": 5])] {
            state.apply(event)
        }
        let entries = state.jobs["launch"]?.engagement ?? []
        #expect(entries.map(\.metrics) == [["likes": 9, "comments": 1], ["likes": 2], ["likes": 5]])
        #expect(entries.map(\.target) == ["0", "mastodon", "0"])
        #expect(entries.first?.at == date(60))
    }

    @Test("compaction keeps engagement past the history cutoff and after the post's file is gone, capped per post")
    func compactionKeeps() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        var events = (0..<4).map { Self.engagement("old", at: Double($0) * 3600, ["likes": Double($0)]) }
        events.append(JournalEvent(at: date(5 * 3600), type: .removed, job: "old"))
        _ = try await journal.append(events)
        try await journal.compact(now: date(90 * 86_400), retention: Retention(keep: .seconds(86_400), maxPerJob: 3))
        let kept = try FileJournal.replay(file: dir.journal).state.jobs["old"]?.engagement ?? []
        #expect(kept.map(\.metrics) == [["likes": 1], ["likes": 2], ["likes": 3]])
        #expect(kept.allSatisfy { $0.channel == "blog" })
        #expect(try FileJournal.replay(file: dir.journal).state == (await journal.state()))
        try await journal.close()
    }

    @Test("a snapshot written before engagement existed still decodes")
    func oldSnapshot() throws {
        let json = #"{"applied":null,"history":[],"lastSync":null,"paused":false,"publications":{},"queued":[],"removed":false,"running":[],"stats":{"failureCount":0,"successCount":0}}"#
        let job = try JSONDecoder().decode(JobState.self, from: Data(json.utf8))
        #expect(job.engagement.isEmpty)
    }
}

@Suite("engagement requests")
struct EngagementRequestTests {
    /// A post published to `targets` at hour 0, as the runner journals it.
    static func published(_ targets: [String]) -> JournalState {
        var state = JournalState()
        state.apply(JournalEvent(at: date(), .applied(.init(job: "launch", hash: "h", kind: "post",
                                                            fields: ["content": #"{"channel":"blog","title":"Hi"}"#, "timezone": "UTC"]))))
        for target in targets {
            state.apply(JournalEvent(at: date(1), .published(.init(job: "launch", scheduledAt: date(), attempt: 1, target: target))))
        }
        return state
    }

    @Test("the target and occurrence default to the one published; the channel comes from the content")
    func defaults() throws {
        let record = try EngagementRequest(post: "launch", metrics: ["likes": 4], source: .cli).record(in: Self.published(["0"]))
        #expect(record.target == "0" && record.scheduledAt == date() && record.channel == "blog" && record.timezone == "UTC")
    }

    @Test("refusals say what is wrong", arguments: [
        (EngagementRequest(post: "nosuch", metrics: ["likes": 1], source: .cli), "no post named 'nosuch'"),
        (EngagementRequest(post: "launch", metrics: ["likes": 1], source: .cli), "published to several targets (a, b)"),
        (EngagementRequest(post: "launch", target: "c", metrics: ["likes": 1], source: .cli), "has no target 'c'; its targets: a, b"),
        (EngagementRequest(post: "launch", target: "a", scheduledAt: date(86_400), metrics: ["likes": 1], source: .cli), "no published occurrence"),
        (EngagementRequest(post: "launch", target: "a", metrics: ["Likes": 1], source: .cli), "metric name 'Likes'"),
        (EngagementRequest(post: "launch", target: "a", metrics: [:], source: .cli), "no metrics given"),
    ])
    func refusals(request: EngagementRequest, says: String) {
        do {
            _ = try request.record(in: Self.published(["a", "b"]))
            Issue.record("accepted \(request)")
        } catch {
            #expect(error.message.contains(says), "\(error.message)")
        }
    }
}

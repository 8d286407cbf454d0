import AlmanacCore
import Foundation
import Journal
import Manifest
import Status
import Testing

@Suite("posting slots")
struct PostingSlotsTests {
    /// 2026-03-03 was a Tuesday.
    static func utc(_ text: String) -> Date { RFC3339.parse(text) ?? .distantPast }

    static func entry(_ at: String, _ metrics: [String: Double], channel: String = "blog", zone: String? = nil) -> PostEngagement {
        PostEngagement(scheduledAt: utc(at), target: "0", channel: channel, timezone: zone, metrics: metrics, at: utc(at))
    }

    /// Six Tuesdays 09:00 UTC (likes 40…50 and one 100), five Thursdays 18:00 (20…28), two Saturdays 10:00 (500, 700).
    static let entries: [PostEngagement] =
        [40, 42, 44, 46, 48, 100].enumerated().map { entry("2026-03-\(String(format: "%02d", 3 + 7 * ($0.offset % 4)))T09:00:00Z", ["likes": $0.element, "comments": 1]) }
        + [20, 22, 24, 26, 28].enumerated().map { entry("2026-03-\(String(format: "%02d", 5 + 7 * ($0.offset % 4)))T18:00:00Z", ["likes": $0.element]) }
        + [entry("2026-03-07T10:00:00Z", ["likes": 500]), entry("2026-03-14T10:00:00Z", ["likes": 700]),
           entry("2026-03-03T09:00:00Z", ["likes": 9999], channel: "other")]

    @Test("slots rank by median; a slot with fewer than 5 samples is listed apart, never above a ranked one")
    func ranking() throws {
        let slots = try PostingSlots.rank(Self.entries, channel: "blog", metric: "likes", zone: nil)
        #expect(slots.ranked.map(\.label) == ["Tue 09:00", "Thu 18:00"])
        #expect(slots.ranked.map(\.median) == [45, 24])  // the 100 moves a mean, not the median
        #expect(slots.ranked.map(\.samples) == [6, 5])
        #expect(slots.sparse.map(\.label) == ["Sat 10:00"] && slots.sparse.first?.median == 600 && slots.sparse.first?.samples == 2)
        #expect(slots.zone == "UTC" && slots.samples == 13 && slots.metrics == ["comments", "likes"])
        #expect(slots.text.contains("not enough data (n < 5):\n-     Sat 10:00  600     2"), "\(slots.text)")
    }

    @Test("the median of an even count is the mean of the middle two", arguments: [
        ([1.0], 1.0), ([3, 1, 2], 2), ([4, 1, 3, 2], 2.5), ([10, 10, 0, 0], 5),
    ] as [([Double], Double)])
    func median(values: [Double], expected: Double) {
        #expect(PostingSlots.median(values) == expected)
    }

    @Test("slots are read in the zone: 09:00 UTC is 10:00 in Berlin in March, 11:00 once summer time begins")
    func zones() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        #expect(PostingSlots.slot(of: Self.utc("2026-03-03T09:00:00Z"), in: berlin) == (2, 10))
        #expect(PostingSlots.slot(of: Self.utc("2026-04-07T09:00:00Z"), in: berlin) == (2, 11))
        #expect(PostingSlots.slot(of: Self.utc("2026-03-03T23:30:00Z"), in: berlin) == (3, 0))  // Wednesday by then
        #expect(PostingSlots.slot(of: Self.utc("1969-12-31T23:00:00Z"), in: .utc) == (3, 23))  // before the epoch
        let tokyo = try PostingSlots.rank(Self.entries, channel: "blog", metric: "likes", zone: TimeZone(identifier: "Asia/Tokyo"))
        #expect(tokyo.ranked.map(\.label) == ["Tue 18:00", "Fri 03:00"] && tokyo.zone == "Asia/Tokyo")
    }

    @Test("without --tz the zone most posts name is used")
    func commonZone() throws {
        let entries = Self.entries.enumerated().map { var e = $0.element; e.timezone = $0.offset < 2 ? "UTC" : "Asia/Kolkata"; return e }
        let slots = try PostingSlots.rank(entries, channel: "blog", metric: "likes", zone: nil)
        #expect(slots.zone == "Asia/Kolkata" && slots.ranked.first?.label == "Tue 14:00")
        // Where summer time starts inside the data, one posting hour becomes two slots: New York
        // moved on 8 March, so 09:00 UTC was 04:00 before and 05:00 after.
        let york = try PostingSlots.rank(Self.entries, channel: "blog", metric: "likes", zone: TimeZone(identifier: "America/New_York"))
        #expect(york.ranked.isEmpty && york.sparse.map(\.label).contains("Tue 04:00") && york.sparse.map(\.label).contains("Tue 05:00"))
    }

    @Test("the metric: likes is preferred among several; a named one must exist; errors list what there is")
    func metricChoice() throws {
        #expect(try PostingSlots.rank(Self.entries, channel: "blog", metric: nil, zone: nil).metric == "likes")
        #expect(try PostingSlots.rank([Self.entry("2026-03-03T09:00:00Z", ["claps": 3])], channel: "blog", metric: nil, zone: nil).metric == "claps")
        #expect(throws: SuggestionError("no 'views' recorded on channel 'blog'; available: comments, likes")) {
            try PostingSlots.rank(Self.entries, channel: "blog", metric: "views", zone: nil)
        }
        let several = [Self.entry("2026-03-03T09:00:00Z", ["claps": 3, "boosts": 1])]
        #expect(throws: SuggestionError("channel 'blog' has several metrics; name one with --metric: boosts, claps")) {
            try PostingSlots.rank(several, channel: "blog", metric: nil, zone: nil)
        }
        #expect(throws: SuggestionError("no engagement recorded for channel 'nope' (record some with `almanac posts metrics`)", noData: true)) {
            try PostingSlots.rank(Self.entries, channel: "nope", metric: nil, zone: nil)
        }
    }

    @Test("JSON names each slot, its rank or its note")
    func json() throws {
        let slots = try PostingSlots.rank(Self.entries, channel: "blog", metric: "likes", zone: nil)
        let json = slots.json
        let tuesday: JSONValue = ["hour": 9, "median": 45, "rank": 1, "samples": 6, "slot": "Tue 09:00", "weekday": "Tue"]
        let thursday: JSONValue = ["hour": 18, "median": 24, "rank": 2, "samples": 5, "slot": "Thu 18:00", "weekday": "Thu"]
        let saturday: JSONValue = ["hour": 10, "median": 600, "note": "not enough data (n < 5)", "samples": 2, "slot": "Sat 10:00", "weekday": "Sat"]
        #expect(json["ranked"] == .array([tuesday, thursday]))
        #expect(json["notEnoughData"] == .array([saturday]))
        #expect(json["minimumSamples"] == .int(5) && json["metric"] == .string("likes"))
    }

    @Test("validate notes a post ahead that is not in one of the best slots, and only that one")
    func notes() {
        let manifest = ManifestLoader.load(files: [SourceFile(path: "posts.yaml", bytes: Array("""
            kind: post
            name: good
            at: "2026-04-07T09:00:00Z"
            content: {title: Good, channel: blog}
            publish: {webhook: "https://example.invalid/hook"}
            ---
            kind: post
            name: late-night
            at: "2026-04-11T23:00:00Z"
            content: {title: Late, channel: blog}
            publish: {webhook: "https://example.invalid/hook"}
            ---
            kind: post
            name: elsewhere
            at: "2026-04-11T23:00:00Z"
            content: {title: Other, channel: nodata}
            publish: {webhook: "https://example.invalid/hook"}
            """.utf8))], environment: [:], now: Self.utc("2026-04-01T00:00:00Z"))
        let notes = PostingAdvice.notes(for: manifest, engagement: Self.entries, now: Self.utc("2026-04-01T00:00:00Z"))
        #expect(notes.map(\.severity) == [.note])
        let text = notes.first?.description ?? ""
        #expect(text.hasPrefix("posts.yaml:") && text.contains(": note: post late-night is scheduled Sat 23:00 UTC, "
                                                               + "not among channel `blog`'s best slots by median likes: Tue 09:00 (45, n=6), Thu 18:00 (24, n=5)"),
                "\(notes.map(\.description))")
    }
}

import AlmanacCore
import Foundation
import Testing
@testable import Journal
import JournalTestSupport

/// A small seeded generator (SplitMix64), so a failing case can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random but valid journal events: every type, names that repeat, text that needs escaping.
struct RandomEvents {
    var rng: SeededGenerator
    private let jobs = ["a", "nightly", "job-7", "a-rather-long-job-name-for-backups", "ünï-cødé", "q\"uote\\d"]
    private let texts = ["", "done\n", "tab\tnew\nline \"q\" \\ /", "\u{1}\u{1f}\u{7f}", "é 😀 ✓", String(repeating: "x", count: 40)]

    mutating func text() -> String {
        var out = ""
        for _ in 0..<Int.random(in: 0...3, using: &rng) { out += texts.randomElement(using: &rng) ?? "" }
        return out
    }

    /// Random text as a JSON string literal.
    mutating func jsonString() -> String {
        let data = (try? JSONSerialization.data(withJSONObject: text(), options: .fragmentsAllowed)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    mutating func maybe<T>(_ make: (inout RandomEvents) -> T) -> T? { Bool.random(using: &rng) ? make(&self) : nil }

    mutating func when() -> Date { date(Double(Int.random(in: -100_000_000...100_000_000, using: &rng)) / 1000) }

    /// A random event; `result: false` leaves the nested result out.
    mutating func event(result withResult: Bool = true) -> JournalEvent {
        let types = EventType.allCases.filter { $0 != .snapshot }
        let type = types.randomElement(using: &rng) ?? .started
        let small = { (g: inout RandomEvents) in Int.random(in: -5...100_000, using: &g.rng) }
        let at = when()
        let job = maybe { $0.jobs.randomElement(using: &$0.rng) ?? "a" } ?? "a"
        let scheduledAt = maybe { $0.when() }
        let attempt = maybe { Int.random(in: 1...3, using: &$0.rng) }
        let triggeredBy = maybe { ["schedule", "manual", "retry"].randomElement(using: &$0.rng) ?? "" }
        let hash = maybe { "sha256:\($0.text())" }
        let revision = maybe { $0.text() }
        let fields = maybe { g in
            var fields = ["run": g.text(), "schedule": "@hourly"]
            fields[g.text()] = g.text()
            return fields
        }
        let source = maybe { $0.text() }
        let kind = maybe { ["job", "post", "scan"].randomElement(using: &$0.rng) ?? "job" }
        let enabled = maybe { Bool.random(using: &$0.rng) }
        let outcome = maybe { ["success", "failure", "timeout"].randomElement(using: &$0.rng) ?? "" }
        let exitCode = maybe(small)
        let signal = maybe(small)
        let durationMs = maybe(small)
        let outputTail = maybe { g in
            Int.random(in: 0..<8, using: &g.rng) == 0 ? String(repeating: "é\n", count: 1500) : g.text()
        }
        let errorClass = maybe { $0.text() }
        let cpuUserMs = maybe(small)
        let cpuSystemMs = maybe(small)
        let maxRSSKB = maybe { _ in Int.max }
        let pid = maybe(small)
        let logPath = maybe { "/var/log/\($0.text())" }
        let result = maybe { g in #"{"n": \#(small(&g)), "s": \#(g.jsonString()), "l": [true, null, -1.5e3]}"# }
        let reason = maybe { $0.text() }
        let retryAt = maybe { $0.when() }
        let message = maybe { $0.text() }
        let messages = maybe { g in (0..<Int.random(in: 0...3, using: &g.rng)).map { _ in g.text() } }
        let target = maybe { ["mastodon", "bsky"].randomElement(using: &$0.rng) ?? "" }
        let url = maybe { "https://example.com/\($0.text())" }
        let status = maybe(small)
        let commit = maybe { $0.text() }
        return JournalEvent(
            at: at, type: type, job: job, scheduledAt: scheduledAt, attempt: attempt, triggeredBy: triggeredBy, hash: hash,
            revision: revision, fields: fields, source: source, kind: kind, enabled: enabled, outcome: outcome, exitCode: exitCode,
            signal: signal, durationMs: durationMs, lateUs: nil, outputTail: outputTail, errorClass: errorClass, cpuUserMs: cpuUserMs,
            cpuSystemMs: cpuSystemMs, maxRSSKB: maxRSSKB, logPath: logPath, result: withResult ? result : nil, pid: pid,
            reason: reason, retryAt: retryAt, message: message, messages: messages, target: target, url: url, status: status,
            commit: commit)
    }
}

@Suite("replay equals the live reducer")
struct ReplayEquivalenceTests {
    @Test("random events: live state, sequential replay and pipelined replay agree", arguments: [1, 2, 3] as [UInt64])
    func randomRoundTrip(seed: UInt64) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var random = RandomEvents(rng: SeededGenerator(state: seed))
        let events = (0..<3000).map { _ in random.event() }
        let journal = try FileJournal(directory: dir.url)
        var stored: [JournalEvent] = []
        for chunk in stride(from: 0, to: events.count, by: 500) {
            stored += try await journal.append(Array(events[chunk..<min(chunk + 500, events.count)]))
        }
        let live = await journal.state()
        try await journal.close()

        var folded = JournalState()
        for event in stored { folded.apply(event) }
        #expect(live == folded)
        let sequential = try ReplayReport.replay(path: dir.journal.path, pipelineBytes: .max)
        let pipelined = try ReplayReport.replay(path: dir.journal.path, pipelineBytes: 0)
        #expect(sequential.state == live)
        #expect(pipelined.state == live)
        #expect(sequential.events == events.count && pipelined.events == events.count)
        #expect(sequential.validBytes == pipelined.validBytes)
        #expect(try FileJournal.events(file: dir.journal) == stored)
    }

    @Test("reformatted lines (pretty-printed, sorted keys, escaped slashes) decode to the same event")
    func reformattedLines() throws {
        var random = RandomEvents(rng: SeededGenerator(state: 42))
        for _ in 0..<500 {
            let event = random.event(result: false)  // JSONSerialization reorders a nested result's keys
            let (line, decoded) = try roundTrip(event)
            let object = try JSONSerialization.jsonObject(with: Data(line))
            for options in [JSONSerialization.WritingOptions.prettyPrinted, .sortedKeys] {
                let data = try JSONSerialization.data(withJSONObject: object, options: options)
                let again = try Array(data).withUnsafeBufferPointer { try EventCodec.decode($0) }
                #expect(again == decoded)
            }
        }
    }

    @Test("keys and types spelled with escapes still match", arguments: [
        #"{"s\u0065q":3,"\u0061t":"2026-03-08T07:00:00Z","type":"st\u0061rted","j\u006fb":"a","attempt":2}"#,
        #"{ "seq" : 3 , "at" : "2026-03-08T07:00:00.000Z" , "type" : "started" , "job" : "a" , "attempt" : 2 }"#,
        #"{"attempt":2,"job":"a","type":"started","at":"2026-03-08T07:00:00Z","seq":3,"somethingNewAndLongerThan16":1}"#,
    ])
    func escapedKeys(line: String) throws {
        let event = try decode(line)
        #expect(event == JournalEvent(seq: 3, at: date(), type: .started, job: "a", attempt: 2))
    }

    @Test("integers at the edges of Int", arguments: [
        ("9223372036854775807", Int.max), ("-9223372036854775808", Int.min),
        ("999999999999999999", 999_999_999_999_999_999), ("-1000000000000000000", -1_000_000_000_000_000_000),
    ])
    func integerEdges(text: String, value: Int) throws {
        let event = try decode(#"{"seq":1,"at":"2026-03-08T07:00:00Z","type":"finished","job":"a","exitCode":\#(text)}"#)
        #expect(event.exitCode == value)
    }

    @Test("integers just past the edges of Int are refused", arguments: ["9223372036854775808", "-9223372036854775809"])
    func integerOverflow(text: String) {
        #expect(throws: JSONLineError.self) {
            _ = try decode(#"{"seq":1,"at":"2026-03-08T07:00:00Z","type":"finished","job":"a","exitCode":\#(text)}"#)
        }
    }

    @Test("the fast date parser agrees with the general one on random writer-shaped text")
    func canonicalDates() {
        var rng = SeededGenerator(state: 7)
        let digits = Array("0123456789".utf8)
        for _ in 0..<20_000 {
            let millis = Bool.random(using: &rng)
            var text = Array("2026-03-08T07:00:00\(millis ? ".250" : "")Z".utf8)
            for i in text.indices where digits.contains(text[i]) && Int.random(in: 0..<3, using: &rng) == 0 {
                text[i] = digits.randomElement(using: &rng) ?? UInt8(ascii: "0")
            }
            text.withUnsafeBufferPointer { b in
                #expect(RFC3339.canonicalMilliseconds(b).map(RFC3339.date(milliseconds:)) == RFC3339.parseAnyForm(b))
            }
        }
    }

    @Test("pipelined replay reports damage exactly like the sequential one", arguments: [
        "{\"seq\":999,\"at\":\"garbage\"}\n", #"{"seq":999,"at":"2026-03-08T0"#, "{not json}\n{\"seq\":1}\n",
    ])
    func pipelinedDamage(tail: String) async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let journal = try FileJournal(directory: dir.url)
        _ = try await journal.append(Fixtures.workload(jobs: 3, runs: 400).map(\.unsequenced))
        try await journal.close()
        let goodLines = try dir.lines().count
        let handle = try FileHandle(forWritingTo: dir.journal)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(tail.utf8))
        try handle.close()

        let outcomes = [Int.max, 0].map { threshold in
            Result { try ReplayReport.replay(path: dir.journal.path, pipelineBytes: threshold) }
        }
        switch (outcomes[0], outcomes[1]) {
        case let (.success(a), .success(b)):
            #expect(a.state == b.state && a.events == b.events && a.validBytes == b.validBytes)
            #expect(a.droppedTornLine != nil && a.droppedTornLine == b.droppedTornLine)
        case let (.failure(a), .failure(b)):
            #expect(a as? JournalError == b as? JournalError)
            #expect((a as? JournalError)?.kind == .corruptLine(line: goodLines + 1))
        default:
            Issue.record("sequential and pipelined replay disagree: \(outcomes)")
        }
    }
}

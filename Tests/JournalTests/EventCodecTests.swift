import AlmanacCore
import Foundation
import Testing
@testable import Journal
import JournalTestSupport

@Suite("journal line codec")
struct EventCodecTests {
    @Test("the fixtures cover every event type")
    func fixturesCoverEveryType() {
        #expect(Set(Fixtures.everyType().map(\.type)) == Set(EventType.allCases))
    }

    @Test("every event type survives encode then decode unchanged", arguments: Fixtures.everyType())
    func roundTripsEveryType(event: JournalEvent) throws {
        let (line, decoded) = try roundTrip(event)
        #expect(decoded == event)
        #expect(line.last == UInt8(ascii: "\n"))
        #expect(line.dropLast().contains(UInt8(ascii: "\n")) == false)
    }

    @Test("JSONSerialization parses every line, with result as a nested object", arguments: Fixtures.everyType())
    func foundationParsesEveryLine(event: JournalEvent) throws {
        let (line, _) = try roundTrip(event)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["seq"] as? Int == Int(event.seq))
        #expect(object["type"] as? String == event.type.rawValue)
        #expect(object["job"] as? String == event.job)
        if event.result != nil {
            let result = try #require(object["result"] as? [String: Any])
            #expect((result["items"] as? [String: Any])?["failed"] as? Int == 1)
        }
        if let tail = event.outputTail { #expect(object["outputTail"] as? String == tail) }
        if event.type == .snapshot { #expect(object["snapshot"] is [String: Any]) }
    }

    @Test("a line starts with seq, at, type, job in that order")
    func keyOrder() throws {
        let event = JournalEvent(seq: 7, at: date(0.25), type: .started, job: "nightly", scheduledAt: date(), attempt: 1)
        let text = String(decoding: try EventCodec.encode(event), as: UTF8.self)
        #expect(text == #"{"seq":7,"at":"2026-03-08T07:00:00.250Z","type":"started","job":"nightly","scheduledAt":"2026-03-08T07:00:00Z","attempt":1,"v":1}"# + "\n")
    }

    @Test("reads lines in another key order, with whitespace, escapes, null and unknown keys")
    func readsForeignFormatting() throws {
        let text = """
             { "unknown" : {"nested": [1, -2.5e+3, true, null, "x"]}, "type" : "finished" ,
              "outputTail":"caf\\u00e9 \\ud83d\\ude00 \\/ \\n\\t\\"q\\"", "job": "nightly",
              "exitCode": -1, "at": "2026-03-08T03:00:00.5-04:00", "seq" : 12, "signal": null,
              "result": { "a" : [ 1 , 2 ] , "s" : "x y" } }\r
            """
        let event = try decode(text)
        #expect(event.seq == 12)
        #expect(event.type == .finished)
        #expect(event.job == "nightly")
        #expect(event.at == date(0.5))
        #expect(event.exitCode == -1)
        #expect(event.signal == nil)
        #expect(event.outputTail == "café 😀 / \n\t\"q\"")
        #expect(event.result == #"{"a":[1,2],"s":"x y"}"#)
        #expect(event.v == 1)
    }

    @Test("a date finer than a millisecond reads as the millisecond the journal would write, so a re-encoded line reads back equal")
    func subMillisecondDates() throws {
        // The journal fuzzer's find: retryAt with four fraction digits read as .5004 s, was
        // written back as .500, and the line read from that was another event.
        let line = #"{"seq":12,"at":"2026-03-08T07:00:04.500Z","type":"retry","job":"nightly","scheduledAt":"2026-03-08T07:00:00Z","attempt":2,"errorClass":"exit","retryAt":"2026-03-08T07:01:04.5004Z","v":1}"#
        let event = try decode(line)
        #expect(event.retryAt == date(64.5))
        let written = try JournalLine.encode(event, source: "test")
        #expect(written.event == event)
        #expect(String(decoding: written.line, as: UTF8.self).contains(#""retryAt":"2026-03-08T07:01:04.500Z""#))
        #expect(try decode(#"{"seq":1,"at":"2026-03-08T07:00:00.9996Z","type":"started","job":"a"}"#).at == date(1))
    }

    @Test("seq and at read before the type count as if read with the rest: a repeated key's last value wins")
    func headReadBeforeThePayload() throws {
        let repeated = try decode(#"{"seq":3,"at":"2026-03-08T07:00:00Z","type":"started","job":"a","seq":4,"at":"2026-03-08T07:00:00.5Z"}"#)
        #expect(repeated.seq == 4)
        #expect(repeated.at == date(0.5))
        #expect(repeated.job == "a")
        let late = try decode(#"{"seq":null,"at":"2026-03-08T07:00:00Z","type":"started","job":"a","seq":5}"#)
        #expect(late.seq == 5)
        // A payload key before the type: the whole line is read again from its first key.
        let early = try decode(#"{"seq":6,"job":"b","at":"2026-03-08T07:00:00Z","type":"started","attempt":2}"#)
        #expect((early.seq, early.job, early.attempt) == (6, "b", 2))
    }

    @Test("reads what JSONEncoder writes for an event, sorted or pretty-printed")
    func readsJSONEncoderOutput() throws {
        var events = Fixtures.everyType().filter { $0.type != .snapshot }
        for i in events.indices {
            // Codable writes result as a string, not a nested object.
            events[i].record = JournalRecord(events[i].type, values: events[i].record.values.filter { $0.key != .result })
            events[i].at = events[i].at.addingTimeInterval(-events[i].at.timeIntervalSince1970.truncatingRemainder(dividingBy: 1))
        }
        for formatting in [JSONEncoder.OutputFormatting.sortedKeys, .prettyPrinted] {
            let encoder = JSONEncoder()
            encoder.outputFormatting = formatting
            encoder.dateEncodingStrategy = .iso8601
            for event in events {
                let data = try encoder.encode(event)
                let decoded = try Array(data).withUnsafeBufferPointer { try EventCodec.decode($0) }
                #expect(decoded == event)
            }
        }
    }

    @Test("rejects malformed lines with a column", arguments: [
        (#"{"seq":1,"at":"2026-03-08T07:00:00Z","type":"started""#, "expected"),
        (#"{"seq":1,"at":"2026-03-08T07:00:00Z","type":"launched"}"#, "unknown event type"),
        (#"{"seq":1,"at":"2026-02-30T07:00:00Z","type":"started"}"#, "invalid RFC 3339"),
        (#"{"seq":1.5,"at":"2026-03-08T07:00:00Z","type":"started"}"#, "integer"),
        (#"{"seq":1,"at":"2026-03-08T07:00:00Z","type":"started"} x"#, "after the object"),
        (#"{"at":"2026-03-08T07:00:00Z","type":"started"}"#, "missing"),
        (#"{"seq":1,"at":"2026-03-08T07:00:00Z","type":"started","job":"a\qb"}"#, "invalid escape"),
        (#"{"seq":1,"at":"2026-03-08T07:00:00Z","type":"started","result":{"a":01}}"#, "leading zero"),
        ("{\"seq\":1,\"at\":\"2026-03-08T07:00:00Z\",\"type\":\"started\",\"job\":\"a\tb\"}", "control character"),
        (#"{"seq":99999999999999999999,"at":"2026-03-08T07:00:00Z","type":"started"}"#, "out of range"),
        (#"{"seq":-1,"at":"2026-03-08T07:00:00Z","type":"started","job":"a"}"#, "seq must not be negative"),
        (#"{"seq":1,"at":"yesterday","type":"started","job":"a"}"#, "invalid RFC 3339 date"),
        (#"{"seq":null,"at":"2026-03-08T07:00:00Z","type":"started","job":"a"}"#, "missing seq"),
    ])
    func rejectsMalformed(line: String, expected: String) {
        #expect {
            _ = try decode(line)
        } throws: { error in
            guard let error = error as? JSONLineError else { return false }
            return error.message.contains(expected) && error.column >= 1
        }
    }

    @Test("a result that is not JSON cannot be encoded")
    func rejectsInvalidResult() {
        let event = JournalEvent(seq: 1, at: date(), type: .finished, job: "a", result: "{not json")
        #expect(throws: JSONLineError.self) { _ = try EventCodec.encode(event) }
    }

    @Test("a pretty-printed result is stored compact, on one line")
    func compactsResult() throws {
        let event = JournalEvent(seq: 1, at: date(), type: .finished, job: "a", result: "{\n  \"message\" : \"a  b\",\n  \"n\" : [1, 2]\n}\n")
        let (line, decoded) = try roundTrip(event)
        #expect(decoded.result == #"{"message":"a  b","n":[1,2]}"#)
        #expect(line.filter { $0 == UInt8(ascii: "\n") }.count == 1)
    }

    @Test("output tails keep their last 4 KiB, cut on a character boundary")
    func cutsOutputTail() throws {
        let long = String(repeating: "é", count: 3000) + "END"
        let event = JournalEvent(seq: 1, at: date(), type: .finished, job: "a", outputTail: long)
        let tail = try #require(try roundTrip(event).decoded.outputTail)
        #expect(tail.utf8.count <= 4096)
        #expect(tail.utf8.count >= 4093)
        #expect(tail.hasSuffix("éEND"))
        #expect(tail.unicodeScalars.allSatisfy { $0 == "é" || "END".unicodeScalars.contains($0) })
    }
}

@Suite("RFC 3339 dates")
struct RFC3339Tests {
    @Test("formats UTC with milliseconds only when not zero", arguments: [
        (0.0, "2026-03-08T07:00:00Z"), (0.25, "2026-03-08T07:00:00.250Z"), (0.001, "2026-03-08T07:00:00.001Z"),
        (-1_772_953_200, "1970-01-01T00:00:00Z"), (-1_772_953_200 - 0.5, "1969-12-31T23:59:59.500Z"),
        (-1_772_953_200 + 951_782_400, "2000-02-29T00:00:00Z"),
    ] as [(Double, String)])
    func formats(offset: Double, text: String) {
        #expect(RFC3339.format(date(offset)) == text)
        #expect(RFC3339.parse(text) == date(offset))
    }

    @Test("parses offsets, fractions and lowercase separators", arguments: [
        ("2026-03-08T03:00:00-04:00", 0.0), ("2026-03-08T12:30:00+05:30", 0.0), ("2026-03-08t07:00:00z", 0.0),
        ("2026-03-08 07:00:00Z", 0.0), ("2026-03-08T07:00:00.5Z", 0.5), ("2026-03-08T07:00:00.123Z", 0.123),
        ("2026-03-08T07:00:00.123456Z", 0.123), ("2026-03-08T07:00:00.1235Z", 0.124), ("2026-03-08T07:00:59.9996Z", 60.0),
    ] as [(String, Double)])
    func parses(text: String, offset: Double) throws {
        let parsed = try #require(RFC3339.parse(text))
        #expect(abs(parsed.timeIntervalSince(date(offset))) < 1e-6)
    }

    @Test("rejects impossible or incomplete timestamps", arguments: [
        "2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-03-08T24:00:00Z", "2026-03-08T07:60:00Z",
        "2026-03-08T07:00:00", "2026-03-08T07:00:00+0400", "2026-03-08T07:00:00.Z", "2026-03-08T07:00Z", "",
    ])
    func rejects(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test("extreme dates clamp instead of trapping")
    func clamps() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1e300)) == "9999-12-31T23:59:59.999Z")
        #expect(RFC3339.format(.distantPast) == "0001-01-01T00:00:00Z")
    }
}

import CronSchedule
import Foundation
import Testing

/// Hand-checked fire times for every syntax element (2026-01-01 is a Thursday).
struct SyntaxTests {
    struct Case: CustomStringConvertible, Sendable {
        var expression: String
        var from = "2026-01-01T00:00:00Z"
        var expected: [String]
        var description: String { expression }
    }

    static let cases: [Case] = [
        Case(expression: "@yearly", expected: ["2027-01-01T00:00:00+00:00"]),
        Case(expression: "@annually", expected: ["2027-01-01T00:00:00+00:00"]),
        Case(expression: "@monthly", expected: ["2026-02-01T00:00:00+00:00"]),
        Case(expression: "@weekly", expected: ["2026-01-04T00:00:00+00:00"]),
        Case(expression: "@daily", expected: ["2026-01-02T00:00:00+00:00"]),
        Case(expression: "@midnight", expected: ["2026-01-02T00:00:00+00:00"]),
        Case(expression: "@HOURLY", expected: ["2026-01-01T01:00:00+00:00"]),
        Case(expression: "0 12 ? * MON", expected: ["2026-01-05T12:00:00+00:00", "2026-01-12T12:00:00+00:00"]),
        Case(expression: "0 0 15W * *", from: "2026-01-16T00:00:00Z", expected: ["2026-02-16T00:00:00+00:00", "2026-03-16T00:00:00+00:00"]),
        Case(expression: "0 0 1W * *", from: "2026-07-02T00:00:00Z", expected: ["2026-08-03T00:00:00+00:00", "2026-09-01T00:00:00+00:00"]),
        Case(expression: "0 0 31W * *", expected: ["2026-01-30T00:00:00+00:00", "2026-03-31T00:00:00+00:00"]),
        Case(expression: "0 0 L-3 * *", expected: ["2026-01-28T00:00:00+00:00", "2026-02-25T00:00:00+00:00"]),
        Case(expression: "0 0 L * *", expected: ["2026-01-31T00:00:00+00:00", "2026-02-28T00:00:00+00:00"]),
        Case(expression: "0 0 LW * *", expected: ["2026-01-30T00:00:00+00:00", "2026-02-27T00:00:00+00:00"]),
        Case(expression: "0 0 * * 5#3", expected: ["2026-01-16T00:00:00+00:00", "2026-02-20T00:00:00+00:00"]),
        Case(expression: "0 0 * * FRI#3", expected: ["2026-01-16T00:00:00+00:00"]),
        Case(expression: "0 0 * * 5L", expected: ["2026-01-30T00:00:00+00:00", "2026-02-27T00:00:00+00:00"]),
        Case(expression: "0 0 * * 7", expected: ["2026-01-04T00:00:00+00:00"]),
        Case(expression: "0 0 * * SUN", expected: ["2026-01-04T00:00:00+00:00"]),
        Case(expression: "0 0 * * FRI-SUN", expected: ["2026-01-02T00:00:00+00:00", "2026-01-03T00:00:00+00:00", "2026-01-04T00:00:00+00:00", "2026-01-09T00:00:00+00:00"]),
        // Vixie: one day field starts with `*`, so both must match: the first Sunday.
        Case(expression: "1 1 1-7 * */7", expected: ["2026-01-04T01:01:00+00:00", "2026-02-01T01:01:00+00:00"]),
        // Vixie: neither starts with `*`: the 1st, the 15th and every Friday.
        Case(expression: "0 0 1,15 * 5", expected: ["2026-01-02T00:00:00+00:00", "2026-01-09T00:00:00+00:00", "2026-01-15T00:00:00+00:00", "2026-01-16T00:00:00+00:00", "2026-01-23T00:00:00+00:00", "2026-01-30T00:00:00+00:00", "2026-02-01T00:00:00+00:00"]),
        Case(expression: "5-59/15 * * * *", expected: ["2026-01-01T00:05:00+00:00", "2026-01-01T00:20:00+00:00", "2026-01-01T00:35:00+00:00", "2026-01-01T00:50:00+00:00", "2026-01-01T01:05:00+00:00"]),
        Case(expression: "*/7 * * * *", from: "2026-01-01T00:50:00Z", expected: ["2026-01-01T00:56:00+00:00", "2026-01-01T01:00:00+00:00"]),
        Case(expression: "0 0 * * MON-FRI/2", expected: ["2026-01-02T00:00:00+00:00", "2026-01-05T00:00:00+00:00", "2026-01-07T00:00:00+00:00"]),
        Case(expression: "*/20 * * * * *", expected: ["2026-01-01T00:00:20+00:00", "2026-01-01T00:00:40+00:00", "2026-01-01T00:01:00+00:00"]),
        Case(expression: "0 0 * jan,Feb sun", expected: ["2026-01-04T00:00:00+00:00"]),
        Case(expression: "0 9 * * 1-5", expected: ["2026-01-01T09:00:00+00:00", "2026-01-02T09:00:00+00:00", "2026-01-05T09:00:00+00:00"]),
        Case(expression: "0 0 29 2 *", expected: ["2028-02-29T00:00:00+00:00"]),
        Case(expression: "  0  6 * * *  ", expected: ["2026-01-01T06:00:00+00:00"]),
    ]

    @Test("fires at the hand-checked times", arguments: cases)
    func handChecked(_ c: Case) throws {
        #expect(try fires(c.expression, from: c.from, count: c.expected.count) == c.expected)
    }

    @Test("H picks stable values from the hash key")
    func hashed() throws {
        // stableHash("nightly-backup\u{1F}minute") % 60 == 8, "...hour" % 24 == 14 (computed in Python).
        #expect(try fires("H H * * *", from: "2026-01-01T00:00:00Z", count: 1, hashKey: "nightly-backup") == ["2026-01-01T14:08:00+00:00"])
        let a = try Schedule.parse("H/15 * * * *", hashKey: "job-a")
        let minutes = a.fires(after: at("2026-01-01T00:00:00Z")).prefix(4).map { Calendar(identifier: .gregorian).component(.minute, from: $0) }
        #expect(minutes.count == 4 && minutes[0] < 15 && minutes == [minutes[0], minutes[0] + 15, minutes[0] + 30, minutes[0] + 45])
        for key in ["a", "b", "c", "d", "e"] {
            let fire = try #require(try Schedule.parse("H(0-29) * * * *", hashKey: key).next(after: at("2026-01-01T00:00:00Z")))
            #expect(Int(fire.timeIntervalSince1970) / 60 % 60 < 30)
        }
        let h1 = try Schedule.parse("H * * * *", hashKey: "x")
        let h2 = try Schedule.parse("H * * * *", hashKey: "x")
        #expect(h1 == h2)
    }

    @Test("stableHash is FNV-1a 64")
    func fnv() {
        #expect(stableHash("") == 0xcbf2_9ce4_8422_2325)
        #expect(stableHash("a") == 0xaf63_dc4c_8601_ec8c)
    }

    @Test("previous(before:) walks back")
    func previous() throws {
        let weekdays = try Schedule.parse("0 9 * * 1-5")
        #expect(weekdays.previous(before: at("2026-01-05T09:00:00Z")) == at("2026-01-02T09:00:00Z"))
        let last = try Schedule.parse("0 0 L * *")
        #expect(last.previous(before: at("2026-03-01T00:00:00Z")) == at("2026-02-28T00:00:00Z"))
        #expect(weekdays.previous(before: at("2026-01-05T09:00:00Z").addingTimeInterval(0.5)) == at("2026-01-05T09:00:00Z"))
    }

    @Test("matches() is true exactly at fire times")
    func matches() throws {
        let s = try Schedule.parse("0 9 * * 1-5")
        #expect(s.matches(at("2026-01-05T09:00:00Z")))
        #expect(!s.matches(at("2026-01-05T09:00:01Z")))
        #expect(!s.matches(at("2026-01-03T09:00:00Z")))
    }

    @Test("next(after:) is strictly after, also for fractional seconds")
    func strictlyAfter() throws {
        let s = try Schedule.parse("* * * * * *")
        #expect(s.next(after: at("2026-01-01T00:00:00Z")) == at("2026-01-01T00:00:01Z"))
        #expect(s.next(after: Date(timeIntervalSince1970: 10.25)) == Date(timeIntervalSince1970: 11))
        let five = try Schedule.parse("* * * * *")
        #expect(s.hasSecondsField && !five.hasSecondsField)
        #expect(s.next(after: Date(timeIntervalSince1970: .infinity)) == nil)
    }
}

import CronSchedule
import Foundation
import Testing

struct EveryAndExplainTests {
    @Test("every: compiles to the same engine", arguments: [
        (Every(frequency: .daily, hour: 9, minute: 30), "30 9 * * *", ["2026-01-01T09:30:00+00:00", "2026-01-02T09:30:00+00:00"]),
        (Every(frequency: .weekly, hour: 8, minute: 0, dayOfWeek: 7), "0 8 * * 0", ["2026-01-04T08:00:00+00:00", "2026-01-11T08:00:00+00:00"]),
        (Every(frequency: .monthly, hour: 0, minute: 0, dayOfMonth: 31), "0 0 L * *",
         ["2026-01-31T00:00:00+00:00", "2026-02-28T00:00:00+00:00", "2026-03-31T00:00:00+00:00", "2026-04-30T00:00:00+00:00"]),
        (Every(frequency: .monthly, hour: 6, minute: 0, dayOfMonth: 30), "0 6 30 * *",
         ["2026-01-30T06:00:00+00:00", "2026-02-28T06:00:00+00:00", "2026-03-30T06:00:00+00:00"]),
    ])
    func every(_ every: Every, _ expression: String, _ expected: [String]) throws {
        let s = try Schedule(every: every, timeZone: Schedule.utc)
        #expect(s.expression == expression)
        #expect(s.fires(after: at("2026-01-01T00:00:00Z")).prefix(expected.count).map { rfc3339($0, Schedule.utc) } == expected)
    }

    @Test("every: monthly 29 fires on Feb 29 in a leap year and Feb 28 otherwise")
    func leap() throws {
        let s = try Schedule(every: Every(frequency: .monthly, hour: 0, minute: 0, dayOfMonth: 29), timeZone: Schedule.utc)
        #expect(s.next(after: at("2028-02-01T00:00:00Z")) == at("2028-02-29T00:00:00Z"))
        #expect(s.next(after: at("2027-02-01T00:00:00Z")) == at("2027-02-28T00:00:00Z"))
    }

    @Test("explains schedules in words", arguments: [
        ("0 9 * * 1-5", "America/New_York", "At 09:00, Monday through Friday, in America/New_York"),
        ("*/15 * * * *", "UTC", "Every 15 minutes, in UTC"),
        ("0 0 L * *", "UTC", "At 00:00, on the last day of the month, in UTC"),
        ("0 0 1,15 * 5", "UTC", "At 00:00, on days 1 and 15 of the month or on Friday, in UTC"),
        ("30 2 * 1-3 *", "Europe/London", "At 02:30, January through March, in Europe/London"),
        ("0 8,17 * * *", "UTC", "At 08:00 and 17:00, in UTC"),
        ("* 2 * * *", "UTC", "Every minute between 02:00 and 02:59, in UTC"),
        ("0 0 * * 5#3", "UTC", "At 00:00, on the third Friday of the month, in UTC"),
        ("0 0 15W * *", "UTC", "At 00:00, on the weekday nearest day 15 of the month, in UTC"),
    ])
    func explain(_ expression: String, _ zone: String, _ expected: String) throws {
        let words = try Schedule.parse(expression, timeZone: TimeZone(identifier: zone)!).explain()
        #expect(words == expected, "got: \(words)")
    }
}

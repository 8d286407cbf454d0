import AlmanacCore
import Foundation
import Testing

@Suite("civil dates")
struct CivilTests {
    @Test("day counts of known dates", arguments: [
        (1970, 1, 1, 0), (1969, 12, 31, -1), (2000, 2, 29, 11_016), (2000, 3, 1, 11_017), (1, 1, 1, -719_162),
        (9999, 12, 31, 2_932_896), (2026, 12, 1, 20_788), (1900, 3, 1, -25_508),
    ] as [(Int, Int, Int, Int64)])
    func days(year: Int, month: Int, day: Int, count: Int64) {
        #expect(Civil.days(year: year, month: month, day: day) == count)
        #expect(Civil.date(days: count) == (year, month, day))
    }

    @Test("every day of 1899…2101 round-trips and agrees with Foundation's calendar")
    func everyDay() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .utc
        let start = Civil.days(year: 1899, month: 1, day: 1), end = Civil.days(year: 2101, month: 12, day: 31)
        for count in stride(from: start, through: end, by: 1) {
            let (y, m, d) = Civil.date(days: count)
            #expect(Civil.days(year: y, month: m, day: d) == count)
            if count % 97 == 0 {
                let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: Date(timeIntervalSince1970: Double(count) * 86_400))
                #expect([parts.year, parts.month, parts.day] == [y, m, d])
                #expect(parts.weekday.map { $0 - 1 } == Civil.weekday(days: count))
            }
        }
    }

    @Test("month lengths and leap years", arguments: [
        (2024, 2, 29), (2023, 2, 28), (1900, 2, 28), (2000, 2, 29), (2026, 4, 30), (2026, 12, 31),
    ])
    func monthLengths(year: Int, month: Int, length: Int) {
        #expect(Civil.daysInMonth(year: year, month: month) == length)
    }

    @Test("floor division rounds toward minus infinity", arguments: [
        (7, 2, 3), (-7, 2, -4), (-8, 2, -4), (0, 5, 0), (-1, 86_400, -1),
    ] as [(Int64, Int64, Int64)])
    func floorDiv(a: Int64, b: Int64, q: Int64) {
        #expect(Civil.floorDiv(a, b) == q)
    }

    @Test("UTC by either name is one zone, shown as UTC")
    func utc() throws {
        let zone = try #require(TimeZone.named("UTC"))
        #expect(zone.secondsFromGMT() == 0)
        #expect(zone.displayName == "UTC")
        #expect(TimeZone.utc.displayName == "UTC")
        #expect(TimeZone.named("Europe/Paris")?.displayName == "Europe/Paris")
        #expect(TimeZone.named("Mars/Olympus") == nil)
    }
}

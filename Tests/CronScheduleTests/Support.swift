import CronSchedule
import Foundation

/// Parses an RFC 3339 time (tests only, so force unwraps are fine here).
func at(_ text: String) -> Date {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.date(from: text)!
}

/// Formats a fire as RFC 3339 with the zone's offset, the way `almanac next` prints it.
func rfc3339(_ date: Date, _ zone: TimeZone) -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    f.timeZone = zone
    return f.string(from: date).replacingOccurrences(of: "Z", with: "+00:00")
}

/// The next `count` fires of `expression` in `zone` after `start`, as RFC 3339 strings.
func fires(_ expression: String, zone: String = "UTC", from start: String, count: Int, hashKey: String = "") throws -> [String] {
    let tz = TimeZone(identifier: zone)!
    let schedule = try Schedule.parse(expression, timeZone: tz, hashKey: hashKey)
    return schedule.fires(after: at(start)).prefix(count).map { rfc3339($0, tz) }
}

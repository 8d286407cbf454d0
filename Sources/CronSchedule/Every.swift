import Foundation

/// The `every:` shorthand: daily, weekly or monthly at a time of day.
///
/// For people who would rather not write cron; it compiles to the same engine. A monthly
/// `dayOfMonth` past the month's end is clamped to the last day (31 fires on Feb 28/29, Apr 30).
public struct Every: Sendable, Hashable, Codable {
    /// How often.
    public enum Frequency: String, Sendable, Codable {
        case daily, weekly, monthly
    }

    public var frequency: Frequency
    public var hour: Int
    public var minute: Int
    /// 0-7, 0 and 7 both Sunday; required for weekly.
    public var dayOfWeek: Int?
    /// 1-31, clamped to the month's last day; required for monthly.
    public var dayOfMonth: Int?

    /// Creates a shorthand; `Schedule(every:timeZone:)` validates it.
    public init(frequency: Frequency, hour: Int, minute: Int, dayOfWeek: Int? = nil, dayOfMonth: Int? = nil) {
        self.frequency = frequency
        self.hour = hour
        self.minute = minute
        self.dayOfWeek = dayOfWeek
        self.dayOfMonth = dayOfMonth
    }
}

extension Schedule {
    /// Compiles the `every:` shorthand to the cron engine (a specific time, so DST is wall-clock).
    public init(every: Every, timeZone: TimeZone) throws(CronError) {
        guard (0...23).contains(every.hour) else {
            throw CronError(field: "hour", message: "\(every.hour) is out of range 0-23")
        }
        guard (0...59).contains(every.minute) else {
            throw CronError(field: "minute", message: "\(every.minute) is out of range 0-59")
        }
        var spec = CronSpec()
        spec.minutes = 1 << UInt64(every.minute)
        spec.hours = 1 << UInt64(every.hour)
        spec.months = Field.month.fullMask
        spec.days = Field.dayOfMonth.fullMask
        spec.weekdays = 0x7F
        spec.dstFixup = true
        var dayText = "*", weekdayText = "*"
        switch every.frequency {
        case .daily:
            break
        case .weekly:
            guard let dow = every.dayOfWeek else {
                throw CronError(field: "dayOfWeek", message: "weekly needs dayOfWeek (0-7, 0 and 7 are Sunday)")
            }
            guard (0...7).contains(dow) else { throw CronError(field: "dayOfWeek", message: "\(dow) is out of range 0-7") }
            spec.weekdays = 1 << UInt64(dow % 7)
            weekdayText = String(dow % 7)
        case .monthly:
            guard let dom = every.dayOfMonth else {
                throw CronError(field: "dayOfMonth", message: "monthly needs dayOfMonth (1-31)")
            }
            guard (1...31).contains(dom) else { throw CronError(field: "dayOfMonth", message: "\(dom) is out of range 1-31") }
            spec.days = 0
            spec.clampedDays = 1 << UInt64(dom)
            dayText = dom == 31 ? "L" : String(dom)
        }
        self.init(expression: "\(every.minute) \(every.hour) \(dayText) * \(weekdayText)", timeZone: timeZone, spec: spec)
    }
}

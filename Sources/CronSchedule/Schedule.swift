// TEMPORARY STAND-IN — replaced by branch cron
import Foundation

/// A problem in a cron expression or shorthand (stand-in).
public struct CronError: Error, CustomStringConvertible, Sendable, Hashable {
    public var field: String?
    public var message: String
    public init(field: String?, message: String) { self.field = field; self.message = message }
    public var description: String { field.map { "\($0) field: \(message)" } ?? message }
}

/// Shorthand frequency (stand-in).
public struct Every: Sendable, Hashable, Codable {
    public enum Frequency: String, Sendable, Hashable, Codable { case daily, weekly, monthly }
    public var frequency: Frequency
    public var hour: Int
    public var minute: Int
    public var dayOfWeek: Int?
    public var dayOfMonth: Int?
    public init(frequency: Frequency, hour: Int, minute: Int, dayOfWeek: Int? = nil, dayOfMonth: Int? = nil) {
        self.frequency = frequency; self.hour = hour; self.minute = minute
        self.dayOfWeek = dayOfWeek; self.dayOfMonth = dayOfMonth
    }
}

/// A parsed schedule (stand-in).
public struct Schedule: Sendable, Hashable {
    public var expression: String
    public var timeZone: TimeZone

    public static func parse(_ expression: String, timeZone: TimeZone, hashKey: String) throws(CronError) -> Schedule {
        let fields = expression.split(separator: " ")
        if expression.hasPrefix("@") {
            guard ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"].contains(expression)
            else { throw CronError(field: nil, message: "unknown shorthand \(expression)") }
            return Schedule(expression: expression, timeZone: timeZone)
        }
        guard fields.count == 5 || fields.count == 6 else {
            throw CronError(field: nil, message: "expected 5 or 6 fields, found \(fields.count)")
        }
        let names = fields.count == 6 ? ["second", "minute", "hour", "day-of-month", "month", "day-of-week"]
            : ["minute", "hour", "day-of-month", "month", "day-of-week"]
        let ranges = fields.count == 6 ? [0...59, 0...59, 0...23, 1...31, 1...12, 0...7]
            : [0...59, 0...23, 1...31, 1...12, 0...7]
        for (i, f) in fields.enumerated() {
            for part in f.split(whereSeparator: { ",-/".contains($0) }) {
                if let n = Int(part), !ranges[i].contains(n) {
                    throw CronError(field: names[i], message: "\(n) is out of range \(ranges[i].lowerBound)-\(ranges[i].upperBound)")
                }
            }
        }
        return Schedule(expression: expression, timeZone: timeZone)
    }

    public init(every: Every, timeZone: TimeZone) throws(CronError) {
        guard (0...23).contains(every.hour) else { throw CronError(field: "hour", message: "\(every.hour) is out of range 0-23") }
        guard (0...59).contains(every.minute) else { throw CronError(field: "minute", message: "\(every.minute) is out of range 0-59") }
        expression = "\(every.minute) \(every.hour) \(every.dayOfMonth.map(String.init) ?? "*") * \(every.dayOfWeek.map(String.init) ?? "*")"
        self.timeZone = timeZone
    }

    private init(expression: String, timeZone: TimeZone) { self.expression = expression; self.timeZone = timeZone }

    public func next(after date: Date) -> Date? { nil }
    public func explain() -> String { expression }
}

/// Stable 64-bit FNV-1a hash (stand-in).
public func stableHash(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf29ce484222325
    for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
    return h
}

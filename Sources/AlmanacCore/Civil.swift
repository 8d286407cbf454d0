/// Proleptic Gregorian civil-date arithmetic on plain integers.
///
/// `Calendar` costs about 450 ns a call; these are a few integer operations (Howard Hinnant's
/// days-from-civil algorithms), which keeps the cron `next` hot path and journal replay free of
/// Foundation calendars. `@inlinable` because both hot paths call it across the module boundary.
package enum Civil {
    package static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 of the given civil date.
    @inlinable
    package static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    @inlinable
    package static func date(days z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400) + (m <= 2 ? 1 : 0), Int(m), Int(d))
    }

    /// Day of week of a day count, 0 = Sunday.
    @inlinable
    package static func weekday(days: Int64) -> Int {
        let w = (days + 4) % 7
        return Int(w < 0 ? w + 7 : w)
    }

    @inlinable
    package static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    @inlinable
    package static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Floor division, so times before 1970 split into day and second-of-day correctly.
    @inlinable
    package static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}

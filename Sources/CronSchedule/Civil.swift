/// Proleptic Gregorian civil-date arithmetic on plain integers.
///
/// `Calendar` costs about 450 ns a call; these are a few integer operations (Howard Hinnant's
/// days-from-civil algorithms), which keeps the `next` hot path free of Foundation calendars.
/// Public because the manifest's RFC 3339 reader and writer use the same arithmetic.
public enum Civil {
    static let secondsPerDay: Int64 = 86_400

    /// Days since 1970-01-01 of the given civil date.
    @inline(__always)
    public static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    @inline(__always)
    public static func date(days z0: Int64) -> (year: Int, month: Int, day: Int) {
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
    @inline(__always)
    static func weekday(days: Int64) -> Int {
        let w = (days + 4) % 7
        return Int(w < 0 ? w + 7 : w)
    }

    @inline(__always)
    static func isLeap(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    @inline(__always)
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Floor division, so times before 1970 split into day and second-of-day correctly.
    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// A wall-clock second count broken into its civil parts.
    struct Parts {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int

        init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
            (self.year, self.month, self.day) = (year, month, day)
            (self.hour, self.minute, self.second) = (hour, minute, second)
        }

        init(_ wall: Int64) {
            let days = Civil.floorDiv(wall, Civil.secondsPerDay)
            let sod = Int(wall - days * Civil.secondsPerDay)
            (year, month, day) = Civil.date(days: days)
            (hour, minute, second) = (sod / 3600, sod / 60 % 60, sod % 60)
        }

        var wall: Int64 {
            Civil.days(year: year, month: month, day: day) * Civil.secondsPerDay
                + Int64(hour * 3600 + minute * 60 + second)
        }
    }
}

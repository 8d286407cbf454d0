import AlmanacCore

/// A compiled cron expression: one bitset per field plus the day-of-month extensions.
///
/// Matching and searching work on wall-clock second counts (local civil time as if it were
/// UTC); `Schedule` maps them to instants through the zone's offsets. Bitsets make every
/// "next allowed value" a shift and a trailing-zero count.
struct CronSpec: Hashable, Sendable {
    var seconds: UInt64 = 1
    var minutes: UInt64 = 0
    var hours: UInt64 = 0
    /// Plain days of month, bits 1...31.
    var days: UInt64 = 0
    /// Bit n: `L-n` (bit 0 is `L`, the last day of the month).
    var lastDayOffsets: UInt64 = 0
    /// Bit n: `nW`, the weekday nearest day n.
    var nearestWeekdays: UInt64 = 0
    /// `LW`, the last weekday of the month.
    var lastWeekday = false
    /// Bit n: day n, or the month's last day when the month is shorter (the `every:` monthly mode).
    var clampedDays: UInt64 = 0
    /// Months, bits 1...12.
    var months: UInt64 = 0
    /// Days of week, bits 0...6 (0 = Sunday).
    var weekdays: UInt64 = 0
    /// Bit (n-1)*7 + d: the nth weekday d of the month (`d#n`).
    var nthWeekdays: UInt64 = 0
    /// Bit d: the last weekday d of the month (`dL`).
    var lastWeekdays: UInt64 = 0
    /// Vixie rule: true when either day field starts with `*`, so a day must match both.
    var dayAnd = true
    /// Debian-style DST handling (5 fields, minute and hour not starting with `*`).
    var dstFixup = false
    /// Whether the expression had a leading seconds field.
    var hasSeconds = false

    private static let allDays: UInt64 = 0xFFFF_FFFE  // bits 1...31

    /// Days of `month` in `year` that match, as a bit mask (bit d = day d).
    @inline(__always)
    func dayMask(year: Int, month: Int) -> UInt64 {
        let last = Civil.daysInMonth(year: year, month: month)
        let valid: UInt64 = (1 << UInt64(last + 1)) - 2
        if days == CronSpec.allDays && weekdays == 0x7F { return valid }
        var dom = days & valid
        if lastDayOffsets | nearestWeekdays | clampedDays != 0 || lastWeekday {
            dom |= extendedDays(year: year, month: month, last: last)
        }
        let first = Civil.weekday(days: Civil.days(year: year, month: month, day: 1))
        var dow: UInt64 = 0
        if weekdays != 0 {
            let w = UInt64(first)
            let p = ((weekdays >> w) | (weekdays << (7 - w))) & 0x7F
            dow = ((p | p << 7 | p << 14 | p << 21 | p << 28) << 1) & valid
        }
        if nthWeekdays | lastWeekdays != 0 {
            dow |= weekdayExtensions(first: first, last: last)
        }
        return dayAnd ? dom & dow : dom | dow
    }

    private func extendedDays(year: Int, month: Int, last: Int) -> UInt64 {
        var mask: UInt64 = 0
        var offsets = lastDayOffsets
        while offsets != 0 {
            let n = offsets.trailingZeroBitCount
            offsets &= offsets - 1
            if last - n >= 1 { mask |= 1 << UInt64(last - n) }
        }
        let first = Civil.weekday(days: Civil.days(year: year, month: month, day: 1))
        var nearest = nearestWeekdays
        while nearest != 0 {
            let n = nearest.trailingZeroBitCount
            nearest &= nearest - 1
            guard n <= last else { continue }
            let dow = (first + n - 1) % 7
            var d = n
            if dow == 6 { d = n == 1 ? 3 : n - 1 }
            if dow == 0 { d = n == last ? n - 2 : n + 1 }
            mask |= 1 << UInt64(d)
        }
        if lastWeekday {
            let dow = (first + last - 1) % 7
            mask |= 1 << UInt64(dow == 6 ? last - 1 : dow == 0 ? last - 2 : last)
        }
        var clamped = clampedDays
        while clamped != 0 {
            let n = clamped.trailingZeroBitCount
            clamped &= clamped - 1
            mask |= 1 << UInt64(min(n, last))
        }
        return mask
    }

    private func weekdayExtensions(first: Int, last: Int) -> UInt64 {
        var mask: UInt64 = 0
        var nth = nthWeekdays
        while nth != 0 {
            let bit = nth.trailingZeroBitCount
            nth &= nth - 1
            let (n, dow) = (bit / 7 + 1, bit % 7)
            let day = 1 + (dow - first + 7) % 7 + 7 * (n - 1)
            if day <= last { mask |= 1 << UInt64(day) }
        }
        var lasts = lastWeekdays
        while lasts != 0 {
            let dow = lasts.trailingZeroBitCount
            lasts &= lasts - 1
            let lastDow = (first + last - 1) % 7
            mask |= 1 << UInt64(last - (lastDow - dow + 7) % 7)
        }
        return mask
    }

    /// Whether the wall-clock time matches every field.
    func matches(wall: Int64) -> Bool {
        let p = Civil.Parts(wall)
        return bit(seconds, p.second) && bit(minutes, p.minute) && bit(hours, p.hour)
            && bit(months, p.month) && bit(dayMask(year: p.year, month: p.month), p.day)
    }

    @inline(__always)
    func matchesDay(year: Int, month: Int, day: Int) -> Bool {
        bit(months, month) && bit(dayMask(year: year, month: month), day)
    }
}

@inline(__always)
func bit(_ mask: UInt64, _ n: Int) -> Bool { mask >> UInt64(n) & 1 == 1 }

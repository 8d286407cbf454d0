import AlmanacCore

/// Wall-clock searches: the first matching wall second after (or before) a given one.
///
/// Walks from the coarsest field down, like robfig/cron's `spec.go`, resetting the finer
/// fields whenever a coarser one moves; gives up past `yearLimit` years (cronsim's 50), so an
/// expression that cannot fire costs at most 600 month steps.
extension CronSpec {
    static let yearLimit = 50

    /// The first matching wall second strictly after `wall`, or nil within the year limit.
    func nextWall(after wall: Int64, years: Int = CronSpec.yearLimit) -> Int64? {
        var p = Civil.Parts(wall + 1)
        let capYear = p.year + years
        var maskKey = -1
        var mask: UInt64 = 0
        while true {
            if !bit(months, p.month) {
                let later = months & (UInt64.max << UInt64(p.month + 1))
                if later != 0 {
                    p.month = later.trailingZeroBitCount
                } else {
                    p.year += 1
                    p.month = months.trailingZeroBitCount
                }
                (p.day, p.hour, p.minute, p.second) = (1, 0, 0, 0)
            }
            if p.year > capYear { return nil }
            let key = p.year * 16 + p.month
            if key != maskKey {
                maskKey = key
                mask = dayMask(year: p.year, month: p.month)
            }
            let dayBits = mask & (UInt64.max << UInt64(p.day))
            if dayBits == 0 {
                nextMonth(&p)
                continue
            }
            let day = dayBits.trailingZeroBitCount
            if day != p.day { (p.day, p.hour, p.minute, p.second) = (day, 0, 0, 0) }
            let hourBits = hours & (UInt64.max << UInt64(p.hour))
            if hourBits == 0 {
                (p.day, p.hour, p.minute, p.second) = (p.day + 1, 0, 0, 0)
                continue
            }
            let hour = hourBits.trailingZeroBitCount
            if hour != p.hour { (p.hour, p.minute, p.second) = (hour, 0, 0) }
            let minuteBits = minutes & (UInt64.max << UInt64(p.minute))
            if minuteBits == 0 {
                (p.hour, p.minute, p.second) = (p.hour + 1, 0, 0)
                continue
            }
            let minute = minuteBits.trailingZeroBitCount
            if minute != p.minute { (p.minute, p.second) = (minute, 0) }
            let secondBits = seconds & (UInt64.max << UInt64(p.second))
            if secondBits == 0 {
                (p.minute, p.second) = (p.minute + 1, 0)
                continue
            }
            p.second = secondBits.trailingZeroBitCount
            return p.wall
        }
    }

    /// The last matching wall second strictly before `wall`, or nil within the year limit.
    func previousWall(before wall: Int64) -> Int64? {
        var p = Civil.Parts(wall - 1)
        let capYear = p.year - CronSpec.yearLimit
        var maskKey = -1
        var mask: UInt64 = 0
        while true {
            if !bit(months, p.month) {
                let earlier = months & ((1 << UInt64(p.month)) - 1)
                if earlier != 0 {
                    p.month = 63 - earlier.leadingZeroBitCount
                } else {
                    p.year -= 1
                    p.month = 63 - months.leadingZeroBitCount
                }
                (p.day, p.hour, p.minute, p.second) = (31, 23, 59, 59)
            }
            if p.year < capYear { return nil }
            let key = p.year * 16 + p.month
            if key != maskKey {
                maskKey = key
                mask = dayMask(year: p.year, month: p.month)
            }
            let dayBits = p.day >= 1 ? mask & ((2 << UInt64(p.day)) - 1) : 0
            if dayBits == 0 {
                previousMonth(&p)
                continue
            }
            let day = 63 - dayBits.leadingZeroBitCount
            if day != p.day { (p.day, p.hour, p.minute, p.second) = (day, 23, 59, 59) }
            let hourBits = p.hour >= 0 ? hours & ((2 << UInt64(p.hour)) - 1) : 0
            if hourBits == 0 {
                (p.day, p.hour, p.minute, p.second) = (p.day - 1, 23, 59, 59)
                continue
            }
            let hour = 63 - hourBits.leadingZeroBitCount
            if hour != p.hour { (p.hour, p.minute, p.second) = (hour, 59, 59) }
            let minuteBits = p.minute >= 0 ? minutes & ((2 << UInt64(p.minute)) - 1) : 0
            if minuteBits == 0 {
                (p.hour, p.minute, p.second) = (p.hour - 1, 59, 59)
                continue
            }
            let minute = 63 - minuteBits.leadingZeroBitCount
            if minute != p.minute { (p.minute, p.second) = (minute, 59) }
            let secondBits = p.second >= 0 ? seconds & ((2 << UInt64(p.second)) - 1) : 0
            if secondBits == 0 {
                (p.minute, p.second) = (p.minute - 1, 59)
                continue
            }
            p.second = 63 - secondBits.leadingZeroBitCount
            return p.wall
        }
    }

    private func nextMonth(_ p: inout Civil.Parts) {
        if p.month == 12 { (p.year, p.month) = (p.year + 1, 1) } else { p.month += 1 }
        (p.day, p.hour, p.minute, p.second) = (1, 0, 0, 0)
    }

    private func previousMonth(_ p: inout Civil.Parts) {
        if p.month == 1 { (p.year, p.month) = (p.year - 1, 12) } else { p.month -= 1 }
        (p.day, p.hour, p.minute, p.second) = (31, 23, 59, 59)
    }
}

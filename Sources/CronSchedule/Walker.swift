/// A step-by-step replica of cronsim 2.8's search for schedules without DST fix-up.
///
/// Used only when a UTC-offset transition lies near the search window: there cronsim's
/// mix of wall-clock resets (`replace(minute=0)`) and instant ticks (`+3600 s` in UTC) gives
/// results a pure wall-clock search does not (a 30-minute Lord Howe shift makes it skip a
/// 02:00). Matching cronsim exactly is the contract, so this mirrors its `advance`/`reverse`
/// with a (wall, fold) pair standing in for Python's aware datetime.
struct Walker {
    let spec: CronSpec
    let zone: ZoneOffsets
    var wall: Int64
    var fold: Bool
    /// Main-loop steps left: cronsim itself spins forever on a few zones (a 45-minute Chatham
    /// shift under `*/2` hours); we stop and let the caller fall back to an instant scan.
    var budget = 1_000_000
    /// Set when `budget` ran out, so a nil result means "gave up", not "never fires".
    private(set) var exhausted = false

    init(spec: CronSpec, zone: ZoneOffsets, instant: Int64) {
        self.spec = spec
        self.zone = zone
        (wall, fold) = zone.local(instant)
    }

    var instant: Int64 { zone.instant(wall: wall, fold: fold) }
    private var parts: Civil.Parts { Civil.Parts(wall) }

    private mutating func tick(_ seconds: Int64) {
        (wall, fold) = zone.local(instant + seconds)
    }

    private mutating func setTime(_ p: Civil.Parts, hour: Int, minute: Int, second: Int) {
        var q = p
        (q.hour, q.minute, q.second) = (hour, minute, second)
        wall = q.wall
    }

    /// cronsim's `__next__` forward: tick one second, then advance until everything matches.
    mutating func next() -> Int64? {
        tick(1)
        let startYear = parts.year
        while true {
            budget -= 1
            if budget < 0 {
                exhausted = true
                return nil
            }
            advanceMonth()
            if parts.year > startYear + CronSpec.yearLimit { return nil }
            if advanceDay() || advanceHour() || advanceMinute() || advanceSecond() { continue }
            return instant
        }
    }

    /// cronsim's reverse step: tick back one second (unless `skipTick`), then reverse until matching.
    mutating func previous(skipTick: Bool) -> Int64? {
        if !skipTick { tick(-1) }
        let startYear = parts.year
        while true {
            budget -= 1
            if budget < 0 {
                exhausted = true
                return nil
            }
            reverseMonth()
            if parts.year < startYear - CronSpec.yearLimit { return nil }
            if reverseDay() || reverseHour() || reverseMinute() || reverseSecond() { continue }
            return instant
        }
    }

    private mutating func advanceSecond() -> Bool {
        if bit(spec.seconds, parts.second) { return false }
        if spec.seconds.nonzeroBitCount == 1 {
            let target = spec.seconds.trailingZeroBitCount
            tick(Int64((target - parts.second + 60) % 60))
        }
        while !bit(spec.seconds, parts.second) {
            tick(1)
            if parts.second == 0 { break }
        }
        return true
    }

    private mutating func reverseSecond() -> Bool {
        if bit(spec.seconds, parts.second) { return false }
        if spec.seconds.nonzeroBitCount == 1 {
            let target = spec.seconds.trailingZeroBitCount
            tick(-Int64((parts.second - target + 60) % 60))
        }
        while !bit(spec.seconds, parts.second) {
            tick(-1)
            if parts.second == 59 { break }
        }
        return true
    }

    private mutating func advanceMinute() -> Bool {
        let p = parts
        if bit(spec.minutes, p.minute) { return false }
        setTime(p, hour: p.hour, minute: p.minute, second: 0)
        if spec.minutes.nonzeroBitCount == 1 {
            let target = spec.minutes.trailingZeroBitCount
            tick(Int64((target - p.minute + 60) % 60) * 60)
        }
        while !bit(spec.minutes, parts.minute) {
            tick(60)
            if parts.minute == 0 { break }
        }
        return true
    }

    private mutating func reverseMinute() -> Bool {
        let p = parts
        if bit(spec.minutes, p.minute) { return false }
        setTime(p, hour: p.hour, minute: p.minute, second: 59)
        if spec.minutes.nonzeroBitCount == 1 {
            let target = spec.minutes.trailingZeroBitCount
            tick(-Int64((p.minute - target + 60) % 60) * 60)
        }
        while !bit(spec.minutes, parts.minute) {
            tick(-60)
            if parts.minute == 59 { break }
        }
        return true
    }

    private mutating func advanceHour() -> Bool {
        let p = parts
        if bit(spec.hours, p.hour) { return false }
        setTime(p, hour: p.hour, minute: 0, second: 0)
        while !bit(spec.hours, parts.hour) {
            tick(3600)
            if parts.hour == 0 { break }
        }
        return true
    }

    private mutating func reverseHour() -> Bool {
        let p = parts
        if bit(spec.hours, p.hour) { return false }
        setTime(p, hour: p.hour, minute: 59, second: 59)
        while !bit(spec.hours, parts.hour) {
            tick(-3600)
            if parts.hour == 23 { break }
        }
        return true
    }

    private func dayMatches(_ days: Int64) -> Bool {
        let (y, m, d) = Civil.date(days: days)
        return bit(spec.dayMask(year: y, month: m), d)
    }

    private mutating func advanceDay() -> Bool {
        var needle = Civil.floorDiv(wall, Civil.secondsPerDay)
        if dayMatches(needle) { return false }
        while !dayMatches(needle) {
            needle += 1
            if Civil.date(days: needle).day == 1 { break }
        }
        (wall, fold) = (needle * Civil.secondsPerDay, false)
        return true
    }

    private mutating func reverseDay() -> Bool {
        var needle = Civil.floorDiv(wall, Civil.secondsPerDay)
        if dayMatches(needle) { return false }
        let month = Civil.date(days: needle).month
        while !dayMatches(needle) {
            needle -= 1
            if Civil.date(days: needle).month != month { break }
        }
        (wall, fold) = (needle * Civil.secondsPerDay + Civil.secondsPerDay - 1, false)
        return true
    }

    private mutating func advanceMonth() {
        var p = parts
        if bit(spec.months, p.month) { return }
        while !bit(spec.months, p.month) {
            if p.month == 12 { (p.year, p.month) = (p.year + 1, 1) } else { p.month += 1 }
        }
        (p.day, p.hour, p.minute, p.second) = (1, 0, 0, 0)
        (wall, fold) = (p.wall, false)
    }

    private mutating func reverseMonth() {
        var p = parts
        if bit(spec.months, p.month) { return }
        while !bit(spec.months, p.month) {
            if p.month == 1 { (p.year, p.month) = (p.year - 1, 12) } else { p.month -= 1 }
        }
        (p.day, p.hour, p.minute, p.second) = (Civil.daysInMonth(year: p.year, month: p.month), 23, 59, 59)
        (wall, fold) = (p.wall, false)
    }
}

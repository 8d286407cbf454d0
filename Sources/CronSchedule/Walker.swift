import AlmanacCore

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
    /// shift under `*/2` hours); we stop and let the caller fall back to an instant scan. A
    /// search that ends takes one to three steps a month, so 50 years fit in a tenth of this;
    /// the old million took 16 s (debug) to give up, which fuzz-cron reported as a hang.
    var budget = 20_000
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

    /// cronsim's `__next__` forward: tick one second, then advance until everything matches.
    mutating func next() -> Int64? {
        tick(1)
        let startYear = parts.year
        while true {
            guard spend() else { return nil }
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
            guard spend() else { return nil }
            reverseMonth()
            if parts.year < startYear - CronSpec.yearLimit { return nil }
            if reverseDay() || reverseHour() || reverseMinute() || reverseSecond() { continue }
            return instant
        }
    }

    /// Takes one step from the budget; false (and `exhausted`) once it is spent.
    private mutating func spend() -> Bool {
        budget -= 1
        exhausted = budget < 0
        return !exhausted
    }

    private mutating func advanceSecond() -> Bool { roll(spec.seconds, \.second, unit: 1, span: 60, forward: true) }
    private mutating func reverseSecond() -> Bool { roll(spec.seconds, \.second, unit: 1, span: 60, forward: false) }
    private mutating func advanceMinute() -> Bool { roll(spec.minutes, \.minute, unit: 60, span: 60, forward: true) }
    private mutating func reverseMinute() -> Bool { roll(spec.minutes, \.minute, unit: 60, span: 60, forward: false) }
    private mutating func advanceHour() -> Bool { roll(spec.hours, \.hour, unit: 3600, span: 24, forward: true) }
    private mutating func reverseHour() -> Bool { roll(spec.hours, \.hour, unit: 3600, span: 24, forward: false) }

    /// cronsim's `advance_second/minute/hour` and their `reverse_` twins in one: reset the finer
    /// fields (to 0 forward, 59 backward), jump straight to a lone allowed second or minute,
    /// then tick one unit at a time until a match or the component wraps.
    private mutating func roll(
        _ mask: UInt64, _ component: WritableKeyPath<Civil.Parts, Int>, unit: Int64, span: Int, forward: Bool
    ) -> Bool {
        var p = parts
        let value = p[keyPath: component]
        if bit(mask, value) { return false }
        let edge = forward ? 0 : 59
        if component == \.hour { (p.minute, p.second) = (edge, edge) }
        if component == \.minute { p.second = edge }
        wall = p.wall
        let sign: Int64 = forward ? 1 : -1
        if component != \.hour && mask.nonzeroBitCount == 1 {
            let target = mask.trailingZeroBitCount
            let delta = forward ? (target - value + span) % span : (value - target + span) % span
            tick(sign * Int64(delta) * unit)
        }
        let wrap = forward ? 0 : span - 1
        while !bit(mask, parts[keyPath: component]) {
            tick(sign * unit)
            if parts[keyPath: component] == wrap { break }
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

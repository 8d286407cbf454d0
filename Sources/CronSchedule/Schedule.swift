import AlmanacCore
import Foundation

/// A compiled cron schedule in one IANA time zone: next/previous fire times, matching, words.
///
/// Semantics follow cronsim 2.8 (and so Debian cron) exactly, including DST: a 5-field
/// expression whose minute and hour do not start with `*` runs on wall-clock time — what falls
/// in a spring-forward gap runs right after it, a fall-back repeat runs once — while finer
/// schedules and 6-field expressions run on real instants. The hot path is integer civil-date
/// arithmetic over a cached offset table; no `Calendar`.
public struct Schedule: Sendable, Hashable, CustomStringConvertible {
    /// The source text, or a cron rendering for an `every:` shorthand.
    public let expression: String
    /// The zone wall-clock fields are read in.
    public let timeZone: TimeZone
    let spec: CronSpec
    let zone: ZoneOffsets

    /// UTC, the default zone (stored once, so no force unwrap is needed anywhere).
    public static let utc: TimeZone = .utc

    init(expression: String, timeZone: TimeZone, spec: CronSpec) {
        self.expression = expression
        self.timeZone = timeZone
        self.spec = spec
        self.zone = ZoneOffsets.of(timeZone)
    }

    /// Parses 5-field / 6-field (leading seconds) cron or a macro; `hashKey` (the job name) feeds `H`.
    public static func parse(_ expression: String, timeZone: TimeZone = Schedule.utc, hashKey: String = "")
        throws(CronError) -> Schedule
    {
        let spec = try Parser(hashKey: hashKey).parse(expression)
        return Schedule(expression: expression, timeZone: timeZone, spec: spec)
    }

    /// Whether the expression has a leading seconds field (6 fields).
    public var hasSecondsField: Bool { spec.hasSeconds }

    /// Whether DST transitions get Debian cron's wall-clock treatment (specific time of day).
    public var usesWallClockDST: Bool { spec.dstFixup }

    public var description: String {
        zoneName == "UTC" ? expression : "\(expression) (\(zoneName))"
    }

    var zoneName: String { timeZone.displayName }

    /// The first fire time strictly after `date`; nil when it never fires again (searches 50 years).
    public func next(after date: Date) -> Date? {
        guard let u0 = Schedule.floorSeconds(date), let u = nextInstant(after: u0) else { return nil }
        return Date(timeIntervalSince1970: Double(u))
    }

    /// The last fire time strictly before `date`; nil when none in the previous 50 years.
    public func previous(before date: Date) -> Date? {
        guard let u0 = Schedule.floorSeconds(date) else { return nil }
        let fractional = Double(u0) != date.timeIntervalSince1970
        guard let u = previousInstant(floor: u0, fractional: fractional) else { return nil }
        return Date(timeIntervalSince1970: Double(u))
    }

    /// The fire times after `date`, lazily.
    public func fires(after date: Date) -> FireSequence { FireSequence(schedule: self, start: date) }

    /// Whether the schedule fires exactly at `date` (a whole second).
    public func matches(_ date: Date) -> Bool {
        guard let u = Schedule.floorSeconds(date), Double(u) == date.timeIntervalSince1970 else { return false }
        return nextInstant(after: u - 1) == u
    }

    /// Whether the wall-clock time of `date` in the zone matches every field, read straight
    /// from the field bitsets rather than through the search `matches` uses: the fuzz harness's
    /// independent oracle for `next` (docs/fuzzing.md).
    package func fieldsMatch(_ date: Date) -> Bool {
        guard let u = Schedule.floorSeconds(date) else { return false }
        return spec.matches(wall: zone.local(u).wall)
    }

    static func floorSeconds(_ date: Date) -> Int64? {
        let t = date.timeIntervalSince1970
        guard t.isFinite, abs(t) < 1e13 else { return nil }
        return Int64(t.rounded(.down))
    }

    /// The first fire instant (Unix seconds) strictly after `u0`.
    func nextInstant(after u0: Int64) -> Int64? {
        if zone.isFixed {
            let offset = zone.offsets[0]
            return spec.nextWall(after: u0 + offset).map { $0 - offset }
        }
        if spec.dstFixup { return nextWallClock(after: u0) }
        let offset = zone.offset(at: u0)
        guard let wall = spec.nextWall(after: u0 + offset) else { return nil }
        let candidate = wall - offset
        if !zone.hasTransition(from: u0 - 7200, through: candidate + 7200) { return candidate }
        var walker = Walker(spec: spec, zone: zone, instant: u0)
        let found = walker.next()
        // cronsim can also step back in time near a change (fuzz-cron: `*/15 3 * * *` in
        // Chatham after 03:30 CHADT answers 03:00 CHADT again, so its iterator loops): that is
        // no answer either, and "strictly after" is the contract.
        if walker.exhausted || found.map({ $0 <= u0 }) == true { return instantScan(after: u0) }
        return found
    }

    /// The first instant after `u0` whose local wall time matches: the fallback where cronsim
    /// has no answer (it loops), bounded like everything else.
    private func instantScan(after u0: Int64) -> Int64? {
        let wall0 = u0 + zone.offset(at: u0)
        let reach: Int64 = 26 * 3600
        var wall = wall0 - reach
        var best: Int64?
        for _ in 0..<200_000 {
            guard let found = spec.nextWall(after: wall) else { return best }
            if found > wall0 + reach, best != nil { return best }
            for u in instants(atWall: found) where u > u0 && u < (best ?? .max) { best = u }
            wall = found
        }
        return best
    }

    /// The instants a wall time names: one, two in a repeated hour, none in a gap.
    private func instants(atWall wall: Int64) -> [Int64] {
        switch zone.resolve(wall: wall) {
        case .unique(let u): [u]
        case .ambiguous(let a, let b): [a, b]
        case .gap: []
        }
    }

    /// Debian/cronsim wall-clock mode: search naive local time, then read it with fold 0 and
    /// push times inside a gap forward, minute by minute, to the first real time.
    private func nextWallClock(after u0: Int64) -> Int64? {
        var wall = u0 + zone.offset(at: u0)
        while true {
            guard let found = spec.nextWall(after: wall) else { return nil }
            let (u, fixed) = settle(found)
            // Starting inside a fall-back repeat, cronsim would hand back the first occurrence,
            // which is in the past: skip it (it already ran), keep "strictly after".
            if u > u0 { return u }
            wall = fixed
        }
    }

    /// A wall time read with fold 0, moved past a gap in whole minutes as cronsim does.
    private func settle(_ wall: Int64) -> (instant: Int64, wall: Int64) {
        var w = wall
        while true {
            switch zone.resolve(wall: w) {
            case .unique(let u): return (u, w)
            case .ambiguous(let u, _): return (u, w)
            case .gap(_, _, let end): w += (end - w + 59) / 60 * 60
            }
        }
    }

    func previousInstant(floor u0: Int64, fractional: Bool) -> Int64? {
        let hi = fractional ? u0 : u0 - 1
        if zone.isFixed {
            let offset = zone.offsets[0]
            return spec.previousWall(before: hi + offset + 1).map { $0 - offset }
        }
        if spec.dstFixup {
            var wall = u0 + zone.offset(at: u0) - (fractional ? 0 : 1)
            while case .gap = zone.resolve(wall: wall) { wall -= 60 }
            return spec.previousWall(before: wall + 1).map { settle($0).instant }
        }
        let offset = zone.offset(at: hi)
        guard let wall = spec.previousWall(before: hi + offset + 1) else { return nil }
        let candidate = wall - offset
        if !zone.hasTransition(from: candidate - 7200, through: hi + 7200) { return candidate }
        var walker = Walker(spec: spec, zone: zone, instant: u0)
        let found = walker.previous(skipTick: fractional)
        if walker.exhausted || found.map({ $0 > hi }) == true { return instantScan(through: hi) }
        return found
    }

    /// The last instant at or before `hi` whose local wall time matches: `instantScan(after:)`
    /// backwards, for where cronsim's reverse search loops (fuzz-cron: `*/30 2 * * *` in
    /// Chatham just after its 45-minute fall-back change spun until the budget ran out).
    private func instantScan(through hi: Int64) -> Int64? {
        let wall0 = hi + zone.offset(at: hi)
        let reach: Int64 = 26 * 3600
        var wall = wall0 + reach + 1
        var best: Int64?
        for _ in 0..<200_000 {
            guard let found = spec.previousWall(before: wall) else { return best }
            if found < wall0 - reach, best != nil { return best }
            for u in instants(atWall: found) where u <= hi && u > (best ?? .min) { best = u }
            wall = found
        }
        return best
    }

    public static func == (a: Schedule, b: Schedule) -> Bool {
        a.expression == b.expression && a.timeZone.identifier == b.timeZone.identifier && a.spec == b.spec
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(expression)
        hasher.combine(timeZone.identifier)
        hasher.combine(spec)
    }
}

/// The fire times of a schedule after a start, as a lazy sequence (`prefix(5)` for "next five").
public struct FireSequence: Sequence, Sendable {
    let schedule: Schedule
    let start: Date

    public struct Iterator: IteratorProtocol, Sendable {
        let schedule: Schedule
        var cursor: Date?

        public mutating func next() -> Date? {
            guard let cursor, let fire = schedule.next(after: cursor) else {
                cursor = nil
                return nil
            }
            self.cursor = fire
            return fire
        }
    }

    public func makeIterator() -> Iterator { Iterator(schedule: schedule, cursor: start) }
}

extension Schedule {
    /// The shortest gap, in seconds, between consecutive fires among the first `samples` after
    /// `date`; nil when it fires fewer than twice.
    ///
    /// What `jitter` must stay under: a jitter at least this long could push an occurrence onto
    /// or past the next one. A sample rather than a proof, so a schedule whose tightest gap
    /// comes later than the sample (rare: a `L`/`W` day-of-month at a month's end) may pass.
    public func shortestGap(after date: Date, samples: Int = 12) -> TimeInterval? {
        guard samples >= 2 else { return nil }
        var shortest: TimeInterval?
        var previous: Date?
        for fire in fires(after: date).prefix(samples) {
            if let previous { shortest = min(shortest ?? .infinity, fire.timeIntervalSince(previous)) }
            previous = fire
        }
        return shortest
    }
}

extension Schedule {
    /// The closest two fires can ever be: a second with a seconds field, else a minute. A jitter
    /// below it needs no search (`shortestGap`), which keeps validating 100,000 jittered jobs cheap.
    public var finestGap: TimeInterval { spec.hasSeconds ? 1 : 60 }
}

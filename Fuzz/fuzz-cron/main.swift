import CronSchedule
import Foundation
import FuzzSupport

// The cron parser and `next`: byte 0 picks a zone (odd DST ones among them), bytes 1-4 a start
// instant (seconds since 1970, little-endian: 1970-2106), the rest is the expression.
// Properties, for five fires in a row: each is strictly after the one before; its wall-clock
// time matches every field (or it is within the first minute after a spring-forward gap the
// wanted time fell into: cronsim runs it there, on either DST rule); where the zone's offset stays put between
// two fires, nothing between them matches and `previous` walks back to the fire before.

/// Zones with every kind of change: none, an hour, half an hour (Lord Howe), 45-minute
/// offsets (Chatham, Kathmandu, which also moved from +05:30 in 1986), negative DST (Dublin),
/// midnight changes (São Paulo, Havana), two hours (Troll), a skipped day (Apia).
let zones: [TimeZone] = [
    "UTC", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham", "Asia/Kathmandu",
    "Europe/London", "Europe/Dublin", "America/Sao_Paulo", "America/Havana", "Antarctica/Troll",
    "Pacific/Apia", "America/St_Johns", "Asia/Tehran", "Australia/Adelaide", "Europe/Berlin", "Asia/Tokyo",
].compactMap(TimeZone.init(identifier:))

/// Whether `date` is within a minute after a spring-forward change: where a time the gap
/// swallowed runs.
func followsGap(_ date: Date, in zone: TimeZone) -> Bool {
    zone.secondsFromGMT(for: date) > zone.secondsFromGMT(for: date.addingTimeInterval(-60))
}

/// Whether the zone changes offset between three hours before `from` and `to`: a start up to
/// that long after a fall-back change may sit in the repeated hour, whose second run of a
/// wall-clock time the Debian rule skips (it ran the first time).
func changes(_ zone: TimeZone, from: Date, to: Date) -> Bool {
    guard let transition = zone.nextDaylightSavingTimeTransition(after: from.addingTimeInterval(-3 * 3600)) else { return false }
    return transition <= to || zone.secondsFromGMT(for: from) != zone.secondsFromGMT(for: to)
}

/// The most candidate instants scanned between two fires for the "nothing in between" check.
let scanLimit: Int64 = 4000

FuzzDriver.run { data in
    guard data.count >= 5 else { return }
    let zone = zones[Int(data[0]) % zones.count]
    let raw = (1...4).reduce(UInt32(0)) { $0 | UInt32(data[$1]) << (8 * UInt32($1 - 1)) }
    let start = Date(timeIntervalSince1970: Double(raw))
    let expression = String(decoding: data.dropFirst(5), as: UTF8.self)
    guard let schedule = try? Schedule.parse(expression, timeZone: zone, hashKey: "fuzz") else { return }
    _ = schedule.explain()
    let step: Int64 = schedule.hasSecondsField ? 1 : 60
    let context = { "\(expression.debugDescription) in \(zone.identifier) from \(start)" }
    var previous = start
    for index in 0..<5 {
        guard let fire = schedule.next(after: previous) else { return }
        FuzzDriver.check(fire > previous, "next \(fire) not after \(previous): \(context())")
        FuzzDriver.check(fire.timeIntervalSince(previous) < 51 * 366 * 86_400, "next \(fire) beyond the 50-year search: \(context())")
        FuzzDriver.check(fire.timeIntervalSince1970.rounded(.down) == fire.timeIntervalSince1970, "next \(fire) not a whole second")
        FuzzDriver.check(schedule.fieldsMatch(fire) || followsGap(fire, in: zone),
                         "next \(fire) does not match the fields: \(context())")
        // Across a change the exact semantics are cronsim's (a repeated hour runs once on the
        // wall-clock rule; some instant schedules carry the change's step over, DSTTests pins
        // those): the in-between and `previous` checks hold where the offset stays put.
        if !changes(zone, from: previous, to: fire) {
            // Near a change cronsim's answer depends on where the search starts (Kathmandu's
            // 1986 gap fires 00:15 from 20:43 the evening before, 01:00 from 23:59:59), and
            // `matches` asks from one second before.
            FuzzDriver.check(schedule.matches(fire), "matches(\(fire)) is false for a fire: \(context())")
            let lo = (Int64(previous.timeIntervalSince1970.rounded(.down)) / step + 1) * step
            let hi = Int64(fire.timeIntervalSince1970)
            if (hi - lo) / step <= scanLimit {
                var u = lo
                while u < hi {
                    let between = Date(timeIntervalSince1970: Double(u))
                    FuzzDriver.check(!schedule.fieldsMatch(between), "next \(fire) skipped \(between): \(context())")
                    u += step
                }
            }
            if let before = schedule.previous(before: fire) {
                if index == 0 {
                    FuzzDriver.check(before <= previous, "previous(before: \(fire)) = \(before), after the start: \(context())")
                } else {
                    FuzzDriver.check(before == previous, "previous(before: \(fire)) = \(before), not fire \(previous): \(context())")
                }
            } else {
                FuzzDriver.check(index == 0, "previous(before: \(fire)) is nil though \(previous) fired: \(context())")
            }
        }
        previous = fire
    }
}

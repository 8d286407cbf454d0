import CronSchedule
import Foundation

/// RFC 3339 reading and writing, plus the local `2026-12-01T09:00` forms posts accept.
///
/// Hand-written over civil-date arithmetic so it needs no formatter objects and no locale.
enum RFC3339 {
    /// Formats in UTC with a `Z`, whole seconds: `2026-12-01T09:00:00Z`.
    static func format(_ date: Date) -> String {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (y, m, d) = Civil.date(days: days)
        func two<Value: BinaryInteger>(_ v: Value) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(y)
        let paddedYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return "\(paddedYear)-\(two(m))-\(two(d))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))Z"
    }

    /// Reads `YYYY-MM-DD[T ]hh:mm[:ss[.frac]]` with an optional `Z`/`±hh:mm`.
    ///
    /// Without an offset the time is local to `timeZone`. Returns nil when malformed.
    static func parse(_ text: String, timeZone: TimeZone) -> (date: Date, hadOffset: Bool)? {
        let b = Array(text.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from..<(from + count) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count >= 16, let year = num(0, 4), b[4] == 45, let month = num(5, 2), b[7] == 45,
              let day = num(8, 2), b[10] == 84 || b[10] == 116 || b[10] == 32,
              let hour = num(11, 2), b[13] == 58, let minute = num(14, 2) else { return nil }
        var i = 16
        var second = 0
        var fraction = 0.0
        if i < b.count, b[i] == 58 {
            guard let s = num(i + 1, 2) else { return nil }
            second = s
            i += 3
            if i < b.count, b[i] == 46 {
                var scale = 0.1
                i += 1
                let start = i
                while i < b.count, b[i] >= 48, b[i] <= 57 { fraction += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
                guard i > start else { return nil }
            }
        }
        guard (1...12).contains(month), (1...Civil.daysInMonth(year: year, month: month)).contains(day),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        var offset: Int?
        if i < b.count {
            if b[i] == 90 || b[i] == 122, i + 1 == b.count {
                offset = 0
            } else if b[i] == 43 || b[i] == 45, i + 6 == b.count, let oh = num(i + 1, 2), b[i + 3] == 58, let om = num(i + 4, 2),
                      oh <= 23, om <= 59 {
                offset = (b[i] == 45 ? -1 : 1) * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        let localSeconds = Double(Civil.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second))
        if let offset { return (Date(timeIntervalSince1970: localSeconds - Double(offset) + fraction), true) }
        // Local time: resolve the zone's offset at that wall time (two passes settle DST edges).
        var guess = Date(timeIntervalSince1970: localSeconds)
        for _ in 0..<2 {
            guess = Date(timeIntervalSince1970: localSeconds - Double(timeZone.secondsFromGMT(for: guess)))
        }
        return (guess.addingTimeInterval(fraction), false)
    }
}

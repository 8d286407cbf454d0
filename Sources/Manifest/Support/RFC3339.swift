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
        let (y, m, d) = civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
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
        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
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
        let localSeconds = Double(days(fromYear: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second))
        if let offset { return (Date(timeIntervalSince1970: localSeconds - Double(offset) + fraction), true) }
        // Local time: resolve the zone's offset at that wall time (two passes settle DST edges).
        var guess = Date(timeIntervalSince1970: localSeconds)
        for _ in 0..<2 {
            guess = Date(timeIntervalSince1970: localSeconds - Double(timeZone.secondsFromGMT(for: guess)))
        }
        return (guess.addingTimeInterval(fraction), false)
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromYear year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

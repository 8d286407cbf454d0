import Foundation

/// RFC 3339 timestamps for journal lines, formatted and parsed by hand.
///
/// `ISO8601DateFormatter` costs microseconds per call and replay parses two dates per line, so
/// this works on bytes with civil-date arithmetic (Howard Hinnant's days-from-civil). The
/// journal keeps millisecond precision: `2026-03-08T07:00:00Z`, `2026-03-08T07:00:00.250Z`.
enum RFC3339 {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: what four year digits can hold.
    static let minMilliseconds: Int64 = -62_135_596_800_000
    static let maxMilliseconds: Int64 = 253_402_300_799_999

    /// Milliseconds since 1970, rounded and clamped to years 1…9999 (never traps).
    static func milliseconds(_ date: Date) -> Int64 {
        let ms = date.timeIntervalSince1970 * 1000
        guard ms.isFinite else { return ms > 0 ? maxMilliseconds : minMilliseconds }
        let clamped = min(max(ms.rounded(), Double(minMilliseconds)), Double(maxMilliseconds))
        return Int64(clamped)
    }

    /// The date for a millisecond count; the one constructor, so equal counts give equal dates.
    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Rounds a date to what the journal stores, so in-memory state equals replayed state.
    static func normalized(_ date: Date) -> Date { self.date(milliseconds: milliseconds(date)) }

    /// Appends `date` as UTC text, with `.mmm` only when the milliseconds are not zero.
    static func write(_ date: Date, into out: inout [UInt8]) {
        let total = milliseconds(date)
        let (seconds, milli) = floorDivMod(total, 1000)
        let (days, secondOfDay) = floorDivMod(seconds, 86_400)
        let (year, month, day) = civil(fromDays: days)
        appendDigits(year, width: 4, into: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(month, width: 2, into: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(day, width: 2, into: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(secondOfDay / 3600, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay / 60 % 60, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(secondOfDay % 60, width: 2, into: &out)
        if milli != 0 {
            out.append(UInt8(ascii: "."))
            appendDigits(milli, width: 3, into: &out)
        }
        out.append(UInt8(ascii: "Z"))
    }

    /// The UTC text of `date`, as written in journal lines.
    static func format(_ date: Date) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        write(date, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; `t`, `z` and a space separator are accepted.
    static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// Parses the bytes of one timestamp (the whole buffer), or returns nil.
    static func parse(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        if let milliseconds = canonicalMilliseconds(b) { return date(milliseconds: milliseconds) }
        return parseAnyForm(b)
    }

    /// The general parser, without the fast path for the writer's own form (tests compare the two).
    static func parseAnyForm(_ b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count >= 20,
              let year = number(b, 0, 4), b[4] == UInt8(ascii: "-"),
              let month = number(b, 5, 2), b[7] == UInt8(ascii: "-"),
              let day = number(b, 8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              let hour = number(b, 11, 2), b[13] == UInt8(ascii: ":"),
              let minute = number(b, 14, 2), b[16] == UInt8(ascii: ":"),
              let second = number(b, 17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second <= 60
        else { return nil }
        var i = 19
        var milli: Int64 = 0
        var fraction = 0.0, fractionDigits = 0, scale = 0.1
        if b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, let d = digit(b[i]) {
                if fractionDigits < 3 { milli = milli * 10 + d }
                fraction += Double(d) * scale
                scale /= 10
                fractionDigits += 1
                i += 1
            }
            guard fractionDigits > 0 else { return nil }
            for _ in fractionDigits..<max(fractionDigits, 3) { milli *= 10 }
        }
        guard i < b.count else { return nil }
        var offset: Int64 = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            i += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == b.count, let oh = number(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"),
                  let om = number(b, i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        default:
            return nil
        }
        guard i == b.count else { return nil }
        let seconds = days(year: year, month: month, day: day) * 86_400
            + hour * 3600 + minute * 60 + second - offset
        if fractionDigits <= 3 { return date(milliseconds: seconds * 1000 + milli) }
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }

    /// What the writer produces, `YYYY-MM-DDTHH:MM:SSZ` or `…SS.mmmZ`, without optionals or loops.
    ///
    /// Nil means "not in this exact form": `parse` then takes the general path, which accepts
    /// (and validates) the same dates the same way, so both paths agree wherever both apply.
    @inline(__always)
    static func canonicalMilliseconds(_ b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count == 20 || (b.count == 24 && b[19] == UInt8(ascii: ".")), b[b.count - 1] == UInt8(ascii: "Z"),
              b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
        var bad: UInt8 = 0
        @inline(__always) func d(_ i: Int) -> Int64 {
            let x = b[i] &- UInt8(ascii: "0")
            bad |= x > 9 ? 1 : 0
            return Int64(x)
        }
        let year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3)
        let month = d(5) * 10 + d(6), day = d(8) * 10 + d(9)
        let hour = d(11) * 10 + d(12), minute = d(14) * 10 + d(15), second = d(17) * 10 + d(18)
        let milli = b.count == 24 ? d(20) * 100 + d(21) * 10 + d(22) : 0
        guard bad == 0, month >= 1, month <= 12, day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second <= 60 else { return nil }
        return (days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000 + milli
    }

    // MARK: civil-date arithmetic

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date `days` after 1970-01-01.
    static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    @inline(__always)
    private static func digit(_ byte: UInt8) -> Int64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
    }

    @inline(__always)
    private static func number(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ count: Int) -> Int64? {
        var value: Int64 = 0
        for i in start..<start + count {
            guard i < b.count, let d = digit(b[i]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    /// Appends exactly `width` digits (values are clamped to fit, so nothing is lost).
    private static func appendDigits(_ value: Int64, width: Int, into out: inout [UInt8]) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}

import Foundation

/// RFC 3339 timestamps, written and read by hand: the one implementation for journal lines, plan
/// and status text, the API and the manifest's `at:` values.
///
/// `ISO8601DateFormatter` costs microseconds per call, depends on the locale, and journal replay
/// parses two dates per line; this works on bytes with civil-date arithmetic (`Civil`), so every
/// machine writes the same bytes (plan and status files, and content hashes, rely on that).
/// Dates are kept to the millisecond: `2026-03-08T07:00:00Z`, `2026-03-08T07:00:00.250Z`,
/// `2026-03-08T03:00:00-04:00` with a zone. Parsing lives in `RFC3339+Parse.swift`.
package enum RFC3339 {
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: what four year digits can hold.
    package static let minMilliseconds: Int64 = -62_135_596_800_000
    package static let maxMilliseconds: Int64 = 253_402_300_799_999

    /// How much of the second a written date keeps.
    package enum Precision: Sendable {
        /// Rounded to the millisecond, `.mmm` written only when it is not zero (the journal's form).
        case milliseconds
        /// Whole seconds, the fraction dropped (the manifest's `at` text, which content hashes cover).
        case seconds
    }

    /// Milliseconds since 1970, rounded and clamped to years 1…9999 (never traps).
    @inlinable
    package static func milliseconds(_ date: Date) -> Int64 {
        let ms = date.timeIntervalSince1970 * 1000
        guard ms.isFinite else { return ms > 0 ? maxMilliseconds : minMilliseconds }
        let clamped = min(max(ms.rounded(), Double(minMilliseconds)), Double(maxMilliseconds))
        return Int64(clamped)
    }

    /// The date for a millisecond count; the one constructor, so equal counts give equal dates.
    @inlinable
    package static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Rounds a date to what the journal stores, so in-memory state equals replayed state.
    package static func normalized(_ date: Date) -> Date { self.date(milliseconds: milliseconds(date)) }

    /// The text of `date`: UTC with `Z` without a zone, else the zone's wall time and offset.
    ///
    /// With `numericOffset`, UTC is written `+00:00` rather than `Z`, so a column of times in
    /// several zones keeps one form.
    package static func format(_ date: Date, in zone: TimeZone? = nil, numericOffset: Bool = false,
                               precision: Precision = .milliseconds) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(29)
        write(date, in: zone, numericOffset: numericOffset, precision: precision, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the text `format` returns, as UTF-8 bytes.
    ///
    /// Journal appends and the status write-back format several dates for each of thousands of
    /// records; appending digits to one buffer avoids a dozen small strings per date.
    package static func write(_ date: Date, in zone: TimeZone? = nil, numericOffset: Bool = false,
                              precision: Precision = .milliseconds, into out: inout [UInt8]) {
        let seconds: Int64, milli: Int64
        switch precision {
        case .milliseconds: (seconds, milli) = floorDivMod(milliseconds(date), 1000)
        case .seconds: (seconds, milli) = (wholeSeconds(date), 0)
        }
        let offset = zone.map { Int64($0.secondsFromGMT(for: date)) } ?? 0
        let (days, secondOfDay) = floorDivMod(seconds + offset, 86_400)
        let (year, month, day) = Civil.date(days: days)
        appendDigits(Int64(year), width: 4, into: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int64(month), width: 2, into: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int64(day), width: 2, into: &out)
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
        if !numericOffset && (zone == nil || offset == 0 && zone?.displayName == "UTC") {
            out.append(UInt8(ascii: "Z"))
            return
        }
        out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let magnitude = abs(offset)
        appendDigits(magnitude / 3600, width: 2, into: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(magnitude / 60 % 60, width: 2, into: &out)
    }

    /// Seconds since 1970 rounded down (not to the nearest), clamped like `milliseconds`.
    static func wholeSeconds(_ date: Date) -> Int64 {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        let lowest = Double(minMilliseconds / 1000), highest = Double(maxMilliseconds / 1000)
        guard seconds.isFinite else { return Int64(seconds > 0 ? highest : lowest) }
        return Int64(min(max(seconds, lowest), highest))
    }

    static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Appends `value` (never negative here: years are clamped to 0…10000) as at least `width` digits.
    private static func appendDigits(_ value: Int64, width: Int, into out: inout [UInt8]) {
        let value = max(value, 0)
        var divisor: Int64 = 1
        var digits = 1
        while digits < width || value / divisor >= 10 {
            divisor *= 10
            digits += 1
        }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}

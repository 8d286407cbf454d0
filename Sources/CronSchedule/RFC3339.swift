import Foundation

/// RFC 3339 text for instants, in UTC or with a zone's offset (`2026-03-08T03:00:00-04:00`).
///
/// Hand-written civil arithmetic rather than DateFormatter: deterministic across locales, and
/// the same bytes on every machine, which the plan and status files rely on.
public enum RFC3339 {
    /// With `numericOffset`, UTC is written `+00:00` rather than `Z`, so a column of times in
    /// several zones keeps one form.
    public static func format(_ date: Date, in zone: TimeZone? = nil, numericOffset: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(25)
        write(date, in: zone, numericOffset: numericOffset, into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the text `format` returns, as UTF-8 bytes.
    ///
    /// The status write-back formats several dates for each of thousands of jobs; appending
    /// digits to one buffer avoids a dozen small strings per date.
    public static func write(_ date: Date, in zone: TimeZone? = nil, numericOffset: Bool = false, into out: inout [UInt8]) {
        let whole = Int64((date.timeIntervalSince1970).rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(whole)) * 1000 + 0.5)
        let offset = zone.map { Int64($0.secondsFromGMT(for: date)) } ?? 0
        let local = whole + offset
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        let (y, m, d) = Civil.date(days: days)
        pad(y, 4, &out)
        out.append(UInt8(ascii: "-"))
        pad(m, 2, &out)
        out.append(UInt8(ascii: "-"))
        pad(d, 2, &out)
        out.append(UInt8(ascii: "T"))
        pad(Int(secondOfDay / 3600), 2, &out)
        out.append(UInt8(ascii: ":"))
        pad(Int(secondOfDay / 60 % 60), 2, &out)
        out.append(UInt8(ascii: ":"))
        pad(Int(secondOfDay % 60), 2, &out)
        if millis > 0 && millis < 1000 {
            out.append(UInt8(ascii: "."))
            pad(millis, 3, &out)
        }
        if !numericOffset && (zone == nil || offset == 0 && zone?.displayName == "UTC") {
            out.append(UInt8(ascii: "Z"))
            return
        }
        out.append(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
        let magnitude = abs(offset)
        pad(Int(magnitude / 3600), 2, &out)
        out.append(UInt8(ascii: ":"))
        pad(Int(magnitude / 60 % 60), 2, &out)
    }

    /// `value` in decimal, zero-padded on the left to `width` digits.
    private static func pad(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        guard value >= 0 else {  // years before 1 BC: as `String(value)` spells them, padded
            let text = String(value)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(0, width - text.utf8.count)))
            out.append(contentsOf: text.utf8)
            return
        }
        var digits = 1
        var limit = 10
        while value >= limit && digits < 19 {
            digits += 1
            limit &*= 10
        }
        if width > digits { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - digits)) }
        var divisor = 1
        for _ in 1..<digits { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
